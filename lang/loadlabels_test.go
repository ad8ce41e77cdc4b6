package lang

import (
	"context"
	"reflect"
	"testing"
)

func TestLoadLabels(t *testing.T) {
	src := []byte("\"\"\"doc\"\"\"\nload(\"//lib/x.sky\", \"x\")\nload(\"../lib/y.sky\", y2 = \"y\")\nload(\"@skyc//service.sky\", \"s\")\n\ndef main(ctx):\n    return x\n")
	got, err := LoadLabels("services/a.sky", src)
	want := []string{"lib/x.sky", "lib/y.sky", "@skyc//service.sky"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LoadLabels = %q, %v, want %q", got, err, want)
	}
	for name, src := range map[string]string{
		"syntax error": "load(\"x.sky\", \"x\"\n",
		"bad label":    "load(\"../../x.sky\", \"x\")\n",
	} {
		if got, err := LoadLabels("services/a.sky", []byte(src)); err == nil {
			t.Errorf("%s: LoadLabels = %q, want an error", name, got)
		}
	}
}

func TestRelease(t *testing.T) {
	root := writeRepo(t, map[string]string{
		"lib.sky": "n = 1\n",
		"svc.sky": "load(\"lib.sky\", \"n\")\nx = n + 1\n",
	})
	rt := newRuntime(t, Options{Root: root})
	ctx := context.Background()
	g1, err := rt.Load(ctx, "svc.sky")
	if err != nil {
		t.Fatal(err)
	}
	rt.Release("svc.sky")
	rt.Release("missing.sky")
	if rt.Source("svc.sky") == nil {
		t.Error("Release dropped the source, which diagnostics need")
	}
	g2, err := rt.Load(ctx, "svc.sky")
	if err != nil {
		t.Fatal(err)
	}
	if g1["x"] != g2["x"] {
		t.Errorf("x = %v after releasing, %v before", g2["x"], g1["x"])
	}
	if deps := rt.Dependencies("svc.sky"); !reflect.DeepEqual(deps, []string{"lib.sky"}) {
		t.Errorf("Dependencies after re-evaluating = %q", deps)
	}
}
