package stdlib

import (
	"context"
	"slices"
	"testing"

	"github.com/skyc-dev/skyc/lang"
)

// TestLoadPolicies: the library's policies load, each once, sorted, with
// a summary and a check function.
func TestLoadPolicies(t *testing.T) {
	lib, _ := load(t)
	rt, err := lang.New(lang.Options{Stdlib: Sources(), StdlibPredeclared: lib.Builtins})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := LoadPolicies(context.Background(), rt)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
		if p.Summary == "" || p.Check == nil || p.File == "" {
			t.Errorf("policy %+v is incomplete", p)
		}
	}
	want := []string{"host-network", "host-path", "missing-cost-labels", "missing-labels", "no-pdb", "no-probes", "no-resources", "privileged", "runs-as-root", "unpinned-image"}
	if !slices.Equal(ids, want) {
		t.Errorf("policies %q, want %q", ids, want)
	}
	// Policy files are not exported to service files.
	for name := range lib.Exports {
		if name == "POLICIES" || name == "policy" || name == "finding" {
			t.Errorf("%s is exported to service files", name)
		}
	}
}
