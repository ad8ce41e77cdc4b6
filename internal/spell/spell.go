// Package spell suggests the nearest spelling of a misspelled name, for
// "did you mean" hints.
package spell

import "strings"

// Nearest returns the candidate closest to name in edit distance, if it is
// close enough to be a plausible misspelling, or "" otherwise. Case
// differences count as half an edit; the threshold grows with the length of
// the name.
func Nearest(name string, candidates []string) string {
	best, bestDist := "", 1<<30
	limit := 1 + len(name)/4
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := editDistance(name, c)
		if strings.EqualFold(name, c) {
			d = 0
		}
		if d <= limit && d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
