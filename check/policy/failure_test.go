package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
	"github.com/skyc-dev/skyc/stdlib"
)

// failingLib is a policies' library whose workloads() either works or,
// for objects named "spin", runs out of steps; its policies list what
// they were given, spin, or fail.
var failingLib = fstest.MapFS{
	"policies/_lib.sky": {Data: []byte(`
def workloads(objects, kinds):
    for o in objects:
        if o.metadata.name == "spin":
            for i in range(1 << 40):
                pass
    return ["computed once"]
`)},
	"policies/p.sky": {Data: []byte(`
def seen(ctx):
    return [struct(object = o, field = "", message = "workloads %r" % (ctx.workloads,), hint = None) for o in ctx.objects]

def spin(ctx):
    for i in range(1 << 40):
        pass

def bad(ctx):
    return "no list"
`)},
}

// TestPolicyFailures: a policy that fails or hits a limit fails the
// check with its ID; workloads() failing leaves ctx.workloads None and
// the policies still run.
func TestPolicyFailures(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "skyc.yaml"), []byte(oneEnv), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := render.New(ctx, render.Options{Root: dir}, dir)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := lang.New(lang.Options{Stdlib: failingLib, MaxSteps: 100_000,
		StdlibPredeclared: starlark.StringDict{"struct": starlark.NewBuiltin("struct", starlarkstruct.Make)}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := rt.Load(ctx, lang.StdlibPrefix+"policies/p.sky")
	if err != nil {
		t.Fatal(err)
	}
	policy := func(id, fn string) *stdlib.Policy {
		return &stdlib.Policy{ID: id, Severity: check.Warning, Check: g[fn].(starlark.Callable), File: lang.StdlibPrefix + "policies/p.sky"}
	}
	objects := func(name string) []manifest.Object {
		cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
		return []manifest.Object{{Env: "staging", Service: "svc", Source: "svc.sky:1:1", Obj: cm}}
	}
	tests := map[string]struct {
		policies []*stdlib.Policy
		name     string
		want     string // the findings' messages, or the error
	}{
		"workloads given":       {[]*stdlib.Policy{policy("seen", "seen")}, "web", `workloads ["computed once"]`},
		"workloads failed":      {[]*stdlib.Policy{policy("seen", "seen"), policy("seen-too", "seen")}, "spin", "workloads None|workloads None"},
		"a policy out of steps": {[]*stdlib.Policy{policy("seen", "seen"), policy("spin", "spin"), policy("bad", "bad")}, "web", "policy spin on svc.sky (staging): @skyc//policies/p.sky: evaluation of @skyc//policies/p.sky stopped: execution step limit of 100000 reached"},
		"a policy's result":     {[]*stdlib.Policy{policy("bad", "bad"), policy("spin", "spin")}, "web", "policy bad on svc.sky (staging): check returned string, want a list of finding(...)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e, err := New(Options{Runtime: rt, Policies: tt.policies, Registry: r.Registry(), Bridge: r.Bridge(), Config: r.Config()})
			if err != nil {
				t.Fatal(err)
			}
			fs, err := e.CheckGroup(ctx, objects(tt.name))
			var got string
			if err != nil {
				got = err.Error()
				if i := strings.Index(got, " reached"); i >= 0 {
					got = got[:i+len(" reached")] // not the position
				}
			} else {
				var msgs []string
				for _, f := range fs {
					msgs = append(msgs, f.Message)
				}
				got = strings.Join(msgs, "|")
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
