package render

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/manifest"
)

// collisionRepo is two services that render the same objects, in two
// environments.
func collisionRepo(t *testing.T) string {
	return repo(t, map[string]string{
		"skyc.yaml": "environments:\n  staging: {}\n  production: {}\n",
		"services/api.sky": `def main(ctx):
    return service(name = "api", team = "web", image = "registry.example.com/api:1.0.0")
`,
		"services/api-canary.sky": `def main(ctx):
    return service(name = "api", team = "web", image = "registry.example.com/api:1.1.0")
`,
		"services/other.sky": `def main(ctx):
    return service(name = "other", team = "web", image = "registry.example.com/other:1.0.0")
`,
	})
}

func diagnostics(t *testing.T, root string, opts Options) ([]string, int64) {
	t.Helper()
	ctx := context.Background()
	files, explicit, err := Discover([]string{filepath.Join(root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	opts.Root = root
	r, err := New(ctx, opts, root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range r.Render(ctx, files, explicit).Diagnostics {
		out = append(out, fmt.Sprintf("%v %s | %s", d.Pos, d.Message, d.Hint))
	}
	return out, r.evaluated.Load()
}

// TestCollisionFromCache expects the same report of two services that
// render the same object whether their objects were evaluated or came
// from the cache, where identities are compared by hash first.
func TestCollisionFromCache(t *testing.T) {
	root := collisionRepo(t)
	want, _ := diagnostics(t, root, Options{})
	if len(want) != 1 {
		t.Fatalf("without the cache: %d diagnostics %q, want one collision", len(want), want)
	}
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	for _, what := range []string{"cold cache", "warm cache"} {
		got, n := diagnostics(t, root, Options{Cache: cache})
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
		if what == "warm cache" && n != 0 {
			t.Errorf("%s: %d evaluations, want none", what, n)
		}
	}
	if got, _ := diagnostics(t, root, Options{Encode: true}); !slices.Equal(got, want) {
		t.Errorf("Encode: %q, want %q", got, want)
	}
}

// TestOriginsFromCache expects the origins of objects served from the
// cache to be those of the evaluation.
func TestOriginsFromCache(t *testing.T) {
	root := collisionRepo(t)
	origins := func(opts Options) map[string]string {
		_, res := renderPaths(t, opts, filepath.Join(root, "services", "other.sky"))
		m := map[string]string{}
		for _, o := range res.Objects {
			p, ok := res.Origins[o.Obj]
			m[o.String()] = fmt.Sprint(p, ok)
		}
		return m
	}
	want := origins(Options{})
	if len(want) == 0 {
		t.Fatal("no objects")
	}
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	for _, what := range []string{"cold cache", "warm cache"} {
		got := origins(Options{Cache: cache})
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s: origin %s, want %s", what, k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d objects, want %d", what, len(got), len(want))
		}
	}
}

func TestDistinct(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	hs := make([]uint64, 5000)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	if !distinct(hs) {
		t.Fatal("random hashes: a duplicate found")
	}
	if !distinct(nil) || !distinct([]uint64{0}) || !distinct([]uint64{0, 2}) {
		t.Error("distinct values reported equal")
	}
	for _, i := range []int{0, 1, 2500, 4999} {
		dup := append(slices.Clone(hs), hs[i])
		if distinct(dup) {
			t.Errorf("a copy of hs[%d] not found", i)
		}
	}
	if distinct([]uint64{0, 0}) || distinct([]uint64{1, 0, 1}) {
		t.Error("equal zeros (or ones) reported distinct")
	}
}

// TestByService compares byService with manifest.Sort of all the
// objects, for groups out of order, groups not sorted inside, two groups
// of one service and a group whose objects belong to another service.
func TestByService(t *testing.T) {
	obj := func(env, svc, apiVersion, kind, name string) manifest.Object {
		return manifest.Object{Env: env, Service: svc, Source: svc + ".sky",
			Obj: &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}}
	}
	service := func(env, svc string) []manifest.Object {
		return []manifest.Object{
			obj(env, svc, "autoscaling/v2", "HorizontalPodAutoscaler", svc),
			obj(env, svc, "apps/v1", "Deployment", svc),
			obj(env, svc, "v1", "ServiceAccount", svc),
			obj(env, svc, "v1", "Service", svc),
		}
	}
	sorted := func(objs []manifest.Object) []manifest.Object {
		manifest.Sort(objs)
		return objs
	}
	for _, tc := range []struct {
		name    string
		results []jobResult
		envs    []string
		svcs    []string
	}{
		{"out of order", []jobResult{
			{objects: service("prod", "b")},
			{objects: sorted(service("prod", "a")), sorted: true},
			{objects: service("dev", "c")},
		}, []string{"prod", "prod", "dev"}, []string{"b", "a", "c"}},
		{"one service twice", []jobResult{
			{objects: sorted(service("prod", "a")), sorted: true},
			{objects: sorted(append(service("prod", "a"), obj("prod", "a", "v1", "ConfigMap", "x"))), sorted: true},
		}, []string{"prod", "prod"}, []string{"a", "a"}},
		{"foreign object", []jobResult{
			{objects: sorted(append(service("prod", "b"), obj("prod", "a", "v1", "ConfigMap", "x"))), sorted: true},
			{objects: sorted(service("prod", "a")), sorted: true},
		}, []string{"prod", "prod"}, []string{"b", "a"}},
	} {
		var groups []objectGroup
		var all []manifest.Object
		for i, jr := range tc.results {
			groups = append(groups, objectGroup{env: tc.envs[i], service: tc.svcs[i], job: i})
			all = append(all, jr.objects...)
		}
		want := make([]string, 0, len(all))
		for _, o := range sorted(slices.Clone(all)) {
			want = append(want, o.String())
		}
		var got []string
		for _, o := range byService(tc.results, groups, len(all)) {
			got = append(got, o.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, want)
		}
	}
}

// TestPayloadRoundTrip encodes the objects of a rendered service as the
// cache stores them and decodes them again: the same identities,
// documents, origins and order; any shorter or longer payload is
// rejected.
func TestPayloadRoundTrip(t *testing.T) {
	root := collisionRepo(t)
	r, res := renderPaths(t, Options{}, filepath.Join(root, "services", "other.sky"))
	env := r.envs[0]
	var jr jobResult
	for _, o := range res.Objects {
		if o.Env == env.Name {
			jr.objects = append(jr.objects, o)
		}
	}
	slices.Reverse(jr.objects) // encodeJob puts them into order
	jr.origins = res.Origins
	payload, ok := encodeJob(&jr)
	if !ok {
		t.Fatal("encodeJob failed")
	}
	j := job{env: env, label: "services/other.sky"}
	got, err := decodeJob(payload, j)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.objects) != len(jr.objects) || len(got.objects) < 2 {
		t.Fatalf("%d objects decoded, want %d (at least 2)", len(got.objects), len(jr.objects))
	}
	for i, o := range got.objects {
		w := jr.objects[i]
		if o.String() != w.String() || string(o.Encoded) != string(w.Encoded) || len(o.Encoded) == 0 {
			t.Errorf("object %d: %s (%d bytes), want %s (%d bytes)", i, o, len(o.Encoded), w, len(w.Encoded))
		}
		if got.pos[i] != jr.origins[w.Obj] {
			t.Errorf("object %d: origin %v, want %v", i, got.pos[i], jr.origins[w.Obj])
		}
		if h, _ := objectHash(o.Env, o.Obj); got.ids[i] != h || jr.ids[i] != h {
			t.Errorf("object %d: identity hashes %x (decoded), %x (encoded), want %x", i, got.ids[i], jr.ids[i], h)
		}
	}
	resorted := slices.Clone(got.objects)
	slices.Reverse(resorted)
	manifest.Sort(resorted)
	for i := range resorted {
		if resorted[i].String() != got.objects[i].String() {
			t.Errorf("decoded objects not in canonical order: %s at %d", got.objects[i], i)
		}
	}
	if !got.sorted {
		t.Error("decoded objects not marked sorted")
	}
	for n := range len(payload) {
		if _, err := decodeJob(payload[:n], j); err == nil {
			t.Fatalf("a payload cut to %d of %d bytes decoded", n, len(payload))
		}
	}
	if _, err := decodeJob(append(slices.Clone(payload), 0), j); err == nil {
		t.Error("a payload with a byte more decoded")
	}
}

// TestBeforeEvaluate expects Options.BeforeEvaluate before a render that
// evaluates more than quietEvaluations jobs, and not before one that
// evaluates a few or none.
func TestBeforeEvaluate(t *testing.T) {
	c := newCacheRepo(t, 10) // 20 jobs: 10 services, 2 environments
	for _, step := range []struct {
		what       string
		edit       bool
		evaluated  int
		wantCalled bool
	}{
		{"cold", false, 20, true},
		{"warm", false, 0, false},
		{"one edit", true, 2, false},
	} {
		if step.edit {
			c.edit(c.fleet.Services[3].Path, "\n# edited\n")
		}
		called := 0
		_, n := c.render(Options{Cache: c.cache, BeforeEvaluate: func() { called++ }})
		if n != step.evaluated {
			t.Fatalf("%s: %d evaluations, want %d", step.what, n, step.evaluated)
		}
		if want := map[bool]int{true: 1, false: 0}[step.wantCalled]; called != want {
			t.Errorf("%s: BeforeEvaluate called %d times, want %d", step.what, called, want)
		}
	}
}
