package importer

import "strings"

// width is the line length the layout keeps to where it can.
const width = 88

// node is an expression of the generated source, laid out by layout.
type node interface{ isNode() }

// atom is a literal or name, written as it is. It may span lines (a
// triple-quoted string).
type atom string

// call is a constructor call with keyword arguments.
type call struct {
	fn   string
	args []kwarg
}

type kwarg struct {
	name string // "" for a positional argument
	val  node
}

// list is a list literal; comments, if set, go above each element.
type list struct {
	elems    []node
	comments []string
}

// dict is a dict literal; keys are already quoted.
type dict struct {
	keys []string
	vals []node
}

func (atom) isNode()  {}
func (*call) isNode() {}
func (*list) isNode() {}
func (*dict) isNode() {}

// flat returns n on one line, or false if it does not fit in max
// columns or cannot be written on one line.
func flat(n node, max int) (string, bool) {
	var b strings.Builder
	ok := writeFlat(&b, n, max)
	if !ok || b.Len() > max {
		return "", false
	}
	return b.String(), true
}

func writeFlat(b *strings.Builder, n node, max int) bool {
	if b.Len() > max {
		return false
	}
	switch n := n.(type) {
	case atom:
		if strings.Contains(string(n), "\n") {
			return false
		}
		b.WriteString(string(n))
	case *call:
		b.WriteString(n.fn)
		b.WriteByte('(')
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(", ")
			}
			if a.name != "" {
				b.WriteString(a.name)
				b.WriteString(" = ")
			}
			if !writeFlat(b, a.val, max) {
				return false
			}
		}
		b.WriteByte(')')
	case *list:
		if len(n.comments) > 0 {
			return false
		}
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if !writeFlat(b, e, max) {
				return false
			}
		}
		b.WriteByte(']')
	case *dict:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteString(": ")
			if !writeFlat(b, n.vals[i], max) {
				return false
			}
		}
		b.WriteByte('}')
	}
	return b.Len() <= max
}

// layout writes n starting at column col of a line indented by indent
// spaces: on one line if it fits, else one argument or element a line.
// tail is what follows n on its line (a comma), counted against the
// width.
func layout(b *strings.Builder, n node, indent, col int, tail string) {
	if s, ok := flat(n, width-col-len(tail)); ok {
		b.WriteString(s)
		b.WriteString(tail)
		return
	}
	inner := indent + 4
	pad := strings.Repeat(" ", inner)
	switch n := n.(type) {
	case atom:
		b.WriteString(string(n))
	case *call:
		b.WriteString(n.fn)
		b.WriteString("(\n")
		for _, a := range n.args {
			b.WriteString(pad)
			col := inner
			if a.name != "" {
				b.WriteString(a.name)
				b.WriteString(" = ")
				col += len(a.name) + 3
			}
			layout(b, a.val, inner, col, ",")
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString(")")
	case *list:
		b.WriteString("[\n")
		for i, e := range n.elems {
			if i < len(n.comments) && n.comments[i] != "" {
				if i > 0 {
					b.WriteString("\n")
				}
				for _, line := range strings.Split(n.comments[i], "\n") {
					b.WriteString(pad)
					b.WriteString("# ")
					b.WriteString(line)
					b.WriteString("\n")
				}
			}
			b.WriteString(pad)
			layout(b, e, inner, inner, ",")
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString("]")
	case *dict:
		b.WriteString("{\n")
		for i, k := range n.keys {
			b.WriteString(pad)
			b.WriteString(k)
			b.WriteString(": ")
			layout(b, n.vals[i], inner, inner+len(k)+2, ",")
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString("}")
	}
	b.WriteString(tail)
}
