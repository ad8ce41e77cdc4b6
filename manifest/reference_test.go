package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/randfill"
	sigsyaml "sigs.k8s.io/yaml"
)

// referenceEncode is the slow, obviously faithful path that Encode must match
// byte for byte: json.Marshal, decode, prune by looking at the Go value, and
// sigs.k8s.io/yaml.Marshal.
func referenceEncode(obj runtime.Object) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, ok := obj.(runtime.Unstructured); ok {
		delete(doc, "status")
		if md, ok := doc["metadata"].(map[string]any); ok {
			if ts, ok := md["creationTimestamp"]; ok && ts == nil {
				delete(md, "creationTimestamp")
			}
		}
	} else {
		v := reflect.ValueOf(obj).Elem()
		refPrune(v, doc)
		if f, ok := refFields(v.Type())["status"]; ok {
			ft := f.typ
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				delete(doc, "status")
			}
		}
	}
	return sigsyaml.Marshal(doc)
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

// refLeaf reports whether json.Marshal encoded v with a MarshalJSON method.
func refLeaf(v reflect.Value) bool {
	t := v.Type()
	return t.Implements(jsonMarshaler) || v.CanAddr() && reflect.PointerTo(t).Implements(jsonMarshaler)
}

// refPrune removes from j, the JSON that json.Marshal made of v, the null
// struct members and the empty objects of non-pointer struct members.
func refPrune(v reflect.Value, j any) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if refLeaf(v) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		m, ok := j.(map[string]any)
		if !ok {
			return
		}
		fields := refFields(v.Type())
		for k, jv := range m {
			f, ok := fields[k]
			if !ok {
				panic(fmt.Sprintf("reference: no field for member %q of %s", k, v.Type()))
			}
			fv := v
			for _, i := range f.index {
				if fv.Kind() == reflect.Pointer {
					fv = fv.Elem()
				}
				fv = fv.Field(i)
			}
			refPrune(fv, jv)
			if jv == nil {
				delete(m, k)
				continue
			}
			if em, ok := jv.(map[string]any); ok && len(em) == 0 && fv.Kind() == reflect.Struct && !refLeaf(fv) {
				delete(m, k)
			}
		}
	case reflect.Slice, reflect.Array:
		if l, ok := j.([]any); ok {
			for i := range l {
				refPrune(v.Index(i), l[i])
			}
		}
	case reflect.Map:
		m, ok := j.(map[string]any)
		if !ok {
			return
		}
		it := v.MapRange()
		for it.Next() {
			if it.Key().Kind() == reflect.String {
				refPrune(it.Value(), m[it.Key().String()])
			}
		}
	}
}

type refField struct {
	index []int
	typ   reflect.Type
}

// refFields maps the JSON member names of struct type t to fields. It knows
// only what k8s.io/api uses: tags, "-", and untagged embedded structs.
func refFields(t reflect.Type) map[string]refField {
	out := map[string]refField{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			idx := append(slices.Clip(index), i)
			if sf.Anonymous && name == "" {
				et := sf.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, idx)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if _, dup := out[name]; !dup {
				out[name] = refField{index: idx, typ: sf.Type}
			}
		}
	}
	walk(t, nil)
	return out
}

// interesting strings exercise YAML quoting, block styles and line folding.
var interesting = []string{
	"", "web", "true", "false", "yes", "no", "on", "off", "y", "null", "~", "0", "1", "-1", "0x1F", "1e3",
	"1.5", ".inf", "-", "--", "- a", "a: b", "#comment", "a #b", "key=value", "*", "&anchor", "!tag",
	"@at", "`tick`", "'single'", "\"double\"", " leading", "trailing ", "multi\nline\n", "no newline\nat end",
	"tab\there", "cr\rhere", "<html> & co", "naïve café", "日本語", "emoji 🚀", "2024-01-02", "2024-01-02T03:04:05Z",
	"12:30", "1_000", "0o17", "+1", "a\u2028b",
	"a long line of prose that goes well past eighty columns so that the emitter has to decide whether to fold it",
	"a-very-long-token-without-spaces-that-goes-well-past-eighty-columns-and-cannot-be-folded-anywhere-at-all",
	"app.kubernetes.io/name", "a10", "a9", "a09", "a1b", "A", "_x",
}

var quantities = []string{"0", "1", "250m", "1.5", "100M", "1Gi", "512Mi", "1e3", "-1", "0.5Gi", "100k"}

var rawJSON = []string{`{}`, `{"a":1,"b":[true,null,"x"],"c":{"d":1.5,"e":"<&>"}}`, `[]`, `"s"`, `12`, `1e21`, `null`, `{"a10":1,"a9":2}`}

