package render

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/manifest"
)

// streamOnly is what skyc render sets when it writes the stream.
func streamOnly(cache *CacheOptions) Options {
	return Options{Cache: cache, Encode: true, NoOrigins: true, NoIdentities: true}
}

// TestNoIdentities renders a fleet with an empty cache, then a warm one,
// then after an edit, with Options.NoIdentities and without: the stream
// is byte for byte that of a render without the cache, and a tree
// written from a render with identities is that of a render without the
// cache. A warm render with NoIdentities leaves Obj nil (it decoded no
// identity), and WriteTree refuses such objects rather than misnaming
// their files.
func TestNoIdentities(t *testing.T) {
	c := newCacheRepo(t, 12)
	want := c.uncached()
	wantTree := c.tree(Options{})
	for _, step := range []string{"empty", "warm", "edited"} {
		if step == "edited" {
			c.edit(c.fleet.Services[2].Path, "\n# edited\n")
		}
		res := c.result(streamOnly(c.cache))
		if got := stream(t, res.Output()); string(got) != string(want) {
			t.Errorf("%s, NoIdentities: the stream differs from a render without the cache", step)
		}
		withoutObj := 0
		for _, o := range res.Objects {
			if o.Obj == nil {
				withoutObj++
			}
		}
		if step != "empty" && withoutObj == 0 {
			t.Errorf("%s, NoIdentities: every object has its identity decoded", step)
		}
		if step == "empty" && withoutObj != 0 {
			t.Errorf("%s, NoIdentities: %d evaluated objects without Obj", step, withoutObj)
		}
		if withoutObj > 0 {
			if err := manifest.WriteTree(context.Background(), filepath.Join(t.TempDir(), "out"), res.Output()); err == nil {
				t.Errorf("%s: WriteTree wrote objects without identities", step)
			}
		}
		if got := c.tree(Options{Cache: c.cache, Encode: true, NoOrigins: true}); !maps.Equal(got, wantTree) {
			t.Errorf("%s: the tree differs from a render without the cache", step)
		}
		res = c.result(Options{Cache: c.cache, NoOrigins: true})
		for _, o := range res.Objects {
			if o.Obj == nil {
				t.Fatalf("%s, without NoIdentities: %s has no Obj", step, o.Source)
			}
		}
		if got := stream(t, res.Output()); string(got) != string(want) {
			t.Errorf("%s, with identities: the stream differs from a render without the cache", step)
		}
	}
}

// result renders every service file of the repository.
func (c *cacheRepo) result(opts Options) *Result {
	c.t.Helper()
	_, res := renderPaths(c.t, opts, filepath.Join(c.root, "services")+"/...")
	if res.Failed() {
		c.t.Fatal(res.Diagnostics[0])
	}
	return res
}

// tree renders every service file and writes the objects as skyc render
// -o DIR does: it returns the files of the tree by path.
func (c *cacheRepo) tree(opts Options) map[string]string {
	c.t.Helper()
	res := c.result(opts)
	dir := filepath.Join(c.t.TempDir(), "out")
	if err := manifest.WriteTree(context.Background(), dir, res.Output()); err != nil {
		c.t.Fatal(err)
	}
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if len(files) == 0 {
		c.t.Fatal("an empty tree")
	}
	return files
}

// TestNoIdentitiesCollision expects a warm render with NoIdentities to
// report two services that render the same objects exactly as a render
// without the cache does: their hashes are equal, so the identities are
// decoded and compared after all.
func TestNoIdentitiesCollision(t *testing.T) {
	root := collisionRepo(t)
	want, _ := diagnostics(t, root, Options{})
	if len(want) != 1 {
		t.Fatalf("without the cache: %d diagnostics %q, want one collision", len(want), want)
	}
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	for _, what := range []string{"empty cache", "warm cache"} {
		got, n := diagnostics(t, root, streamOnly(cache))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
		if what == "warm cache" && n != 0 {
			t.Errorf("%s: %d evaluations, want none", what, n)
		}
	}
	_, res := renderPaths(t, streamOnly(cache), filepath.Join(root, "services")+"/...")
	for _, o := range res.Objects {
		if o.Obj == nil {
			t.Errorf("after the identities were compared, %s has no Obj", o.Source)
		}
	}
}

