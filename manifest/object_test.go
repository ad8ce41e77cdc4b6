package manifest

import (
	"math/rand"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

func om(namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: namespace, Name: name}
}

func tm(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func cr(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

// describeSorted renders objects one a line for comparison.
func describeSorted(objs []Object) string {
	var b strings.Builder
	for _, o := range objs {
		b.WriteString(o.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestSort(t *testing.T) {
	in := []Object{
		{Env: "staging", Service: "web", Obj: &appsv1.Deployment{TypeMeta: tm("apps/v1", "Deployment"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: cr("serving.knative.dev/v1", "Service", "shop", "web")},
		{Env: "prod", Service: "web", Obj: &networkingv1.Ingress{TypeMeta: tm("networking.k8s.io/v1", "Ingress"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: &networkingv1.NetworkPolicy{TypeMeta: tm("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: &autoscalingv2.HorizontalPodAutoscaler{TypeMeta: tm("autoscaling/v2", "HorizontalPodAutoscaler"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: pdb()},
		{Env: "prod", Service: "web", Obj: cronJob()},
		{Env: "prod", Service: "web", Obj: &batchv1.Job{TypeMeta: tm("batch/v1", "Job"), ObjectMeta: om("shop", "migrate")}},
		{Env: "prod", Service: "web", Obj: &appsv1.DaemonSet{TypeMeta: tm("apps/v1", "DaemonSet"), ObjectMeta: om("shop", "agent")}},
		{Env: "prod", Service: "web", Obj: &appsv1.StatefulSet{TypeMeta: tm("apps/v1", "StatefulSet"), ObjectMeta: om("shop", "db")}},
		{Env: "prod", Service: "web", Obj: deployment()},
		{Env: "prod", Service: "web", Obj: service()},
		{Env: "prod", Service: "web", Obj: &corev1.PersistentVolumeClaim{TypeMeta: tm("v1", "PersistentVolumeClaim"), ObjectMeta: om("shop", "data")}},
		{Env: "prod", Service: "web", Obj: &rbacv1.RoleBinding{TypeMeta: tm("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: &rbacv1.Role{TypeMeta: tm("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: &rbacv1.ClusterRoleBinding{TypeMeta: tm("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: om("", "web")}},
		{Env: "prod", Service: "web", Obj: &rbacv1.ClusterRole{TypeMeta: tm("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: om("", "web")}},
		{Env: "prod", Service: "web", Obj: configMap()},
		{Env: "prod", Service: "web", Obj: namedConfigMap("ops", "web-config")},
		{Env: "prod", Service: "web", Obj: secret()},
		{Env: "prod", Service: "web", Obj: &corev1.ServiceAccount{TypeMeta: tm("v1", "ServiceAccount"), ObjectMeta: om("shop", "web")}},
		{Env: "prod", Service: "web", Obj: cr("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com")},
		{Env: "prod", Service: "web", Obj: &corev1.Namespace{TypeMeta: tm("v1", "Namespace"), ObjectMeta: om("", "shop")}},
		{Env: "prod", Service: "web", Obj: customResource()},
		{Env: "prod", Service: "api", Obj: deployment()},
		{Env: "prod", Service: "web", Obj: cr("example.com/v1", "Widget", "shop", "b")},
		{Env: "prod", Service: "web", Obj: cr("example.com/v1", "Widget", "shop", "a")},
		{Env: "prod", Service: "web", Obj: cr("example.com/v2", "Widget", "shop", "a")},
		{Env: "prod", Service: "web", Obj: cr("alpha.example.com/v1", "Widget", "shop", "z")},
	}
	want := `prod/api apps/v1 Deployment shop/web
prod/web v1 Namespace shop
prod/web apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com
prod/web v1 ServiceAccount shop/web
prod/web v1 Secret shop/web-db
prod/web v1 ConfigMap ops/web-config
prod/web v1 ConfigMap shop/web-config
prod/web rbac.authorization.k8s.io/v1 ClusterRole web
prod/web rbac.authorization.k8s.io/v1 ClusterRoleBinding web
prod/web rbac.authorization.k8s.io/v1 Role shop/web
prod/web rbac.authorization.k8s.io/v1 RoleBinding shop/web
prod/web v1 PersistentVolumeClaim shop/data
prod/web v1 Service shop/web
prod/web apps/v1 Deployment shop/web
prod/web apps/v1 StatefulSet shop/db
prod/web apps/v1 DaemonSet shop/agent
prod/web batch/v1 Job shop/migrate
prod/web batch/v1 CronJob shop/web-cleanup
prod/web policy/v1 PodDisruptionBudget shop/web
prod/web autoscaling/v2 HorizontalPodAutoscaler shop/web
prod/web networking.k8s.io/v1 NetworkPolicy shop/web
prod/web networking.k8s.io/v1 Ingress shop/web
prod/web external-secrets.io/v1 ExternalSecret shop/web-db
prod/web serving.knative.dev/v1 Service shop/web
prod/web alpha.example.com/v1 Widget shop/z
prod/web example.com/v1 Widget shop/a
prod/web example.com/v2 Widget shop/a
prod/web example.com/v1 Widget shop/b
staging/web apps/v1 Deployment shop/web
`
	objs := append([]Object(nil), in...)
	Sort(objs)
	if got := describeSorted(objs); got != want {
		t.Errorf("Sort order:\n%s\nwant:\n%s", got, want)
	}

	// The order does not depend on the input order.
	r := rand.New(rand.NewSource(1))
	for range 100 {
		objs := append([]Object(nil), in...)
		r.Shuffle(len(objs), func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
		Sort(objs)
		if got := describeSorted(objs); got != want {
			t.Fatalf("Sort of a shuffled input:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestSortIsStable(t *testing.T) {
	a, b := deployment(), deployment()
	objs := []Object{{Service: "web", Obj: b}, {Service: "web", Obj: service()}, {Service: "web", Obj: a}}
	Sort(objs)
	if objs[1].Obj != runtime.Object(b) || objs[2].Obj != runtime.Object(a) {
		t.Error("equal objects changed their relative order")
	}
	// Source breaks ties before stability does.
	objs = []Object{{Service: "web", Source: "b.sky:1:1", Obj: a}, {Service: "web", Source: "a.sky:1:1", Obj: b}}
	Sort(objs)
	if objs[0].Obj != runtime.Object(b) {
		t.Error("Source does not order otherwise equal objects")
	}
}
