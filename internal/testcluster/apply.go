package testcluster

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Result is the server's verdict on one object of a dry run.
type Result struct {
	// Object is the object as sent: a copy of the input, with the
	// namespace defaulted to "default" for namespaced kinds.
	Object *unstructured.Unstructured

	// Applied is the object as the server would store it (defaults filled
	// in, managedFields set); nil when Err is set.
	Applied *unstructured.Unstructured

	// Err is why the object was rejected. A rejection by the server is
	// the client's *apierrors.StatusError, unwrapped, so
	// apierrors.IsInvalid and the status causes (field paths) are at hand;
	// other failures (an unknown kind, a missing name) are wrapped errors.
	Err error
}

// DryRunApply sends each object through server-side apply with dryRun=All
// and force, as fieldManager, and returns one Result per object in order.
// Nothing is stored except the namespaces the objects live in: those are
// created for real when missing (with their "default" ServiceAccount, which
// controllers would otherwise add), since a dry run into a missing namespace
// fails. The error is for failures that concern no single object, such as
// building the clients.
//
// Custom resources are mapped by discovery, so their CRD must already be
// installed: a CRD in objs is only dry-run, not created.
func DryRunApply(ctx context.Context, cfg *rest.Config, objs []*unstructured.Unstructured, fieldManager string) ([]Result, error) {
	if fieldManager == "" {
		return nil, fmt.Errorf("dry-run apply: empty field manager")
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dry-run apply: dynamic client: %w", err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dry-run apply: discovery client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapperWithContext(memory.NewMemCacheClientWithContext(disco))

	ready := map[string]bool{} // namespaces known to exist
	results := make([]Result, len(objs))
	for i, in := range objs {
		obj := in.DeepCopy()
		// Apply rejects a body that carries managedFields.
		obj.SetManagedFields(nil)
		results[i].Object = obj
		results[i].Applied, results[i].Err = dryRunOne(ctx, dyn, mapper, ready, obj, fieldManager)
	}
	return results, nil
}

func dryRunOne(ctx context.Context, dyn dynamic.Interface,
	mapper *restmapper.DeferredDiscoveryRESTMapper, ready map[string]bool,
	obj *unstructured.Unstructured, fieldManager string) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	what := fmt.Sprintf("%s %q", gvk.Kind, obj.GetName())
	if obj.GetName() == "" {
		return nil, fmt.Errorf("%s %s: no metadata.name", gvk.GroupVersion(), gvk.Kind)
	}
	mapping, err := mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// Discovery may predate a CRD installed since; look once more.
		mapper.ResetWithContext(ctx)
		mapping, err = mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: mapping %s to a resource: %w", what, gvk, err)
	}

	var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
			obj.SetNamespace(ns)
		}
		if !ready[ns] {
			if err := ensureNamespace(ctx, dyn, ns); err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			ready[ns] = true
		}
		ri = dyn.Resource(mapping.Resource).Namespace(ns)
	}
	// A server rejection comes back as *apierrors.StatusError; return it
	// as is so callers can inspect it.
	return ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{
		FieldManager: fieldManager,
		Force:        true,
		DryRun:       []string{metav1.DryRunAll},
	})
}

var (
	namespaces      = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	serviceAccounts = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
)

// ensureNamespace creates namespace ns and its "default" ServiceAccount if
// they do not exist. Without a controller manager nothing else creates the
// account, and the ServiceAccount admission plugin rejects pods without it.
func ensureNamespace(ctx context.Context, dyn dynamic.Interface, ns string) error {
	_, err := dyn.Resource(namespaces).Create(ctx, newObject("Namespace", ns), metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %q: %w", ns, err)
	}
	_, err = dyn.Resource(serviceAccounts).Namespace(ns).Create(ctx, newObject("ServiceAccount", "default"), metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default service account of namespace %q: %w", ns, err)
	}
	return nil
}

// newObject returns a core/v1 object with only a kind and a name.
func newObject(kind, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind(kind)
	u.SetName(name)
	return u
}
