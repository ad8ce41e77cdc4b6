package lang

import "go.starlark.net/syntax"

// LoadLabels returns the canonical labels that the load statements of a
// file load, in order, as the Runtime resolves them: label is the file's
// own canonical label and src its text. It only parses the file, so it
// finds the load graph without evaluating anything; an error is a syntax
// error or an invalid label, which evaluating the file would report too.
func LoadLabels(label string, src []byte) ([]string, error) {
	_, labels, err := ParseLoads(label, src)
	return labels, err
}

// ParseLoads is LoadLabels, and also returns the syntax tree, which
// Options.Source may give back to the runtime to evaluate.
func ParseLoads(label string, src []byte) (*syntax.File, []string, error) {
	f, err := (&syntax.FileOptions{}).Parse(label, src, 0)
	if err != nil {
		return nil, nil, err
	}
	var labels []string
	for _, stmt := range f.Stmts {
		load, ok := stmt.(*syntax.LoadStmt)
		if !ok {
			continue
		}
		canon, err := resolveLabel(load.ModuleName(), label)
		if err != nil {
			return nil, nil, err
		}
		labels = append(labels, canon)
	}
	return f, labels, nil
}
