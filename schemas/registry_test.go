package schemas

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func registry(t testing.TB) *Registry {
	t.Helper()
	r, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEveryKind builds a message of every registered kind with a name,
// converts it to its Go type through the wire format and back, and checks
// apiVersion, kind and name survive.
func TestEveryKind(t *testing.T) {
	r := registry(t)
	if n := len(r.Kinds()); n < 250 {
		t.Fatalf("registry has %d kinds, want every kind of k8s.io/api (over 250)", n)
	}
	for _, k := range r.Kinds() {
		name := string(k.Message.Descriptor().FullName())
		t.Run(name, func(t *testing.T) {
			m := k.Message.New()
			if md := m.Descriptor().Fields().ByName("metadata"); md != nil && !strings.HasSuffix(k.GVK.Kind, "List") {
				meta := m.Mutable(md).Message()
				meta.Set(meta.Descriptor().Fields().ByName("name"), protoreflect.ValueOfString("x"))
			}
			obj, err := r.ToObject(m.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if got := obj.GetObjectKind().GroupVersionKind(); got != k.GVK {
				t.Errorf("GVK = %v, want %v", got, k.GVK)
			}
			back, err := r.FromObject(obj)
			if err != nil {
				t.Fatal(err)
			}
			// The Go codec writes every non-pointer field, so compare objects,
			// not messages.
			again, err := r.ToObject(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(obj, again) {
				t.Errorf("round trip changed the object:\n got %#v\nwant %#v", again, obj)
			}
		})
	}
}

// TestKindsCoverGroups spot-checks that kinds from every corner of the
// API are there, under the package names .sky files use.
func TestKindsCoverGroups(t *testing.T) {
	r := registry(t)
	for _, c := range []struct {
		message string
		gvk     schema.GroupVersionKind
	}{
		{"k8s.io.api.apps.v1.Deployment", schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}},
		{"k8s.io.api.core.v1.Service", schema.GroupVersionKind{Version: "v1", Kind: "Service"}},
		{"k8s.io.api.networking.v1.Ingress", schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}},
		{"k8s.io.api.rbac.v1.ClusterRole", schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}},
		{"k8s.io.api.batch.v1.CronJob", schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}},
		{"k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler", schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}},
		{"k8s.io.api.policy.v1.PodDisruptionBudget", schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}},
		{"k8s.io.api.resource.v1.ResourceClaim", schema.GroupVersionKind{Group: "resource.k8s.io", Version: "v1", Kind: "ResourceClaim"}},
	} {
		k, ok := r.KindOf(protoreflect.FullName(c.message))
		if !ok {
			t.Errorf("%s is not registered", c.message)
			continue
		}
		if k.GVK != c.gvk {
			t.Errorf("%s: GVK %v, want %v", c.message, k.GVK, c.gvk)
		}
		if k2, ok := r.KindFor(c.gvk); !ok || k2 != k {
			t.Errorf("KindFor(%v) does not find %s", c.gvk, c.message)
		}
	}
}

// TestWireRoundTrip takes real Go objects full of the special types
// (Quantity, IntOrString, Time, maps, named slices) through the dynamic
// messages and back, and expects the same object.
func TestWireRoundTrip(t *testing.T) {
	r := registry(t)
	replicas := int32(3)
	dep := &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "api", Namespace: "team", Labels: map[string]string{"a": "b"},
			CreationTimestamp: metav1.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
			Strategy: appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxSurge: ptr(intstr.FromString("25%")), MaxUnavailable: ptr(intstr.FromInt32(0)),
			}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{
					Name: "api", Image: "x:1", Command: []string{"a", "b"},
					Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
						corev1.ResourceCPU:    resource.MustParse("500m"),
						corev1.ResourceMemory: resource.MustParse("1Gi"),
					}},
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}},
				Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			}},
		},
	}
	m, err := r.FromObject(dep)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := r.ToObject(m)
	if err != nil {
		t.Fatal(err)
	}
	got := obj.(*appsv1.Deployment)
	if got.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu().String() != "500m" {
		t.Errorf("cpu limit = %v", got.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu())
	}
	if got.Spec.Strategy.RollingUpdate.MaxSurge.String() != "25%" {
		t.Errorf("maxSurge = %v", got.Spec.Strategy.RollingUpdate.MaxSurge)
	}
	if got.Spec.Template.Spec.Volumes[0].EmptyDir == nil {
		t.Error("emptyDir volume source lost")
	}
	if !got.CreationTimestamp.Equal(&dep.CreationTimestamp) {
		t.Errorf("creationTimestamp = %v, want %v", got.CreationTimestamp, dep.CreationTimestamp)
	}
	a, _ := meta.Accessor(got)
	if a.GetName() != "api" || *got.Spec.Replicas != 3 {
		t.Errorf("got %+v", got.ObjectMeta)
	}
}

// TestNamedSliceWrapper checks go-to-protobuf's convention for named
// slices (ExtraValue []string → message with repeated items).
func TestNamedSliceWrapper(t *testing.T) {
	r := registry(t)
	d, err := r.Files().FindDescriptorByName("k8s.io.api.authentication.v1.ExtraValue")
	if err != nil {
		t.Fatal(err)
	}
	f := d.(protoreflect.MessageDescriptor).Fields().ByName("items")
	if f == nil || !f.IsList() || f.Kind() != protoreflect.StringKind {
		t.Fatalf("ExtraValue.items = %v, want repeated string", f)
	}
}

func ptr[T any](v T) *T { return &v }

func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		if _, err := Build(schemeForBench()); err != nil {
			b.Fatal(err)
		}
	}
}
