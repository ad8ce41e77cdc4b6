package live

import (
	"encoding/json"
	"fmt"
	"strings"
)

// decodeLooseJSON decodes JSON, or the Python-literal form of the same
// value (single quotes, True, False, None) that some emulators return for
// documents they stored from a template.
func decodeLooseJSON(s string) (any, error) {
	var v any
	err := json.Unmarshal([]byte(s), &v)
	if err == nil {
		return v, nil
	}
	if fixed, ok := pythonToJSON(s); ok {
		if err2 := json.Unmarshal([]byte(fixed), &v); err2 == nil {
			return v, nil
		}
	}
	return nil, fmt.Errorf("not a JSON policy document: %w", err)
}

// pythonToJSON rewrites a Python literal of dicts, lists, strings,
// numbers, True, False and None as JSON.
func pythonToJSON(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			quote := c
			var lit strings.Builder
			i++
			for i < len(s) && s[i] != quote {
				if s[i] == '\\' && i+1 < len(s) {
					switch s[i+1] {
					case '\'', '"', '\\':
						lit.WriteByte(s[i+1])
					case 'n':
						lit.WriteByte('\n')
					case 't':
						lit.WriteByte('\t')
					default:
						lit.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				lit.WriteByte(s[i])
				i++
			}
			if i >= len(s) {
				return "", false
			}
			i++
			q, _ := json.Marshal(lit.String())
			b.Write(q)
		case strings.HasPrefix(s[i:], "True"):
			b.WriteString("true")
			i += 4
		case strings.HasPrefix(s[i:], "False"):
			b.WriteString("false")
			i += 5
		case strings.HasPrefix(s[i:], "None"):
			b.WriteString("null")
			i += 4
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), true
}
