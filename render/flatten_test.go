package render

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFlattenPath checks that an error about a value main returned names
// the way to it through structs and lists.
func TestFlattenPath(t *testing.T) {
	for _, tc := range []struct{ ret, want string }{
		{`[svc, "x"]`, `main()[1] returned string, want Kubernetes objects`},
		{`struct(a = svc, b = [svc.deployment, 3])`, `main().b[1] returned int, want Kubernetes objects`},
		{`[struct(c = [None, k8s.core.ConfigMap()])]`, `main()[0].c[1]: ConfigMap has no metadata.name`},
		{`k8s.core.ConfigMap()`, `main(): ConfigMap has no metadata.name`},
	} {
		root := repo(t, map[string]string{
			"svc/api.sky": `def main(ctx):
    svc = service(name = "api", team = "web", image = "registry.example.com/api:1.0")
    return ` + tc.ret + `
`,
		})
		_, res := renderPaths(t, Options{}, filepath.Join(root, "svc", "api.sky"))
		if len(res.Diagnostics) != 1 || !strings.HasPrefix(res.Diagnostics[0].Message, tc.want) {
			t.Errorf("return %s: got %v, want one error starting %q", tc.ret, res.Diagnostics, tc.want)
		}
	}
}
