package stdlib

import (
	"regexp"
	"strings"
	"testing"
)

// TestIsAWSTagValueMatchesPattern checks isAWSTagValue against the regular
// expression it replaces.
func TestIsAWSTagValueMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)
	for _, s := range []string{
		"", "a", "cost-centre", "Cost Centre", "team:name", "a/b=c+d@e_f.g", "é", "日本",
		"x\u00a0y", "x\u2028y", "Ⅻ", "½", "a\tb", "a\nb", "a#b", "a*b", "\xff", "a\xffb", "\U0001F600",
		strings.Repeat("v", 256), strings.Repeat("v", 257), strings.Repeat("é", 256), strings.Repeat("é", 257),
	} {
		if got, want := isAWSTagValue(s), re.MatchString(s); got != want {
			t.Errorf("isAWSTagValue(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
