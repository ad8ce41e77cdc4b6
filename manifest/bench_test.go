package manifest

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/skyc-dev/skyc/internal/cputime"
)

// fleetService returns the five objects skyc renders for one service of
// the benchmark fleet (bench/fleetgen, the peer shape): ServiceAccount,
// Service, Deployment, PodDisruptionBudget and HorizontalPodAutoscaler,
// with the platform's labels, probes, resources and security settings.
func fleetService(i int) []runtime.Object {
	name := fmt.Sprintf("payments-api-%04d", i)
	labels := func(extra bool) map[string]string {
		m := map[string]string{
			"app.kubernetes.io/component":  "server",
			"app.kubernetes.io/managed-by": "skyc",
			"app.kubernetes.io/name":       name,
			"cost-centre":                  "cc-1000",
			"environment":                  "production",
			"team":                         "payments",
			"tier":                         "data",
		}
		if extra {
			m["skyc.dev/environment"] = "production"
			m["skyc.dev/service"] = name
		}
		return m
	}
	meta := func() metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "payments", Labels: labels(true)}
	}
	selector := func() *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": name}}
	}
	probe := func(path string, initial int32, period int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")},
			},
			InitialDelaySeconds: initial,
			PeriodSeconds:       period,
			FailureThreshold:    3,
		}
	}
	env := []corev1.EnvVar{
		{Name: "LOG_LEVEL", Value: "info"},
		{Name: "SERVICE_NAME", Value: name},
		{Name: "ENVIRONMENT", Value: "production"},
		{Name: "REGION", Value: "eu-central-1"},
		{Name: "TEAM", Value: "payments"},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: "http://otel-collector.observability:4317"},
		{Name: "UPSTREAM_URL", Value: "http://upstream.internal:8080"},
		{Name: "DATABASE_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: name + "-db"},
				Key:                  "password",
			},
		}},
	}
	resources := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("2"),
		corev1.ResourceMemory: resource.MustParse("512Mi"),
	}
	return []runtime.Object{
		&corev1.ServiceAccount{
			TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta:                   meta(),
			AutomountServiceAccountToken: ptr.To(false),
		},
		&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: meta(),
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: map[string]string{"app.kubernetes.io/name": name},
				Ports: []corev1.ServicePort{
					{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
				},
			},
		},
		&appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta(),
			Spec: appsv1.DeploymentSpec{
				MinReadySeconds:      10,
				RevisionHistoryLimit: ptr.To[int32](5),
				Selector:             selector(),
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxSurge:       ptr.To(intstr.FromString("25%")),
						MaxUnavailable: ptr.To(intstr.FromInt32(0)),
					},
				},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{
						Labels:      labels(false),
						Annotations: map[string]string{"example.com/oncall": "payments-oncall@example.com"},
					},
					Spec: corev1.PodSpec{
						AutomountServiceAccountToken: ptr.To(false),
						Containers: []corev1.Container{{
							Name:           name,
							Image:          "registry.example.com/payments/" + name + ":2.18.3",
							Env:            env,
							LivenessProbe:  probe("/healthz", 10, 10),
							ReadinessProbe: probe("/ready", 0, 5),
							Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
							Resources:      corev1.ResourceRequirements{Limits: resources, Requests: resources.DeepCopy()},
							SecurityContext: &corev1.SecurityContext{
								AllowPrivilegeEscalation: ptr.To(false),
								Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
								ReadOnlyRootFilesystem:   ptr.To(true),
								RunAsNonRoot:             ptr.To(true),
							},
							VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
						}},
						SecurityContext: &corev1.PodSecurityContext{
							RunAsNonRoot:   ptr.To(true),
							SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
						},
						ServiceAccountName:            name,
						TerminationGracePeriodSeconds: ptr.To[int64](30),
						TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
							LabelSelector:     selector(),
							MaxSkew:           1,
							TopologyKey:       "topology.kubernetes.io/zone",
							WhenUnsatisfiable: corev1.ScheduleAnyway,
						}},
						Volumes: []corev1.Volume{{
							Name:         "tmp",
							VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
						}},
					},
				},
			},
		},
		&policyv1.PodDisruptionBudget{
			TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
			ObjectMeta: meta(),
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: ptr.To(intstr.FromInt32(1)),
				Selector:       selector(),
			},
		},
		&autoscalingv2.HorizontalPodAutoscaler{
			TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
			ObjectMeta: meta(),
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
				MinReplicas:    ptr.To[int32](2),
				MaxReplicas:    9,
				Metrics: []autoscalingv2.MetricSpec{{
					Type: autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{
						Name: corev1.ResourceCPU,
						Target: autoscalingv2.MetricTarget{
							Type:               autoscalingv2.UtilizationMetricType,
							AverageUtilization: ptr.To[int32](50),
						},
					},
				}},
			},
		},
	}
}

// BenchmarkEncodeFleet encodes the objects of one fleet service
// (fleetService) per iteration and reports the cost per object: wall
// time, CPU time of the process (steadier on a busy machine) and bytes
// of YAML. "Encode" is Encode as it is (the direct path); "TwoPass" is
// the document tree and emitter that Encode used before, for comparison.
func BenchmarkEncodeFleet(b *testing.B) {
	objs := fleetService(1)
	bench := func(b *testing.B, encode func(runtime.Object) ([]byte, error)) {
		b.ReportAllocs()
		var bytes int
		start := cputime.Process()
		for b.Loop() {
			for _, o := range objs {
				out, err := encode(o)
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(out)
			}
		}
		cpu := cputime.Process() - start
		n := float64(b.N * len(objs))
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/object")
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/object")
		}
		b.ReportMetric(float64(bytes)/n, "B-out/object")
	}
	b.Run("Encode", func(b *testing.B) { bench(b, Encode) })
	b.Run("TwoPass", func(b *testing.B) {
		bench(b, func(o runtime.Object) ([]byte, error) { return appendEncodeTree(nil, o) })
	})
}
