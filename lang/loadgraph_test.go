package lang

import (
	"context"
	"slices"
	"testing"
	"testing/fstest"
)

// TestDependencies: the runtime remembers what each module loaded, so a
// changed library file can be traced to the services that load it,
// through other libraries, and a load that failed still counts.
func TestDependencies(t *testing.T) {
	rt := newRuntime(t, Options{
		Root: writeRepo(t, map[string]string{
			"lib/base.sky":    "X = 1\n",
			"lib/mid.sky":     "load(\"base.sky\", \"X\")\nload(\"@skyc//std.sky\", \"S\")\nY = X\n",
			"svc/a.sky":       "load(\"//lib/mid.sky\", \"Y\")\nload(\"//lib/mid.sky\", y2 = \"Y\")\n",
			"svc/b.sky":       "load(\"//lib/base.sky\", \"X\")\n",
			"svc/c.sky":       "Z = 3\n",
			"svc/broken.sky":  "load(\"//lib/broken.sky\", \"X\")\n",
			"lib/broken.sky":  "X = undefined\n",
			"svc/missing.sky": "load(\"//lib/nothere.sky\", \"X\")\n",
		}),
		Stdlib: fstest.MapFS{"std.sky": {Data: []byte("S = 1\n")}},
	})
	cases := map[string]struct {
		loads, deps []string
	}{
		"svc/a.sky":       {[]string{"lib/mid.sky"}, []string{"@skyc//std.sky", "lib/base.sky", "lib/mid.sky"}},
		"svc/b.sky":       {[]string{"lib/base.sky"}, []string{"lib/base.sky"}},
		"svc/c.sky":       {nil, []string{}},
		"svc/broken.sky":  {[]string{"lib/broken.sky"}, []string{"lib/broken.sky"}},
		"svc/missing.sky": {[]string{"lib/nothere.sky"}, []string{"lib/nothere.sky"}},
	}
	for label, c := range cases {
		t.Run(label, func(t *testing.T) {
			rt.Load(context.Background(), label) // errors are part of the cases
			if got := rt.Loads(label); !slices.Equal(got, c.loads) {
				t.Errorf("Loads(%s) = %q, want %q", label, got, c.loads)
			}
			if got := rt.Dependencies(label); !slices.Equal(got, c.deps) {
				t.Errorf("Dependencies(%s) = %q, want %q", label, got, c.deps)
			}
		})
	}
	if got := rt.Loads("never/loaded.sky"); got != nil {
		t.Errorf("Loads of a module never evaluated = %q, want nil", got)
	}
}
