package plan

import (
	"fmt"
	"math"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// ParseTemplate reads a CloudFormation template, JSON or YAML, into a JSON
// tree with every short-form intrinsic (!Ref x, !Sub s, !GetAtt a.b) in
// its long form ({"Ref": "x"}, {"Fn::Sub": "s"}, {"Fn::GetAtt": ["a",
// "b"]}), so that two spellings of one template compare equal. Integers
// are int64.
func ParseTemplate(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading the template: %w", err)
	}
	if len(doc.Content) == 0 {
		return map[string]any{}, nil
	}
	tr := &templateReader{expanding: map[*yaml.Node]bool{}}
	v, err := tr.value(doc.Content[0])
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("reading the template: not a mapping")
	}
	return m, nil
}

// maxTemplateValues bounds the values a template may stand for once its
// YAML aliases are expanded: nine lines of aliases, each listing the
// previous one nine times, are 9⁹ values.
const maxTemplateValues = 1 << 20

// templateReader converts a template's YAML nodes, following aliases
// within bounds.
type templateReader struct {
	values    int
	expanding map[*yaml.Node]bool // anchors being expanded, to find cycles
}

func (tr *templateReader) value(n *yaml.Node) (any, error) {
	if tr.values++; tr.values > maxTemplateValues {
		return nil, fmt.Errorf("reading the template: more than %d values once its aliases are expanded", maxTemplateValues)
	}
	if n.Kind == yaml.AliasNode {
		if tr.expanding[n.Alias] {
			// An alias inside the node it names: an endless template.
			return nil, fmt.Errorf("line %d: alias *%s refers to a value that holds it", n.Line, n.Value)
		}
		tr.expanding[n.Alias] = true
		defer delete(tr.expanding, n.Alias)
		return tr.value(n.Alias)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		fn := n.Tag[1:]
		inner := *n
		inner.Tag = ""
		switch inner.Kind {
		case yaml.ScalarNode:
			inner.Tag = "!!str"
		case yaml.MappingNode:
			inner.Tag = "!!map"
		case yaml.SequenceNode:
			inner.Tag = "!!seq"
		}
		arg, err := tr.value(&inner)
		if err != nil {
			return nil, err
		}
		switch fn {
		case "Ref", "Condition":
			return map[string]any{fn: arg}, nil
		case "GetAtt":
			if s, ok := arg.(string); ok {
				res, attr, _ := strings.Cut(s, ".")
				arg = []any{res, attr}
			}
		}
		return map[string]any{"Fn::" + fn: arg}, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			var key string
			if err := n.Content[i].Decode(&key); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Content[i].Line, err)
			}
			v, err := tr.value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := tr.value(c)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("line %d: %w", n.Line, err)
	}
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			// Not a JSON number, so not in a template CloudFormation
			// accepts; and NaN differs from itself in every diff.
			return nil, fmt.Errorf("line %d: %s is not a number a template can hold", n.Line, n.Value)
		}
	}
	return v, nil
}
