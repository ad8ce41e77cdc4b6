// Package textdiff computes line diffs for people to read: the
// expected-versus-actual output of skyc test's snapshots and of skyc
// import's round-trip check, and the per-object diffs of skyc diff.
//
// The algorithm is the classic longest-common-subsequence table, which is
// quadratic in the number of lines: fine for manifests and snapshots (a
// few thousand lines), not meant for large files. Inputs past maxCells
// table cells are compared by their common prefix and suffix only.
package textdiff

import (
	"fmt"
	"strings"
)

// maxCells bounds the LCS table (lines of a × lines of b).
const maxCells = 16 << 20

// context is the number of unchanged lines shown around a change.
const context = 3

type op struct {
	kind byte // ' ', '-', '+'
	line string
}

// Unified returns a unified diff of a and b, labelled with the names of
// the two sides, or "" when they are equal.
func Unified(aName, bName, a, b string) string {
	if a == b {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, l := range Hunks(a, b, context) {
		out.WriteString(l)
		out.WriteByte('\n')
	}
	return out.String()
}

// Hunks returns the changes from a to b as unified-diff hunks with ctx
// unchanged lines around each change, one string per line: a
// "@@ -l,n +l,n @@" header, then lines starting with ' ', '-' or '+'.
// Changes less than 2*ctx lines apart share a hunk. Equal texts give none.
func Hunks(a, b string, ctx int) []string {
	ops := diffLines(splitLines(a), splitLines(b))
	var out []string
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(start-ctx, 0)
		end := start
		for k := start; k < len(ops); k++ {
			if ops[k].kind != ' ' {
				end = k
			} else if k-end > 2*ctx {
				break
			}
		}
		hi := min(end+ctx+1, len(ops))
		aLine, bLine := lineNumbers(ops, lo)
		aN, bN := 0, 0
		for _, o := range ops[lo:hi] {
			if o.kind != '+' {
				aN++
			}
			if o.kind != '-' {
				bN++
			}
		}
		// An empty side is numbered by the line before it, as diff(1) does.
		if aN == 0 {
			aLine--
		}
		if bN == 0 {
			bLine--
		}
		out = append(out, fmt.Sprintf("@@ -%d,%d +%d,%d @@", aLine, aN, bLine, bN))
		for _, o := range ops[lo:hi] {
			out = append(out, string(o.kind)+o.line)
		}
		start = hi
	}
	return out
}

// lineNumbers returns the 1-based line numbers in a and b at which
// ops[i] stands.
func lineNumbers(ops []op, i int) (int, int) {
	a, b := 1, 1
	for _, o := range ops[:i] {
		if o.kind != '+' {
			a++
		}
		if o.kind != '-' {
			b++
		}
	}
	return a, b
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += " (no newline at end)"
	}
	return lines
}

// diffLines returns the edit script turning a into b.
func diffLines(a, b []string) []op {
	// Common prefix and suffix need no table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for _, l := range a[:pre] {
		ops = append(ops, op{' ', l})
	}
	ops = append(ops, lcs(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, op{' ', l})
	}
	return ops
}

func lcs(a, b []string) []op {
	var ops []op
	if len(a)*len(b) > maxCells {
		for _, l := range a {
			ops = append(ops, op{'-', l})
		}
		for _, l := range b {
			ops = append(ops, op{'+', l})
		}
		return ops
	}
	// t[i][j] is the LCS length of a[i:] and b[j:].
	w := len(b) + 1
	t := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		ops = append(ops, op{'-', a[i]})
	}
	for ; j < len(b); j++ {
		ops = append(ops, op{'+', b[j]})
	}
	return ops
}
