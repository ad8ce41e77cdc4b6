package render

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/skyc-dev/skyc/manifest"
)

// TestOwnershipLabels: every object carries its service and environment as
// labels, the ones skyc diff selects on to find what is no longer rendered.
func TestOwnershipLabels(t *testing.T) {
	root := repo(t, map[string]string{
		"skyc.yaml": "environments:\n  staging: {}\n",
		"svc/api.sky": `
core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return [
        service(name = "api", team = "web", image = "x/api:1.0"),
        core.ConfigMap(metadata = meta.ObjectMeta(name = "raw")),
    ]
`,
	})
	_, res := renderPaths(t, Options{}, filepath.Join(root, "svc/..."))
	if res.Failed() {
		t.Fatalf("render: %v", res.Diagnostics)
	}
	for _, o := range res.Objects {
		acc, _ := meta.Accessor(o.Obj)
		l := acc.GetLabels()
		if l[manifest.ServiceLabel] != "api" || l[manifest.EnvironmentLabel] != "staging" {
			t.Errorf("%s: labels %v, want %s=api and %s=staging", o, l, manifest.ServiceLabel, manifest.EnvironmentLabel)
		}
	}
}

// TestOwnershipLabelInvalid: a service whose name can't be a label value
// is an error at its file.
func TestOwnershipLabelInvalid(t *testing.T) {
	root := repo(t, map[string]string{
		"svc/api-.sky": "def main(ctx):\n    return worker(name = \"api\", team = \"web\", image = \"x/api:1.0\")\n",
	})
	_, res := renderPaths(t, Options{}, filepath.Join(root, "svc/api-.sky"))
	if !res.Failed() {
		t.Fatal("no error for a service name that is not a label value")
	}
	got := res.Diagnostics[0].Pos.File + ": " + res.Diagnostics[0].Message
	if want := `svc/api-.sky: service name "api-" can't label the objects it owns: a valid label must be`; !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s...", got, want)
	}
}
