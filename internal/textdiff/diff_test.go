package textdiff

import (
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := map[string]struct {
		a, b, want string
	}{
		"equal": {a: "x\ny\n", b: "x\ny\n", want: ""},
		"changed line": {
			a: "a\nb\nc\n", b: "a\nB\nc\n",
			want: "--- want\n+++ got\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		"added at end": {
			a: "a\n", b: "a\nb\n",
			want: "--- want\n+++ got\n@@ -1,1 +1,2 @@\n a\n+b\n",
		},
		"context is three lines": {
			a: "1\n2\n3\n4\n5\n6\n7\n8\n9\n", b: "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
			want: "--- want\n+++ got\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n",
		},
		"two hunks": {
			a: "a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", b: "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n",
			want: "--- want\n+++ got\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-b\n+B\n",
		},
		"no final newline": {
			a: "a", b: "a\n",
			want: "--- want\n+++ got\n@@ -1,1 +1,1 @@\n-a (no newline at end)\n+a\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Unified("want", "got", tc.a, tc.b); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestHunks(t *testing.T) {
	for name, tc := range map[string]struct{ a, b, want string }{
		"equal":   {"a\nb\n", "a\nb\n", ""},
		"created": {"", "a\nb\n", "@@ -0,0 +1,2 @@|+a|+b"},
		"deleted": {"a\n", "", "@@ -1,1 +0,0 @@|-a"},
		"one line in the middle": {
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
			"@@ -2,7 +2,7 @@| 2| 3| 4|-5|+X| 6| 7| 8",
		},
		"two hunks": {
			"a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n",
			"@@ -1,4 +1,4 @@|-a|+A| 1| 2| 3|@@ -7,4 +7,4 @@| 6| 7| 8|-b|+B",
		},
		"insertion": {"a\nc\n", "a\nb\nc\n", "@@ -1,2 +1,3 @@| a|+b| c"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := strings.Join(Hunks(tc.a, tc.b, 3), "|"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
