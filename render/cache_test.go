package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/internal/rendercache"
	"github.com/skyc-dev/skyc/manifest"
)

// cacheRepo is a generated fleet and a cache directory for it.
type cacheRepo struct {
	t     *testing.T
	root  string
	cache *CacheOptions
	fleet *fleet.Fleet
}

func newCacheRepo(t *testing.T, n int) *cacheRepo {
	t.Helper()
	f := fleet.Generate(fleet.Options{N: n, Seed: 5, Shape: fleet.Mixed, Envs: []string{"staging", "production"}})
	root := t.TempDir()
	if err := f.Write(root); err != nil {
		t.Fatal(err)
	}
	return &cacheRepo{t: t, root: root, cache: &CacheOptions{Dir: t.TempDir(), Salt: "test"}, fleet: f}
}

// render renders every service file, with the cache or without, and
// returns the stream and the labels of the files evaluated.
func (c *cacheRepo) render(opts Options) (out []byte, evaluated int) {
	c.t.Helper()
	out, r := c.renderR(opts)
	return out, int(r.evaluated.Load())
}

// teamLib returns the library of the first service's team, and how many
// services load it, which must be some but not all of them.
func (c *cacheRepo) teamLib() (team, lib string, dependants int) {
	c.t.Helper()
	team = c.fleet.Services[0].Team
	lib = fleet.TeamLib(team)
	for _, s := range c.fleet.Services {
		if slices.Contains(s.Loads, lib) {
			dependants++
		}
	}
	if dependants == 0 || dependants == len(c.fleet.Services) {
		c.t.Fatalf("%s is loaded by %d of %d services: the test needs some, not all", lib, dependants, len(c.fleet.Services))
	}
	return team, lib, dependants
}

// renderR is cacheRepo.render, which also returns the renderer, for its
// counters and its cache.
func (c *cacheRepo) renderR(opts Options) ([]byte, *Renderer) {
	c.t.Helper()
	ctx := context.Background()
	files, explicit, err := Discover([]string{filepath.Join(c.root, "services") + "/..."})
	if err != nil {
		c.t.Fatal(err)
	}
	r, err := New(ctx, opts, files[0])
	if err != nil {
		c.t.Fatal(err)
	}
	res := r.Render(ctx, files, explicit)
	if res.Failed() {
		c.t.Fatal(res.Diagnostics[0])
	}
	var buf bytes.Buffer
	if err := manifest.WriteStream(&buf, res.Output()); err != nil {
		c.t.Fatal(err)
	}
	return buf.Bytes(), r
}

func (c *cacheRepo) cached() ([]byte, int) { return c.render(Options{Cache: c.cache}) }

// uncached renders without a cache: the reference output.
func (c *cacheRepo) uncached() []byte {
	out, _ := c.render(Options{})
	return out
}

