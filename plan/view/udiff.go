package view

import (
	"fmt"
	"strings"
)

// lineOp is one line of a line diff.
type lineOp struct {
	kind byte // ' ', '-' or '+'
	text string
}

// diffLines returns the edit script from a to b: a longest common
// subsequence of lines kept, the rest removed or added (removals first).
func diffLines(a, b []string) []lineOp {
	// Trim the common prefix and suffix: objects differ in few places.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(am), len(bm)
	// lcs[i][j] is the LCS length of am[i:] and bm[j:].
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	ops := make([]lineOp, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, lineOp{' ', l})
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && am[i] == bm[j]:
			ops = append(ops, lineOp{' ', am[i]})
			i++
			j++
		case j >= m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, lineOp{'-', am[i]})
			i++
		default:
			ops = append(ops, lineOp{'+', bm[j]})
			j++
		}
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, lineOp{' ', l})
	}
	return ops
}

// unified writes the unified diff of a and b with ctx lines of context
// around each change, one string per line: "@@ -l,n +l,n @@" headers,
// then lines starting with ' ', '-' or '+'. Equal texts give nothing.
func unified(a, b string, ctx int) []string {
	al, bl := splitLines(a), splitLines(b)
	ops := diffLines(al, bl)
	var out []string
	for start := 0; start < len(ops); {
		// Find the next change.
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(start-ctx, 0)
		// Extend the hunk while changes are within 2*ctx lines.
		end := start
		for k := start; k < len(ops); k++ {
			if ops[k].kind != ' ' {
				end = k
			} else if k-end > 2*ctx {
				break
			}
		}
		hi := min(end+ctx+1, len(ops))
		// Line numbers of the hunk's first line on each side.
		aLine, bLine := 1, 1
		for _, op := range ops[:lo] {
			if op.kind != '+' {
				aLine++
			}
			if op.kind != '-' {
				bLine++
			}
		}
		aN, bN := 0, 0
		for _, op := range ops[lo:hi] {
			if op.kind != '+' {
				aN++
			}
			if op.kind != '-' {
				bN++
			}
		}
		if aN == 0 {
			aLine--
		}
		if bN == 0 {
			bLine--
		}
		out = append(out, fmt.Sprintf("@@ -%d,%d +%d,%d @@", aLine, aN, bLine, bN))
		for _, op := range ops[lo:hi] {
			out = append(out, string(op.kind)+op.text)
		}
		start = hi
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
