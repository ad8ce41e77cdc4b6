package manifest

import (
	"context"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestReadTree: what WriteTree writes, ReadTree reads back with the same
// environment, service, source, identity and content.
func TestReadTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	replicas := int32(2)
	objs := []Object{
		{Env: "prod", Service: "web", Source: "services/web.sky:3:5", Obj: &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team"},
			Spec:       appsv1.DeploymentSpec{Replicas: &replicas},
		}},
		{Env: "prod", Service: "web", Obj: &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team"},
			Data:       map[string]string{"a": "b"},
		}},
	}
	Sort(objs)
	if err := WriteTree(context.Background(), dir, objs); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(objs) {
		t.Fatalf("read %d objects, want %d", len(got), len(objs))
	}
	for i := range objs {
		if got[i].String() != objs[i].String() || got[i].Source != objs[i].Source {
			t.Errorf("object %d: got %s (%q), want %s (%q)", i, got[i], got[i].Source, objs[i], objs[i].Source)
		}
		want, _ := Encode(objs[i].Obj)
		have, _ := Encode(got[i].Obj)
		if string(want) != string(have) {
			t.Errorf("object %d: content\n%s\nwant\n%s", i, have, want)
		}
	}
	if _, err := ReadTree(t.TempDir()); err == nil {
		t.Error("ReadTree of a directory without the marker: no error")
	}
}
