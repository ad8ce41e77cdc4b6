package schemas

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/skyc-dev/skyc/lang/starproto"
	"github.com/skyc-dev/skyc/schemas/crd"
)

// monitorRegistry is the default registry with the example repository's
// ServiceMonitor CRD.
func monitorRegistry(t *testing.T) *Registry {
	t.Helper()
	kinds, err := crd.Read("../examples", []string{"crds/servicemonitor.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry(t).WithCRDs(kinds)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCRDTypes: a CRD's schema becomes messages with the field types its
// properties have, and the default registry is left as it was.
func TestCRDTypes(t *testing.T) {
	r := monitorRegistry(t)
	gvk := schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}
	k, ok := r.KindFor(gvk)
	if !ok || k.CRD == nil || k.GoType != nil || k.Message.Descriptor().FullName() != "monitoring.coreos.com.v1.ServiceMonitor" {
		t.Fatalf("KindFor(%s) = %+v, %v", gvk, k, ok)
	}
	if len(r.CustomKinds()) != 1 || len(r.Kinds()) != len(registry(t).Kinds()) {
		t.Errorf("%d custom kinds and %d built-in ones", len(r.CustomKinds()), len(r.Kinds()))
	}
	if _, ok := registry(t).KindFor(gvk); ok {
		t.Error("WithCRDs changed the registry it extends")
	}
	fields := map[string]string{
		"ServiceMonitor.metadata":                            "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
		"ServiceMonitor.spec":                                "monitoring.coreos.com.v1.ServiceMonitorSpec",
		"ServiceMonitorSpec.endpoints":                       "repeated monitoring.coreos.com.v1.ServiceMonitorSpecEndpoint",
		"ServiceMonitorSpec.sampleLimit":                     "int64",
		"ServiceMonitorSpec.targetLabels":                    "repeated string",
		"ServiceMonitorSpecSelector.matchLabels":             "map<string, string>",
		"ServiceMonitorSpecSelector.matchExpressions":        "repeated monitoring.coreos.com.v1.ServiceMonitorSpecSelectorMatchExpression",
		"ServiceMonitorSpecEndpoint.targetPort":              "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
		"ServiceMonitorSpecEndpoint.honorLabels":             "bool",
		"ServiceMonitorSpecEndpoint.metricRelabelings":       "repeated monitoring.coreos.com.v1.ServiceMonitorSpecEndpointMetricRelabeling",
		"ServiceMonitorSpecEndpointMetricRelabeling.modulus": "int64",
		"ServiceMonitorSpecEndpoint.params":                  "", // a map of lists: no protobuf type
		"ServiceMonitor.status":                              "",
		"ServiceMonitor.apiVersion":                          "",
	}
	for path, want := range fields {
		msg, field, _ := strings.Cut(path, ".")
		mt, err := r.Types().FindMessageByName(protoreflect.FullName("monitoring.coreos.com.v1." + msg))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		fd := mt.Descriptor().Fields().ByName(protoreflect.Name(field))
		if got := typeString(fd); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func typeString(fd protoreflect.FieldDescriptor) string {
	if fd == nil {
		return ""
	}
	single := func(fd protoreflect.FieldDescriptor) string {
		if fd.Message() != nil {
			return string(fd.Message().FullName())
		}
		return fd.Kind().String()
	}
	switch {
	case fd.IsMap():
		return "map<" + single(fd.MapKey()) + ", " + single(fd.MapValue()) + ">"
	case fd.IsList():
		return "repeated " + single(fd)
	}
	return single(fd)
}

// TestCRDObjects: a custom resource built in Starlark is type-checked as
// it is built, and becomes an unstructured object with apiVersion, kind,
// and its fields under their JSON names.
func TestCRDObjects(t *testing.T) {
	r := monitorRegistry(t)
	b := starproto.New(r.Types(), starproto.Options{Box: starproto.KubernetesBoxers()})
	pre := starlark.StringDict{"proto": b.Module()}
	src := `
mon = proto.package("monitoring.coreos.com.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")
m = mon.ServiceMonitor(
    metadata = meta.ObjectMeta(name = "api", namespace = "payments", labels = {"team": "payments"}),
    spec = mon.ServiceMonitorSpec(
        selector = mon.ServiceMonitorSpecSelector(matchLabels = {"app.kubernetes.io/name": "api"}),
        endpoints = [mon.ServiceMonitorSpecEndpoint(port = "http", targetPort = 8080, interval = "30s", honorLabels = False)],
        sampleLimit = 0,
    ),
)
`
	g, err := starlark.ExecFile(&starlark.Thread{}, "mon.sky", src, pre)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := b.Unwrap(g["m"])
	obj, err := r.ToObject(m)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		t.Fatalf("ToObject gave %T, want *unstructured.Unstructured", obj)
	}
	got, err := yaml.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  labels:
    team: payments
  name: api
  namespace: payments
spec:
  endpoints:
  - honorLabels: false
    interval: 30s
    port: http
    targetPort: 8080
  sampleLimit: 0
  selector:
    matchLabels:
      app.kubernetes.io/name: api
`
	if string(got) != want {
		t.Errorf("object:\n%s\nwant:\n%s", got, want)
	}

	// And back: the message FromObject makes is the one built.
	back, err := r.FromObject(u)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back, m) {
		t.Errorf("FromObject(ToObject(m)) = %v, want %v", back, m)
	}

	for expr, msg := range map[string]string{
		`mon.ServiceMonitorSpecEndpoint(port = 8080)`:           "ServiceMonitorSpecEndpoint.port: got int, want string",
		`mon.ServiceMonitorSpec(sampleLimit = "10")`:            `ServiceMonitorSpec.sampleLimit: got string "10", want int64`,
		`mon.ServiceMonitorSpec(endpoints = {"port": "http"})`:  "ServiceMonitorSpec.endpoints",
		`mon.ServiceMonitorSpecEndpoint(prot = "http")`:         `ServiceMonitorSpecEndpoint has no field "prot" (did you mean "port"?)`,
		`mon.ServiceMonitor(status = mon.ServiceMonitorSpec())`: `ServiceMonitor has no field "status"`,
	} {
		_, err := starlark.ExecFile(&starlark.Thread{}, "bad.sky", "mon = proto.package(\"monitoring.coreos.com.v1\")\nx = "+expr+"\n", pre)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one containing %q", expr, err, msg)
		}
	}
}
