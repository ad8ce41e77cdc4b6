package manifest

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/randfill"
)

// plainStrings are strings the direct path writes itself: printable ASCII
// in every quoting style the fast emitter knows.
var plainStrings = func() []string {
	var out []string
	for _, s := range interesting {
		if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) && len(s) < 60 {
			out = append(out, s)
		}
	}
	return out
}()

// newPlainFiller is newFiller with strings the direct path does not hand
// to the two-pass path, so that random objects exercise the direct path.
func newPlainFiller(r *rand.Rand) *randfill.Filler {
	return withPlainFillFuncs(randfill.New().RandSource(r))
}

// withPlainFillFuncs sets up f to fill k8s objects as newPlainFiller
// describes.
func withPlainFillFuncs(f *randfill.Filler) *randfill.Filler {
	return withFillFuncs(f).Funcs(
		func(s *string, c randfill.Continue) {
			if c.Intn(3) == 0 {
				const alphabet = "abcXYZ019-._/:# '\"@*&!%{}[],"
				b := make([]byte, c.Intn(14))
				for i := range b {
					b[i] = alphabet[c.Intn(len(alphabet))]
				}
				*s = string(b)
				return
			}
			*s = plainStrings[c.Intn(len(plainStrings))]
		},
		func(x *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*x = intstr.FromInt32(c.Int31n(70000) - 100)
			} else {
				*x = intstr.FromString(plainStrings[c.Intn(len(plainStrings))])
			}
		},
		func(q *resource.Quantity, c randfill.Continue) {
			switch c.Intn(3) {
			case 0: // no cached text: the canonical form is computed
				*q = *resource.NewMilliQuantity(c.Int63n(1e7)-1000, resource.DecimalSI)
			case 1:
				*q = *resource.NewQuantity(c.Int63n(1<<40), resource.BinarySI)
			default:
				*q = resource.MustParse(quantities[c.Intn(len(quantities))])
			}
		},
	)
}

// TestDirectMatchesReference checks the direct path alone against the
// reference path, over random objects of every kind whose strings it can
// mostly write, and that it hands over to the two-pass path only objects
// that the fast emitter cannot write either.
func TestDirectMatchesReference(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	direct, total := 0, 0
	for _, gvk := range knownTypes() {
		for seed := range seeds {
			obj, err := scheme.Scheme.New(gvk)
			if err != nil {
				t.Fatal(err)
			}
			newPlainFiller(rand.New(rand.NewSource(int64(seed)))).Fill(obj)
			obj.GetObjectKind().SetGroupVersionKind(gvk)
			if obj.GetObjectKind().GroupVersionKind() != gvk {
				continue // no apiVersion and kind (like WatchEvent)
			}
			total++
			if checkDirect(t, fmt.Sprintf("%s seed %d", gvk, seed), obj) {
				direct++
			}
		}
	}
	t.Logf("direct path took %d of %d random objects", direct, total)
	if direct < total/2 {
		t.Errorf("direct path took only %d of %d random objects", direct, total)
	}
}

// checkDirect checks the direct path on obj: if it takes obj, its output
// (alone and appended to a buffer) is the reference path's; if not, the
// fast emitter cannot write obj's document tree either. It reports whether
// the direct path took obj.
func checkDirect(t *testing.T, name string, obj runtime.Object) bool {
	t.Helper()
	got, ok := encodeDirect(obj)
	if !ok {
		if tree, err := encodeTree(obj); err == nil {
			if _, ok := appendFastYAML(nil, tree); ok {
				t.Fatalf("%s: direct path fell back on an object the fast emitter writes", name)
			}
		}
		return false
	}
	want, err := referenceEncode(obj)
	if err != nil {
		t.Fatalf("%s: reference: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: direct path differs from the reference path:\n%s", name, lineDiff(string(want), string(got)))
	}
	prefix := []byte("# prefix\n")
	appended, ok := appendDirect(bytes.Clone(prefix), obj)
	if !ok || !bytes.Equal(appended, append(prefix, want...)) {
		t.Fatalf("%s: appendDirect differs from encodeDirect", name)
	}
	return true
}

// FuzzEncodeDirect is FuzzEncode with strings that the direct path
// writes itself (withPlainFillFuncs), so that it rather than the two-pass
// path meets the fuzzed values; see checkDirect.
func FuzzEncodeDirect(f *testing.F) {
	f.Add([]byte("\x00\x10deployment"))
	f.Add([]byte("\x00\x20a fairly long seed that fills many fields of a service"))
	f.Add([]byte("\x01\x00\xff\xfe\xfd\xfc\xfb"))
	gvks := knownTypes()
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, ok := fuzzObject(t, gvks, data, withPlainFillFuncs)
		if !ok {
			return
		}
		checkDirect(t, obj.GetObjectKind().GroupVersionKind().String(), obj)
	})
}

// TestDirectTakesCommonObjects checks that the objects skyc renders most,
// and the test fixtures without multi-line strings, take the direct path
// rather than falling back, and match the two-pass path.
func TestDirectTakesCommonObjects(t *testing.T) {
	objs := map[string]runtime.Object{
		"deployment": deployment(),
		"service":    service(),
		"secret":     secret(),
		"cronjob":    cronJob(),
		"pdb":        pdb(),
	}
	for i, o := range fleetService(7) {
		objs[o.GetObjectKind().GroupVersionKind().Kind+"/"+string(rune('0'+i))] = o
	}
	for name, obj := range objs {
		got, ok := encodeDirect(obj)
		if !ok {
			t.Errorf("%s: fell back to the two-pass path", name)
			continue
		}
		want, err := appendEncodeTree(nil, obj)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: direct path differs from the two-pass path:\n%s", name, lineDiff(string(want), string(got)))
		}
	}
}

