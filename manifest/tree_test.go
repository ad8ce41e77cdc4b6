package manifest

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	sigsyaml "sigs.k8s.io/yaml"
)

// wrapped makes a runtime.Object of any spec type, to test the walker on Go
// types that k8s.io/api does not have.
type wrapped[T any] struct {
	metav1.TypeMeta `json:",inline"`
	Spec            T `json:"spec"`
}

func (w *wrapped[T]) DeepCopyObject() runtime.Object { c := *w; return &c }

func wrap[T any](spec T) *wrapped[T] {
	return &wrapped[T]{TypeMeta: metav1.TypeMeta{APIVersion: "test/v1", Kind: "Test"}, Spec: spec}
}

type level string

func (l level) MarshalText() ([]byte, error) { return []byte("level-" + string(l)), nil }

type point struct{ X, Y int }

func (p point) MarshalText() ([]byte, error) {
	return []byte(strings.Repeat("x", p.X) + strings.Repeat("y", p.Y)), nil
}

type zeroer struct{ N int }

func (z zeroer) IsZero() bool { return z.N < 0 }

type ptrZeroer struct{ N int }

func (z *ptrZeroer) IsZero() bool { return z.N == 7 }

type inner struct {
	A string
	B string `json:"b,omitempty"`
}

type other struct {
	A string
	C string `json:"c"`
}

type tagged struct {
	A string `json:"A"`
}

type untagged struct {
	A string
}

type hidden struct {
	Exported string `json:"exported"`
}

type quoted struct {
	Int    int      `json:"int,string"`
	Bool   bool     `json:"bool,string"`
	Str    string   `json:"str,string"`
	Float  float64  `json:"float,string"`
	PtrInt *int     `json:"ptrInt,string"`
	Slice  []string `json:"slice,string"` // not applicable: ignored
}

type everything struct {
	// Embedding: inner and other both have "A" at depth 1: it is dropped;
	// "b" and "c" are promoted.
	inner
	other
	hidden // unexported type with an exported field: promoted

	Dash     string `json:"-,"`
	Skipped  string `json:"-"`
	NoTag    string
	BadTag   string `json:"a b\\c"`
	Quoted   quoted `json:"quoted"`
	Level    level  `json:"level"`
	LevelMap map[level]int
	IntMap   map[int8]string
	UintMap  map[uint16]bool
	PointMap map[point]string
	Number   json.Number
	Floats   []float64
	Float32s []float32
	BigUint  uint64
	MinInt   int64
	Array    [3]byte
	Bytes    []byte
	Empty    []byte
	Any      any
	AnyMap   map[string]any
	Zeroer   zeroer    `json:"zeroer,omitzero"`
	ZeroerP  ptrZeroer `json:"zeroerP,omitzero"`
	PlainZ   inner     `json:"plainZ,omitzero"`
	Invalid  string    `json:"invalid"`
	Keys     map[string]int
	Nested   [][]string `json:"nested"`
	HTML     string     `json:"html"`
}

func one() *int { i := 1; return &i }

// TestEncodeFollowsEncodingJSON checks the walker against
// sigs.k8s.io/yaml.Marshal on values without anything to prune, built to hit
// encoding/json's rules one by one.
func TestEncodeFollowsEncodingJSON(t *testing.T) {
	tests := map[string]runtime.Object{
		"everything": wrap(everything{
			inner:    inner{A: "inner", B: "b"},
			other:    other{A: "other", C: "c"},
			hidden:   hidden{Exported: "promoted"},
			Dash:     "dash",
			Skipped:  "skipped",
			NoTag:    "go name",
			BadTag:   "bad tag",
			Quoted:   quoted{Int: 5, Bool: true, Str: `say "<hi>"`, Float: 1e21, PtrInt: one(), Slice: []string{"x"}},
			Level:    "debug",
			LevelMap: map[level]int{"b": 2, "a": 1},
			IntMap:   map[int8]string{-3: "minus three", 10: "ten", 9: "nine"},
			UintMap:  map[uint16]bool{65535: true, 1: false},
			PointMap: map[point]string{{1, 2}: "xyy", {0, 0}: "empty key"},
			Number:   "12.50",
			Floats:   []float64{0, -0.0, 1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64},
			Float32s: []float32{0.1, 1e21, 3.4e38, 1e-7},
			BigUint:  math.MaxUint64,
			MinInt:   math.MinInt64,
			Array:    [3]byte{1, 2, 3},
			Bytes:    []byte("hello\x00world"),
			Empty:    []byte{},
			Any:      point{X: 1},
			AnyMap:   map[string]any{"n": 1.5, "i": int32(7), "nested": map[string]any{"list": []any{"a", 2, true}}},
			Zeroer:   zeroer{N: 3},
			ZeroerP:  ptrZeroer{N: 3},
			PlainZ:   inner{A: "not zero"},
			Invalid:  "a\xffb\xc0",
			Keys:     map[string]int{"a10": 1, "a9": 2, "B": 3, "a": 4, "": 5, "\xff": 6},
			Nested:   [][]string{{}, {"x"}},
			HTML:     "<a href='x'>&amp;</a>",
		}),
		"omitzero by IsZero": wrap(everything{
			Zeroer:  zeroer{N: -1},
			ZeroerP: ptrZeroer{N: 7},
			Any:     "x", Bytes: []byte{}, Nested: [][]string{}, Keys: map[string]int{},
			LevelMap: map[level]int{}, IntMap: map[int8]string{}, UintMap: map[uint16]bool{},
			PointMap: map[point]string{}, Floats: []float64{}, Float32s: []float32{}, AnyMap: map[string]any{},
			Empty:  []byte{},
			Quoted: quoted{PtrInt: one(), Slice: []string{}},
		}),
		"tagged beats untagged at one depth": wrap(struct {
			tagged
			untagged
		}{tagged{"tagged"}, untagged{"untagged"}}),
		"shallower beats deeper": wrap(struct {
			A string `json:"A"`
			tagged
		}{"outer", tagged{"inner"}}),
	}
	for name, obj := range tests {
		t.Run(name, func(t *testing.T) {
			want, err := sigsyaml.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Encode(obj)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Encode differs from sigs.k8s.io/yaml:\n%s\nEncode:\n%s\nsigs.k8s.io/yaml:\n%s", lineDiff(string(want), string(got)), got, want)
			}
		})
	}
}

func TestEncodeUnsupportedValues(t *testing.T) {
	type cycle struct {
		Next *cycle `json:"next"`
	}
	c := &cycle{}
	c.Next = c
	tests := map[string]struct {
		obj  runtime.Object
		want string
	}{
		"NaN":             {wrap(math.NaN()), "unsupported value NaN"},
		"infinity":        {wrap([]float32{float32(math.Inf(-1))}), "unsupported value -Inf"},
		"channel":         {wrap(make(chan int)), "unsupported type chan int"},
		"map key":         {wrap(map[[2]int]string{{1, 2}: "x"}), "unsupported type map[[2]int]string"},
		"bad number":      {wrap(json.Number("0x10")), `invalid number literal "0x10"`},
		"pointer cycle":   {wrap(c), "nested deeper than"},
		"bad MarshalJSON": {wrap(badJSON{}), "calling MarshalJSON for type manifest.badJSON"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Encode(tc.obj)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if _, err := json.Marshal(tc.obj); err == nil {
				t.Error("encoding/json accepts the value")
			}
		})
	}
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }
