package manifest_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/skyc-dev/skyc/internal/textdiff"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
)

// TestEncodeMessageMatchesEncode fills objects of every built-in kind at
// random (with the direct path's plain filler), turns them into messages
// and expects EncodeMessage, whenever it claims success, to give the
// bytes of Encode of what ToObject makes of the message after
// SetOwnership; and that it claims success for most of them.
func TestEncodeMessageMatchesEncode(t *testing.T) {
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	// total counts the objects Encode's direct path takes (the others
	// have strings or values the message path gives up on by design).
	direct, total := 0, 0
	fellBackOn := map[string]int{}
	for _, k := range reg.Kinds() {
		if k.GoType == nil {
			continue
		}
		for seed := range seeds {
			obj := reflect.New(k.GoType).Interface().(runtime.Object)
			manifest.NewPlainFiller(rand.New(rand.NewSource(int64(seed)))).Fill(obj)
			plain(reflect.ValueOf(obj).Elem())
			own := manifest.Ownership{Service: "web", Env: "production"}
			switch seed % 4 {
			case 1:
				own.Env = ""
			case 2:
				// Labels that the ownership labels replace.
				if acc, err := meta.Accessor(obj); err == nil {
					l := acc.GetLabels()
					if l == nil {
						l = map[string]string{}
					}
					l[manifest.ServiceLabel], l[manifest.EnvironmentLabel], l["a10"] = "other", "staging", "x"
					acc.SetLabels(l)
				}
			}
			m, err := reg.FromObject(obj)
			if err != nil {
				t.Fatalf("%s: FromObject: %v", k.GVK, err)
			}
			name := fmt.Sprintf("%s seed %d", k.GVK, seed)
			switch checkMessage(t, name, reg, k, m.ProtoReflect(), own) {
			case took:
				direct++
				total++
			case fellBack:
				fellBackOn[k.GVK.Kind]++
				total++
			}
			// The filler's own strings and values, unmodified: whatever
			// the message path takes of them must still be Encode's.
			raw := reflect.New(k.GoType).Interface().(runtime.Object)
			manifest.NewFiller(rand.New(rand.NewSource(int64(seed)))).Fill(raw)
			if rm, err := reg.FromObject(raw); err == nil {
				checkMessage(t, name+" (raw)", reg, k, rm.ProtoReflect(), own)
			}
			if seed%4 == 3 {
				// A message of another implementation: no slot fast path.
				dyn := dynamicpb.NewMessage(m.ProtoReflect().Descriptor())
				proto.Merge(dyn, m)
				checkMessage(t, name+" (dynamicpb)", reg, k, dyn, own)
			}
		}
	}
	t.Logf("the message path took %d of the %d random objects Encode's direct path takes; fell back on %v", direct, total, fellBackOn)
	// What it leaves to Encode by design: RawExtension (ControllerRevision,
	// DeviceClass, ResourceClaim), MicroTime (Event, Lease), named slices
	// (ExtraValue in the access reviews).
	if direct < total*85/100 {
		t.Errorf("the message path took only %d of %d random objects", direct, total)
	}
	for _, kind := range []string{"Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "HorizontalPodAutoscaler",
		"NetworkPolicy", "Ingress", "ConfigMap", "Secret", "CronJob", "Job", "StatefulSet", "DaemonSet", "Role", "RoleBinding"} {
		if fellBackOn[kind] > 0 {
			t.Errorf("the message path gave up on %d random %ss that Encode's direct path takes", fellBackOn[kind], kind)
		}
	}
}

// outcome is what checkMessage found.
type outcome int

const (
	took     outcome = iota // EncodeMessage took the message, and agreed with Encode
	fellBack                // EncodeMessage gave up on a message Encode's direct path takes
	other                   // EncodeMessage gave up on a message Encode's direct path does not take
)

// checkMessage compares EncodeMessage of m with Encode of its object.
func checkMessage(t *testing.T, name string, reg *schemas.Registry, k *schemas.Kind, m protoreflect.Message, own manifest.Ownership) outcome {
	t.Helper()
	got, ok := manifest.EncodeMessage(m, k.GoType, k.GVK, &own)
	obj, err := reg.ToObject(m.Interface())
	if err != nil {
		if ok {
			t.Fatalf("%s: the message path took a message ToObject rejects: %v", name, err)
		}
		return other
	}
	if err := manifest.SetOwnership(manifest.Object{Obj: obj, Service: own.Service, Env: own.Env}); err != nil {
		// A list kind, which has no labels.
		if ok {
			t.Fatalf("%s: the message path took an object SetOwnership rejects: %v", name, err)
		}
		return other
	}
	want, err := manifest.Encode(obj)
	if err != nil {
		if ok {
			t.Fatalf("%s: the message path took an object Encode rejects: %v", name, err)
		}
		return other
	}
	if ok && !bytes.Equal(got, want) {
		t.Fatalf("%s: the message path differs from Encode (-Encode +message):\n%s", name, textdiff.Unified("Encode", "message", string(want), string(got)))
	}
	_, direct := manifest.EncodeDirect(obj)
	switch {
	case ok:
		return took
	case direct:
		return fellBack
	}
	return other
}

