package apidoc

import (
	"sort"
	"strings"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/stdlib"
)

// Entry documents one name the standard library predeclares.
type Entry struct {
	Name string
	// Signature is a function's call signature; "" for a module or a
	// value.
	Signature string
	// Doc is the docstring, dedented.
	Doc string
	// Members lists the attributes of a module or struct value (k8s's
	// API groups) with their values, sorted.
	Members []Member
}

// Member is one attribute of a module or struct value.
type Member struct {
	Name, Value string
}

// Summary returns the entry's first line of documentation.
func (e Entry) Summary() string {
	first, _, _ := strings.Cut(e.Doc, "\n\n")
	return strings.Join(strings.Fields(first), " ")
}

// Stdlib returns an entry for every export of lib, sorted by name.
func Stdlib(lib *stdlib.Library) []Entry {
	var out []Entry
	for name, v := range lib.Exports {
		e := Entry{Name: name, Signature: lib.Signatures[name], Doc: Dedent(lib.Docs[name])}
		if _, callable := v.(starlark.Callable); !callable {
			if attrs, ok := v.(starlark.HasAttrs); ok {
				for _, a := range attrs.AttrNames() {
					av, err := attrs.Attr(a)
					if err != nil || av == nil || strings.HasPrefix(a, "_") {
						continue
					}
					m := Member{Name: a, Value: av.String()}
					if _, ok := av.(starlark.Callable); ok {
						m.Value = "function"
					}
					e.Members = append(e.Members, m)
				}
				sort.Slice(e.Members, func(i, j int) bool { return e.Members[i].Name < e.Members[j].Name })
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Dedent cleans up a docstring as Python's inspect.cleandoc does: the
// first line loses its leading space, the others their common
// indentation, and blank lines at either end go.
func Dedent(doc string) string {
	lines := strings.Split(strings.ReplaceAll(expandTabs(doc), "\r\n", "\n"), "\n")
	indent := -1
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	lines[0] = strings.TrimSpace(lines[0])
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			lines[i] = ""
		} else if indent > 0 {
			lines[i] = lines[i][indent:]
		}
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// SplitSignature formats a signature on one line if it fits in width
// columns, else one parameter a line:
//
//	service(
//	    name,
//	    port = 8080,
//	)
func SplitSignature(sig string, width int) string {
	if len(sig) <= width {
		return sig
	}
	open := strings.Index(sig, "(")
	if open < 0 || !strings.HasSuffix(sig, ")") {
		return sig
	}
	var b strings.Builder
	b.WriteString(sig[:open+1] + "\n")
	for _, p := range splitParams(sig[open+1 : len(sig)-1]) {
		b.WriteString("    " + p + ",\n")
	}
	b.WriteString(")")
	return b.String()
}

// splitParams splits a parameter list at its top-level commas: a
// default value such as ("string",) or {"a": 1, "b": 2} stays whole.
func splitParams(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}
