package starproto

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// rebuildSrc defines rebuild(m): a new message built from Starlark by
// reading every set field of m and passing it to m's constructor.
const rebuildSrc = `
SCALARS = ("string", "int", "bool", "float", "bytes")

def is_message(v):
    t = type(v)
    return t not in SCALARS and not t.startswith("list<") and not t.startswith("map<")

def copy(v):
    return rebuild(v) if is_message(v) else v

def rebuild(m):
    kw = {}
    for f in dir(m):
        if not proto.has(m, f):
            continue
        v = getattr(m, f)
        t = type(v)
        if t.startswith("list<"):
            kw[f] = [copy(x) for x in v]
        elif t.startswith("map<"):
            kw[f] = {k: copy(x) for k, x in v.items()}
        else:
            kw[f] = copy(v)
    return message_type(type(m))(**kw)
`

var (
	rebuildOnce sync.Once
	rebuildFn   starlark.Value
	rebuildErr  error
)

// rebuilder returns the Starlark rebuild function over the Kubernetes
// types, compiled once.
func rebuilder(tb testing.TB) starlark.Value {
	tb.Helper()
	b := bridge(tb)
	rebuildOnce.Do(func() {
		messageType := starlark.NewBuiltin("message_type", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var name string
			if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
				return nil, err
			}
			mt, err := b.types.FindMessageByName(protoreflect.FullName(name))
			if err != nil {
				return nil, err
			}
			return newMessageType(b.types, mt, b.env), nil
		})
		pre := starlark.StringDict{"proto": b.Module(), "message_type": messageType}
		var g starlark.StringDict
		g, rebuildErr = starlark.ExecFileOptions(fileOptions, new(starlark.Thread), "rebuild.sky", rebuildSrc, pre)
		rebuildFn = g["rebuild"]
	})
	if rebuildErr != nil {
		tb.Fatal(rebuildErr)
	}
	return rebuildFn
}

// roundTrip reads m from Starlark and builds a new message from what it
// read. m is frozen first, so reading must not change it.
func roundTrip(tb testing.TB, m proto.Message) (proto.Message, error) {
	fn := rebuilder(tb)
	x := bridge(tb).NewMessage(m)
	x.Freeze()
	thread := &starlark.Thread{Name: "roundtrip"}
	thread.SetMaxExecutionSteps(50_000_000)
	v, err := starlark.Call(thread, fn, starlark.Tuple{x}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s", errText(err))
	}
	out, ok := AsProto(v)
	if !ok {
		return nil, fmt.Errorf("rebuild returned %s", v.Type())
	}
	return out, nil
}

