package starproto

import (
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestGoAPI checks wrapping Go-side messages: they are shared, not
// copied, and the bridge's boxers apply to them.
func TestGoAPI(t *testing.T) {
	b := bridge(t)
	m, err := testReg.FromObject(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1)}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.Wrap(m)
	if err != nil {
		t.Fatal(err)
	}
	pre := predeclared(t, b, k8sPackages)
	pre["d"] = v
	pre["plain"] = NewMessage(proto.Clone(m))
	mustExecWith(t, pre, `
assert.eq(d.metadata.name, "web")
d.spec.replicas = 2
d.spec.template.spec.containers.append(core.Container(name = "c", resources = core.ResourceRequirements(limits = {"cpu": "1"})))
d.spec.template.spec.overhead["cpu"] = "1"
def unboxed():
    plain.spec.template.spec.overhead["cpu"] = "1"
assert.fails(unboxed, 'PodSpec.overhead\\["cpu"\\]: got string "1", want Quantity')
`)
	obj, err := testReg.ToObject(m)
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*appsv1.Deployment)
	if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu().Value() != 1 {
		t.Errorf("changes made in Starlark are not in the wrapped message: %+v", d.Spec)
	}
	if got, ok := b.Unwrap(v); !ok || got != m {
		t.Errorf("Unwrap = %v, %v; want the wrapped message itself", got, ok)
	}
	if _, ok := AsProto(starlark.String("x")); ok {
		t.Error("AsProto accepted a string")
	}
	if x, ok := v.(*Message); !ok || x.Proto() != m {
		t.Error("Proto does not return the wrapped message")
	}
	// A detached message unwraps to a new empty message.
	g := mustExecWith(t, pre, "s = apps.Deployment().spec")
	if s, ok := AsProto(g["s"]); !ok || !s.ProtoReflect().IsValid() || proto.Size(s) != 0 {
		t.Errorf("AsProto of a detached message = %v, %v", s, ok)
	}
}

func mustExecWith(tb testing.TB, pre starlark.StringDict, src string) starlark.StringDict {
	tb.Helper()
	g, err := execWith(tb, pre, src)
	if err != nil {
		tb.Fatal(errText(err))
	}
	return g
}
