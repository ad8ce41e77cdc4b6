package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skyc-dev/skyc/live"
	"github.com/skyc-dev/skyc/manifest"
)

// FieldManager is the field manager skyc applies as, and whose fields
// are skyc's own.
const FieldManager = "skyc"

// Cluster is the live state of one Kubernetes cluster, as a [*live.Kube]
// reads it.
type Cluster interface {
	// Get returns the live object with obj's identity, nil if there is none.
	Get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error)
	// DryRunApply returns what a forced server-side apply of obj would store.
	DryRunApply(ctx context.Context, obj *unstructured.Unstructured, fieldManager string) (*unstructured.Unstructured, error)
	// List returns the objects of a kind matching a label selector, in
	// the given namespaces, or everywhere when there are none.
	List(ctx context.Context, gk schema.GroupKind, selector string, namespaces []string) ([]unstructured.Unstructured, error)
	// Namespaced reports whether a kind's objects live in namespaces.
	Namespaced(ctx context.Context, gvk schema.GroupVersionKind) (bool, error)
}

var _ Cluster = (*live.Kube)(nil)

// KubeTarget is one cluster to compare an environment's render against.
type KubeTarget struct {
	// Env is the environment whose objects are compared.
	Env string
	// Context is the kubeconfig context, for naming the target.
	Context string
	// Connect connects to the cluster and returns it with its API
	// server's URL.
	Connect func(ctx context.Context) (Cluster, string, error)
}

// Name is the target's name in a plan: "<env>/<context>".
func (t KubeTarget) Name() string {
	ctx := t.Context
	if ctx == "" {
		ctx = "(current context)"
	}
	if t.Env == "" {
		return ctx
	}
	return t.Env + "/" + ctx
}

// Options configure a plan. The zero value is sensible.
type Options struct {
	// Parallel bounds how many targets are compared at once; zero means 4.
	Parallel int
	// ObjectParallel bounds how many objects of one target are compared
	// at once; zero means 4.
	ObjectParallel int
	// Prune says which live objects no longer rendered are deletions.
	Prune Prune
	// Masker hides sensitive values; nil means NewMasker().
	Masker *Masker
	// FieldManager is the field manager of the dry runs; "" means
	// [FieldManager].
	FieldManager string
}

func (o Options) withDefaults() Options {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.ObjectParallel <= 0 {
		o.ObjectParallel = 4
	}
	if o.Masker == nil {
		o.Masker = NewMasker()
	}
	if o.FieldManager == "" {
		o.FieldManager = FieldManager
	}
	return o
}

// Prune says which live objects that are no longer rendered are deletions:
// those carrying the ownership labels (manifest.ServiceLabel and
// manifest.EnvironmentLabel) of the environment and, unless every
// service was rendered, of the rendered services.
type Prune struct {
	// Disabled turns pruning off.
	Disabled bool
	// Services limits pruning to the objects of these services. Empty
	// means every object of the environment: the whole repository was
	// rendered, so a service that is gone is gone.
	Services []string
	// Kinds are looked at besides [DefaultPruneKinds] and the rendered
	// kinds.
	Kinds []schema.GroupKind
}

// DefaultPruneKinds are the kinds listed for objects to prune.
var DefaultPruneKinds = []schema.GroupKind{
	{Kind: "Namespace"}, {Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
	{Kind: "ServiceAccount"}, {Kind: "Secret"}, {Kind: "ConfigMap"},
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, {Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"},
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}, {Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"},
	{Kind: "PersistentVolumeClaim"}, {Kind: "Service"},
	{Group: "apps", Kind: "Deployment"}, {Group: "apps", Kind: "StatefulSet"}, {Group: "apps", Kind: "DaemonSet"},
	{Group: "batch", Kind: "Job"}, {Group: "batch", Kind: "CronJob"},
	{Group: "policy", Kind: "PodDisruptionBudget"}, {Group: "autoscaling", Kind: "HorizontalPodAutoscaler"},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}, {Group: "networking.k8s.io", Kind: "Ingress"},
}

// Kubernetes compares the Kubernetes objects of objs (documents are left
// to [AWS]) with the clusters of targets: each target gets the objects of
// its environment. Targets are compared concurrently; one
// that fails is reported in the plan without hiding the others.
func Kubernetes(ctx context.Context, objs []manifest.Object, targets []KubeTarget, opts Options) *Plan {
	opts = opts.withDefaults()
	objs, _, _ = Split(objs) // documents go to AWS
	byEnv := map[string][]manifest.Object{}
	for _, o := range objs {
		byEnv[o.Env] = append(byEnv[o.Env], o)
	}
	parts := make([]*Plan, len(targets))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			parts[i] = compareTarget(ctx, t, byEnv[t.Env], opts)
		}()
	}
	wg.Wait()
	p := &Plan{}
	for _, part := range parts {
		p.Merge(part)
	}
	p.sortTargets()
	return p
}

