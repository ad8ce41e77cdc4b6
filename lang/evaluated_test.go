package lang

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// TestEvaluated: the files an evaluation used, with the text it used and
// the loads of each, even after a module it loaded was released and
// evaluated again from a changed file.
func TestEvaluated(t *testing.T) {
	root := writeRepo(t, map[string]string{
		"lib/base.sky":   "X = 1\n",
		"lib/mid.sky":    "load(\"base.sky\", \"X\")\nload(\"@skyc//std.sky\", \"S\")\nY = X\n",
		"svc/a.sky":      "load(\"//lib/mid.sky\", \"Y\")\nload(\"//svc/b.sky\", \"B\")\nload(\"//lib/mid.sky\", y2 = \"Y\")\n",
		"svc/b.sky":      "B = 1\n",
		"svc/broken.sky": "load(\"//lib/broken.sky\", \"X\")\n",
		"lib/broken.sky": "X = undefined\n",
	})
	rt := newRuntime(t, Options{Root: root, Stdlib: fstest.MapFS{"std.sky": {Data: []byte("S = 1\n")}}})
	ctx := context.Background()
	if _, err := rt.Load(ctx, "svc/a.sky"); err != nil {
		t.Fatal(err)
	}
	want := []EvaluatedFile{
		{"svc/a.sky", nil, []string{"lib/mid.sky", "svc/b.sky"}},
		{"lib/mid.sky", nil, []string{"lib/base.sky", "@skyc//std.sky"}},
		{"lib/base.sky", nil, nil},
		{"@skyc//std.sky", nil, nil},
		{"svc/b.sky", nil, nil},
	}
	check := func(what string, bText string) {
		t.Helper()
		got, ok := rt.Evaluated("svc/a.sky")
		if !ok || len(got) != len(want) {
			t.Fatalf("%s: Evaluated = %v, %v", what, got, ok)
		}
		for i, f := range got {
			if f.Label != want[i].Label || len(f.Loads) != len(want[i].Loads) {
				t.Fatalf("%s: file %d is %s loading %q, want %s loading %q", what, i, f.Label, f.Loads, want[i].Label, want[i].Loads)
			}
			for j := range f.Loads {
				if f.Loads[j] != want[i].Loads[j] {
					t.Fatalf("%s: %s loads %q, want %q", what, f.Label, f.Loads, want[i].Loads)
				}
			}
			if f.Label == "svc/b.sky" && string(f.Source) != bText {
				t.Errorf("%s: svc/b.sky evaluated as %q, want %q", what, f.Source, bText)
			}
		}
	}
	check("first", "B = 1\n")
	// b is released and evaluated again from changed text: what a used
	// stays what Evaluated gives for a.
	rt.Release("svc/b.sky")
	if err := os.WriteFile(filepath.Join(root, "svc/b.sky"), []byte("B = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Load(ctx, "svc/b.sky"); err != nil {
		t.Fatal(err)
	}
	if string(rt.Source("svc/b.sky")) != "B = 2\n" {
		t.Fatal("svc/b.sky was not read again")
	}
	check("after b was evaluated again", "B = 1\n")
	if got, ok := rt.Evaluated("svc/b.sky"); !ok || len(got) != 1 || string(got[0].Source) != "B = 2\n" {
		t.Errorf("Evaluated(svc/b.sky) = %v, %v; want its new text", got, ok)
	}

	rt.Load(ctx, "svc/broken.sky") // fails
	if got, ok := rt.Evaluated("svc/broken.sky"); ok {
		t.Errorf("Evaluated of a failed evaluation = %v, ok", got)
	}
	if got, ok := rt.Evaluated("svc/never.sky"); ok {
		t.Errorf("Evaluated of a module never loaded = %v, ok", got)
	}
}
