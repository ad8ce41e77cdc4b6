package manifest

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestParseGVK checks ParseGVK against the parse it replaces.
func TestParseGVK(t *testing.T) {
	for _, v := range []string{"", "/", "v1", "apps/v1", "a/b/c", "/v1", "apps/", "//", "a//", "x.example.com/v1beta1"} {
		want := schema.FromAPIVersionAndKind(v, "K")
		if got := ParseGVK(v, "K"); got != want {
			t.Errorf("ParseGVK(%q) = %#v, want %#v", v, got, want)
		}
	}
}

func FuzzParseGVK(f *testing.F) {
	f.Add("apps/v1", "Deployment")
	f.Add("a/b/c", "")
	f.Fuzz(func(t *testing.T, v, kind string) {
		if got, want := ParseGVK(v, kind), schema.FromAPIVersionAndKind(v, kind); got != want {
			t.Errorf("ParseGVK(%q, %q) = %#v, want %#v", v, kind, got, want)
		}
	})
}

// TestGroupVersionKind checks the fast path for TypeMeta and the general
// one (an Unstructured keeps its apiVersion in a map).
func TestGroupVersionKind(t *testing.T) {
	id := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}}
	if got, want := groupVersionKind(id), (schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}); got != want {
		t.Errorf("TypeMeta: %#v, want %#v", got, want)
	}
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("example.com/v1")
	u.SetKind("Widget")
	if got, want := groupVersionKind(u), (schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}); got != want {
		t.Errorf("Unstructured: %#v, want %#v", got, want)
	}
}
