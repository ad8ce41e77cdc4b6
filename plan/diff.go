package plan

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// This file compares two objects as JSON trees (map[string]any, []any,
// string, int64, float64, bool, nil) field by field.
//
// Lists whose elements are objects with an identifying field (a name, a
// mountPath, a port) are matched element by element on it, so inserting a
// container changes one element rather than every one after it; other
// lists are compared as one value.

// stepKind says what a path step selects.
type stepKind int

const (
	fieldStep stepKind = iota // a key of an object
	keyStep                   // an element of a keyed list
)

// step is one step of a path.
type step struct {
	kind  stepKind
	field string         // fieldStep: the key
	keys  []string       // keyStep: the identifying fields
	elem  map[string]any // keyStep: the element (the live one when both exist)
}

// fieldPath is the location of a field in an object.
type fieldPath []step

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

// String writes p as spec.template.spec.containers[name=api].image;
// keys that are not plain names are quoted: metadata.labels["app.kubernetes.io/name"].
func (p fieldPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s.kind {
		case fieldStep:
			if identRE.MatchString(s.field) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s.field)
			} else {
				b.WriteString("[" + strconv.Quote(s.field) + "]")
			}
		case keyStep:
			b.WriteByte('[')
			for i, k := range s.keys {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%s=%s", k, scalarText(s.elem[k]))
			}
			b.WriteByte(']')
		}
	}
	return b.String()
}

// fieldNames is p with list elements left out, as dotted field names: the
// form the tables of immutable and sensitive fields use.
func (p fieldPath) fieldNames() string {
	var parts []string
	for _, s := range p {
		if s.kind == fieldStep {
			parts = append(parts, s.field)
		}
	}
	return strings.Join(parts, ".")
}

func (p fieldPath) with(s step) fieldPath {
	return append(p[:len(p):len(p)], s)
}

func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		if identRE.MatchString(v) || v == "" {
			return v
		}
		return strconv.Quote(v)
	case nil:
		return "null"
	default:
		return fmt.Sprint(v)
	}
}

// absent marks a field that does not exist, as opposed to one that is null.
type absentType struct{}

var absent any = absentType{}

// delta is one differing field.
type delta struct {
	path          fieldPath
	before, after any // absent when the field does not exist on that side
}

// diffTrees returns the fields where a and b differ, in a stable order:
// object keys sorted, list elements in b's order followed by those only in
// a.
func diffTrees(a, b any) []delta {
	var out []delta
	diffValue(nil, a, b, &out)
	return out
}

func diffValue(p fieldPath, a, b any, out *[]delta) {
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, ok := am[k]
			if !ok {
				av = absent
			}
			bv, ok := bm[k]
			if !ok {
				bv = absent
			}
			diffValue(p.with(step{kind: fieldStep, field: k}), av, bv, out)
		}
		return
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList && bIsList {
		if keys := listKeys(al, bl); keys != nil {
			diffKeyed(p, keys, al, bl, out)
			return
		}
	}
	if !equal(a, b) {
		*out = append(*out, delta{path: p, before: a, after: b})
	}
}

// diffKeyed compares two lists element by element, matched on keys.
func diffKeyed(p fieldPath, keys []string, a, b []any, out *[]delta) {
	index := map[string]map[string]any{}
	for _, e := range a {
		m := e.(map[string]any)
		index[keyOf(keys, m)] = m
	}
	seen := map[string]bool{}
	for _, e := range b {
		bm := e.(map[string]any)
		k := keyOf(keys, bm)
		seen[k] = true
		if am, ok := index[k]; ok {
			diffValue(p.with(step{kind: keyStep, keys: keys, elem: am}), am, bm, out)
		} else {
			*out = append(*out, delta{path: p.with(step{kind: keyStep, keys: keys, elem: bm}), before: absent, after: bm})
		}
	}
	for _, e := range a {
		am := e.(map[string]any)
		if !seen[keyOf(keys, am)] {
			*out = append(*out, delta{path: p.with(step{kind: keyStep, keys: keys, elem: am}), before: am, after: absent})
		}
	}
}

// keyCandidates are the identifying fields of list elements, tried in
// order; the first field of each must be present, the others count when
// present (a port is its number and protocol).
var keyCandidates = [][]string{
	{"name"},
	{"mountPath"},
	{"devicePath"},
	{"containerPort", "protocol"},
	{"port", "protocol"},
	{"ip"},
	{"type"},
}

// listKeys returns the identifying fields of two lists' elements, or nil
// when the lists are not lists of uniquely identified objects.
func listKeys(a, b []any) []string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
next:
	for _, cand := range keyCandidates {
		present := map[string]bool{}
		for _, list := range [][]any{a, b} {
			seen := map[string]bool{}
			for _, e := range list {
				m, ok := e.(map[string]any)
				if !ok {
					return nil
				}
				v, ok := m[cand[0]]
				if !ok || !isScalar(v) {
					continue next
				}
				for _, k := range cand[1:] {
					if _, ok := m[k]; ok {
						present[k] = true
					}
				}
				id := keyOf(cand, m)
				if seen[id] {
					continue next
				}
				seen[id] = true
			}
		}
		keys := []string{cand[0]}
		for _, k := range cand[1:] {
			if present[k] {
				keys = append(keys, k)
			}
		}
		return keys
	}
	return nil
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return true
	}
	return false
}

func keyOf(keys []string, m map[string]any) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%T:%v\x00", m[k], m[k])
	}
	return b.String()
}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

// overlay returns base with top laid over it: objects merge key by key,
// keyed lists element by element (top's elements, in top's order), and
// anything else is top's. It approximates what an apply of top would make
// of base, for objects the server can't apply in place.
func overlay(base, top any) any {
	bm, bIsMap := base.(map[string]any)
	tm, tIsMap := top.(map[string]any)
	if bIsMap && tIsMap {
		out := make(map[string]any, len(bm)+len(tm))
		for k, v := range bm {
			out[k] = v
		}
		for k, v := range tm {
			if bv, ok := bm[k]; ok {
				out[k] = overlay(bv, v)
			} else {
				out[k] = v
			}
		}
		return out
	}
	bl, bIsList := base.([]any)
	tl, tIsList := top.([]any)
	if bIsList && tIsList {
		if keys := listKeys(bl, tl); keys != nil {
			index := map[string]any{}
			for _, e := range bl {
				index[keyOf(keys, e.(map[string]any))] = e
			}
			out := make([]any, len(tl))
			for i, e := range tl {
				if be, ok := index[keyOf(keys, e.(map[string]any))]; ok {
					out[i] = overlay(be, e)
				} else {
					out[i] = e
				}
			}
			return out
		}
	}
	return top
}
