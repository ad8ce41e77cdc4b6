package render

import (
	"path/filepath"
	"testing"
)

// TestOrigins checks that every rendered object knows the line of the
// user's code that constructed it: the call of service() for the objects
// the standard library makes, a helper's constructor call in the user's
// library, a constructor call in the service file.
func TestOrigins(t *testing.T) {
	root := repo(t, map[string]string{
		"lib/config.sky": `core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def config_map(name):
    return core.ConfigMap(metadata = meta.ObjectMeta(name = name))
`,
		"svc/api.sky": `load("//lib/config.sky", "config_map")
sa = proto.package("k8s.io.api.core.v1")

def main(ctx):
    api = service(name = "api", team = "web", image = "registry.example.com/api:1.0")
    return [
        api,
        config_map("api-config"),
        sa.Secret(metadata = k8s.meta.ObjectMeta(name = "api-secret")),
    ]
`,
	})
	_, res := renderPaths(t, Options{}, filepath.Join(root, "svc", "api.sky"))
	for _, d := range res.Diagnostics {
		t.Fatal(d)
	}
	want := map[string]string{
		"Deployment":     "svc/api.sky:5:18",
		"Service":        "svc/api.sky:5:18",
		"ServiceAccount": "svc/api.sky:5:18",
		"ConfigMap":      "lib/config.sky:5:26",
		"Secret":         "svc/api.sky:9:18",
	}
	for _, o := range res.Objects {
		kind := o.Obj.GetObjectKind().GroupVersionKind().Kind
		got, ok := res.Origins[o.Obj]
		if w, listed := want[kind]; listed {
			if !ok || got.String() != w {
				t.Errorf("%s: origin %v (known %v), want %s", kind, got, ok, w)
			}
			delete(want, kind)
		} else if !ok || got.File != "svc/api.sky" {
			t.Errorf("%s: origin %v (known %v), want the service() call", kind, got, ok)
		}
		if o.Source != "svc/api.sky" {
			t.Errorf("%s: Source %q, want the service file", kind, o.Source)
		}
	}
	for kind := range want {
		t.Errorf("no %s rendered", kind)
	}
}