// TestDirectFallsBack checks objects the direct path must hand over: the
// output is still the reference path's.
func TestDirectFallsBack(t *testing.T) {
	withAnnotation := func(v string) runtime.Object {
		s := service()
		s.Annotations = map[string]string{"note": v}
		return s
	}
	cases := map[string]runtime.Object{
		"multi-line":   configMap(),
		"unstructured": customResource(),
		"non-ASCII":    withAnnotation("naïve café"),
		"invalid UTF-8": func() runtime.Object {
			s := service()
			s.Spec.Selector = map[string]string{"a\xffb": "x"}
			return s
		}(),
		"folded": withAnnotation("a long line of prose that goes well past eighty columns so that the emitter has to fold it"),
		"long key": func() runtime.Object {
			s := service()
			s.Labels = map[string]string{strings.Repeat("k", 200): "v"}
			return s
		}(),
		"bad IntOrString": func() runtime.Object {
			s := service()
			s.Spec.Ports[0].TargetPort = intstr.IntOrString{Type: 7}
			return s
		}(),
	}
	for name, obj := range cases {
		if _, ok := encodeDirect(obj); ok {
			t.Errorf("%s: direct path did not fall back", name)
		}
		want, wantErr := referenceEncode(obj)
		got, err := Encode(obj)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%s: Encode error %v, reference error %v", name, err, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Encode differs from the reference path:\n%s", name, lineDiff(string(want), string(got)))
		}
	}
}

// TestDirectLeaves checks the leaf types the direct path writes from their
// fields, addressable (struct members) and not (map values), against the
// reference path.
func TestDirectLeaves(t *testing.T) {
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name:              "p",
			CreationTimestamp: metav1.Unix(1700000000, 0),
			DeletionTimestamp: &metav1.Time{},
		},
		Spec: corev1.PodSpec{
			Overhead: corev1.ResourceList{
				"cpu":    *resource.NewMilliQuantity(1500, resource.DecimalSI),
				"memory": *resource.NewQuantity(3<<30, resource.BinarySI),
				"zero":   {},
				"parsed": resource.MustParse("100M"),
			},
			Containers: []corev1.Container{{
				Name: "c",
				Ports: []corev1.ContainerPort{
					{ContainerPort: 1, Protocol: "TCP"},
				},
				LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(-5)},
				}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("8080")},
				}},
			}},
			EphemeralContainers: []corev1.EphemeralContainer{},
		},
	}
	got, ok := encodeDirect(pod)
	if !ok {
		t.Fatal("fell back to the two-pass path")
	}
	want, err := referenceEncode(pod)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("direct path differs from the reference path:\n%s", lineDiff(string(want), string(got)))
	}
}

// TestAppendHeader checks appendHeader against the definition of the
// header: strings.Map replacing control characters with '?'.
func TestAppendHeader(t *testing.T) {
	for _, src := range []string{"", "services/web.sky", "a\nb\tc\x7fd", "naïve\xff\xfe", "\ufffd", "日本語"} {
		want := ""
		if src != "" {
			want = "# Source: " + strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return '?'
				}
				return r
			}, src) + "\n"
		}
		if got := string(appendHeader([]byte("x"), Object{Source: src})); got != "x"+want {
			t.Errorf("appendHeader(%q) = %q, want %q", src, got, "x"+want)
		}
		if got := header(Object{Source: src}); got != want {
			t.Errorf("header(%q) = %q, want %q", src, got, want)
		}
	}
}

// TestDirectConcurrent encodes the same objects on several goroutines
// (run with -race: the direct path reads Quantity's cache and formats
// quantities without one through pointers into the shared objects).
func TestDirectConcurrent(t *testing.T) {
	objs := append(fleetService(3), deployment(), &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		Spec: corev1.PodSpec{Overhead: corev1.ResourceList{
			"cpu":    *resource.NewMilliQuantity(1500, resource.DecimalSI),
			"memory": *resource.NewQuantity(3<<30, resource.BinarySI),
		}},
	})
	want := make([][]byte, len(objs))
	for i, o := range objs {
		want[i], _ = encodeDirect(o)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, o := range objs {
				got, ok := encodeDirect(o)
				if !ok || !bytes.Equal(got, want[i]) {
					t.Errorf("object %d: concurrent encodings differ", i)
				}
			}
		})
	}
	wg.Wait()
}

// TestYAMLSpecialMax checks that yamlSpecialMax bounds yamlSpecial's keys.
func TestYAMLSpecialMax(t *testing.T) {
	for k := range yamlSpecial {
		if len(k) > yamlSpecialMax {
			t.Errorf("yamlSpecial key %q is longer than yamlSpecialMax (%d)", k, yamlSpecialMax)
		}
	}
}

// chain is a recursive type for nesting values to any depth.
type chain struct {
	Next  *chain `json:"next,omitempty"`
	Leaf  []int  `json:"leaf"`
	Items []any  `json:"items,omitempty"`
}

// TestDirectDepthLimit checks that around maxDepth the direct path never
// succeeds where the two-pass path reports a value nested too deeply.
func TestDirectDepthLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds values thousands of levels deep")
	}
	for levels := maxDepth/2 - 4; levels <= maxDepth/2+2; levels++ {
		// Empty sequences at both parities of depth: the deepest levels.
		c := &chain{Leaf: []int{}, Items: []any{[]int{}}}
		for range levels {
			c = &chain{Next: c}
		}
		obj := wrap(c)
		_, ok := encodeDirect(obj)
		_, err := appendEncodeTree(nil, obj)
		if ok && err != nil {
			t.Errorf("%d levels: direct path succeeds, two-pass path fails: %v", levels, err)
		}
		if !ok && err == nil {
			t.Logf("%d levels: direct path gives up first", levels)
		}
	}
}
