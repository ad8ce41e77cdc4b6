package starproto

import (
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// reserved holds the Starlark keywords and reserved identifiers. A field
// named like one of them is written with a trailing underscore in Starlark
// (from_, in_), as skycfg does.
var reserved = map[string]bool{
	"and": true, "break": true, "continue": true, "def": true, "elif": true,
	"else": true, "for": true, "if": true, "in": true, "lambda": true,
	"load": true, "not": true, "or": true, "pass": true, "return": true,
	"as": true, "assert": true, "async": true, "await": true, "class": true,
	"del": true, "except": true, "finally": true, "from": true, "global": true,
	"import": true, "is": true, "nonlocal": true, "raise": true, "try": true,
	"while": true, "with": true, "yield": true,
}

// attrName returns the Starlark attribute name of a field.
func attrName(fd protoreflect.FieldDescriptor) string {
	n := string(fd.Name())
	if reserved[n] {
		return n + "_"
	}
	return n
}

// lookupField finds the field of md that the Starlark attribute or keyword
// name stands for.
func lookupField(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fds := md.Fields()
	if fd := fds.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	if base, ok := strings.CutSuffix(name, "_"); ok && reserved[base] {
		return fds.ByName(protoreflect.Name(base))
	}
	return nil
}

// fieldAttrNames returns the Starlark names of md's fields, sorted.
func fieldAttrNames(md protoreflect.MessageDescriptor) []string {
	fds := md.Fields()
	names := make([]string, fds.Len())
	for i := range names {
		names[i] = attrName(fds.Get(i))
	}
	slices.Sort(names)
	return names
}

// nearest returns the candidate closest in spelling to name, or "" if none
// is close enough to be a plausible typo. A candidate differing only in
// case wins; otherwise the smallest edit distance under a third of the
// longer name's length, plus one, ties going to the first candidate.
func nearest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if strings.ToLower(c) == lower {
			return c
		}
	}
	best, bestDist := "", len(name)+1
	for _, c := range candidates {
		limit := min(bestDist, max(len(name), len(c))/3+1)
		if d := editDistance(name, c, limit); d < limit {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance returns the optimal string alignment distance between a
// and b (Levenshtein plus transposition of adjacent bytes, "sepc" for
// "spec"), or max if it is max or more.
func editDistance(a, b string, max int) int {
	if diff := len(a) - len(b); diff >= max || -diff >= max {
		return max
	}
	// Three rows: two back (for transpositions), previous and current.
	rows := make([]int, 3*(len(b)+1))
	prev2, prev, cur := rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)], rows[2*(len(b)+1):]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= max {
			return max
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], max)
}

// didYouMean formats a spelling hint for name, or returns "".
func didYouMean(name string, candidates []string) string {
	if n := nearest(name, candidates); n != "" {
		return " (did you mean " + strconv.Quote(n) + "?)"
	}
	return ""
}
