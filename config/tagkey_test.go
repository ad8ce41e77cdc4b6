package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestIsTagKeyMatchesPattern checks isTagKey against the regular
// expression it replaces.
func TestIsTagKeyMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	for _, s := range []string{
		"", "a", "cost-centre", "Cost Centre", "team:name", "a/b=c+d@e_f.g", "é", "日本",
		"x\u00a0y", "x\u2028y", "Ⅻ", "½", "a\tb", "a\nb", "a#b", "a*b", "\xff", "a\xffb", "\U0001F600",
		strings.Repeat("k", 128), strings.Repeat("k", 129), strings.Repeat("é", 128), strings.Repeat("é", 129),
	} {
		if got, want := isTagKey(s), re.MatchString(s); got != want {
			t.Errorf("isTagKey(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
