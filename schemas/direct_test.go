package schemas

import (
	"fmt"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/randfill"

	"github.com/skyc-dev/skyc/internal/textdiff"
)

// TestDirectCopyMatchesWire fills objects of every kind at random, turns
// them into messages and back both ways, the direct copy ToObject uses and
// the wire form (proto.Marshal, then the generated Unmarshal), and expects
// the same Go object from both.
func TestDirectCopyMatchesWire(t *testing.T) {
	r := registry(t)
	filler := newFiller()
	const perKind = fillsPerKind
	compared := 0
	for _, k := range r.Kinds() {
		if k.GoType == nil {
			continue
		}
		for i := 0; i < perKind; i++ {
			obj := reflect.New(k.GoType).Interface().(runtime.Object)
			filler.Fill(obj)
			m, err := r.FromObject(obj)
			if err != nil {
				t.Fatalf("%s: FromObject: %v", k.GVK, err)
			}
			want, err := r.wireToObject(m, k)
			if err != nil {
				t.Fatalf("%s: wire: %v", k.GVK, err)
			}
			got := reflect.New(k.GoType).Interface().(runtime.Object)
			if err := copyMessage(m.ProtoReflect(), reflect.ValueOf(got).Elem()); err != nil {
				t.Fatalf("%s: direct copy: %v", k.GVK, err)
			}
			got.GetObjectKind().SetGroupVersionKind(k.GVK)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s #%d: the direct copy differs from the wire form (-wire +direct):\n%s", k.GVK, i, firstDifference("", reflect.ValueOf(want), reflect.ValueOf(got)))
			}
			if i%4 == 0 {
				// A message of another implementation takes the
				// copier's protoreflect path rather than slotpb's.
				dyn := dynamicpb.NewMessage(m.ProtoReflect().Descriptor())
				proto.Merge(dyn, m)
				got := reflect.New(k.GoType).Interface().(runtime.Object)
				if err := copyMessage(dyn, reflect.ValueOf(got).Elem()); err != nil {
					t.Fatalf("%s: direct copy of a dynamicpb message: %v", k.GVK, err)
				}
				got.GetObjectKind().SetGroupVersionKind(k.GVK)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s #%d: the direct copy of a dynamicpb message differs from the wire form (-wire +direct):\n%s", k.GVK, i, firstDifference("", reflect.ValueOf(want), reflect.ValueOf(got)))
				}
			}
			compared++
		}
	}
	if compared < 100 {
		t.Fatalf("compared only %d objects", compared)
	}
}

// fillsPerKind is how many random objects of each kind the direct
// conversions are compared on.
const fillsPerKind = 8

// newFiller fills k8s objects at random, with the special types
// (Quantity, IntOrString, Time, RawExtension) holding values their codecs
// accept.
func newFiller() *randfill.Filler {
	return randfill.New().RandSource(rand.New(rand.NewSource(1))).NilChance(0.3).NumElements(0, 3).MaxDepth(12).Funcs(
		func(q *resource.Quantity, c randfill.Continue) {
			*q = resource.MustParse([]string{"0", "250m", "1.5", "1Gi", "512Mi", "1e3", "-1", "100k"}[c.Intn(8)])
		},
		func(x *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*x = intstr.FromInt32(c.Int31())
			} else {
				*x = intstr.FromString(c.String(8))
			}
		},
		func(tm *metav1.Time, c randfill.Continue) {
			if c.Bool() {
				*tm = metav1.Time{}
				return
			}
			*tm = metav1.NewTime(time.Unix(c.Int63n(4e9), 0))
		},
		func(tm *metav1.MicroTime, c randfill.Continue) {
			*tm = metav1.NewMicroTime(time.Unix(c.Int63n(4e9), c.Int63n(1e9)).Truncate(time.Microsecond))
		},
		func(x *runtime.RawExtension, c randfill.Continue) {
			x.Raw = []byte(`{"a":1}`)
		},
	)
}

// TestDirectFillMatchesWire fills objects of every kind at random and
// turns them into messages both ways, the direct fill FromObject uses and
// the wire form (the generated Marshal, then proto.Unmarshal), and
// expects equal messages, fields set to zero included.
func TestDirectFillMatchesWire(t *testing.T) {
	r := registry(t)
	filler := newFiller()
	compared := 0
	for _, k := range r.Kinds() {
		if k.GoType == nil {
			continue
		}
		for i := 0; i < fillsPerKind; i++ {
			obj := reflect.New(k.GoType).Interface().(runtime.Object)
			filler.Fill(obj)
			w, ok := obj.(wireObject)
			if !ok {
				t.Fatalf("%s has no wire codec", k.GVK)
			}
			want, err := r.wireFromObject(w, k)
			if err != nil {
				t.Fatalf("%s: wire: %v", k.GVK, err)
			}
			got := k.Message.New()
			if err := fillMessage(reflect.ValueOf(obj).Elem(), got); err != nil {
				t.Fatalf("%s: direct fill: %v", k.GVK, err)
			}
			if !proto.Equal(got.Interface(), want) {
				t.Fatalf("%s #%d: the direct fill differs from the wire form:\n%s", k.GVK, i, textdiff.Unified("wire", "direct", prototext.Format(want), prototext.Format(got.Interface())))
			}
			compared++
		}
	}
	if compared < 100 {
		t.Fatalf("compared only %d objects", compared)
	}
}

// firstDifference names the first place where a and b differ, for test
// failures.
func firstDifference(path string, a, b reflect.Value) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one is invalid"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return path + ": types differ"
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return firstDifference(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstDifference(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDifference(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			if d := firstDifference(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k)); d != "" {
				return d
			}
		}
		return ""
	}
	if a.CanInterface() && b.CanInterface() && !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
	}
	if !a.CanInterface() && fmt.Sprint(a) != fmt.Sprint(b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}