// compareTarget compares one cluster.
func compareTarget(ctx context.Context, t KubeTarget, objs []manifest.Object, opts Options) *Plan {
	tgt := &Target{Name: t.Name(), Env: t.Env, Source: "kubernetes", Context: t.Context, Objects: len(objs)}
	p := &Plan{Targets: []*Target{tgt}}
	c, server, err := t.Connect(ctx)
	tgt.Server = server
	if err != nil {
		tgt.Err = opts.Masker.Redact(err.Error())
		return p
	}
	k := &kubeCompare{c: c, target: tgt, opts: opts, rendered: map[string]bool{}, crds: map[schema.GroupKind]bool{}, namespaces: map[string]bool{}}
	// What the render holds, for notes and pruning.
	units := make([]*unit, len(objs))
	for i, o := range objs {
		u, err := toUnstructured(o.Obj)
		units[i] = &unit{obj: o, u: u, err: err}
		if err != nil {
			continue
		}
		gvk := u.GroupVersionKind()
		if gvk.GroupKind() == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			k.crds[schema.GroupKind{Group: group, Kind: kind}] = true
		}
		if gvk.GroupKind() == (schema.GroupKind{Kind: "Namespace"}) {
			k.namespaces[u.GetName()] = true
		}
	}
	sem := make(chan struct{}, opts.ObjectParallel)
	var wg sync.WaitGroup
	for _, un := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			k.compare(ctx, un)
		}()
	}
	wg.Wait()
	down := k.serverDown(units)
	if down != nil {
		// The server went away: one error for the target, not one per
		// object; what was compared before stays in the plan.
		n := 0
		for _, un := range units {
			if un.problem != nil && live.Unreachable(un.cause) {
				un.problem, un.lost = nil, true
				n++
			}
		}
		tgt.Err = k.opts.Masker.Redactf("%v (%d of %d objects not compared)", down, n, len(units))
	}
	var changes []*Change
	for _, un := range units {
		switch {
		case un.lost:
		case un.problem != nil:
			p.Problems = append(p.Problems, un.problem)
		case un.change != nil:
			changes = append(changes, un.change)
		default:
			tgt.Unchanged++
		}
		if un.u != nil {
			k.rendered[identityKey(un.u.GroupVersionKind().GroupKind(), un.u.GetNamespace(), un.u.GetName())] = true
		}
	}
	if !opts.Prune.Disabled && down == nil {
		// (Without the server, what to delete cannot be listed.)
		deletions, problems := k.prune(ctx, units)
		changes = append(changes, deletions...)
		p.Problems = append(p.Problems, problems...)
	}
	p.Changes = orderChanges(changes)
	return p
}

// kubeCompare is the comparison of one target.
type kubeCompare struct {
	c          Cluster
	target     *Target
	opts       Options
	rendered   map[string]bool           // identityKey of every rendered object
	crds       map[schema.GroupKind]bool // kinds whose CRD is rendered
	namespaces map[string]bool           // rendered namespaces
}

// unit is one rendered object and its outcome.
type unit struct {
	obj     manifest.Object
	u       *unstructured.Unstructured
	err     error
	change  *Change
	problem *Problem
	cause   error // the error the problem reports, if one did
	lost    bool  // not compared: the server was lost (see serverDown)
}

// serverDown returns the error of a target whose server the comparisons
// gave up on (see live.ServerDownError), or nil.
func (k *kubeCompare) serverDown(units []*unit) error {
	for _, un := range units {
		var down *live.ServerDownError
		if un.problem != nil && errors.As(un.cause, &down) {
			return down
		}
	}
	return nil
}

