package manifest

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

func TestKeyLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a", "b", true},
		{"b", "a", false},
		{"a", "a", false},
		{"a", "ab", true},
		{"B", "a", true},      // letters by code point
		{"a9", "a10", true},   // digit runs as numbers
		{"a10", "a9", false},  //
		{"a1", "a01", true},   // same number: shorter run first
		{"-", "a", true},      // non-letters before letters
		{"z", "_", false},     //
		{"10", "1a", true},    // '0' is not a letter
		{"1-", "10", true},    // the runs 1 and 10
		{"é", "f", false},     // non-ASCII letters by code point
		{"x.y", "x-y", false}, // '.' after '-'
		{"apiVersion", "kind", true},
		{"app.kubernetes.io/name", "app.kubernetes.io/part-of", true},
	}
	for _, tc := range tests {
		if got := keyLess(tc.a, tc.b); got != tc.want {
			t.Errorf("keyLess(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestKeyOrderMatchesYAML checks sortItems against the order in which
// yaml.v2 emits the keys of a Go map, for random key sets. Key sets on which
// the order is not transitive ("9Z" < "09" < "99z" < "9Z") have no unique
// sorted order, and yaml.v2's output for them depends on map iteration order;
// for those the test checks only that sortItems is deterministic.
func TestKeyOrderMatchesYAML(t *testing.T) {
	alphabet := []rune("abzAZ0019-._/:é٣")
	r := rand.New(rand.NewSource(1))
	randKey := func() string {
		var b strings.Builder
		for range r.Intn(7) {
			b.WriteRune(alphabet[r.Intn(len(alphabet))])
		}
		return b.String()
	}
	intransitive := 0
	for range 3000 {
		m := map[string]int{}
		for range 1 + r.Intn(12) {
			m[randKey()] = 0
		}
		var items yaml.MapSlice
		for k := range m {
			items = append(items, yaml.MapItem{Key: k, Value: 0})
		}
		sortItems(items)
		again := make(yaml.MapSlice, len(items))
		for i, j := range r.Perm(len(items)) {
			again[i] = items[j]
		}
		sortItems(again)
		if !slices.Equal(items, again) {
			t.Fatalf("sortItems depends on the input order: %v vs %v", items, again)
		}
		if !consistent(items) {
			intransitive++
			continue
		}
		want, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := yaml.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("key order differs from yaml.v2:\nyaml.v2:\n%s\nsortItems:\n%s", want, got)
		}
	}
	t.Logf("%d key sets without a transitive order", intransitive)
}

// consistent reports whether keyLess orders every pair of items as they
// stand, which makes the order of the set unique.
func consistent(items yaml.MapSlice) bool {
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			if keyLess(items[j].Key.(string), items[i].Key.(string)) {
				return false
			}
		}
	}
	return true
}
