package apidoc

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

var update = flag.Bool("update", false, "rewrite docs/stdlib.md")

func registry(t *testing.T) *schemas.Registry {
	t.Helper()
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func library(t *testing.T) *stdlib.Library {
	t.Helper()
	reg := registry(t)
	lib, err := stdlib.Load(context.Background(), reg, lang.NewBridge(reg.Types()))
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// TestGoldenStdlibReference fails when docs/stdlib.md no longer matches
// the standard library. Regenerate it with "make docs" (or this test's
// -update flag) and commit it.
func TestGoldenStdlibReference(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "stdlib.md")
	got := Markdown(Stdlib(library(t)))
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run make docs", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/stdlib.md is stale: run make docs (or go test ./internal/apidoc -run GoldenStdlibReference -update) and commit it")
	}
}

func TestStdlibEntries(t *testing.T) {
	entries := Stdlib(library(t))
	byName := map[string]Entry{}
	for _, e := range entries {
		byName[e.Name] = e
	}
	svc := byName["service"]
	if !strings.HasPrefix(svc.Signature, "service(name, team, image, port = 8080,") {
		t.Errorf("service signature = %q", svc.Signature)
	}
	if !strings.HasPrefix(svc.Doc, "An HTTP service") || strings.Contains(svc.Doc, "\n    Besides") {
		t.Errorf("service doc is not dedented:\n%s", svc.Doc)
	}
	groups := PackageGroups(byName["k8s"])
	if groups["k8s.io.api.apps.v1"] != "k8s.apps" {
		t.Errorf("PackageGroups(k8s) = %v, want k8s.io.api.apps.v1 → k8s.apps", groups)
	}
	var b strings.Builder
	WriteEntry(&b, byName["autoscale"])
	want := `autoscale(min, max, cpu_percent = 70)

Horizontal autoscaling on CPU utilisation.

Args:
  min: the fewest replicas (at least 1).
`
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("WriteEntry(autoscale) =\n%s\nwant prefix\n%s", b.String(), want)
	}
}

