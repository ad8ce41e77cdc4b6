package check

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// newDeployment returns a valid Deployment that edit may break.
func newDeployment(edit func(d *appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "registry.example.com/web:1.0",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}
	if edit != nil {
		edit(d)
	}
	return d
}

// unstructuredObj builds an unstructured object from a YAML-ish map.
func unstructuredObj(m map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: m}
}

func TestValidate(t *testing.T) {
	type want struct {
		sev   Severity
		rule  string
		field string
		msg   string // a substring of the message
	}
	tests := map[string]struct {
		obj  runtime.Object
		want []want
	}{
		"valid deployment": {obj: newDeployment(nil)},
		"selector mismatch": {
			obj:  newDeployment(func(d *appsv1.Deployment) { d.Spec.Template.Labels["app"] = "api" }),
			want: []want{{Error, RuleInvalid, "spec.template.metadata.labels", "`selector` does not match template `labels`"}},
		},
		"port out of range": {
			obj:  newDeployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort = 70000 }),
			want: []want{{Error, RuleInvalid, "spec.template.spec.containers[0].ports[0].containerPort", "must be between 1 and 65535"}},
		},
		"duplicate container": {
			obj: newDeployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: "app", Image: "x"})
			}),
			want: []want{{Error, RuleDuplicate, "spec.template.spec.containers[1].name", `duplicate value: "app"`}},
		},
		"restart policy of a deployment": {
			obj:  newDeployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever }),
			want: []want{{Error, RuleNotSupported, "spec.template.spec.restartPolicy", `supported values: "Always"`}},
		},
		"missing namespace defaults to default": {
			obj: newDeployment(func(d *appsv1.Deployment) { d.Namespace = "" }),
		},
		"bad name": {
			obj:  newDeployment(func(d *appsv1.Deployment) { d.Name = "Web" }),
			want: []want{{Error, RuleInvalid, "metadata.name", "RFC 1123"}},
		},
		"unstructured built-in kind": {
			obj: unstructuredObj(map[string]any{
				"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": "cfg"},
				"data":     map[string]any{"bad key": "x"},
			}),
			want: []want{{Error, RuleInvalid, "data[bad key]", "a valid config key"}},
		},
		"custom resource": {
			obj: unstructuredObj(map[string]any{
				"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
				"metadata": map[string]any{"name": "web"},
			}),
			want: []want{{Warning, RuleUnknownKind, "", "not a built-in kind"}},
		},
		"removed api version": {
			obj: unstructuredObj(map[string]any{
				"apiVersion": "extensions/v1beta1", "kind": "Ingress",
				"metadata": map[string]any{"name": "web"},
			}),
			want: []want{{Error, RuleUnservedAPI, "", "removed in Kubernetes 1.22"}},
		},
		"service with a nodePort outside the range": {
			obj: &corev1.Service{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
				ObjectMeta: metav1.ObjectMeta{Name: "web"},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": "web"},
					Ports: []corev1.ServicePort{{Port: 80, NodePort: 8080}}},
			},
			want: []want{{Error, RuleInvalid, "spec.ports[0].nodePort", "not in the valid range"}},
		},
		"headless service": {
			obj: &corev1.Service{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
				ObjectMeta: metav1.ObjectMeta{Name: "db"},
				Spec:       corev1.ServiceSpec{ClusterIP: "None", Selector: map[string]string{"app": "db"}, Ports: []corev1.ServicePort{{Port: 5432}}},
			},
		},
		"privileged container is allowed": {
			obj: newDeployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr.To(true)}
			}),
		},
		"server warning": {
			obj:  newDeployment(func(d *appsv1.Deployment) { d.Name = "web.v2" }),
			want: []want{{Warning, RuleWarning, "metadata.name", "a DNS label is recommended"}},
		},
		"no kind": {
			obj:  &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "x"}}},
			want: []want{{Error, RuleMissingTypeMeta, "", "no apiVersion or kind"}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := Validate(tt.obj)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), list(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Severity != w.sev || g.Rule != w.rule || g.Field != w.field || !strings.Contains(g.Message, w.msg) {
					t.Errorf("finding %d = %s [%s]\nwant %s %s at %q containing %q", i, g, g.Rule, w.sev, w.rule, w.field, w.msg)
				}
			}
		})
	}
}

// TestValidateLeavesInputAlone checks that defaulting and conversion work
// on a copy.
func TestValidateLeavesInputAlone(t *testing.T) {
	d := newDeployment(func(d *appsv1.Deployment) { d.Namespace = "" })
	Validate(d)
	if d.Namespace != "" || d.Spec.Strategy.Type != "" || d.Spec.Template.Spec.RestartPolicy != "" {
		t.Errorf("Validate changed its input: namespace %q, strategy %q, restartPolicy %q",
			d.Namespace, d.Spec.Strategy.Type, d.Spec.Template.Spec.RestartPolicy)
	}
}

func TestValidateFindingsNameTheObject(t *testing.T) {
	got := Validate(newDeployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](-1) }))
	if len(got) != 1 {
		t.Fatalf("got %s", list(got))
	}
	want := ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "team", Name: "web"}
	if got[0].Object != want {
		t.Errorf("Object = %+v, want %+v", got[0].Object, want)
	}
	if s := got[0].Object.String(); s != "Deployment team/web" {
		t.Errorf("Object.String() = %q", s)
	}
}

func TestKinds(t *testing.T) {
	kinds := Kinds()
	if len(kinds) < 40 {
		t.Errorf("Kinds() has %d kinds, want the built-in kinds (40 or more)", len(kinds))
	}
	seen := map[string]bool{}
	for _, gk := range kinds {
		seen[gk.String()] = true
	}
	for _, want := range []string{"Deployment.apps", "StatefulSet.apps", "DaemonSet.apps", "ReplicaSet.apps", "Job.batch", "CronJob.batch",
		"Pod", "Service", "ConfigMap", "Secret", "ServiceAccount", "Namespace", "PersistentVolumeClaim", "LimitRange", "ResourceQuota",
		"Ingress.networking.k8s.io", "IngressClass.networking.k8s.io", "NetworkPolicy.networking.k8s.io", "PodDisruptionBudget.policy",
		"HorizontalPodAutoscaler.autoscaling", "Role.rbac.authorization.k8s.io", "ClusterRole.rbac.authorization.k8s.io",
		"RoleBinding.rbac.authorization.k8s.io", "ClusterRoleBinding.rbac.authorization.k8s.io", "PriorityClass.scheduling.k8s.io",
		"StorageClass.storage.k8s.io"} {
		if !seen[want] {
			t.Errorf("Kinds() lacks %s", want)
		}
	}
}

func list(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + " [" + f.Rule + "]\n")
	}
	return b.String()
}
