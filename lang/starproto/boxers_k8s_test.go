package starproto

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestBoxing(t *testing.T) {
	cases := map[string]string{
		"quantity from string int and float": `
r = core.ResourceRequirements(limits = {"cpu": "500m", "memory": "1Gi"}, requests = {"cpu": 2, "memory": 0.5})
assert.eq(str(r.limits["cpu"]), "500m")
assert.eq(str(r.limits["memory"]), "1Gi")
assert.eq(str(r.requests["cpu"]), "2")
assert.eq(str(r.requests["memory"]), "500m")
assert.eq(type(r.limits["cpu"]), "k8s.io.apimachinery.pkg.api.resource.Quantity")
assert.eq(r.limits["cpu"].string, "500m")
assert.eq(str(r), 'core.v1.ResourceRequirements(limits={"cpu": "500m", "memory": "1Gi"}, requests={"cpu": "2", "memory": "500m"})')
assert.eq(proto.to_dict(r), {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "2", "memory": "500m"}})
`,
		"quantity canonical form": `
assert.eq(str(core.ResourceRequirements(limits = {"memory": "1.5Gi"}).limits["memory"]), "1536Mi")
assert.eq(str(core.ResourceRequirements(limits = {"cpu": "0.1"}).limits["cpu"]), "100m")
`,
		"quantity as a message": `
r = core.ResourceRequirements(limits = {"cpu": resource.Quantity(string = "1")})
assert.eq(str(r.limits["cpu"]), "1")
r.limits["cpu"] = r.limits["cpu"]
assert.eq(r.limits["cpu"], resource.Quantity(string = "1"))
`,
		"quantity errors": `
assert.fails(lambda: core.ResourceRequirements(limits = {"cpu": "1.5.2Gi"}),
    'ResourceRequirements.limits\\["cpu"\\]: "1.5.2Gi" is not a quantity \\(examples: "500m", "1Gi", "2"\\)')
assert.fails(lambda: core.ResourceRequirements(limits = {"cpu": True}),
    'ResourceRequirements.limits\\["cpu"\\]: got bool, want Quantity: a string such as "500m" or "1Gi", or a number')
assert.fails(lambda: core.ResourceRequirements(limits = {"cpu": float("nan")}), "is not a quantity")
assert.fails(lambda: core.ResourceRequirements(limits = {"cpu": 1 << 70}), "is out of range for a quantity")
assert.fails(lambda: core.ResourceRequirements(limits = {"cpu": intstr.IntOrString()}), "got IntOrString, want Quantity")
`,
		"int or string": `
p = core.ServicePort(port = 80, targetPort = 8080)
assert.eq(str(p.targetPort), "8080")
assert.eq((p.targetPort.type, p.targetPort.intVal, p.targetPort.strVal), (0, 8080, ""))
p.targetPort = "http"
assert.eq(str(p.targetPort), "http")
assert.eq((p.targetPort.type, p.targetPort.intVal, p.targetPort.strVal), (1, 0, "http"))
assert.eq(str(p), 'core.v1.ServicePort(port=80, targetPort="http")')
assert.eq(str(core.ServicePort(targetPort = 1)), "core.v1.ServicePort(targetPort=1)")
assert.eq(proto.to_dict(core.ServicePort(targetPort = 1)), {"targetPort": 1})
assert.fails(lambda: core.ServicePort(targetPort = 1.5),
    'ServicePort.targetPort: got float, want IntOrString: an int such as 8080 or a string such as "http" or "25%"')
assert.fails(lambda: core.ServicePort(targetPort = 1 << 40), "ServicePort.targetPort: 1099511627776 is out of range for IntOrString \\(int32\\)")
`,
		"time": `
m = meta.ObjectMeta(creationTimestamp = "2024-05-01T12:00:00Z")
assert.eq(str(m.creationTimestamp), "2024-05-01T12:00:00Z")
assert.eq(m.creationTimestamp.seconds, 1714564800)
m.creationTimestamp = "2024-05-01T14:00:00.5+02:00"
assert.eq(str(m.creationTimestamp), "2024-05-01T12:00:00.5Z")
assert.eq(m.creationTimestamp.nanos, 500000000)
assert.fails(lambda: meta.ObjectMeta(creationTimestamp = "yesterday"),
    'ObjectMeta.creationTimestamp: "yesterday" is not an RFC 3339 time such as "2024-05-01T12:00:00Z": parsing time')
assert.fails(lambda: meta.ObjectMeta(creationTimestamp = 1714564800),
    'ObjectMeta.creationTimestamp: got int, want Time: an RFC 3339 time such as "2024-05-01T12:00:00Z"')
`,
		"micro time": `
e = core.Event(eventTime = "2024-05-01T12:00:00.123456Z")
assert.eq(str(e.eventTime), "2024-05-01T12:00:00.123456Z")
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) { mustExec(t, src) })
	}
}

// TestBoxingMatchesGo checks that boxed values encode as the Go types
// encode the same values, so they survive the trip to Go objects and
// compare equal to messages converted from Go.
func TestBoxingMatchesGo(t *testing.T) {
	bridge(t)
	created := metav1.NewTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	maxUnavailable := intstr.FromString("25%")
	minAvailable := intstr.FromInt32(2)
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", CreationTimestamp: created},
		Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &maxUnavailable},
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "c",
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("500m"),
			corev1.ResourceMemory: resource.MustParse("1Gi"),
		}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(8080)}}},
	}}}}
	pdb2 := &policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &minAvailable}}
	g := mustExec(t, `
created = meta.ObjectMeta(creationTimestamp = "2024-05-01T12:00:00Z").creationTimestamp
max_unavailable = proto.package("k8s.io.api.policy.v1").PodDisruptionBudgetSpec(maxUnavailable = "25%").maxUnavailable
min_available = proto.package("k8s.io.api.policy.v1").PodDisruptionBudgetSpec(minAvailable = 2).minAvailable
limits = core.ResourceRequirements(limits = {"cpu": "500m", "memory": "1Gi"})
port = core.HTTPGetAction(port = 8080).port
`)
	pdbMsg, err := testReg.FromObject(pdb)
	if err != nil {
		t.Fatal(err)
	}
	podMsg, err := testReg.FromObject(pod)
	if err != nil {
		t.Fatal(err)
	}
	pdb2Msg, err := testReg.FromObject(pdb2)
	if err != nil {
		t.Fatal(err)
	}
	b := bridge(t)
	read := func(m proto.Message, path string) proto.Message {
		t.Helper()
		v, err := execWith(t, mergeDicts(predeclared(t, b, k8sPackages), map[string]any{"obj": b.NewMessage(m)}), "x = obj."+path)
		if err != nil {
			t.Fatal(errText(err))
		}
		x, _ := AsProto(v["x"])
		return x
	}
	checks := map[string]proto.Message{
		"created":         read(pdbMsg, "metadata.creationTimestamp"),
		"max_unavailable": read(pdbMsg, "spec.maxUnavailable"),
		"min_available":   read(pdb2Msg, "spec.minAvailable"),
		"limits":          read(podMsg, "spec.containers[0].resources"),
		"port":            read(podMsg, "spec.containers[0].readinessProbe.handler.httpGet.port"),
	}
	for name, want := range checks {
		got, _ := AsProto(g[name])
		if !proto.Equal(got, want) {
			t.Errorf("%s: boxed %v, from Go %v", name, got, want)
		}
	}
}