func identityKey(gk schema.GroupKind, ns, name string) string {
	return gk.Group + "/" + gk.Kind + "/" + ns + "/" + name
}

func (k *kubeCompare) problem(un *unit, format string, args ...any) {
	addr := ""
	if un.u != nil {
		addr = (&Change{Kind: un.u.GetKind(), Namespace: un.u.GetNamespace(), Name: un.u.GetName()}).Address()
	}
	un.problem = &Problem{
		Target: k.target.Name, Env: k.target.Env, Service: un.obj.Service, Source: un.obj.Source,
		Address: addr, Message: k.opts.Masker.Redactf(format, args...),
	}
	for _, a := range args {
		if err, ok := a.(error); ok {
			un.cause = err
		}
	}
}

// compare decides what applying un's object would do.
func (k *kubeCompare) compare(ctx context.Context, un *unit) {
	if un.err != nil {
		k.problem(un, "%v", un.err)
		return
	}
	u := un.u
	gvk := u.GroupVersionKind()
	gk := gvk.GroupKind()
	namespaced, err := k.c.Namespaced(ctx, gvk)
	var unknown *live.UnknownKindError
	if errors.As(err, &unknown) && k.crds[gk] {
		namespaced, err = u.GetNamespace() != "", nil
		defer func() {
			if un.change != nil {
				un.change.Notes = append(un.change.Notes, "its CustomResourceDefinition is created by this plan, so the server has not checked it")
			}
		}()
	}
	if err != nil {
		k.problem(un, "%v", err)
		return
	}
	if namespaced && u.GetNamespace() == "" {
		u.SetNamespace(metav1.NamespaceDefault)
	}
	ch := &Change{
		Target: k.target.Name, Env: k.target.Env, Service: un.obj.Service, Source: un.obj.Source,
		APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
	}
	if unknown != nil {
		ch.Action = Create
		ch.After = k.masked(gk, normalize(u))
		un.change = ch
		return
	}

	liveObj, err := k.c.Get(ctx, u)
	if err != nil {
		k.problem(un, "reading the live object: %v", err)
		return
	}
	predicted, err := k.c.DryRunApply(ctx, u, k.opts.FieldManager)
	if liveObj == nil {
		ch.Action = Create
		ch.After = k.masked(gk, normalize(u))
		if err != nil {
			if ns, ok := missingNamespace(err); ok {
				note := fmt.Sprintf("namespace %q does not exist yet", ns)
				if k.namespaces[ns] {
					note += " (this plan creates it)"
				}
				ch.Notes = append(ch.Notes, note+", so the server has not checked the object")
			} else {
				k.problem(un, "the API server rejects it: %v", err)
				return
			}
		}
		un.change = ch
		return
	}

	ch.Action = Update
	var serverImmutable []string
	if err != nil {
		fields, ok := immutableRejection(err)
		if !ok {
			k.problem(un, "the API server rejects it: %v", err)
			return
		}
		ch.Action = Recreate
		serverImmutable = fields
		predicted = &unstructured.Unstructured{Object: overlay(normalize(liveObj), normalize(u)).(map[string]any)}
		ch.Notes = append(ch.Notes, k.opts.Masker.Redactf("the API server refuses to change it in place: %v", err))
	}
	before := k.masked(gk, normalize(liveObj))
	after := k.masked(gk, normalize(predicted))
	deltas := diffTrees(before, after)
	if len(deltas) == 0 && ch.Action == Update {
		return // unchanged
	}
	immutable := append(immutablePaths(gk, before), serverImmutable...)
	ch.Before, ch.After = before, after
	ch.Fields = k.fields(gk, deltas, ownersOf(liveObj), immutable, ch.Action == Recreate, before, after)
	if ch.Action == Recreate {
		ch.Destructive = "recreate: " + immutableSummary(ch.Fields, serverImmutable) + " can't change in place; the object is deleted and created again"
	}
	un.change = ch
}

// masked hides obj's sensitive values and returns it.
func (k *kubeCompare) masked(gk schema.GroupKind, obj map[string]any) map[string]any {
	k.opts.Masker.Mask(gk, obj)
	return obj
}

