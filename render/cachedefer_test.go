package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/internal/rendercache"
	"github.com/skyc-dev/skyc/manifest"
)

// counts renders with the cache and expects the output of a render
// without it, evaluated evaluations and parsed files parsed to find
// their loads.
func (c *cacheRepo) counts(what string, evaluated, parsed int) []byte {
	c.t.Helper()
	got, r := c.renderR(Options{Cache: c.cache})
	if want := c.uncached(); !bytes.Equal(got, want) {
		c.t.Fatalf("%s: the cached render differs from an uncached one:\n%s", what, lineDiff(string(want), string(got)))
	}
	if n := int(r.evaluated.Load()); n != evaluated {
		c.t.Errorf("%s: %d evaluations, want %d", what, n, evaluated)
	}
	if n := int(r.cache.parsed.Load()); n != parsed {
		c.t.Errorf("%s: %d files parsed to find their loads, want %d", what, n, parsed)
	}
	return got
}

// TestCacheEmptyThenWarm: a render with an empty cache parses no file to
// find its loads, and keys each job after evaluating it; the next render
// serves every job from the cache, byte for byte the same, without
// parsing either.
func TestCacheEmptyThenWarm(t *testing.T) {
	c := newCacheRepo(t, 40)
	jobs := 2 * len(c.fleet.Services)
	cold := c.counts("empty cache", jobs, 0)
	warm := c.counts("warm", 0, 0)
	if !bytes.Equal(cold, warm) {
		t.Fatal("the warm render differs from the cold one")
	}
	c.counts("warm again", 0, 0)
}

