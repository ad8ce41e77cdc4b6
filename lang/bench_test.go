package lang

import (
	"context"
	"testing"

	"go.starlark.net/starlark"
)

// BenchmarkCall measures the fixed cost of Runtime.Call: a function
// that returns at once, called under the runtime's limits.
func BenchmarkCall(b *testing.B) {
	rt := newRuntime(b, Options{Root: writeRepoB(b, map[string]string{"f.sky": "def f(x):\n    return x\n"})})
	g, err := rt.Load(context.Background(), "f.sky")
	if err != nil {
		b.Fatal(err)
	}
	args := starlark.Tuple{starlark.MakeInt(1)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Call(context.Background(), "f.sky", g["f"], args, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func writeRepoB(b *testing.B, files map[string]string) string {
	b.Helper()
	root := b.TempDir()
	writeFiles(b, root, files)
	return root
}
