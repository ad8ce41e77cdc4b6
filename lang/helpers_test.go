package lang

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"go.starlark.net/starlark"
)

// writeRepo creates files, keyed by slash path, under a new temporary
// directory and returns the directory.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, files)
	return root
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// symlink makes link (a path under dir) point at target, or skips the
// test where symbolic links are not available.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatalf("symbolic links unavailable: %v", err)
	}
}

func newRuntime(t testing.TB, opts Options) *Runtime {
	t.Helper()
	rt, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// testStdlib stands in for the embedded standard library: check() fails
// two stdlib frames below the user's call, and service() is a function
// with keyword parameters for misspelling tests.
var testStdlib = fstest.MapFS{
	"checks.sky": {Data: []byte(`def _positive(what, n):
    if n < 0:
        fail("%s must not be negative, got %d" % (what, n))
    return n

def check(n):
    return _positive("replicas", n)
`)},
	"service.sky": {Data: []byte(`def service(name, team, replicas = 1):
    """Returns a service."""
    return struct_(name = name, team = team, replicas = replicas)

def struct_(**kwargs):
    return kwargs
`)},
	"k8s/pod.sky":    {Data: []byte("load(\"labels.sky\", \"labels\")\npod = {\"labels\": labels}\n")},
	"k8s/labels.sky": {Data: []byte("labels = {\"app\": \"x\"}\n")},
}

// stdlibExports evaluates a standard-library file in a runtime of its own,
// as skyc does, so its functions can be predeclared in user files.
func stdlibExports(t testing.TB, file string) starlark.StringDict {
	t.Helper()
	rt := newRuntime(t, Options{Stdlib: testStdlib})
	g, err := rt.Load(context.Background(), StdlibPrefix+file)
	if err != nil {
		t.Fatalf("loading the test stdlib: %v", err)
	}
	return g
}

// counter is a predeclared builtin tick() counting its calls.
type counter struct{ n atomic.Int64 }

func (c *counter) builtin() *starlark.Builtin {
	return starlark.NewBuiltin("tick", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		c.n.Add(1)
		return starlark.None, nil
	})
}

// asLimit returns err's LimitError, failing the test if it has none.
func asLimit(t *testing.T, err error) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("got error %v (%T), want a *LimitError", err, err)
	}
	return le
}
