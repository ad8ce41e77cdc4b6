package testmoto

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// ParsePolicy reads a policy document as IAM returns it: URL-encoded JSON
// (AWS, and moto for most calls), plain JSON, or Python's literal form
// (moto, for a role's inline policies made through CloudFormation). The
// result is what encoding/json would decode: map[string]any, []any,
// string, float64, bool and nil.
func ParsePolicy(s string) (any, error) {
	if u, err := url.QueryUnescape(s); err == nil {
		var v any
		if json.Unmarshal([]byte(u), &v) == nil {
			return v, nil
		}
	}
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return v, nil
	}
	p := &pyParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, fmt.Errorf("policy %.60q: %w", s, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("policy %.60q: trailing text at %d", s, p.i)
	}
	return v, nil
}

// pyParser reads the Python literals moto prints: dicts, lists, quoted
// strings, numbers, True, False and None.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

func (p *pyParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.container('}', true)
	case c == '[':
		return p.container(']', false)
	case c == '\'' || c == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case strings.HasPrefix(p.s[p.i:], "None"):
		p.i += 4
		return nil, nil
	default:
		j := p.i
		for j < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[j]) >= 0 {
			j++
		}
		f, err := strconv.ParseFloat(p.s[p.i:j], 64)
		if err != nil {
			return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
		}
		p.i = j
		return f, nil
	}
}

func (p *pyParser) container(end byte, dict bool) (any, error) {
	p.i++
	m := map[string]any{}
	var l []any
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			if dict {
				return m, nil
			}
			if l == nil {
				l = []any{}
			}
			return l, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if dict {
			k, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", v)
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("want ':' at %d", p.i)
			}
			p.i++
			if v, err = p.value(); err != nil {
				return nil, err
			}
			m[k] = v
		} else {
			l = append(l, v)
		}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
		}
	}
}

func (p *pyParser) str() (string, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			switch e := p.s[p.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
		p.i++
	}
	return "", fmt.Errorf("unterminated string")
}
