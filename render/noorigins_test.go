package render

import (
	"context"
	"path/filepath"
	"testing"
)

// TestNoOrigins checks that Options.NoOrigins leaves Result.Origins nil,
// for evaluated and cached results alike, and changes nothing else: the
// objects and the stream are those of a render with origins, and those
// have an origin each.
func TestNoOrigins(t *testing.T) {
	c := newCacheRepo(t, 8)
	want := c.uncached()
	ctx := context.Background()
	files, explicit, err := Discover([]string{filepath.Join(c.root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"cold", "warm"} {
		for _, noOrigins := range []bool{true, false} {
			r, err := New(ctx, Options{Cache: c.cache, NoOrigins: noOrigins}, files[0])
			if err != nil {
				t.Fatal(err)
			}
			res := r.Render(ctx, files, explicit)
			if res.Failed() {
				t.Fatal(res.Diagnostics[0])
			}
			if noOrigins && res.Origins != nil {
				t.Errorf("%s, NoOrigins: Origins has %d entries, want nil", step, len(res.Origins))
			}
			if !noOrigins && len(res.Origins) != len(res.Objects) {
				t.Errorf("%s: Origins has %d entries for %d objects", step, len(res.Origins), len(res.Objects))
			}
			if got := stream(t, res.Output()); string(got) != string(want) {
				t.Errorf("%s, NoOrigins %v: the stream differs from a render without the cache", step, noOrigins)
			}
		}
	}
}
