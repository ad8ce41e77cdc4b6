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

// editDistance is the optimal-string-alignment distance between a and b
// in bytes: insertions, deletions, substitutions and transpositions of
// neighbours each count as one edit, as typing mistakes do.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
