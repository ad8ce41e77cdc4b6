package manifest

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// Test objects, built with the k8s.io/api Go types the way lang's output
// bridge builds them: TypeMeta set, everything else as the author wrote it.

func webLabels() map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":    "web",
		"app.kubernetes.io/part-of": "shop",
	}
}

// deployment is a realistic Deployment: resources, probes, an emptyDir
// volume, an explicitly empty container securityContext, and nothing set in
// strategy or the template's creationTimestamp.
func deployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      "web",
			Namespace: "shop",
			Labels:    webLabels(),
			Annotations: map[string]string{
				"skyc.dev/source": "services/web.sky:12:5",
				"cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
			},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr.To[int32](3),
			RevisionHistoryLimit: ptr.To[int32](5),
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: webLabels()},
				Spec: corev1.PodSpec{
					ServiceAccountName:            "web",
					TerminationGracePeriodSeconds: ptr.To[int64](30),
					Containers: []corev1.Container{{
						Name:  "web",
						Image: "registry.example.com/shop/web:1.4.2",
						Args:  []string{"--listen=:8080", "--log-format=json"},
						Ports: []corev1.ContainerPort{
							{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
							{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP},
						},
						Env: []corev1.EnvVar{
							{Name: "LOG_LEVEL", Value: "info"},
							{Name: "FEATURE_FLAGS", Value: "true"},
							{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
								SecretKeyRef: &corev1.SecretKeySelector{
									LocalObjectReference: corev1.LocalObjectReference{Name: "web-db"},
									Key:                  "password",
								},
							}},
						},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse("250m"),
								corev1.ResourceMemory: resource.MustParse("256Mi"),
							},
							Limits: corev1.ResourceList{
								corev1.ResourceMemory: resource.MustParse("512Mi"),
							},
						},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{
								HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")},
							},
							PeriodSeconds:    10,
							FailureThreshold: 3,
						},
						LivenessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{
								TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)},
							},
							InitialDelaySeconds: 15,
						},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "tmp", MountPath: "/tmp"},
						},
						SecurityContext: &corev1.SecurityContext{},
					}},
					Volumes: []corev1.Volume{{
						Name:         "tmp",
						VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
					}},
				},
			},
		},
	}
}

func service() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: webLabels()},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{"app.kubernetes.io/name": "web"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
				{Name: "metrics", Port: 9090, TargetPort: intstr.FromInt32(9090)},
			},
		},
	}
}

func secret() *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-db", Namespace: "shop"},
		Type:       corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			"password": []byte("s3cr3t\n"),
			"username": []byte("web"),
		},
		StringData: map[string]string{}, // empty and omitempty: not printed
	}
}

func configMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-config", Namespace: "shop"},
		Data: map[string]string{
			"config.yaml": "listen: :8080\nlog:\n  format: json\n",
			"replicas":    "3",
			"enabled":     "yes",
			"empty":       "",
		},
	}
}

func cronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-cleanup", Namespace: "shop", Labels: webLabels()},
		Spec: batchv1.CronJobSpec{
			Schedule:                   "*/15 * * * *",
			TimeZone:                   ptr.To("Europe/Berlin"),
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			SuccessfulJobsHistoryLimit: ptr.To[int32](1),
			JobTemplate: batchv1.JobTemplateSpec{
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr.To[int32](2),
					Template: corev1.PodTemplateSpec{
						Spec: corev1.PodSpec{
							RestartPolicy: corev1.RestartPolicyOnFailure,
							Containers: []corev1.Container{{
								Name:    "cleanup",
								Image:   "registry.example.com/shop/web:1.4.2",
								Command: []string{"/web", "cleanup", "--older-than=24h"},
							}},
						},
					},
				},
			},
		},
	}
}

func pdb() *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromString("25%")),
			Selector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "web"}},
		},
	}
}

// customResource is an unstructured custom resource as a CRD-typed .sky
// call produces it, with a status and a null creationTimestamp as
// runtime.DefaultUnstructuredConverter would leave them.
func customResource() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "external-secrets.io/v1",
		"kind":       "ExternalSecret",
		"metadata": map[string]any{
			"name":              "web-db",
			"namespace":         "shop",
			"creationTimestamp": nil,
			"labels":            map[string]any{"app.kubernetes.io/name": "web"},
		},
		"spec": map[string]any{
			"refreshInterval": "1h",
			"secretStoreRef":  map[string]any{"kind": "ClusterSecretStore", "name": "aws-secrets-manager"},
			"target":          map[string]any{"name": "web-db", "creationPolicy": "Owner"},
			"data": []any{
				map[string]any{
					"secretKey": "password",
					"remoteRef": map[string]any{"key": "prod/shop/web-db", "property": "password"},
				},
			},
			"dataFrom":  []any{},          // empty but set: kept
			"template":  map[string]any{}, // empty but set: kept
			"retries":   int64(3),
			"ratio":     0.5,
			"whole":     2.0,
			"optional":  nil,
			"enableTLS": true,
		},
		"status": map[string]any{"conditions": []any{}},
	}}
}

func namedConfigMap(namespace, name string) *corev1.ConfigMap {
	cm := configMap()
	cm.Namespace, cm.Name = namespace, name
	return cm
}

func knativeService() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "serving.knative.dev/v1",
		"kind":       "Service",
		"metadata":   map[string]any{"name": "web", "namespace": "shop"},
	}}
}
