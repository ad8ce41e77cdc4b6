package starproto

import "testing"

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"spec", "spec", 0},
		{"sepc", "spec", 1},
		{"replcas", "replicas", 1},
		{"kitten", "sitting", 3},
		{"abc", "", 3},
		{"", "abc", 3},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b, 100); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := editDistance(tc.a, tc.b, 1); got != min(tc.want, 1) {
			t.Errorf("editDistance(%q, %q, max 1) = %d, want %d", tc.a, tc.b, got, min(tc.want, 1))
		}
	}
}

func TestNearest(t *testing.T) {
	fields := []string{"minReadySeconds", "paused", "replicas", "selector", "strategy", "template"}
	cases := map[string]string{
		"replcas":  "replicas",
		"Replicas": "replicas",
		"stratgey": "strategy",
		"paus":     "paused",
		"x":        "",
		"image":    "",
	}
	for name, want := range cases {
		if got := nearest(name, fields); got != want {
			t.Errorf("nearest(%q) = %q, want %q", name, got, want)
		}
	}
}