// edit appends text to a file of the repository.
func (c *cacheRepo) edit(label, text string) {
	c.t.Helper()
	p := filepath.Join(c.root, filepath.FromSlash(label))
	old, err := os.ReadFile(p)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, append(old, text...), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// replace replaces old by new in a file of the repository.
func (c *cacheRepo) replace(label, old, new string) {
	c.t.Helper()
	p := filepath.Join(c.root, filepath.FromSlash(label))
	src, err := os.ReadFile(p)
	if err != nil {
		c.t.Fatal(err)
	}
	edited := strings.Replace(string(src), old, new, 1)
	if edited == string(src) {
		c.t.Fatalf("%s has no %q", label, old)
	}
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// check renders with the cache and expects the output of a render
// without it and evaluated evaluations (services × 2 environments).
func (c *cacheRepo) check(what string, evaluated int) {
	c.t.Helper()
	got, n := c.cached()
	if want := c.uncached(); !bytes.Equal(got, want) {
		c.t.Fatalf("%s: the cached render differs from an uncached one:\n%s", what, lineDiff(string(want), string(got)))
	}
	if n != evaluated {
		c.t.Errorf("%s: %d evaluations, want %d", what, n, evaluated)
	}
}

func TestCacheReusesResults(t *testing.T) {
	c := newCacheRepo(t, 40)
	jobs := 2 * len(c.fleet.Services)
	c.check("first render", jobs)
	c.check("second render", 0)
	c.check("third render", 0)
}

// TestCacheLibraryEdit edits a library that some services load and
// expects exactly those to render again.
func TestCacheLibraryEdit(t *testing.T) {
	c := newCacheRepo(t, 60)
	c.check("first render", 2*len(c.fleet.Services))
	team, lib, dependants := c.teamLib()
	c.replace(lib, "-oncall@example.com", "-pager@example.com")
	c.check("after editing "+lib, 2*dependants)
	if got, _ := c.cached(); !bytes.Contains(got, []byte(team+"-pager@example.com")) {
		t.Fatalf("the edit of %s is not in the output", lib)
	}
	c.check("again", 0)
	// The platform library, which every team's library loads.
	c.edit(fleet.PlatformLib, "\nUNUSED = 1\n")
	c.check("after editing "+fleet.PlatformLib, 2*len(c.fleet.Services))
}

// TestCacheServiceEdit edits one service file and expects only it to
// render again; the other services are served from the cache.
func TestCacheServiceEdit(t *testing.T) {
	c := newCacheRepo(t, 40)
	c.check("first render", 2*len(c.fleet.Services))
	s := c.fleet.Services[7]
	c.edit(s.Path, "\nUNUSED = \"edited\"\n")
	c.check("after editing "+s.Path, 2)
	// A change of the output, not only of the file.
	c.replace(s.Path, "cost_centre = COST_CENTRE,", "cost_centre = \"cc-edited\",")
	c.check("after changing its output", 2)
	if got, _ := c.cached(); !bytes.Contains(got, []byte("cost-centre: cc-edited")) {
		t.Fatal("the edited cost centre is not in the output")
	}
}

// TestCacheInputsOutsideFiles: skyc.yaml, --var values and the binary
// (the salt) are inputs too.
func TestCacheInputsOutsideFiles(t *testing.T) {
	c := newCacheRepo(t, 20)
	jobs := 2 * len(c.fleet.Services)
	c.check("first render", jobs)
	c.edit("skyc.yaml", "# a comment\n")
	c.check("after editing skyc.yaml", jobs)
	out, n := c.render(Options{Cache: c.cache, Vars: map[string]string{"log_level": "warn"}})
	want, _ := c.render(Options{Vars: map[string]string{"log_level": "warn"}})
	if !bytes.Equal(out, want) || n != jobs {
		t.Errorf("with --var: %d evaluations (want %d), output equal: %v", n, jobs, bytes.Equal(out, want))
	}
	other := *c.cache
	other.Salt = "another build"
	if _, n := c.render(Options{Cache: &other}); n != jobs {
		t.Errorf("another salt: %d evaluations, want %d", n, jobs)
	}
	_, n = c.render(Options{Cache: c.cache, MaxSteps: 1 << 40})
	if n != jobs {
		t.Errorf("another step limit: %d evaluations, want %d", n, jobs)
	}
}

// TestCacheSkipsPrints: a render that prints is not cached, so that the
// output of print() is never lost.
func TestCacheSkipsPrints(t *testing.T) {
	c := newCacheRepo(t, 10)
	s := c.fleet.Services[0]
	c.edit(s.Path, "\nprint(\"hello\")\n")
	var printed []string
	opts := Options{Cache: c.cache, Print: func(pos, msg string) { printed = append(printed, msg) }}
	for i := range 2 {
		printed = nil
		if _, n := c.render(opts); n != 2*len(c.fleet.Services) {
			t.Errorf("render %d: %d evaluations, want all %d", i, n, 2*len(c.fleet.Services))
		}
		if len(printed) != 1 {
			t.Errorf("render %d printed %q, want one hello", i, printed)
		}
	}
}

// TestCacheConcurrentRenders renders from several goroutines with one
// cache directory, editing files in between; every render must give the
// output of an uncached render of what it read.
func TestCacheConcurrentRenders(t *testing.T) {
	c := newCacheRepo(t, 20)
	want := c.uncached()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				got, _ := c.cached()
				if !bytes.Equal(got, want) {
					t.Error("a concurrent cached render differs from the uncached one")
					return
				}
			}
		})
	}
	wg.Wait()
	c.check("after the concurrent renders", 0)
}