func TestDedent(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"one line":       {in: "Summary.", want: "Summary."},
		"python style":   {in: "Summary.\n\n    More.\n      Deeper.\n    ", want: "Summary.\n\nMore.\n  Deeper."},
		"leading blank":  {in: "\n    Summary.\n    More.\n", want: "Summary.\nMore."},
		"tabs":           {in: "Summary.\n\tMore.", want: "Summary.\nMore."},
		"blank has tabs": {in: "A.\n  \t\n  B.", want: "A.\n\nB."},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Dedent(c.in); got != c.want {
				t.Errorf("Dedent(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	for in, want := range map[string]string{
		"Type of deployment. Can be \"Recreate\".": "Type of deployment.",
		"Number of pods, e.g. 3. Defaults to 1.":   "Number of pods, e.g. 3.",
		"First paragraph\nwraps.\n\nSecond.":       "First paragraph wraps.",
		"No full stop":                             "No full stop",
		"Version 1.2. More.":                       "Version 1.2.",
		"  Spaces.  ":                              "Spaces.",
	} {
		if got := Summary(in); got != want {
			t.Errorf("Summary(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitSignature(t *testing.T) {
	for name, c := range map[string]struct {
		sig   string
		width int
		want  string
	}{
		"fits":   {sig: "f(a, b = 1)", width: 80, want: "f(a, b = 1)"},
		"split":  {sig: "f(a, b = 1)", width: 5, want: "f(\n    a,\n    b = 1,\n)"},
		"nested": {sig: `f(a = ("x", "y"), b = {"k": 1, "j": 2}, c = "a,b")`, width: 10, want: "f(\n    a = (\"x\", \"y\"),\n    b = {\"k\": 1, \"j\": 2},\n    c = \"a,b\",\n)"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := SplitSignature(c.sig, c.width); got != c.want {
				t.Errorf("SplitSignature(%q) =\n%s\nwant\n%s", c.sig, got, c.want)
			}
		})
	}
}

func TestDocMarkdown(t *testing.T) {
	doc := Dedent(`Summary with app.kubernetes.io/* labels.

    Body <b>.

    Args:
      name: the name.
      port: the port,
        on two lines.

    Returns:
      A struct.
    `)
	want := "Summary with app.kubernetes.io/\\* labels.\n\nBody \\<b\\>.\n\n**Arguments**\n\n" +
		"- `name`: the name.\n- `port`: the port, on two lines.\n\n**Returns**\n\nA struct.\n"
	if got := docMarkdown(doc); got != want {
		t.Errorf("docMarkdown =\n%s\nwant\n%s", got, want)
	}
}

// TestLookup documents Kubernetes types and fields as .sky files see
// them, and says what is wrong with a name that does not exist.
func TestLookup(t *testing.T) {
	x := NewIndex(registry(t))
	for name, c := range map[string]struct {
		apiVersion, kind, path string
		wantName, wantDoc      string
		wantFields             []string // some fields, "name type"
		err                    string
	}{
		"kind": {
			apiVersion: "apps/v1", kind: "Deployment",
			wantName: "Deployment", wantDoc: "Deployment enables declarative updates for Pods and ReplicaSets.",
			wantFields: []string{"metadata ObjectMeta", "spec DeploymentSpec", "status DeploymentStatus"},
		},
		"field": {
			apiVersion: "apps/v1", kind: "Deployment", path: "spec.strategy",
			wantName: "DeploymentStrategy", wantDoc: "DeploymentStrategy describes how to replace existing pods with new ones.",
			wantFields: []string{"rollingUpdate RollingUpdateDeployment", "type string"},
		},
		"scalar field": {apiVersion: "apps/v1", kind: "Deployment", path: "spec.replicas", wantName: "int32"},
		"list field": {
			apiVersion: "v1", kind: "Pod", path: "spec.containers[0].ports",
			wantName: "list[ContainerPort]", wantFields: []string{"containerPort int32"},
		},
		"map field":       {apiVersion: "v1", kind: "Pod", path: "spec.containers.resources.limits", wantName: "dict[string, Quantity]"},
		"embedded struct": {apiVersion: "v1", kind: "Pod", path: "spec.containers.readinessProbe", wantFields: []string{"handler ProbeHandler", "periodSeconds int32"}},
		"core alias":      {apiVersion: "core/v1", kind: "ConfigMap", wantName: "ConfigMap", wantFields: []string{"data dict[string, string]"}},
		"any case":        {apiVersion: "apps/v1", kind: "deployment", wantName: "Deployment"},
		"not a kind":      {apiVersion: "apps/v1", kind: "DeploymentSpec", wantName: "DeploymentSpec", wantFields: []string{"replicas int32"}},
		"bad version":     {apiVersion: "app/v1", kind: "Deployment", err: `no API version "app/v1" (did you mean "apps/v1"?)`},
		"bad kind":        {apiVersion: "apps/v1", kind: "Deploymnet", err: `no type "Deploymnet" in apps/v1 (did you mean "Deployment"?)`},
		"unknown kind":    {apiVersion: "batch/v1", kind: "Zebra", err: `no type "Zebra" in batch/v1; its kinds are CronJob, CronJobList, Job, JobList`},
		"bad field":       {apiVersion: "apps/v1", kind: "Deployment", path: "spec.replcas", err: `no field of apps/v1 Deployment spec "replcas" (did you mean "replicas"?)`},
		"below a scalar":  {apiVersion: "apps/v1", kind: "Deployment", path: "spec.replicas.x", err: `apps/v1 Deployment: spec.replicas (int32) has no field x`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := x.Lookup(c.apiVersion, c.kind, c.path)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Lookup error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.wantName != "" && got.Name != c.wantName {
				t.Errorf("Name = %q, want %q", got.Name, c.wantName)
			}
			if c.wantDoc != "" && got.Doc != c.wantDoc {
				t.Errorf("Doc = %q, want %q", got.Doc, c.wantDoc)
			}
			have := map[string]bool{}
			for _, f := range got.Fields {
				have[f.Name+" "+f.Type] = true
			}
			for _, f := range c.wantFields {
				if !have[f] {
					t.Errorf("no field %q in %v", f, got.Fields)
				}
			}
		})
	}
}

func TestFieldDocs(t *testing.T) {
	x := NewIndex(registry(t))
	got, err := x.Lookup("apps/v1", "Deployment", "spec.strategy")
	if err != nil {
		t.Fatal(err)
	}
	if got.FieldDoc != "The deployment strategy to use to replace existing pods with new ones." {
		t.Errorf("FieldDoc = %q", got.FieldDoc)
	}
	for _, f := range got.Fields {
		if f.Doc == "" {
			t.Errorf("field %s has no documentation", f.Name)
		}
	}
	probe, err := x.Lookup("v1", "Probe", "handler")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(probe.FieldDoc, "ProbeHandler defines a specific action") {
		t.Errorf("an embedded struct is documented by its type; got %q", probe.FieldDoc)
	}
	byName, err := x.LookupMessage("k8s.io.api.apps.v1.Deployment", "spec")
	if err != nil {
		t.Fatal(err)
	}
	if byName.APIVersion != "apps/v1" || byName.Name != "DeploymentSpec" {
		t.Errorf("LookupMessage = %s %s, want apps/v1 DeploymentSpec", byName.APIVersion, byName.Name)
	}
}

func TestWriteType(t *testing.T) {
	x := NewIndex(registry(t))
	typ, err := x.Lookup("apps/v1", "Deployment", "spec.strategy")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteType(&b, typ, typ.Constructor(map[string]string{"k8s.io.api.apps.v1": "k8s.apps"}))
	want := `FIELD: apps/v1 Deployment spec.strategy
TYPE:  DeploymentStrategy

The deployment strategy to use to replace existing pods with new ones.

DeploymentStrategy describes how to replace existing pods with new ones.

FIELDS:
  rollingUpdate  RollingUpdateDeployment  Rolling update config params.
  type           string                   Type of deployment.

In .sky: k8s.apps.DeploymentStrategy(...)
`
	if b.String() != want {
		t.Errorf("WriteType =\n%s\nwant\n%s", b.String(), want)
	}
	for name, c := range map[string]struct {
		typ  Type
		want string
	}{
		"group":   {Type{Name: "Probe", Message: "k8s.io.api.core.v1.Probe"}, "k8s.core.Probe(...)"},
		"package": {Type{Name: "Role", Message: "k8s.io.api.rbac.v1beta1.Role"}, `proto.package("k8s.io.api.rbac.v1beta1").Role(...)`},
		"list":    {Type{Name: "list[Container]", Message: "k8s.io.api.core.v1.Container"}, "a list of k8s.core.Container(...)"},
		"plain":   {Type{Name: "dict[string, Quantity]", Message: "k8s.io.apimachinery.pkg.api.resource.Quantity"}, ""},
		"scalar":  {Type{Name: "string"}, ""},
	} {
		if got := c.typ.Constructor(map[string]string{"k8s.io.api.core.v1": "k8s.core"}); got != c.want {
			t.Errorf("%s: Constructor = %q, want %q", name, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	in := "one two three four five\n - keep this line\n"
	want := "one two three\nfour five\n - keep this\n   line"
	if got := wrap(in, 14); got != want {
		t.Errorf("wrap =\n%s\nwant\n%s", got, want)
	}
}