// fields classifies each delta.
func (k *kubeCompare) fields(gk schema.GroupKind, deltas []delta, own owners, immutable []string, recreate bool, objs ...map[string]any) []Field {
	return classify(gk, deltas, own, immutable, recreate, k.opts.FieldManager, k.opts.Masker.sensitivePaths(gk, objs...))
}

// classify turns deltas into Fields: immutable when the object is recreated
// and the field is one that forces it, drift when another field manager
// owns the live value, config otherwise.
func classify(gk schema.GroupKind, deltas []delta, own owners, immutable []string, recreate bool, fieldManager string, sensitive []string) []Field {
	fields := make([]Field, 0, len(deltas))
	for _, d := range deltas {
		names := d.path.fieldNames()
		f := Field{Path: d.path.String(), Class: Config, Before: d.before, After: d.after, Sensitive: underAny(names, sensitive)}
		switch {
		case d.before == absent:
			f.Op, f.Before = Add, nil
		case d.after == absent:
			f.Op, f.After = Remove, nil
		default:
			f.Op = Modify
		}
		switch {
		case recreate && underAny(names, immutable):
			f.Class = Immutable
		case d.before != absent:
			if m := own.of(d.path); len(m) > 0 && !slices.Contains(m, fieldManager) {
				f.Class, f.Managers = Drift, m
			}
		}
		fields = append(fields, f)
	}
	return fields
}

// immutableSummary names the immutable fields that change, for a
// destructive change's reason.
func immutableSummary(fields []Field, server []string) string {
	var names []string
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Class == Immutable && !seen[f.Path] {
			seen[f.Path] = true
			names = append(names, f.Path)
		}
	}
	if len(names) == 0 {
		for _, s := range server {
			if !seen[s] {
				seen[s] = true
				names = append(names, s)
			}
		}
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("%d more", len(names)-3))
	}
	if len(names) == 0 {
		return "a field that"
	}
	return "immutable field " + strings.Join(names, ", ")
}

// missingNamespace reports whether err says a namespace does not exist.
func missingNamespace(err error) (string, bool) {
	var status *apierrors.StatusError
	if !errors.As(err, &status) || !apierrors.IsNotFound(err) {
		return "", false
	}
	d := status.ErrStatus.Details
	if d == nil || d.Kind != "namespaces" {
		return "", false
	}
	return d.Name, true
}

