package testcluster

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRDs creates CustomResourceDefinitions in the cluster, for real
// (a dry run of a custom resource needs its CRD installed), and waits
// until the API server serves each: its Established condition is True.
// A CRD that exists already is left as it is.
func InstallCRDs(ctx context.Context, cfg *rest.Config, objs []*unstructured.Unstructured) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("installing CRDs: dynamic client: %w", err)
	}
	for _, o := range objs {
		if o.GroupVersionKind() != crds.GroupVersion().WithKind("CustomResourceDefinition") {
			return fmt.Errorf("installing CRDs: %s %s is not a CustomResourceDefinition", o.GetAPIVersion(), o.GetKind())
		}
		in := o.DeepCopy()
		in.SetResourceVersion("")
		_, err := dyn.Resource(crds).Create(ctx, in, metav1.CreateOptions{FieldManager: "skyc-e2e"})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("installing CRD %s: %w", o.GetName(), err)
		}
	}
	for _, o := range objs {
		if err := waitEstablished(ctx, dyn, o.GetName()); err != nil {
			return err
		}
	}
	return nil
}

// waitEstablished polls a CRD until its Established condition is True.
func waitEstablished(ctx context.Context, dyn dynamic.Interface, name string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := dyn.Resource(crds).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s is not established: %w (last error: %v)", name, ctx.Err(), err)
		case <-tick.C:
		}
	}
}
