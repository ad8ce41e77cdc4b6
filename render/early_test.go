package render

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheEarlyEvaluations edits more services than the lookup
// evaluates while it runs (quietEvaluations jobs), so that some are
// evaluated early and some by Render, and expects each evaluated once and
// the output of a render without the cache; then breaks one, and expects
// its error once.
func TestCacheEarlyEvaluations(t *testing.T) {
	c := newCacheRepo(t, 30)
	c.check("first render", 2*len(c.fleet.Services))
	edited := 12 // 24 jobs, 2 environments each
	for _, s := range c.fleet.Services[:edited] {
		c.edit(s.Path, "\nUNUSED = \"edited\"\n")
	}
	c.check("after editing", 2*edited)
	c.check("again", 0)

	broken := c.fleet.Services[5].Path
	c.edit(broken, "\nx = undefined_name\n")
	files, explicit, err := Discover([]string{filepath.Join(c.root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(context.Background(), Options{Cache: c.cache}, files[0])
	if err != nil {
		t.Fatal(err)
	}
	res := r.Render(context.Background(), files, explicit)
	if n := r.evaluated.Load(); n != 2 {
		t.Errorf("%d evaluations after breaking %s, want 2", n, broken)
	}
	if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "undefined_name") {
		t.Fatalf("diagnostics %v, want one about undefined_name", res.Diagnostics)
	}
}
