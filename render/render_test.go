package render

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
)

var update = flag.Bool("update", os.Getenv("SKYC_UPDATE") == "1", "rewrite golden files")

// repo writes files into a fresh repository (with an empty skyc.yaml
// unless one is given) and returns its root.
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if _, ok := files["skyc.yaml"]; !ok {
		files["skyc.yaml"] = ""
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func renderPaths(t *testing.T, opts Options, paths ...string) (*Renderer, *Result) {
	t.Helper()
	ctx := context.Background()
	files, explicit, err := Discover(paths)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(ctx, opts, files[0])
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Render(ctx, files, explicit)
}

func stream(t *testing.T, objs []manifest.Object) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := manifest.WriteStream(&buf, objs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestEveryKindFromStarlark constructs every registered kind with object
// metadata in a .sky file through proto.package and checks each renders
// with its own apiVersion and kind.
func TestEveryKindFromStarlark(t *testing.T) {
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("meta = proto.package(\"k8s.io.apimachinery.pkg.apis.meta.v1\")\nKINDS = [\n")
	var want []string
	for _, k := range reg.Kinds() {
		d := k.Message.Descriptor()
		// Lists and the few request kinds without metadata (e.g.
		// DeploymentRollback) are not objects a service renders; the
		// schemas tests cover their conversion.
		if strings.HasSuffix(k.GVK.Kind, "List") || d.Fields().ByName("metadata") == nil {
			continue
		}
		fmt.Fprintf(&b, "    (%q, %q),\n", d.ParentFile().Package(), d.Name())
		want = append(want, k.APIVersion()+" "+k.GVK.Kind)
	}
	b.WriteString(`]

def main(ctx):
    return [
        getattr(proto.package(pkg), kind)(metadata = meta.ObjectMeta(name = "k%d" % i))
        for i, (pkg, kind) in enumerate(KINDS)
    ]
`)
	root := repo(t, map[string]string{"kinds.sky": b.String()})
	_, res := renderPaths(t, Options{}, filepath.Join(root, "kinds.sky"))
	for _, d := range res.Diagnostics {
		t.Fatalf("render: %v", d)
	}
	got := map[string]bool{}
	for _, o := range res.Objects {
		gvk := o.Obj.GetObjectKind().GroupVersionKind()
		got[gvk.GroupVersion().String()+" "+gvk.Kind] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s: not rendered with its apiVersion and kind", w)
		}
	}
	if len(res.Objects) != len(want) {
		t.Errorf("rendered %d objects, want %d", len(res.Objects), len(want))
	}
}

// TestGoldenExamples keeps the rendered examples, one stream per
// environment, in testdata/examples-<env>.yaml (-update rewrites them).
func TestGoldenExamples(t *testing.T) {
	for _, env := range []string{"staging", "production"} {
		t.Run(env, func(t *testing.T) {
			_, res := renderPaths(t, Options{Envs: []string{env}}, "../examples/...")
			for _, d := range res.Diagnostics {
				t.Fatalf("render: %v", d)
			}
			got := stream(t, res.Output())
			golden := filepath.Join("testdata", "examples-"+env+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./render -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered examples differ from %s (review, then go test ./render -update):\n%s", golden, lineDiff(string(want), string(got)))
			}
		})
	}
}

// TestDeterministic renders the examples serially and in parallel, many
// times, and expects the same bytes every time.
func TestDeterministic(t *testing.T) {
	_, first := renderPaths(t, Options{Parallel: 1}, "../examples/...")
	want := stream(t, first.Output())
	for i := 0; i < 5; i++ {
		_, res := renderPaths(t, Options{Parallel: 8}, "../examples/...")
		if got := stream(t, res.Output()); !bytes.Equal(got, want) {
			t.Fatalf("parallel render %d differs from the serial one:\n%s", i, lineDiff(string(want), string(got)))
		}
	}
}

// lineDiff shows the first differing lines of two texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}
