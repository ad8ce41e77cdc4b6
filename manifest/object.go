package manifest

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one rendered object and where it came from.
type Object struct {
	// Env is the environment the object was rendered for, e.g. "staging",
	// or "" when rendering without environments.
	Env string
	// Service is the name of the service that made the object: the base
	// name of its .sky file.
	Service string
	// Source is the position of the .sky call that made the object, as
	// "path/to/file.sky:12:5", or "" if unknown.
	Source string
	// Obj is the object: a pointer to a k8s.io/api struct whose apiVersion
	// and kind are set, or an *unstructured.Unstructured (custom resources).
	// It is nil for a Document.
	Obj runtime.Object
	// Doc, when not nil, makes the object a document that is not a
	// Kubernetes object (a CloudFormation template, an IAM role); Obj is
	// then nil.
	Doc *Document
	// Encoded, when not nil, is the YAML document Encode gives for Obj
	// (without the "# Source" header): WriteStream and WriteTree write it
	// instead of encoding Obj again. Obj must still give the object's
	// identity (apiVersion, kind, namespace and name) for Sort and file
	// names; an object from the render cache has only that, as a
	// *metav1.PartialObjectMetadata.
	Encoded []byte
}

// String describes o for messages: "staging/web apps/v1 Deployment team/web",
// or for a document "staging/web CloudFormationTemplate web-staging".
func (o Object) String() string {
	id := identify(o.Obj)
	s := o.Service
	if o.Env != "" {
		s = o.Env + "/" + s
	}
	if o.Doc != nil {
		return fmt.Sprintf("%s %s %s", s, o.Doc.Kind, o.Doc.Name)
	}
	gv := id.gvk.GroupVersion().String()
	name := id.name
	if id.namespace != "" {
		name = id.namespace + "/" + name
	}
	return fmt.Sprintf("%s %s %s %s", s, gv, id.gvk.Kind, name)
}

// origin names where o came from: "staging/web (services/web.sky:12:5)".
func (o Object) origin() string {
	s := o.Service
	if o.Env != "" {
		s = o.Env + "/" + s
	}
	if o.Source != "" {
		s += " (" + o.Source + ")"
	}
	return s
}

// identity is what Sort and WriteTree need to know of an object.
type identity struct {
	gvk       schema.GroupVersionKind
	namespace string
	name      string
}

// identify reads the identity of obj. An object without apiVersion and kind
// falls back to its Go type's name for the kind; one without metadata has
// an empty name.
func identify(obj runtime.Object) identity {
	var id identity
	if obj == nil {
		return id
	}
	id.gvk = groupVersionKind(obj)
	if id.gvk.Kind == "" {
		t := reflect.TypeOf(obj)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		id.gvk.Kind = t.Name()
	}
	if m, err := meta.Accessor(obj); err == nil {
		id.namespace = m.GetNamespace()
		id.name = m.GetName()
	}
	return id
}

// kindOrder is the install order of well-known kinds: what others depend on
// comes first. Kinds not listed follow, alphabetically.
var kindOrder = map[schema.GroupKind]int{
	{Group: "", Kind: "Namespace"}:                                    0,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: 1,
	{Group: "", Kind: "ServiceAccount"}:                               2,
	{Group: "", Kind: "Secret"}:                                       3,
	{Group: "", Kind: "ConfigMap"}:                                    4,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:         5,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:  6,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:                7,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:         8,
	{Group: "", Kind: "PersistentVolumeClaim"}:                        9,
	{Group: "", Kind: "Service"}:                                      10,
	{Group: "apps", Kind: "Deployment"}:                               11,
	{Group: "apps", Kind: "StatefulSet"}:                              12,
	{Group: "apps", Kind: "DaemonSet"}:                                13,
	{Group: "batch", Kind: "Job"}:                                     14,
	{Group: "batch", Kind: "CronJob"}:                                 15,
	{Group: "policy", Kind: "PodDisruptionBudget"}:                    16,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}:           17,
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:               18,
	{Group: "networking.k8s.io", Kind: "Ingress"}:                     19,
}

// otherKinds is the rank of kinds not in kindOrder.
const otherKinds = 20

// documentRank is the rank of documents (Object.Doc): after every kind.
const documentRank = otherKinds + 1

func kindRank(gk schema.GroupKind) int {
	if r, ok := kindOrder[gk]; ok {
		return r
	}
	return otherKinds
}

// sortKey is an object's position in the canonical order.
type sortKey struct {
	env, service string
	rank         int
	id           identity
	source       string
}

func keyOf(o Object) sortKey {
	if o.Doc != nil {
		// Documents follow the service's Kubernetes objects, by path.
		return sortKey{env: o.Env, service: o.Service, rank: documentRank,
			id: identity{gvk: schema.GroupVersionKind{Kind: o.Doc.Kind}, name: o.Doc.Path}, source: o.Source}
	}
	id := identify(o.Obj)
	return sortKey{
		env:     o.Env,
		service: o.Service,
		rank:    kindRank(id.gvk.GroupKind()),
		id:      id,
		source:  o.Source,
	}
}

func compareKeys(a, b *sortKey) int {
	// Field by field, stopping at the first difference (cmp.Or would
	// compare them all).
	if c := strings.Compare(a.env, b.env); c != 0 {
		return c
	}
	if c := strings.Compare(a.service, b.service); c != 0 {
		return c
	}
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	if c := strings.Compare(a.id.gvk.Kind, b.id.gvk.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.id.gvk.Group, b.id.gvk.Group); c != 0 {
		return c
	}
	if c := strings.Compare(a.id.namespace, b.id.namespace); c != 0 {
		return c
	}
	if c := strings.Compare(a.id.name, b.id.name); c != 0 {
		return c
	}
	if c := strings.Compare(a.id.gvk.Version, b.id.gvk.Version); c != 0 {
		return c
	}
	return strings.Compare(a.source, b.source)
}

// Sort puts objs into the canonical order: by Env, then Service, then kind
// in install order (Namespace, CustomResourceDefinition, ServiceAccount,
// Secret, ConfigMap, ClusterRole, ClusterRoleBinding, Role, RoleBinding,
// PersistentVolumeClaim, Service, Deployment, StatefulSet, DaemonSet, Job,
// CronJob, PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy,
// Ingress, then every other kind alphabetically, then documents by kind and
// path), then API group, namespace, name, API version and Source. Kinds are matched with their API group, so a
// custom resource named Service is not a core Service. The sort is stable:
// objects equal in all of these keep their relative order.
func Sort(objs []Object) {
	// Renders of thousands of services sort tens of thousands of objects
	// that are mostly in order already: confirming that costs one key per
	// object and no allocation.
	if len(objs) < 2 {
		return
	}
	prev := keyOf(objs[0])
	for i := 1; ; i++ {
		if i == len(objs) {
			return
		}
		k := keyOf(objs[i])
		if compareKeys(&prev, &k) > 0 {
			break
		}
		prev = k
	}
	// Keys are computed once, and the sort moves pointers to them rather
	// than the objects.
	keys := make([]keyed, len(objs))
	ptrs := make([]*keyed, len(objs))
	for i, o := range objs {
		keys[i] = keyed{keyOf(o), i}
		ptrs[i] = &keys[i]
	}
	slices.SortStableFunc(ptrs, func(a, b *keyed) int { return compareKeys(&a.key, &b.key) })
	sorted := make([]Object, len(objs))
	for i, k := range ptrs {
		sorted[i] = objs[k.index]
	}
	copy(objs, sorted)
}

// keyed is an object's sort key and its index in the slice being sorted.
type keyed struct {
	key   sortKey
	index int
}
