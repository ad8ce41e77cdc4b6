package lang

import (
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
