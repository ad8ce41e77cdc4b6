package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/randfill"
	sigsyaml "sigs.k8s.io/yaml"
)

// roundTripEqual is equality.Semantic, plus RawExtension compared as JSON
// values (YAML re-encodes their bytes), and pointers to values that encode
// as null (zero time, "null" raw JSON) equal to nil.
var roundTripEqual = func() conversion.Equalities {
	eq := conversion.EqualitiesOrDie(
		func(a, b runtime.RawExtension) bool {
			return jsonEqual(a.Raw, b.Raw)
		},
		func(a, b *runtime.RawExtension) bool {
			var ra, rb []byte
			if a != nil {
				ra = a.Raw
			}
			if b != nil {
				rb = b.Raw
			}
			return jsonEqual(ra, rb)
		},
		func(a, b *metav1.Time) bool {
			if za, zb := a.IsZero(), b.IsZero(); za || zb {
				return za == zb
			}
			return a.UTC() == b.UTC()
		},
	)
	for t, f := range equality.Semantic.Equalities {
		eq.Equalities[t] = f
	}
	return eq
}()

func jsonEqual(a, b []byte) bool {
	if a == nil || b == nil {
		return (a == nil || string(a) == "null") && (b == nil || string(b) == "null")
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

// FuzzEncode fills an object of a kind chosen by the input with values drawn
// from the input and checks Encode's invariants: it succeeds, gives the same
// bytes twice, matches the reference path byte for byte, and its output
// parses back into an object semantically equal to the input minus status.
func FuzzEncode(f *testing.F) {
	f.Add([]byte("\x00\x10deployment"))
	f.Add([]byte("\x00\x20a fairly long seed that fills many fields of a service"))
	f.Add([]byte("\x01\x00\xff\xfe\xfd\xfc\xfb"))
	gvks := knownTypes()
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, ok := fuzzObject(t, gvks, data, withFillFuncs)
		if !ok {
			return
		}
		gvk := obj.GetObjectKind().GroupVersionKind()

		got, err := Encode(obj)
		if err != nil {
			t.Fatalf("Encode %s: %v", gvk, err)
		}
		again, err := Encode(obj)
		if err != nil || !bytes.Equal(got, again) {
			t.Fatalf("Encode %s is not deterministic (%v):\n%s", gvk, err, lineDiff(string(got), string(again)))
		}
		want, err := referenceEncode(obj)
		if err != nil {
			t.Fatalf("reference %s: %v", gvk, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Encode %s differs from the reference path:\n%s", gvk, lineDiff(string(want), string(got)))
		}

		back, err := scheme.Scheme.New(gvk)
		if err != nil {
			t.Fatal(err)
		}
		if err := sigsyaml.Unmarshal(got, back); err != nil {
			t.Fatalf("parsing the output of Encode %s: %v\n%s", gvk, err, got)
		}
		clearStatus(obj)
		if !roundTripEqual.DeepEqual(obj, back) {
			a, _ := json.MarshalIndent(obj, "", " ")
			b, _ := json.MarshalIndent(back, "", " ")
			t.Fatalf("%s does not round-trip through Encode:\n%s\n%s", gvk, lineDiff(string(a), string(b)), firstDiff("", reflect.ValueOf(obj), reflect.ValueOf(back)))
		}
	})
}

// clearStatus zeroes the status of obj, which Encode leaves out.
func clearStatus(obj runtime.Object) {
	v := reflect.ValueOf(obj).Elem()
	if !cachedPlan(v.Type()).hasStatus {
		return
	}
	if f := v.FieldByName("Status"); f.IsValid() && f.CanSet() {
		f.SetZero()
	}
}

// firstDiff names the first field where a and b differ under roundTripEqual.
func firstDiff(path string, a, b reflect.Value) string {
	if roundTripEqual.DeepEqual(a.Interface(), b.Interface()) {
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return path + fmt.Sprintf(": %v vs %v", a, b)
		}
		return firstDiff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if d := firstDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
	case reflect.Slice:
		if a.Len() != b.Len() {
			return path + fmt.Sprintf(": len %d vs %d", a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
	case reflect.Map:
		for _, k := range a.MapKeys() {
			if d := firstDiff(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k)); d != "" {
				return d
			}
		}
	}
	return path + fmt.Sprintf(": %#v vs %#v", a.Interface(), b.Interface())
}

// fuzzObject makes an object of the kind data's first two bytes choose,
// filled from the rest of data by the filler fill sets up; ok is false
// for input too short or a type without TypeMeta (WatchEvent).
func fuzzObject(t *testing.T, gvks []schema.GroupVersionKind, data []byte, fill func(*randfill.Filler) *randfill.Filler) (runtime.Object, bool) {
	if len(data) < 2 {
		return nil, false
	}
	gvk := gvks[(int(data[0])<<8|int(data[1]))%len(gvks)]
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		t.Fatal(err)
	}
	fill(randfill.NewFromGoFuzz(data[2:])).Fill(obj)
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	if obj.GetObjectKind().GroupVersionKind() != gvk {
		return nil, false
	}
	return obj, true
}