// TestNoIdentitiesAWS renders services from the cache with one whose AWS
// documents are never cached: Output sorts them in among the objects,
// which needs the identities, so the render decodes them.
func TestNoIdentitiesAWS(t *testing.T) {
	files := map[string]string{"skyc.yaml": awsConfig, "services/web.sky": fmt.Sprintf(webService, "")}
	for _, name := range []string{"api", "zeta", "alpha"} {
		files["services/"+name+".sky"] = strings.ReplaceAll(`def main(ctx):
    return service(name = "NAME", team = "payments", image = "r/NAME:1.0", cost_centre = "cc-1")
`, "NAME", name)
	}
	root := repo(t, files)
	path := filepath.Join(root, "services") + "/..."
	_, res := renderPaths(t, Options{}, path)
	if res.Failed() || len(res.Documents) == 0 {
		t.Fatalf("without the cache: %v, %d documents", errorsOf(res), len(res.Documents))
	}
	want := stream(t, res.Output())
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	for _, what := range []string{"empty cache", "warm cache"} {
		r, res := renderPaths(t, streamOnly(cache), path)
		if res.Failed() {
			t.Fatal(errorsOf(res))
		}
		if got := stream(t, res.Output()); string(got) != string(want) {
			t.Errorf("%s: the stream differs from a render without the cache", what)
		}
		if what == "warm cache" && r.evaluated.Load() != 1 {
			t.Errorf("%s: %d evaluations, want 1 (the service with AWS documents)", what, r.evaluated.Load())
		}
	}
}

// TestAssembleDecodesIdentities gives assemble results from the cache
// without identities in the two cases where it needs them and no
// diagnostic says so: two identities with the same hash (made so here),
// which checkUnique tells apart, and one service twice, which byService
// cannot order without them.
func TestAssembleDecodesIdentities(t *testing.T) {
	root := collisionRepo(t)
	r, res := renderPaths(t, Options{}, filepath.Join(root, "services", "other.sky"))
	env := r.envs[0]
	var jr jobResult
	for _, o := range res.Objects {
		if o.Env == env.Name {
			jr.objects = append(jr.objects, o)
		}
	}
	payload, ok := encodeJob(&jr)
	if !ok || len(jr.objects) < 2 {
		t.Fatalf("encodeJob: %v, %d objects", ok, len(jr.objects))
	}
	j := job{env: env, label: "services/other.sky"}
	decoded := func() jobResult {
		n := len(jr.objects)
		got, err := decodeJobInto(payload, j, newDecodeSlab(n, false, false).part(0, n))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got.objects {
			if o.Obj != nil {
				t.Fatal("an identity decoded without a slab for it")
			}
		}
		return got
	}
	names := func(objs []manifest.Object) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.String())
		}
		return out
	}
	twice := append(slices.Clone(jr.objects), jr.objects...)
	manifest.Sort(twice)
	for _, tc := range []struct {
		name    string
		results func() []jobResult
		want    []string
		diags   int
	}{
		{"hashes collide", func() []jobResult {
			jr := decoded()
			jr.ids[1] = jr.ids[0]
			return []jobResult{jr}
		}, names(jr.objects), 0},
		{"one service twice", func() []jobResult {
			return []jobResult{decoded(), decoded()}
		}, names(twice), 1},
	} {
		results := tc.results()
		jobs := make([]job, len(results))
		for i := range jobs {
			jobs[i] = j
		}
		var got Result
		assemble(&got, jobs, results, false, false)
		for _, o := range got.Objects {
			if o.Obj == nil {
				t.Fatalf("%s: %s has no Obj", tc.name, o.Source)
			}
		}
		if ids := names(got.Objects); !slices.Equal(ids, tc.want) {
			t.Errorf("%s: objects %q, want %q", tc.name, ids, tc.want)
		}
		if n := len(got.Diagnostics); n != tc.diags {
			t.Errorf("%s: %d diagnostics, want %d", tc.name, n, tc.diags)
		}
	}
}
