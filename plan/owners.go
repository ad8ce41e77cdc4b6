package plan

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// owners is who manages which fields of a live object: its managedFields,
// each manager's field set as a tree of "f:field", "k:{key}", "v:value"
// and "i:index" nodes (the FieldsV1 format).
type owners []managerFields

type managerFields struct {
	manager string
	fields  map[string]any
}

// ownersOf reads obj's managedFields. Entries that can't be read are
// skipped: they only make a field's owner unknown.
func ownersOf(obj *unstructured.Unstructured) owners {
	if obj == nil {
		return nil
	}
	var out owners
	for _, e := range obj.GetManagedFields() {
		if e.FieldsV1 == nil {
			continue
		}
		var tree map[string]any
		if err := json.Unmarshal(e.FieldsV1.Raw, &tree); err != nil {
			continue
		}
		out = append(out, managerFields{manager: e.Manager, fields: tree})
	}
	return out
}

// of returns the managers owning the field at p, sorted, without repeats.
func (o owners) of(p fieldPath) []string {
	set := map[string]bool{}
	for _, m := range o {
		if owns(m.fields, p) {
			set[m.manager] = true
		}
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// owns reports whether the field set tree contains p or an atomic parent of
// it (a leaf node above p's end: the manager owns that value as a whole).
func owns(tree map[string]any, p fieldPath) bool {
	node := tree
	for _, s := range p {
		if len(node) == 0 {
			return true
		}
		var child any
		switch s.kind {
		case fieldStep:
			child = node["f:"+s.field]
		case keyStep:
			child = matchKey(node, s.elem)
		}
		m, ok := child.(map[string]any)
		if !ok {
			return false
		}
		node = m
	}
	return true
}

// matchKey finds the child of node for a list element: a "k:" node whose
// key fields all equal the element's, else a "v:" node equal to it.
func matchKey(node map[string]any, elem map[string]any) any {
	for name, child := range node {
		switch {
		case strings.HasPrefix(name, "k:"):
			var key map[string]any
			if err := json.Unmarshal([]byte(name[2:]), &key); err != nil {
				continue
			}
			if keyMatches(key, elem) {
				return child
			}
		case strings.HasPrefix(name, "v:"):
			var v any
			if err := json.Unmarshal([]byte(name[2:]), &v); err == nil && jsonEqual(v, elem) {
				return child
			}
		}
	}
	return nil
}

func keyMatches(key, elem map[string]any) bool {
	for k, want := range key {
		got, ok := elem[k]
		if !ok || !jsonEqual(want, got) {
			return false
		}
	}
	return true
}

// jsonEqual compares a value decoded by encoding/json (numbers float64)
// with one of an unstructured object (integers int64).
func jsonEqual(a, b any) bool {
	return canonical(a) == canonical(b)
}

func canonical(v any) string {
	switch v := v.(type) {
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