// prune finds the live objects with the ownership labels of the target's
// environment (and services) that the render no longer holds.
//
// Namespaced objects are looked for only in the namespaces the render
// puts objects in (and the namespaces it renders), and cluster-scoped ones
// only with the label of a rendered service: several repositories may
// deploy the same environment to one cluster, and one's render must never
// make the others' objects look like deletions.
func (k *kubeCompare) prune(ctx context.Context, units []*unit) ([]*Change, []*Problem) {
	envSelector := manifest.EnvironmentLabel + "=" + k.target.Env
	if k.target.Env == "" {
		envSelector = "!" + manifest.EnvironmentLabel
	}
	inServices := func(svcs []string) string {
		s := slices.Clone(svcs)
		sort.Strings(s)
		return "," + manifest.ServiceLabel + " in (" + strings.Join(slices.Compact(s), ",") + ")"
	}
	namespacedSelector := envSelector
	if len(k.opts.Prune.Services) > 0 {
		namespacedSelector += inServices(k.opts.Prune.Services)
	}
	kinds := map[schema.GroupKind]bool{}
	for _, gk := range append(slices.Clone(DefaultPruneKinds), k.opts.Prune.Kinds...) {
		kinds[gk] = true
	}
	nsSet := map[string]bool{}
	services := slices.Clone(k.opts.Prune.Services)
	for _, un := range units {
		if un.u == nil {
			continue
		}
		gk := un.u.GroupVersionKind().GroupKind()
		kinds[gk] = true
		if ns := un.u.GetNamespace(); ns != "" {
			nsSet[ns] = true
		}
		if gk == (schema.GroupKind{Kind: "Namespace"}) {
			nsSet[un.u.GetName()] = true
		}
		services = append(services, un.obj.Service)
	}
	clusterSelector := ""
	if len(services) > 0 {
		clusterSelector = envSelector + inServices(services)
	}
	sortedKinds := make([]schema.GroupKind, 0, len(kinds))
	for gk := range kinds {
		sortedKinds = append(sortedKinds, gk)
	}
	sort.Slice(sortedKinds, func(i, j int) bool { return sortedKinds[i].String() < sortedKinds[j].String() })
	namespaces := make([]string, 0, len(nsSet))
	for ns := range nsSet {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)

	var changes []*Change
	var problems []*Problem
	fail := func(gk schema.GroupKind, err error) {
		problems = append(problems, &Problem{
			Target: k.target.Name, Env: k.target.Env,
			Message: k.opts.Masker.Redactf("listing %s objects to find deletions: %v", gk.Kind, err),
		})
	}
	for _, gk := range sortedKinds {
		namespaced, err := k.c.Namespaced(ctx, gk.WithVersion(""))
		var unknown *live.UnknownKindError
		if errors.As(err, &unknown) {
			continue // nothing of a kind the cluster does not serve exists
		}
		if err != nil {
			fail(gk, err)
			continue
		}
		var items []unstructured.Unstructured
		switch {
		case namespaced && len(namespaces) > 0:
			items, err = k.c.List(ctx, gk, namespacedSelector, namespaces)
		case !namespaced && clusterSelector != "":
			items, err = k.c.List(ctx, gk, clusterSelector, nil)
		}
		if err != nil {
			fail(gk, err)
			continue
		}
		for i := range items {
			item := &items[i]
			if k.rendered[identityKey(gk, item.GetNamespace(), item.GetName())] || controlled(item) {
				continue
			}
			changes = append(changes, &Change{
				Target: k.target.Name, Env: k.target.Env, Service: item.GetLabels()[manifest.ServiceLabel],
				APIVersion: item.GetAPIVersion(), Kind: item.GetKind(), Namespace: item.GetNamespace(), Name: item.GetName(),
				Action:      Delete,
				Before:      k.masked(gk, normalize(item)),
				Destructive: "delete: no longer rendered",
			})
		}
	}
	return changes, problems
}

// controlled reports whether obj is made by a controller from another
// object (and so goes with that one).
func controlled(obj *unstructured.Unstructured) bool {
	for _, r := range obj.GetOwnerReferences() {
		if r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}

// orderChanges puts changes in apply order: namespaces and CRDs first,
// then the rest in the render's order (service, then kinds in install
// order); deletions last, in the reverse order.
func orderChanges(changes []*Change) []*Change {
	type keyed struct {
		obj manifest.Object
		c   *Change
	}
	var applies, deletes []keyed
	for _, c := range changes {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(c.APIVersion)
		u.SetKind(c.Kind)
		u.SetNamespace(c.Namespace)
		u.SetName(c.Name)
		kd := keyed{obj: manifest.Object{Env: c.Env, Service: c.Service, Obj: u}, c: c}
		if c.Action == Delete {
			deletes = append(deletes, kd)
		} else {
			applies = append(applies, kd)
		}
	}
	sortKeyed := func(ks []keyed) []*Change {
		objs := make([]manifest.Object, len(ks))
		index := map[runtimeKey]*Change{}
		for i, kd := range ks {
			objs[i] = kd.obj
			index[runtimeKey{kd.obj.Obj}] = kd.c
		}
		manifest.Sort(objs)
		out := make([]*Change, len(objs))
		for i, o := range objs {
			out[i] = index[runtimeKey{o.Obj}]
		}
		first := func(c *Change) bool {
			return c.Kind == "Namespace" && c.APIVersion == "v1" ||
				c.Kind == "CustomResourceDefinition" && strings.HasPrefix(c.APIVersion, "apiextensions.k8s.io/")
		}
		slices.SortStableFunc(out, func(a, b *Change) int {
			switch fa, fb := first(a), first(b); {
			case fa && !fb:
				return -1
			case fb && !fa:
				return 1
			}
			return 0
		})
		return out
	}
	out := sortKeyed(applies)
	dels := sortKeyed(deletes)
	slices.Reverse(dels)
	return append(out, dels...)
}

// runtimeKey keys a map by object pointer.
type runtimeKey struct{ obj any }
