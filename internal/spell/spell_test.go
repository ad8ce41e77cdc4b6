package spell

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"replicas", "image", "team", "ports", "name"}
	for _, c := range []struct{ in, want string }{
		{"replcas", "replicas"},  // one deletion
		{"rpelicas", "replicas"}, // a swap of neighbours is one edit
		{"Image", "image"},       // case only
		{"imag", "image"},
		{"team", ""},   // exact names suggest nothing
		{"zzzzzz", ""}, // nothing close
		{"nmae", "name"},
	} {
		if got := Nearest(c.in, names); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