// plain makes the strings of named string types (which the plain filler
// leaves to randfill) printable ASCII, and drops managedFields, whose
// FieldsV1 the message path leaves to Encode: so that most random objects
// are ones the message path should take.
func plain(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && strings.ContainsFunc(v.String(), func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			v.SetString(fmt.Sprintf("s%d", len(v.String())))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			plain(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).Name == "ManagedFields" {
				v.Field(i).SetZero()
				continue
			}
			if v.Type().Field(i).IsExported() {
				plain(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			plain(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			plain(e)
			nk := reflect.New(k.Type()).Elem()
			nk.Set(k)
			plain(nk)
			v.SetMapIndex(k, reflect.Value{})
			v.SetMapIndex(nk, e)
		}
	}
}

// FuzzEncodeMessage holds EncodeMessage to Encode on a Deployment whose
// strings, numbers and Quantity text (which EncodeMessage parses with
// resource.ParseQuantity, as ToObject does) come from the fuzzer.
func FuzzEncodeMessage(f *testing.F) {
	reg, err := schemas.Default()
	if err != nil {
		f.Fatal(err)
	}
	k, ok := reg.KindFor(appsv1.SchemeGroupVersion.WithKind("Deployment"))
	if !ok {
		f.Fatal("no Deployment kind")
	}
	f.Add("web", "app", "web", "500m", int32(8080), "http", "staging")
	f.Add("a10", "skyc.dev/service", "x y", "1.5Gi", int32(0), "8080", "")
	f.Add("-", "#", "'", "", int32(-1), "", "production")
	f.Add("true", "a9", "null", "1e3", int32(1), "-", "a b")
	f.Add("0x1F", "skyc.dev/environment", "~", "0.1", int32(70000), "1:20", "1")
	f.Fuzz(func(t *testing.T, name, key, value, quantity string, port int32, target, env string) {
		replicas := port
		maxSurge := intstr.FromString(target)
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{key: value}, Annotations: map[string]string{value: key}},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{key: name}},
				Strategy: appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &maxSurge}},
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:      value,
						Args:      []string{name, key, value, target},
						Ports:     []corev1.ContainerPort{{Name: target, ContainerPort: port}},
						Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": resource.MustParse("1")}},
					}},
				}},
			},
		}
		m, err := reg.FromObject(d)
		if err != nil {
			t.Skip(err)
		}
		// The Quantity's text as the fuzzer gave it, which need not parse.
		pm := m.ProtoReflect()
		c := sub(sub(sub(pm, "spec"), "template"), "spec")
		c = c.Get(c.Descriptor().Fields().ByName("containers")).List().Get(0).Message()
		r := sub(c, "resources")
		q := r.Get(r.Descriptor().Fields().ByName("limits")).Map().Get(protoreflect.ValueOfString("cpu").MapKey()).Message()
		q.Set(q.Descriptor().Fields().ByName("string"), protoreflect.ValueOfString(quantity))
		own := manifest.Ownership{Service: "web", Env: env}
		if manifest.CheckOwnership(own.Service, own.Env) != nil {
			own.Env = ""
		}
		checkMessage(t, "fuzzed", reg, k, pm, own)
	})
}

// sub returns the message in field name of m.
func sub(m protoreflect.Message, name string) protoreflect.Message {
	return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(name))).Message()
}

// TestEncodeMessageAbsentScalars: a field the message does not hold
// whose Go member has no omitempty (a volume's name, a subject's kind)
// is written as its Go zero value, "" or false or 0, as Encode writes
// the struct ToObject makes. The random fillers set every field, so
// this case is made by hand.
func TestEncodeMessageAbsentScalars(t *testing.T) {
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	objs := []runtime.Object{
		&corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: corev1.PodSpec{
				Volumes:    []corev1.Volume{{VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				Containers: []corev1.Container{{Image: "i:1", Ports: []corev1.ContainerPort{{}}}},
			},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: "rb"},
			Subjects:   []rbacv1.Subject{{}},
			RoleRef:    rbacv1.RoleRef{},
		},
	}
	for _, obj := range objs {
		gvk := obj.GetObjectKind().GroupVersionKind()
		k, ok := reg.KindFor(gvk)
		if !ok {
			t.Fatalf("no kind for %s", gvk)
		}
		m, err := reg.FromObject(obj)
		if err != nil {
			t.Fatalf("%s: FromObject: %v", gvk, err)
		}
		if n := clearZeroScalars(m.ProtoReflect()); n == 0 {
			t.Fatalf("%s: no zero scalar to leave out", gvk.Kind)
		}
		if got := checkMessage(t, gvk.Kind, reg, k, m.ProtoReflect(), manifest.Ownership{Service: "web"}); got != took {
			t.Errorf("%s: the message path did not take it (outcome %d)", gvk.Kind, got)
		}
	}
}

// clearZeroScalars clears every singular scalar field of m, and of the
// messages in it, that holds its zero value, so that the message does
// not hold it at all, and returns how many it cleared.
func clearZeroScalars(m protoreflect.Message) int {
	n := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			if fd.Message() != nil {
				for i := range v.List().Len() {
					n += clearZeroScalars(v.List().Get(i).Message())
				}
			}
		case fd.IsMap():
		case fd.Message() != nil:
			n += clearZeroScalars(v.Message())
		case v.Equal(fd.Default()):
			m.Clear(fd)
			n++
		}
		return true
	})
	return n
}
