package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// KubeTarget names a cluster in a kubeconfig.
type KubeTarget struct {
	// Kubeconfig is the kubeconfig file; empty means the client default
	// ($KUBECONFIG, else ~/.kube/config).
	Kubeconfig string
	// Context is the kubeconfig context; empty means its current context.
	Context string
}

// String names the target for messages: the context, or "current context".
func (t KubeTarget) String() string {
	if t.Context == "" {
		return "current context"
	}
	return "context " + t.Context
}

// KubeOptions tune the client. The zero value is sensible.
type KubeOptions struct {
	// RequestTimeout bounds each request, each retry anew; zero means
	// [DefaultRequestTimeout].
	RequestTimeout time.Duration
	// Attempts is how often a request is tried when it fails transiently;
	// zero means [DefaultAttempts].
	Attempts int
	// Backoff is the wait before the first retry, doubled for each further
	// one up to MaxBackoff; zero means [DefaultBackoff].
	Backoff time.Duration
	// MaxBackoff caps the wait between attempts; zero means
	// [DefaultMaxBackoff].
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a server's Retry-After (of a 429 or
	// 503) is honoured before the next attempt; zero means
	// [DefaultMaxRetryAfter].
	MaxRetryAfter time.Duration
	// MaxList bounds how many objects one List returns before it fails;
	// zero means [DefaultMaxList].
	MaxList int
}

// Defaults of [KubeOptions].
const (
	DefaultRequestTimeout = 15 * time.Second
	DefaultAttempts       = 3
	DefaultBackoff        = 250 * time.Millisecond
	DefaultMaxBackoff     = 4 * time.Second
	DefaultMaxRetryAfter  = 10 * time.Second
	DefaultMaxList        = 5000
)

func (o KubeOptions) withDefaults() KubeOptions {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.MaxList <= 0 {
		o.MaxList = DefaultMaxList
	}
	return o
}

// Kube reads one cluster. Its methods are safe for concurrent use.
type Kube struct {
	host  string
	opts  KubeOptions
	dyn   dynamic.Interface
	disco discovery.DiscoveryInterface

	// unreachable counts requests in a row that could not reach the
	// server; at tripAfter the server is given up for (down), and every
	// later request fails at once with a *ServerDownError.
	unreachable atomic.Int32
	down        atomic.Pointer[ServerDownError]

	mu     sync.Mutex
	mapper meta.RESTMapper
	// failed are the API groups whose discovery failed, with the error:
	// their kinds are not unknown, only unread.
	failed map[string]error
}

// LoadKubeconfig returns the client configuration of target, without
// contacting the cluster.
func LoadKubeconfig(target KubeTarget) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if target.Kubeconfig != "" {
		rules.ExplicitPath = target.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: target.Context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return cfg, nil
}

// ConnectKube loads target's kubeconfig and connects, see [NewKube].
func ConnectKube(ctx context.Context, target KubeTarget, opts KubeOptions) (*Kube, error) {
	cfg, err := LoadKubeconfig(target)
	if err != nil {
		return nil, err
	}
	return NewKube(ctx, cfg, opts)
}

// NewKube builds the clients for cfg and reads the cluster's API discovery,
// which fails when the cluster can't be reached.
func NewKube(ctx context.Context, cfg *rest.Config, opts KubeOptions) (*Kube, error) {
	opts = opts.withDefaults()
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = opts.RequestTimeout
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	cfg.UserAgent = "skyc"
	// The clients as dynamic.NewForConfig and
	// discovery.NewDiscoveryClientForConfig make them, but with
	// client-go's own retries off: see noRetries.
	dcfg := dynamic.ConfigFor(cfg)
	dcfg.GroupVersion = nil
	dcfg.APIPath = "/if-you-see-this-search-for-the-break"
	rc, err := rest.UnversionedRESTClientFor(dcfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Host, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Host, err)
	}
	k := &Kube{host: cfg.Host, opts: opts, dyn: dynamic.New(noRetries{rc}), disco: discovery.NewDiscoveryClient(noRetries{dc.RESTClient()})}
	if err := k.refreshMapper(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Host returns the API server's URL.
func (k *Kube) Host() string { return k.host }

// refreshMapper reads the API discovery anew. Groups that fail to answer
// (an aggregated API that is down) are left out and remembered: their
// kinds are errors, not unknown kinds, so that nothing of them is taken
// for absent.
func (k *Kube) refreshMapper(ctx context.Context) error {
	var groups []*restmapper.APIGroupResources
	var failed map[string]error
	err := k.retry(ctx, "reading API discovery", func(ctx context.Context) error {
		gs, rs, err := discovery.ToDiscoveryInterfaceWithContext(k.disco).ServerGroupsAndResourcesWithContext(ctx)
		var partial *discovery.ErrGroupDiscoveryFailed
		if gs == nil || rs == nil || err != nil && !errors.As(err, &partial) {
			if err == nil {
				err = errors.New("the API discovery is empty")
			}
			return err
		}
		failed = map[string]error{}
		if partial != nil {
			for gv, gerr := range partial.Groups {
				failed[gv.Group] = gerr
			}
		}
		byGV := map[string]*metav1.APIResourceList{}
		for _, r := range rs {
			byGV[r.GroupVersion] = r
		}
		groups = groups[:0]
		for _, g := range gs {
			gr := &restmapper.APIGroupResources{Group: *g, VersionedResources: map[string][]metav1.APIResource{}}
			for _, v := range g.Versions {
				if r, ok := byGV[v.GroupVersion]; ok {
					gr.VersionedResources[v.Version] = r.APIResources
				}
			}
			groups = append(groups, gr)
		}
		return nil
	})
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.mapper = restmapper.NewDiscoveryRESTMapper(groups)
	k.failed = failed
	k.mu.Unlock()
	return nil
}

// UnknownKindError says the cluster serves no resource for a kind.
type UnknownKindError struct {
	GVK schema.GroupVersionKind
}

func (e *UnknownKindError) Error() string {
	gv := e.GVK.GroupVersion().String()
	return fmt.Sprintf("the cluster does not serve %s %s (is its CustomResourceDefinition installed?)", gv, e.GVK.Kind)
}

// mapping finds the resource of gvk, reading discovery once more when the
// kind is unknown: a CRD may have been installed since.
func (k *Kube) mapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	look := func() (*meta.RESTMapping, error) {
		k.mu.Lock()
		defer k.mu.Unlock()
		if err, ok := k.failed[gvk.Group]; ok {
			return nil, fmt.Errorf("the API server's discovery of group %s failed: %w", gvk.Group, err)
		}
		if gvk.Version == "" {
			return k.mapper.RESTMapping(gvk.GroupKind())
		}
		return k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	m, err := look()
	if meta.IsNoMatchError(err) {
		if err := k.refreshMapper(ctx); err != nil {
			return nil, err
		}
		m, err = look()
	}
	if meta.IsNoMatchError(err) {
		return nil, &UnknownKindError{GVK: gvk}
	}
	return m, err
}

// resource returns the client for obj's kind and namespace. A namespaced
// object without a namespace is in "default", as with kubectl.
func (k *Kube) resource(ctx context.Context, obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	m, err := k.mapping(ctx, obj.GroupVersionKind())
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		return k.dyn.Resource(m.Resource).Namespace(ns), nil
	}
	return k.dyn.Resource(m.Resource), nil
}