// roundTripObjects are Kubernetes objects that use most kinds of field:
// nested messages, lists of messages and scalars, maps of strings, bytes
// and quantities, IntOrString of both types, times and zero values.
func roundTripObjects() map[string]runtime.Object {
	created := metav1.NewTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	labels := map[string]string{"app": "web", "team": "payments"}
	meta := metav1.ObjectMeta{Name: "web", Namespace: "prod", Labels: labels, Annotations: map[string]string{"note": "x"}, CreationTimestamp: created, Finalizers: []string{"a", "b"}}
	container := corev1.Container{
		Name:    "web",
		Image:   "registry.example.com/web:1.2.3",
		Command: []string{"/web"},
		Args:    []string{"--port=8080", ""},
		Ports:   []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}, {ContainerPort: 0}},
		Env: []corev1.EnvVar{
			{Name: "A", Value: "1"},
			{Name: "B", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k", Optional: ptr.To(false)}}},
		},
		Resources: corev1.ResourceRequirements{
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1.5Gi")},
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
		},
		ReadinessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}, PeriodSeconds: 10},
		LivenessProbe:   &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}, FailureThreshold: 0},
		SecurityContext: &corev1.SecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](1000), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
	}
	pod := corev1.PodSpec{
		Containers:                    []corev1.Container{container, {Name: "sidecar", Image: "envoy"}},
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
		Tolerations:                   []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, TolerationSeconds: ptr.To[int64](0)}},
		Volumes: []corev1.Volume{
			{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, DefaultMode: ptr.To[int32](0o644)}}},
			{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr.To(resource.MustParse("64Mi"))}}},
		},
	}
	return map[string]runtime.Object{
		"Deployment": &appsv1.Deployment{
			ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](3),
				Selector: &metav1.LabelSelector{MatchLabels: labels, MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b"}}}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod},
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromString("25%")), MaxUnavailable: ptr.To(intstr.FromInt32(0))}},
				Paused:   false,
			},
		},
		"StatefulSet": &appsv1.StatefulSet{
			ObjectMeta: meta,
			Spec: appsv1.StatefulSetSpec{
				ServiceName: "web",
				Template:    corev1.PodTemplateSpec{Spec: pod},
				VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
					},
				}},
			},
		},
		"Service": &corev1.Service{
			ObjectMeta: meta,
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: labels,
				Ports: []corev1.ServicePort{
					{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP},
					{Name: "grpc", Port: 81, TargetPort: intstr.FromString("grpc")},
				},
			},
		},
		"ConfigMap": &corev1.ConfigMap{
			ObjectMeta: meta,
			Data:       map[string]string{"a": "1", "empty": "", "multi": "line1\nline2"},
			BinaryData: map[string][]byte{"bin": {0, 1, 2, 255}, "nil": nil},
		},
		"Secret": &corev1.Secret{ObjectMeta: meta, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"k": []byte("v")}, Immutable: ptr.To(true)},
		"CronJob": &batchv1.CronJob{
			ObjectMeta: meta,
			Spec: batchv1.CronJobSpec{
				Schedule:          "*/5 * * * *",
				ConcurrencyPolicy: batchv1.ForbidConcurrent,
				JobTemplate:       batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: corev1.PodTemplateSpec{Spec: pod}}},
			},
		},
		"HorizontalPodAutoscaler": &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: meta,
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web", APIVersion: "apps/v1"},
				MinReplicas:    ptr.To[int32](2),
				MaxReplicas:    10,
				Metrics: []autoscalingv2.MetricSpec{{
					Type:     autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr.To(resource.MustParse("500Mi"))}},
				}},
			},
		},
		"Ingress": &networkingv1.Ingress{
			ObjectMeta: meta,
			Spec: networkingv1.IngressSpec{
				IngressClassName: ptr.To("nginx"),
				Rules: []networkingv1.IngressRule{{Host: "web.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
				}}}}}},
			},
		},
		"PodDisruptionBudget": &policyv1.PodDisruptionBudget{ObjectMeta: meta, Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromString("25%")), Selector: &metav1.LabelSelector{MatchLabels: labels}}},
		"Role":                &rbacv1.Role{ObjectMeta: meta, Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}},
		"NetworkPolicy": &networkingv1.NetworkPolicy{
			ObjectMeta: meta,
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: labels},
				Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: ptr.To(intstr.FromInt32(80))}}}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			},
		},
		"Empty": &corev1.ConfigMap{},
	}
}

// TestRoundTrip converts Go objects to messages, reads every field from
// Starlark, builds new messages from what was read and checks that they
// equal the originals.
func TestRoundTrip(t *testing.T) {
	reg := testRegistry(t)
	for name, obj := range roundTripObjects() {
		t.Run(name, func(t *testing.T) {
			m, err := reg.FromObject(obj)
			if err != nil {
				t.Fatal(err)
			}
			before := proto.Clone(m)
			got, err := roundTrip(t, m)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, m) {
				t.Errorf("round trip differs:\n got %v\nwant %v", got, m)
			}
			if !proto.Equal(m, before) {
				t.Errorf("reading changed the message")
			}
		})
	}
}

// FuzzRoundTrip checks the round-trip invariant on arbitrary messages of
// several types, decoded from fuzzed wire bytes: whatever Starlark reads
// from a message rebuilds an equal message, and str() and to_dict work.
func FuzzRoundTrip(f *testing.F) {
	reg := testRegistry(f)
	objs := roundTripObjects()
	var types []protoreflect.MessageType
	for _, name := range slices.Sorted(maps.Keys(objs)) {
		m, err := reg.FromObject(objs[name])
		if err != nil {
			f.Fatal(err)
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(len(types)), b)
		types = append(types, m.ProtoReflect().Type())
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m, ok := decode(types[int(which)%len(types)], data)
		if !ok {
			return
		}
		got, err := roundTrip(t, m)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, m) {
			t.Fatalf("round trip differs:\n got %v\nwant %v", got, m)
		}
		x := bridge(t).NewMessage(m)
		_ = x.String()
		if _, err := starlark.Call(new(starlark.Thread), bridge(t).Module().Members["to_dict"], starlark.Tuple{x}, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// decode decodes a message of type mt from data, dropping unknown fields.
// It reports false for data that does not decode, including data on which
// the protobuf library panics (a map entry whose key has the wrong wire
// type, with dynamic messages, in v1.36).
func decode(mt protoreflect.MessageType, data []byte) (m proto.Message, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	m = mt.New().Interface()
	err := proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, m)
	return m, err == nil
}
