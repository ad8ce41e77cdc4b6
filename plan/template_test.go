package plan

import (
	"strings"
	"testing"
)

// TestParseTemplateBounds: a template is read in bounded time and memory
// whatever its aliases do, and holds only JSON values.
func TestParseTemplateBounds(t *testing.T) {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i, name := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		prev := string(rune('a' + i))
		laughs += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n"
	}
	tests := map[string]struct {
		src, err string
	}{
		"an alias":               {src: "a: &x {b: 1}\nc: *x\n"},
		"an alias used twice":    {src: "a: &x [1]\nb: [*x, *x]\n"},
		"an alias inside itself": {src: "a: &x [1, *x]\n", err: "line 1: alias *x refers to a value that holds it"},
		"aliases multiplying":    {src: laughs, err: "reading the template: more than 1048576 values once its aliases are expanded"},
		"NaN":                    {src: "a: .nan\n", err: "line 1: .nan is not a number a template can hold"},
		"infinity":               {src: "a: [1, -.Inf]\n", err: "line 1: -.Inf is not a number a template can hold"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseTemplate([]byte(tt.src))
			if got := errText(err); got != tt.err {
				t.Errorf("error %q, want %q", got, tt.err)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
