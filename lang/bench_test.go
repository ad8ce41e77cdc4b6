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

// BenchmarkBatch measures the cost of a call in a Batch of 12 (as skyc
// check makes per service): ns/op is per call.
func BenchmarkBatch(b *testing.B) {
	rt := newRuntime(b, Options{Root: writeRepoB(b, map[string]string{"f.sky": "def f(x):\n    return x\n"})})
	g, err := rt.Load(context.Background(), "f.sky")
	if err != nil {
		b.Fatal(err)
	}
	args := starlark.Tuple{starlark.MakeInt(1)}
	b.ReportAllocs()
	for b.Loop() {
		err := rt.Batch(context.Background(), "f.sky", func(call Caller) error {
			for range 12 {
				if _, err := call("f.sky", g["f"], args); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/12, "ns/call")
}
