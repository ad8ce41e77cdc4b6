package render

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/rendercache"
)

const sourceTestService = `load("//lib/team.sky", "TEAM")

def main(ctx):
    return service(name = "api", team = TEAM, image = "registry.example.com/api:1.0.0")
`

// A file changed between the lookup hashing it and the evaluation: the
// evaluation sees the text that was hashed, so the result is stored under
// the key of what it was rendered from. (Before the runtime was served the
// lookup's text, it read the file again: the result, of the new text, was
// rendered but not cached.)
func TestCacheEvaluatesTheTextHashed(t *testing.T) {
	root := repo(t, map[string]string{
		"lib/team.sky":     "TEAM = \"web\"\n",
		"services/api.sky": sourceTestService,
	})
	ctx := context.Background()
	r, err := New(ctx, Options{Root: root, Cache: &CacheOptions{Dir: t.TempDir(), Salt: "test"}}, root)
	if err != nil {
		t.Fatal(err)
	}
	cs := r.cache
	cs.forget()
	cs.keepSources()
	files, ok := cs.closure("services/api.sky")
	if !ok || len(files) != 2 {
		t.Fatalf("closure: %v %v", files, ok)
	}
	// Both files change before the evaluation reads them.
	for p, text := range map[string]string{"lib/team.sky": "TEAM = \"payments\"\n", "services/api.sky": strings.Replace(sourceTestService, "1.0.0", "2.0.0", 1)} {
		if err := os.WriteFile(filepath.Join(root, p), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.init(ctx); err != nil {
		t.Fatal(err)
	}
	j := job{env: r.envs[0], file: filepath.Join(root, "services/api.sky"), label: "services/api.sky", explicit: true}
	k := cachedJob{ok: true, key: jobKey(cs.envKey(j.env, &r.opts), j, files), files: files}
	jr := r.renderOne(ctx, j)
	if len(jr.diags) > 0 {
		t.Fatal(jr.diags[0])
	}
	payload, ok := r.store(j, &k, &jr)
	if !ok {
		t.Fatal("the result was not cacheable: the evaluation read other text than the lookup hashed")
	}
	doc := string(payload)
	if !strings.Contains(doc, "team: web") || !strings.Contains(doc, "api:1.0.0") || strings.Contains(doc, "payments") {
		t.Errorf("the result is not of the text hashed:\n%s", doc)
	}
	if len(cs.kept) != 0 || cs.keptTrees != 0 {
		t.Errorf("kept after the evaluation: %d files, %d bytes of trees", len(cs.kept), cs.keptTrees)
	}
}

// A module released and evaluated again is read again: the hash of what
// the runtime evaluated is of the new text, not remembered by label.
func TestSourceHashAfterRelease(t *testing.T) {
	root := repo(t, map[string]string{"lib/a.sky": "X = 1\n"})
	ctx := context.Background()
	r, err := New(ctx, Options{Root: root, Cache: &CacheOptions{Dir: t.TempDir(), Salt: "test"}}, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.init(ctx); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"X = 1\n", "X = 2\n"} {
		if err := os.WriteFile(filepath.Join(root, "lib/a.sky"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := r.rt.Load(ctx, "lib/a.sky"); err != nil {
			t.Fatal(err)
		}
		if got, want := r.cache.sourceHash(r.rt, "lib/a.sky"), rendercache.Key(sha256.Sum256([]byte(text))); got != want {
			t.Errorf("after evaluating %q: sourceHash is of other text", text)
		}
		r.rt.Release("lib/a.sky")
	}
}
