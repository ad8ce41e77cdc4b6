package manifest

import (
	"math/rand"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

// trickyScalars are strings on the edges of yaml.v2's style decisions:
// values that resolve to other types, indicators, quotes, spaces, line
// breaks and non-ASCII (where the fast path gives up).
var trickyScalars = []string{
	"", " ", "a", " a", "a ", "a  b", "- a", "-a", "-", "--", "---", "---a", "...", "..a",
	"a: b", "a:b", "a:", ":a", ": a", "?a", "? a", "?", "a #b", "a#b", "#a", "a # b",
	"true", "True", "TRUE", "yes", "Yes", "y", "Y", "n", "N", "no", "on", "On", "off",
	"null", "Null", "~", "<<", "<", "1", "-1", "+1", "+", "007", "0x1F", "0X1f", "0o17",
	"0b101", "-0b101", "0b2", "1_000", "1__0", "_1", "1.5", ".5", "5.", "-.5", ".inf",
	"-.inf", "+.inf", ".NaN", ".nan", "1e3", "1E+3", "1e", "e1", "1:20", "1:70", "-1:20:30.5",
	"2024-05-01", "2024-05-01T12:00:00Z", "2024-5-1 1:2:3", "2024-05-01x", "12024-05-01",
	"'", "a'b", "'a'", "\"", "a\"b", "a\\b", "\\", "@a", "`a", "%a", "|", ">", "a|b",
	"a,b", ",a", "[a]", "a]", "{a}", "a}", "&a", "a&", "*a", "!a", "a!", "app.kubernetes.io/name",
	"registry.example.com/payments/api:1.42.0", "500m", "1Gi", "0 3 * * *", "*/5 * * * *",
	"RollingUpdate", "25%", "%", "http://example.com:8080/a?b=c#d",
	"a\tb", "a\nb", "a\n", "\n", "é", "naïve", "\x7f", "a\x00b", "\ufeffa",
	strings.Repeat("x", 100), strings.Repeat("word ", 20), strings.Repeat("a", 128), strings.Repeat("a", 129),
	"word " + strings.Repeat("x", 90), strings.Repeat("x", 70) + " tail words here",
}

// shapes puts a string into trees as a key and as a value, at several
// depths, in mappings and sequences.
func shapes(s string) []yaml.MapSlice {
	return []yaml.MapSlice{
		{{Key: "k", Value: s}},
		{{Key: s, Value: "v"}},
		{{Key: "a", Value: yaml.MapSlice{{Key: s, Value: s}}}},
		{{Key: "list", Value: []any{s, s}}},
		{{Key: "spec", Value: yaml.MapSlice{{Key: "containers", Value: []any{yaml.MapSlice{{Key: "name", Value: s}, {Key: s, Value: []any{s}}}}}}}},
		{{Key: "deep", Value: []any{[]any{s, yaml.MapSlice{{Key: "x", Value: s}}}, []any{}}}},
		{{Key: strings.Repeat("k", 40), Value: yaml.MapSlice{{Key: strings.Repeat("m", 30), Value: s}}}},
	}
}

// checkFast compares the fast path with yaml.Marshal on tree and reports
// whether the fast path took it.
func checkFast(t *testing.T, tree yaml.MapSlice) bool {
	t.Helper()
	want, err := yaml.Marshal(tree)
	if err != nil {
		t.Fatalf("yaml.Marshal(%#v): %v", tree, err)
	}
	got, ok := appendFastYAML([]byte("prefix"), tree)
	if !ok {
		if string(got) != "prefix" {
			t.Fatalf("fast path gave up on %#v but changed the buffer", tree)
		}
		return false
	}
	if !strings.HasPrefix(string(got), "prefix") || string(got[len("prefix"):]) != string(want) {
		t.Fatalf("fast path differs from yaml.v2 for %#v:\n%s", tree, lineDiff(string(want), string(got[len("prefix"):])))
	}
	return true
}

func TestFastEmitMatchesYAML(t *testing.T) {
	fast := 0
	for _, s := range trickyScalars {
		for _, tree := range shapes(s) {
			if checkFast(t, tree) {
				fast++
			}
		}
	}
	// Most of these must take the fast path, or the test proves little.
	if total := len(trickyScalars) * len(shapes("")); fast < total*3/4 {
		t.Errorf("fast path took %d of %d trees, want at least 3/4", fast, total)
	}
	for _, tree := range []yaml.MapSlice{
		{},
		{{Key: "empty", Value: yaml.MapSlice{}}, {Key: "none", Value: []any{}}, {Key: "null", Value: nil}},
		{{Key: "n", Value: int64(-42)}, {Key: "u", Value: uint64(1 << 63)}, {Key: "i", Value: 7}, {Key: "f", Value: 0.5}, {Key: "g", Value: 1e21}, {Key: "b", Value: true}, {Key: "c", Value: false}},
		{{Key: "seq", Value: []any{nil, true, int64(1), 2.5, yaml.MapSlice{}, []any{}, []any{[]any{"a"}}}}},
	} {
		if !checkFast(t, tree) {
			t.Errorf("fast path gave up on %#v", tree)
		}
	}
}

// TestFastEmitRandomTrees compares the fast path with yaml.Marshal on
// random trees of random strings, numbers and collections.
func TestFastEmitRandomTrees(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	const alphabet = "ab z09-_.:#'\"\\/?!&*%@`|>{}[],~+<= "
	str := func() string {
		if r.Intn(3) == 0 {
			return trickyScalars[r.Intn(len(trickyScalars))]
		}
		b := make([]byte, r.Intn(r.Intn(90)+1))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	}
	var node func(depth int) any
	node = func(depth int) any {
		switch k := r.Intn(10); {
		case k < 2 && depth < 5:
			m := yaml.MapSlice{}
			for i := r.Intn(4); i > 0; i-- {
				m = append(m, yaml.MapItem{Key: str(), Value: node(depth + 1)})
			}
			return m
		case k < 4 && depth < 5:
			var s []any
			for i := r.Intn(4); i > 0; i-- {
				s = append(s, node(depth+1))
			}
			if s == nil {
				s = []any{}
			}
			return s
		case k == 4:
			return int64(r.Int63() - r.Int63())
		case k == 5:
			return r.NormFloat64() * 1e6
		case k == 6:
			return r.Intn(2) == 0
		case k == 7:
			return nil
		}
		return str()
	}
	fast := 0
	const n = 5000
	for i := 0; i < n; i++ {
		tree := yaml.MapSlice{}
		for j := r.Intn(5) + 1; j > 0; j-- {
			tree = append(tree, yaml.MapItem{Key: str(), Value: node(0)})
		}
		if checkFast(t, tree) {
			fast++
		}
	}
	if fast < n/10 {
		t.Errorf("fast path took %d of %d random trees, want at least a tenth", fast, n)
	}
}

// TestFastEmitTakesObjects checks that typical objects take the fast path:
// if they stopped doing so, output would stay right but slow.
func TestFastEmitTakesObjects(t *testing.T) {
	for _, f := range fixtures() {
		switch f.name {
		case "configmap", "secret":
			continue // multi-line strings: yaml.v2's literal style
		}
		tree, err := encodeTree(f.obj)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := appendFastYAML(nil, tree); !ok {
			t.Errorf("%s: fast path gave up", f.name)
		}
	}
}

// FuzzFastEmit checks the fast path against yaml.Marshal for any string in
// every position of shapes.
func FuzzFastEmit(f *testing.F) {
	for _, s := range trickyScalars {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tree := range shapes(s) {
			checkFast(t, tree)
		}
	})
}
