package apidoc

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Width is the column width text output wraps at.
const Width = 80

// WriteEntry writes a standard-library entry for the terminal: the
// signature, the docstring and a module's members.
func WriteEntry(w io.Writer, e Entry) {
	head := e.Name
	if e.Signature != "" {
		head = SplitSignature(e.Signature, Width)
	}
	fmt.Fprintf(w, "%s\n", head)
	if e.Doc != "" {
		fmt.Fprintf(w, "\n%s\n", e.Doc)
	}
	if len(e.Members) > 0 {
		fmt.Fprintf(w, "\nMembers:\n")
		width := 0
		for _, m := range e.Members {
			width = max(width, len(e.Name)+1+len(m.Name))
		}
		for _, m := range e.Members {
			fmt.Fprintf(w, "  %-*s  %s\n", width, e.Name+"."+m.Name, memberValue(m))
		}
	}
}

// WriteType writes a Kubernetes type or field for the terminal, as
// kubectl explain does: what it is, its documentation, and its fields
// with a one-line summary each. constructor, if not "", is how a .sky
// file makes one.
func WriteType(w io.Writer, t *Type, constructor string) {
	switch {
	case t.Path != "":
		fmt.Fprintf(w, "FIELD: %s %s %s\n", t.APIVersion, t.Kind, t.Path)
		fmt.Fprintf(w, "TYPE:  %s\n", t.Name)
	case t.IsKind:
		fmt.Fprintf(w, "KIND:  %s %s\n", t.APIVersion, t.Kind)
	default:
		fmt.Fprintf(w, "TYPE:  %s %s\n", t.APIVersion, t.Kind)
	}
	if t.FieldDoc != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(t.FieldDoc, Width))
	}
	if t.Doc != "" && t.Doc != t.FieldDoc {
		fmt.Fprintf(w, "\n%s\n", wrap(t.Doc, Width))
	}
	if len(t.Fields) > 0 {
		fmt.Fprintf(w, "\nFIELDS:\n")
		nw, tw := 0, 0
		for _, f := range t.Fields {
			nw, tw = max(nw, len(f.Name)), max(tw, len(f.Type))
		}
		for _, f := range t.Fields {
			line := fmt.Sprintf("  %-*s  %-*s  ", nw, f.Name, tw, f.Type)
			room := max(Width+20-len(line), 30)
			fmt.Fprintf(w, "%s\n", strings.TrimRight(line+truncate(Summary(f.Doc), room), " "))
		}
	}
	if constructor != "" {
		fmt.Fprintf(w, "\nIn .sky: %s\n", constructor)
	}
}

// Constructor returns the expression a .sky file constructs a message
// type with: k8s.GROUP.Name(...) for the API groups that the standard
// library's k8s offers (groups maps a protobuf package to "k8s.GROUP"),
// else proto.package("...").Name(...). It returns "" for a scalar.
// A list or dict field takes a list or dict of them. The apimachinery
// types assigned as plain values (Quantity, IntOrString, Time) get "".
func (t *Type) Constructor(groups map[string]string) string {
	if t.Message == "" {
		return ""
	}
	if _, ok := special[protoreflect.FullName(t.Message)]; ok {
		return ""
	}
	i := strings.LastIndex(t.Message, ".")
	pkg, name := t.Message[:i], t.Message[i+1:]
	call := fmt.Sprintf("proto.package(%q).%s(...)", pkg, name)
	if g, ok := groups[pkg]; ok {
		call = g + "." + name + "(...)"
	}
	switch {
	case strings.HasPrefix(t.Name, "list["):
		return "a list of " + call
	case strings.HasPrefix(t.Name, "dict["):
		return "a dict of " + call
	}
	return call
}

var quotedName = regexp.MustCompile(`^<[\w.]+ "([^"]+)">$`)

// PackageGroups maps the protobuf packages of the members of a struct
// entry such as k8s (k8s.apps = <proto.Package "k8s.io.api.apps.v1">) to
// their expressions ("k8s.apps").
func PackageGroups(e Entry) map[string]string {
	out := map[string]string{}
	for _, m := range e.Members {
		if sub := quotedName.FindStringSubmatch(m.Value); sub != nil {
			out[sub[1]] = e.Name + "." + m.Name
		}
	}
	return out
}

// memberValue shows a member's value, a package by its name.
func memberValue(m Member) string {
	if sub := quotedName.FindStringSubmatch(m.Value); sub != nil {
		return sub[1]
	}
	return m.Value
}

// truncate shortens s to at most n runes, ending it with "…" if cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndex(string(r), " "); i > n/2 {
		return strings.TrimRight(string(r)[:i], " ,;:") + "…"
	}
	return string(r) + "…"
}

// wrap breaks each line of text at spaces so that it fits in width
// columns, keeping the text's own line breaks.
func wrap(text string, width int) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		words := strings.Fields(line)
		cur := indent
		for _, word := range words {
			if len(cur) > len(indent) && len(cur)+1+len(word) > width {
				out = append(out, cur)
				cur = indent + "  "
				if indent == "" {
					cur = ""
				}
			}
			if len(strings.TrimSpace(cur)) > 0 {
				cur += " "
			}
			cur += word
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}