// newFiller returns a randfill.Filler that makes values json.Marshal can
// encode and whose strings stress the YAML emitter.
func newFiller(r *rand.Rand) *randfill.Filler {
	return withFillFuncs(randfill.New().RandSource(r))
}

// withFillFuncs sets up f to fill k8s objects as newFiller describes.
func withFillFuncs(f *randfill.Filler) *randfill.Filler {
	return f.NilChance(0.3).NumElements(0, 3).MaxDepth(14).Funcs(
		func(s *string, c randfill.Continue) {
			if c.Intn(4) == 0 {
				*s = c.String(12)
				*s = strings.ToValidUTF8(*s, "?")
				*s = strings.Map(func(r rune) rune {
					if r < 0x20 || 0x7f <= r && r < 0xa0 || r >= 0xfffe && r <= 0xffff {
						return 'x'
					}
					return r
				}, *s)
				return
			}
			*s = interesting[c.Intn(len(interesting))]
		},
		func(f *float64, c randfill.Continue) {
			*f = []float64{0, 0.5, 2, -3.25, 1e21, 1e-7, 123456789, 1e20, 1e19}[c.Intn(9)]
		},
		func(f *float32, c randfill.Continue) {
			*f = []float32{0, 0.1, 2, 1e21}[c.Intn(4)]
		},
		func(q *resource.Quantity, c randfill.Continue) {
			*q = resource.MustParse(quantities[c.Intn(len(quantities))])
		},
		func(x *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*x = intstr.FromInt32(c.Int31n(70000))
			} else {
				var s string
				c.Fill(&s)
				*x = intstr.FromString(s)
			}
		},
		func(t *metav1.Time, c randfill.Continue) {
			if c.Bool() {
				*t = metav1.Time{}
				return
			}
			*t = metav1.NewTime(time.Unix(c.Int63n(4e9), 0).UTC())
		},
		func(t *metav1.MicroTime, c randfill.Continue) {
			*t = metav1.NewMicroTime(time.Unix(c.Int63n(4e9), c.Int63n(1e9)).UTC().Truncate(time.Microsecond))
		},
		func(r *runtime.RawExtension, c randfill.Continue) {
			*r = runtime.RawExtension{Raw: []byte(rawJSON[c.Intn(len(rawJSON))])}
		},
		func(f *metav1.FieldsV1, c randfill.Continue) {
			*f = metav1.FieldsV1{Raw: []byte(`{"f:metadata":{}}`)}
		},
	)
}

// knownTypes lists every kind client-go knows, in a fixed order.
func knownTypes() []schema.GroupVersionKind {
	var gvks []schema.GroupVersionKind
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal {
			continue
		}
		gvks = append(gvks, gvk)
	}
	slices.SortFunc(gvks, func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) })
	return gvks
}

// TestEncodeMatchesReference checks that Encode produces exactly the bytes
// of the reference path for the test fixtures and for randomly filled
// objects of every kind client-go knows.
func TestEncodeMatchesReference(t *testing.T) {
	check := func(t *testing.T, obj runtime.Object) {
		t.Helper()
		want, err := referenceEncode(obj)
		if err != nil {
			t.Fatalf("reference: %v", err)
		}
		got, err := Encode(obj)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Encode differs from the reference path:\n%s", lineDiff(string(want), string(got)))
		}
	}
	for _, c := range fixtures() {
		t.Run(c.name, func(t *testing.T) { check(t, c.obj) })
	}
	seeds := 4
	if testing.Short() {
		seeds = 1
	}
	n := 0
	for _, gvk := range knownTypes() {
		t.Run(gvk.GroupVersion().String()+"/"+gvk.Kind, func(t *testing.T) {
			for seed := range seeds {
				obj, err := scheme.Scheme.New(gvk)
				if err != nil {
					t.Fatal(err)
				}
				r := rand.New(rand.NewSource(int64(seed)))
				newFiller(r).Fill(obj)
				obj.GetObjectKind().SetGroupVersionKind(gvk)
				if obj.GetObjectKind().GroupVersionKind() != gvk {
					t.Skip("type has no apiVersion and kind (like WatchEvent)")
				}
				check(t, obj)
				n++
			}
		})
	}
	t.Logf("compared %d random objects", n)
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			lo := max(0, i-3)
			return fmt.Sprintf("at line %d:\nwant:\n%s\ngot:\n%s", i+1,
				strings.Join(wl[lo:min(len(wl), i+4)], "\n"), strings.Join(gl[lo:min(len(gl), i+4)], "\n"))
		}
	}
	return "(same lines)"
}
