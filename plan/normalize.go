package plan

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/skyc-dev/skyc/manifest"
)

// toUnstructured converts a rendered object to the JSON tree that skyc
// render writes for it, which is what an apply sends.
func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.DeepCopy(), nil
	}
	y, err := manifest.Encode(obj)
	if err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(y)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		return nil, fmt.Errorf("decoding the rendered object: %w", err)
	}
	return u, nil
}

// serverMetadata are the metadata fields the server writes; they differ
// between any two reads and never mean a change of configuration.
var serverMetadata = []string{
	"managedFields", "resourceVersion", "generation", "uid",
	"creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
}

// ignoredAnnotations are annotations that clients and controllers write
// for their own bookkeeping. The first holds a copy of the whole object
// as kubectl last applied it client-side, Secret data included.
var ignoredAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision",
}

// normalize returns a copy of obj's content without what the server
// maintains (status, resourceVersion, managedFields, ...), so that two reads
// of an unchanged object are equal.
func normalize(obj *unstructured.Unstructured) map[string]any {
	if obj == nil {
		return nil
	}
	c := runtime.DeepCopyJSON(obj.Object)
	delete(c, "status")
	if md, ok := c["metadata"].(map[string]any); ok {
		for _, f := range serverMetadata {
			delete(md, f)
		}
		if ann, ok := md["annotations"].(map[string]any); ok {
			for _, a := range ignoredAnnotations {
				delete(ann, a)
			}
			if len(ann) == 0 {
				delete(md, "annotations")
			}
		}
	}
	return c
}

// jsonUnmarshal decodes JSON as unstructured objects do: integers as
// int64.
func jsonUnmarshal(data []byte, v any) error { return utiljson.Unmarshal(data, v) }