func TestAffected(t *testing.T) {
	c := newCacheRepo(t, 30)
	files, _, err := Discover([]string{filepath.Join(c.root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	for _, withCache := range []bool{false, true} {
		opts := Options{}
		if withCache {
			opts.Cache = c.cache
		}
		r, err := New(context.Background(), opts, files[0])
		if err != nil {
			t.Fatal(err)
		}
		rel := func(fs []string) []string {
			var out []string
			for _, f := range fs {
				l, _ := r.label(f)
				out = append(out, l)
			}
			return out
		}
		s := c.fleet.Services[3]
		team := fleet.TeamLib(c.fleet.Services[4].Team)
		for _, tc := range []struct {
			changed []string
			want    func(fleet.Service) bool
		}{
			{[]string{s.Path}, func(x fleet.Service) bool { return x.Path == s.Path }},
			{[]string{team, "README.md"}, func(x fleet.Service) bool { return slices.Contains(x.Loads, team) }},
			{[]string{fleet.PlatformLib}, func(fleet.Service) bool { return true }},
			{[]string{"skyc.yaml"}, func(fleet.Service) bool { return true }},
			{[]string{"docs/unrelated.md"}, func(fleet.Service) bool { return false }},
		} {
			got, err := r.Affected(files, tc.changed)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, x := range c.fleet.Services {
				if tc.want(x) {
					want = append(want, x.Path)
				}
			}
			slices.Sort(want)
			gotLabels := rel(got)
			slices.Sort(gotLabels)
			if !slices.Equal(gotLabels, want) {
				t.Errorf("cache %v, changed %q: affected %q, want %q", withCache, tc.changed, gotLabels, want)
			}
		}
	}
}

// TestCacheKeyHidesVars: --var values are in the keys only through the
// cache's keyed hash, so that a short secret passed with --var cannot be
// found by hashing guesses and searching the cache directory.
func TestCacheKeyHidesVars(t *testing.T) {
	c := newCacheRepo(t, 5)
	const secret = "hunter2" // a var no service renders
	opts := Options{Cache: c.cache, Vars: map[string]string{"db_password": secret}}
	if _, n := c.render(opts); n != 2*len(c.fleet.Services) {
		t.Fatalf("first render: %d evaluations", n)
	}
	if _, n := c.render(opts); n != 0 {
		t.Fatalf("second render: %d evaluations, want 0", n)
	}
	sum := sha256.Sum256([]byte(secret))
	needles := map[string][]byte{
		"the value":                      []byte(secret),
		"its SHA-256":                    sum[:],
		"its SHA-256 in hexadecimal":     []byte(hex.EncodeToString(sum[:])),
		"its length-prefixed SHA-256":    sha256Field(secret),
		"the plain hash of its var list": sha256Field("db_password", secret),
	}
	// The key a job would have if the environment were hashed in the
	// open, and the key it has: the first must not be stored, the second
	// must (else the search below proves nothing).
	ctx := context.Background()
	r, err := New(ctx, opts, c.root)
	if err != nil {
		t.Fatal(err)
	}
	s := c.fleet.Services[0]
	j := job{env: r.envs[0], label: s.Path}
	deps, ok := r.cache.closure(j.label)
	if !ok {
		t.Fatalf("no load graph for %s", j.label)
	}
	plainEnv := sha256.New()
	r.cache.writeEnv(plainEnv, j.env, &r.opts)
	plainJob := jobKey(rendercache.Key(plainEnv.Sum(nil)), j, deps)
	keyedJob := jobKey(r.cache.envKey(j.env, &r.opts), j, deps)
	needles["the unkeyed key of a job"] = plainJob[:]
	found := false
	files := 0
	err = filepath.WalkDir(c.cache.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		found = found || bytes.Contains(data, keyedJob[:])
		for what, b := range needles {
			if bytes.Contains(data, b) {
				t.Errorf("%s holds %s of a --var value", p, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 || !found { // the key, a head and a pack
		t.Fatalf("the cache holds %d files, the keyed key of %s found: %v; did the render write it?", files, j.label, found)
	}
	// The value is still part of the key.
	opts.Vars["db_password"] = secret + "!"
	if _, n := c.render(opts); n != 2*len(c.fleet.Services) {
		t.Errorf("another --var value: %d evaluations, want %d", n, 2*len(c.fleet.Services))
	}
}

// sha256Field hashes fields as envKey frames them, without a key.
func sha256Field(fields ...string) []byte {
	h := sha256.New()
	for _, s := range fields {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// TestCacheLostKey: a cache directory whose key is gone renders afresh
// (every key changes) and gives the same output.
func TestCacheLostKey(t *testing.T) {
	c := newCacheRepo(t, 10)
	jobs := 2 * len(c.fleet.Services)
	c.check("first render", jobs)
	if err := os.Remove(filepath.Join(c.cache.Dir, "key")); err != nil {
		t.Fatal(err)
	}
	c.check("without the key", jobs)
	c.check("with the new key", 0)
}