// TestCacheKeyAfterEvaluation: the key a job is stored under after its
// evaluation is the key computed from the files alone (the service file
// and the libraries the fleet says it loads, with their contents' hashes),
// as a warm lookup computes it.
func TestCacheKeyAfterEvaluation(t *testing.T) {
	c := newCacheRepo(t, 12)
	c.counts("empty cache", 2*len(c.fleet.Services), 0)
	ctx := context.Background()
	files, explicit, err := Discover([]string{filepath.Join(c.root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(ctx, Options{Cache: c.cache}, files[0])
	if err != nil {
		t.Fatal(err)
	}
	isExplicit := map[string]bool{}
	for _, f := range files {
		l, err := r.label(f)
		if err != nil {
			t.Fatal(err)
		}
		isExplicit[l] = explicit[filepath.Clean(f)]
	}
	for _, s := range c.fleet.Services {
		var hashes []fileHash
		for _, l := range append([]string{s.Path}, s.Loads...) {
			data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(l)))
			if err != nil {
				t.Fatal(err)
			}
			hashes = append(hashes, fileHash{l, rendercache.Key(sha256.Sum256(data))})
		}
		slices.SortFunc(hashes, func(a, b fileHash) int { return strings.Compare(a.label, b.label) })
		for _, env := range r.envs {
			j := job{env: env, label: s.Path, explicit: isExplicit[s.Path]}
			k := jobKey(r.cache.envKey(env, &r.opts), j, hashes)
			if _, ok := r.cache.c.Job(slot(j), k); !ok {
				t.Errorf("%s in %s: not stored under the key of its files", s.Path, env.Name)
			}
		}
	}
}

// TestCacheLibraryEditAfterEmpty: after a render with an empty cache, an
// edited library renders again exactly its dependants (it is parsed, as
// its loads are not known; they are not), and an edit that adds a load
// to a library is followed too.
func TestCacheLibraryEditAfterEmpty(t *testing.T) {
	c := newCacheRepo(t, 60)
	c.counts("empty cache", 2*len(c.fleet.Services), 0)
	team, lib, dependants := c.teamLib()
	c.replace(lib, "-oncall@example.com", "-pager@example.com")
	out := c.counts("after editing "+lib, 2*dependants, 1)
	if !bytes.Contains(out, []byte(team+"-pager@example.com")) {
		t.Fatalf("the edit of %s is not in the output", lib)
	}
	c.counts("again", 0, 0)
	c.edit(fleet.PlatformLib, "\nUNUSED = 1\n")
	c.counts("after editing "+fleet.PlatformLib, 2*len(c.fleet.Services), 1)
	// The team library comes to load another library, whose edit then
	// reaches its dependants too.
	if err := os.WriteFile(filepath.Join(c.root, "lib/extra.sky"), []byte("PAGER = \"-extra@example.com\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.replace(lib, "\""+team+"-pager@example.com\"", "TEAM + PAGER")
	c.replace(lib, "\nTEAM = ", "\nload(\"//lib/extra.sky\", \"PAGER\")\nTEAM = ")
	c.counts("after "+lib+" loads lib/extra.sky", 2*dependants, 2) // and lib/extra.sky
	c.replace("lib/extra.sky", "-extra@", "-extra2@")
	out = c.counts("after editing lib/extra.sky", 2*dependants, 1)
	if !bytes.Contains(out, []byte(team+"-extra2@example.com")) {
		t.Fatal("the edit of lib/extra.sky is not in the output")
	}
}

// TestCacheKeyedByTextEvaluated: files that change between the lookup
// and the evaluation of a job whose key is computed after it. The service
// file was read by the lookup, which hands its text to the runtime; the
// library was not, and the runtime reads its new text. The result is
// stored under the key of exactly those texts: not of the files as they
// were when the render started, nor as they are when it ends.
func TestCacheKeyedByTextEvaluated(t *testing.T) {
	const oldLib, newLib = "TEAM = \"web\"\n", "TEAM = \"payments\"\n"
	oldSvc, newSvc := sourceTestService, strings.Replace(sourceTestService, "1.0.0", "2.0.0", 1)
	root := repo(t, map[string]string{"lib/team.sky": oldLib, "services/api.sky": oldSvc})
	write := func(lib, svc string) {
		t.Helper()
		for p, text := range map[string]string{"lib/team.sky": lib, "services/api.sky": svc} {
			if err := os.WriteFile(filepath.Join(root, p), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	ctx := context.Background()
	r, err := New(ctx, Options{Root: root, Cache: cache}, root)
	if err != nil {
		t.Fatal(err)
	}
	cs := r.cache
	j := job{env: r.envs[0], file: filepath.Join(root, "services/api.sky"), label: "services/api.sky", explicit: true}
	cs.forget()
	cs.keepSources()
	cs.deferLoads([]job{j})
	if files, ok, deferred := cs.lookupClosure(j.label); ok || !deferred {
		t.Fatalf("lookup with an empty cache: %v, ok %v, deferred %v; want deferred", files, ok, deferred)
	}
	write(newLib, newSvc)
	if err := r.init(ctx); err != nil {
		t.Fatal(err)
	}
	k := cachedJob{deferred: true}
	jr := r.renderOne(ctx, j)
	if len(jr.diags) > 0 {
		t.Fatal(jr.diags[0])
	}
	payload, ok := r.store(j, &k, &jr)
	if !ok {
		t.Fatal("the result was not cacheable")
	}
	if doc := string(payload); !strings.Contains(doc, "team: payments") || !strings.Contains(doc, "api:1.0.0") {
		t.Fatalf("the result is not of the old service and the new library:\n%s", doc)
	}
	sum := func(s string) rendercache.Key { return rendercache.Key(sha256.Sum256([]byte(s))) }
	want := jobKey(cs.envKey(j.env, &r.opts), j, []fileHash{{"lib/team.sky", sum(newLib)}, {"services/api.sky", sum(oldSvc)}})
	if !k.ok || k.key != want {
		t.Fatal("the key is not of the texts evaluated")
	}
	cs.save([]job{j}, []cachedJob{k}, [][]byte{payload})
	svcLoads, ok1 := cs.c.Loads("services/api.sky", sum(oldSvc))
	libLoads, ok2 := cs.c.Loads("lib/team.sky", sum(newLib))
	if !ok1 || !ok2 || !slices.Equal(svcLoads, []string{"lib/team.sky"}) || len(libLoads) != 0 {
		t.Fatalf("loads recorded: %q %v, %q %v", svcLoads, ok1, libLoads, ok2)
	}

	// Renders of the file as named on the command line, as j was, with
	// the cache as the save left it: a render replaces the entry of the
	// job and the loads of the files it evaluates.
	render := func(what string, evaluations int) {
		t.Helper()
		r, err := New(ctx, Options{Root: root, Cache: cache}, root)
		if err != nil {
			t.Fatal(err)
		}
		r.cache.c.SetJob(slot(j), k.key, payload)
		r.cache.c.SetLoads("services/api.sky", sum(oldSvc), svcLoads)
		r.cache.c.SetLoads("lib/team.sky", sum(newLib), libLoads)
		if err := r.cache.c.Flush(); err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, cached := range []bool{true, false} {
			opts := Options{Root: root}
			if cached {
				opts.Cache = cache
			}
			r, err := New(ctx, opts, root)
			if err != nil {
				t.Fatal(err)
			}
			res := r.Render(ctx, []string{j.file}, map[string]bool{j.file: true})
			if res.Failed() {
				t.Fatal(res.Diagnostics[0])
			}
			var buf bytes.Buffer
			if err := manifest.WriteStream(&buf, res.Output()); err != nil {
				t.Fatal(err)
			}
			if cached {
				out = buf.Bytes()
				if n := int(r.evaluated.Load()); n != evaluations {
					t.Errorf("%s: %d evaluations, want %d", what, n, evaluations)
				}
			} else if !bytes.Equal(out, buf.Bytes()) {
				t.Fatalf("%s: the cached render differs from an uncached one:\n%s", what, lineDiff(buf.String(), string(out)))
			}
		}
	}
	render("the files as they are now", 1)
	write(oldLib, oldSvc)
	render("the files as they were", 1)
	// The texts evaluated: served.
	write(newLib, oldSvc)
	render("the texts evaluated", 0)
}

// TestCacheEditDuringRender edits a library and a service file while the
// first render with an empty cache runs (once it has found more jobs to
// evaluate than it evaluates early): whichever texts each evaluation
// read, the renders after it give the output of the files as they are.
func TestCacheEditDuringRender(t *testing.T) {
	c := newCacheRepo(t, 30)
	// The first file the lookup reads, before the edit: its job is
	// evaluated from the text read, while the runtime, which starts
	// after, reads the edited library.
	s := slices.MinFunc(c.fleet.Services, func(a, b fleet.Service) int { return strings.Compare(a.Path, b.Path) })
	lib := fleet.TeamLib(s.Team)
	edited := false
	out, r := c.renderR(Options{Cache: c.cache, BeforeEvaluate: func() {
		c.replace(lib, "-oncall@example.com", "-pager@example.com")
		c.replace(s.Path, "cost_centre = COST_CENTRE,", "cost_centre = \"cc-edited\",")
		edited = true
	}})
	if !edited {
		t.Fatal("BeforeEvaluate was not called")
	}
	if n, jobs := int(r.evaluated.Load()), 2*len(c.fleet.Services); n != jobs {
		t.Errorf("first render: %d evaluations, want %d", n, jobs)
	}
	if len(out) == 0 {
		t.Fatal("no output")
	}
	same := func(what string) {
		t.Helper()
		for range 2 {
			if got, want := c.uncached(), func() []byte { b, _ := c.cached(); return b }(); !bytes.Equal(got, want) {
				t.Fatalf("%s: the cached render differs from an uncached one:\n%s", what, lineDiff(string(want), string(got)))
			}
		}
	}
	same("after the render that saw the edits")
	c.replace(lib, "-pager@example.com", "-oncall@example.com")
	c.replace(s.Path, "cost_centre = \"cc-edited\",", "cost_centre = COST_CENTRE,")
	same("after undoing them")
}