// Namespaced reports whether gvk's objects live in namespaces.
func (k *Kube) Namespaced(ctx context.Context, gvk schema.GroupVersionKind) (bool, error) {
	m, err := k.mapping(ctx, gvk)
	if err != nil {
		return false, err
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// Get reads the live object with obj's kind, namespace and name. A missing
// object is nil with no error.
func (k *Kube) Get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := k.resource(ctx, obj)
	if err != nil {
		return nil, err
	}
	var live *unstructured.Unstructured
	err = k.retry(ctx, "get "+describe(obj), func(ctx context.Context) error {
		var err error
		live, err = ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		return err
	})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return live, err
}

// DryRunApply returns what a server-side apply of obj as fieldManager, with
// force, would store, without storing it. A server rejection is returned as
// the client's *apierrors.StatusError, so that its causes can be read.
func (k *Kube) DryRunApply(ctx context.Context, obj *unstructured.Unstructured, fieldManager string) (*unstructured.Unstructured, error) {
	ri, err := k.resource(ctx, obj)
	if err != nil {
		return nil, err
	}
	obj = obj.DeepCopy()
	obj.SetManagedFields(nil)
	obj.SetResourceVersion("")
	var out *unstructured.Unstructured
	err = k.retry(ctx, "dry-run apply of "+describe(obj), func(ctx context.Context) error {
		var err error
		out, err = ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{
			FieldManager: fieldManager,
			Force:        true,
			DryRun:       []string{metav1.DryRunAll},
		})
		return err
	})
	return out, err
}

// ErrTooMany is returned by List when more objects match than
// KubeOptions.MaxList allows.
var ErrTooMany = errors.New("too many objects")

// List returns the objects of kind gk matching selector: of a namespaced
// kind in each of namespaces, or in all namespaces when none are given; of
// a cluster-scoped kind, all of them. A kind the cluster does not serve has
// no objects.
func (k *Kube) List(ctx context.Context, gk schema.GroupKind, selector string, namespaces []string) ([]unstructured.Unstructured, error) {
	m, err := k.mapping(ctx, gk.WithVersion(""))
	if err != nil {
		var unknown *UnknownKindError
		if errors.As(err, &unknown) {
			return nil, nil
		}
		return nil, err
	}
	if m.Scope.Name() != meta.RESTScopeNameNamespace || len(namespaces) == 0 {
		return k.list(ctx, k.dyn.Resource(m.Resource), "list "+m.Resource.Resource, selector)
	}
	var out []unstructured.Unstructured
	for _, ns := range namespaces {
		items, err := k.list(ctx, k.dyn.Resource(m.Resource).Namespace(ns), "list "+m.Resource.Resource+" in "+ns, selector)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(out) > k.opts.MaxList {
			return nil, fmt.Errorf("more than %d objects match %q: %w", k.opts.MaxList, selector, ErrTooMany)
		}
	}
	return out, nil
}

// list pages through one list, bounded by MaxList.
func (k *Kube) list(ctx context.Context, ri dynamic.ResourceInterface, what, selector string) ([]unstructured.Unstructured, error) {
	const page = 250
	var out []unstructured.Unstructured
	cont := ""
	for {
		var l *unstructured.UnstructuredList
		err := k.retry(ctx, what, func(ctx context.Context) error {
			var err error
			l, err = ri.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: page, Continue: cont})
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if len(out) > k.opts.MaxList {
			return nil, fmt.Errorf("more than %d objects match %q: %w", k.opts.MaxList, selector, ErrTooMany)
		}
		if cont = l.GetContinue(); cont == "" {
			return out, nil
		}
	}
}

// describe names obj for messages: "Deployment ns/name".
func describe(obj *unstructured.Unstructured) string {
	name := obj.GetName()
	if ns := obj.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return obj.GetKind() + " " + name
}
