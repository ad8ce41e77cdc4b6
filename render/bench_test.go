package render

import (
	"context"
	"io"
	"testing"

	"github.com/skyc-dev/skyc/manifest"
)

// BenchmarkRenderExamples measures a whole render of the examples (three
// services, two environments) with a warm runtime: evaluation, conversion
// to typed objects and YAML serialization.
func BenchmarkRenderExamples(b *testing.B) {
	ctx := context.Background()
	files, explicit, err := Discover([]string{"../examples/..."})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := New(ctx, Options{}, files[0])
		if err != nil {
			b.Fatal(err)
		}
		res := r.Render(ctx, files, explicit)
		if res.Failed() {
			b.Fatal(res.Diagnostics[0])
		}
		if err := manifest.WriteStream(io.Discard, res.Objects); err != nil {
			b.Fatal(err)
		}
	}
}
