package manifest

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// groupVersionKind returns obj.GetObjectKind().GroupVersionKind(). For
// the objects that embed metav1.TypeMeta (every k8s.io/api type, and the
// identities the render cache gives out) it parses apiVersion itself:
// schema.ParseGroupVersion counts the slashes with strings.Count, which
// cost a warm render of 3000 services several milliseconds in Sort alone.
func groupVersionKind(obj runtime.Object) schema.GroupVersionKind {
	kind := obj.GetObjectKind()
	if tm, ok := kind.(*metav1.TypeMeta); ok {
		return ParseGVK(tm.APIVersion, tm.Kind)
	}
	return kind.GroupVersionKind()
}

// ParseGVK returns what schema.FromAPIVersionAndKind(apiVersion, kind)
// returns, without its cost: "group/version" splits at the slash, a
// string without one is a version of the core group, and one with more
// than one slash (which ParseGroupVersion rejects) gives the kind alone.
func ParseGVK(apiVersion, kind string) schema.GroupVersionKind {
	i := strings.IndexByte(apiVersion, '/')
	if i < 0 {
		return schema.GroupVersionKind{Version: apiVersion, Kind: kind}
	}
	version := apiVersion[i+1:]
	if strings.IndexByte(version, '/') >= 0 {
		return schema.GroupVersionKind{Kind: kind}
	}
	return schema.GroupVersionKind{Group: apiVersion[:i], Version: version, Kind: kind}
}
