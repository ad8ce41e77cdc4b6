package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
)

// visitCounts is what a render with a VisitCache did.
type visitCounts struct {
	evaluated, parsed int
	visited, kept     map[string]string // env/label → what Visit returned, and of those kept
	cached            map[string]string // env/label → what Cached was given
}

// visitRender renders paths (below the repository root) with a
// VisitCache whose Visit returns a text naming the job, as skyc check
// renders, and reports what it did.
func (c *cacheRepo) visitRender(paths ...string) visitCounts {
	c.t.Helper()
	var mu sync.Mutex
	vc := visitCounts{visited: map[string]string{}, kept: map[string]string{}, cached: map[string]string{}}
	ctx := context.Background()
	var abs []string
	for _, p := range paths {
		abs = append(abs, filepath.Join(c.root, p))
	}
	files, explicit, err := Discover(abs)
	if err != nil {
		c.t.Fatal(err)
	}
	opts := Options{Cache: c.cache, VisitCache: &VisitCache{
		Salt: "visit test",
		Visit: func(objs []manifest.Object, _ func(kruntime.Object, string) (lang.Pos, bool), keep bool) []byte {
			id := objs[0].Env + "/" + objs[0].Source
			data := fmt.Sprintf("%s: %d objects", id, len(objs))
			mu.Lock()
			defer mu.Unlock()
			vc.visited[id] = data
			if keep {
				vc.kept[id] = data
			}
			return []byte(data)
		},
		Cached: func(env, label string, data []byte) error {
			mu.Lock()
			defer mu.Unlock()
			vc.cached[env+"/"+label] = string(data)
			return nil
		},
	}}
	r, err := New(ctx, opts, files[0])
	if err != nil {
		c.t.Fatal(err)
	}
	if res := r.Render(ctx, files, explicit); res.Failed() {
		c.t.Fatal(res.Diagnostics[0])
	}
	vc.evaluated, vc.parsed = int(r.evaluated.Load()), int(r.cache.parsed.Load())
	return vc
}

// TestVisitCacheEmptyThenWarm: skyc check's render with an empty cache,
// like a render's (TestCacheEmptyThenWarm), parses no file to find its
// loads and keys each job after evaluating it; the next serves every job,
// with exactly what Visit returned for it, whether the files are named
// on the command line or found in a directory, and an edited library
// has exactly its dependants visited again.
func TestVisitCacheEmptyThenWarm(t *testing.T) {
	c := newCacheRepo(t, 30)
	jobs := 2 * len(c.fleet.Services)
	// Named, as skyc check --affected names them: the key leaves that
	// out, so a check of the directory is served what they kept.
	var named []string
	for _, s := range c.fleet.Services {
		named = append(named, s.Path)
	}
	cold := c.visitRender(named...)
	if cold.evaluated != jobs || cold.parsed != 0 || len(cold.kept) != jobs {
		t.Fatalf("empty cache: %d evaluations, %d files parsed, %d of %d visits kept; want %d, 0, all",
			cold.evaluated, cold.parsed, len(cold.kept), len(cold.visited), jobs)
	}
	for _, warm := range []struct {
		what  string
		paths []string
	}{{"warm", []string{"services/..."}}, {"warm, files named", named}} {
		got := c.visitRender(warm.paths...)
		if got.evaluated != 0 || got.parsed != 0 || len(got.visited) != 0 {
			t.Errorf("%s: %d evaluations, %d files parsed, %d visits; want none", warm.what, got.evaluated, got.parsed, len(got.visited))
		}
		if len(got.cached) != len(cold.kept) {
			t.Errorf("%s: Cached was given %d jobs' data, want %d", warm.what, len(got.cached), len(cold.kept))
		}
		for id, want := range cold.kept {
			if got.cached[id] != want {
				t.Errorf("%s: Cached was given %q for %s, want what Visit returned, %q", warm.what, got.cached[id], id, want)
				break
			}
		}
	}

	// A library that some services load, edited.
	lib := c.fleet.Services[0].Loads[len(c.fleet.Services[0].Loads)-1]
	p := filepath.Join(c.root, filepath.FromSlash(lib))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, "\n# edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range c.fleet.Services {
		for _, l := range s.Loads {
			if l == lib {
				want += 2 // environments
			}
		}
	}
	got := c.visitRender("services/...")
	if got.evaluated != want || len(got.visited) != want || len(got.cached) != jobs-want {
		t.Errorf("after editing %s: %d evaluations, %d visits, %d served; want %d, %d, %d",
			lib, got.evaluated, len(got.visited), len(got.cached), want, want, jobs-want)
	}
}
