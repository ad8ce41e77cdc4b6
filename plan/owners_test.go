package plan

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// managed builds an object with the given managers' FieldsV1.
func managed(t *testing.T, obj map[string]any, entries map[string]string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: obj}
	var mf []metav1.ManagedFieldsEntry
	for _, m := range []string{"skyc", "kubectl", "kube-controller-manager"} {
		if f, ok := entries[m]; ok {
			mf = append(mf, metav1.ManagedFieldsEntry{Manager: m, Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(f)}})
		}
	}
	u.SetManagedFields(mf)
	return u
}

func TestOwnersOf(t *testing.T) {
	obj := tree(t, `
metadata: {labels: {app: web}}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{containerPort: 8080, protocol: TCP}]
`)
	u := managed(t, obj, map[string]string{
		"skyc":    `{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:selector":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}`,
		"kubectl": `{"f:spec":{"f:replicas":{}}}`,
	})
	own := ownersOf(u)
	// Paths as diffTrees would build them, from a diff against an empty
	// object.
	paths := map[string][]string{}
	for _, d := range diffTrees(obj, map[string]any{}) {
		paths[d.path.String()] = own.of(d.path)
	}
	for _, d := range diffTrees(tree(t, "spec: {selector: {matchLabels: {app: other}}, template: {spec: {containers: [{name: web, image: web:2, ports: [{containerPort: 8080, protocol: TCP, name: http}]}]}}}"), obj) {
		paths[d.path.String()] = own.of(d.path)
	}
	for path, want := range map[string][]string{
		"metadata":                      {"skyc"},
		"spec.replicas":                 {"kubectl"},
		"spec.selector.matchLabels.app": {"skyc"}, // atomic parent
		"spec.template.spec.containers[name=web].image":                                       {"skyc"},
		"spec.template.spec.containers[name=web].ports[containerPort=8080,protocol=TCP].name": {},
	} {
		got, ok := paths[path]
		if !ok {
			t.Errorf("%s: no such path among %v", path, paths)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: owners %v, want %v", path, got, want)
		}
	}
}
