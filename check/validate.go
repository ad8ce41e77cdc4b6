package check

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/capabilities"
)

// KubernetesVersion is the Kubernetes release whose API server Validate
// mirrors: the validation code, defaults and feature gates are those of
// k8s.io/kubernetes at this minor version.
const KubernetesVersion = "1.37"

const kubeMajor, kubeMinor = 1, 37

func init() {
	// Validate as an API server started with --allow-privileged=true, as
	// every managed and kubeadm cluster is; whether privileged containers
	// are acceptable is a platform policy, not an API server rule. The
	// setting is process-wide in k8s.io/kubernetes and can be made once.
	capabilities.Initialize(capabilities.Capabilities{AllowPrivileged: true})
}

// Validate checks obj as a Kubernetes API server checks an object that is
// created: it applies the server's defaults, converts the object to the
// internal version and runs the create strategy of the kind's registry
// (see Kinds), which validates the object with the kind's own validation
// package, then validates the metadata and runs declarative validation.
// It returns one error finding per field error the server would report,
// with the field path the server gives, and a warning finding per warning
// the server would return.
//
// obj is a k8s.io/api object (such as *appsv1.Deployment) with apiVersion
// and kind set, or an unstructured object of a built-in kind. A namespaced
// object without a namespace is checked in "default". An object of a kind
// the legacy scheme does not know gets one warning (RuleUnknownKind); a
// built-in kind that cannot be validated offline, one info finding
// (RuleNotValidated).
//
// Validate never looks at other objects or at a cluster: checks that need
// state (admission plugins such as ResourceQuota or LimitRanger, a
// referenced PriorityClass or ServiceAccount, immutable fields on update)
// are outside it. Findings have no Source and no Env; see Run.
func Validate(obj runtime.Object) (findings []Finding) {
	if obj == nil {
		return nil
	}
	ref := Ref(obj)
	add := func(sev Severity, rule, fld, msg, hint string) {
		findings = append(findings, Finding{Severity: sev, Rule: rule, Object: ref, Field: fld, Message: msg, Hint: hint})
	}
	defer func() {
		// The registry code is written for objects that passed decoding in
		// a server; guard against what it does not expect.
		if r := recover(); r != nil {
			add(Error, RuleInternal, "", fmt.Sprintf("validation failed: %v", r), "please report this as a skyc bug, with the object")
		}
	}()

	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		kinds, _, err := legacyscheme.Scheme.ObjectKinds(obj)
		if err != nil || len(kinds) == 0 {
			add(Error, RuleMissingTypeMeta, "", "object has no apiVersion or kind", "")
			return findings
		}
		gvk = kinds[0]
	}
	typed, err := toTyped(obj, gvk)
	if err != nil {
		if runtime.IsNotRegisteredError(err) && legacyscheme.Scheme.IsGroupRegistered(gvk.Group) {
			add(Error, RuleUnservedAPI, "", fmt.Sprintf("%s %s is not served by Kubernetes %s", gvk.GroupVersion(), gvk.Kind, KubernetesVersion), servedVersionHint(gvk.Kind))
			return findings
		}
		if runtime.IsNotRegisteredError(err) {
			add(Warning, RuleUnknownKind, "", fmt.Sprintf("%s %s is not a built-in kind; it was not validated", gvk.GroupVersion(), gvk.Kind),
				"custom resources are validated by their CustomResourceDefinition on the server")
			return findings
		}
		add(Error, RuleDecode, "", err.Error(), "")
		return findings
	}

	if f, stop := lifecycle(typed, gvk); f != nil {
		f.Object = ref
		findings = append(findings, *f)
		if stop {
			return findings
		}
	}

	strategy, ok := strategies[gvk.GroupKind()]
	if !ok {
		add(Info, RuleNotValidated, "", fmt.Sprintf("%s %s is not validated offline: its validation needs a live API server", gvk.GroupVersion(), gvk.Kind), "")
		return findings
	}

	legacyscheme.Scheme.Default(typed)
	// typed is Validate's own copy and is not used again: the internal
	// object may share its memory, which spares a second deep copy.
	internal, err := legacyscheme.Scheme.UnsafeConvertToVersion(typed, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		add(Error, RuleDecode, "", fmt.Sprintf("converting to the internal version: %v", err), "")
		return findings
	}
	m, err := meta.Accessor(internal)
	if err != nil {
		add(Error, RuleInternal, "", err.Error(), "")
		return findings
	}
	prepareMeta(m, strategy.NamespaceScoped())

	ctx := requestContext(gvk, m)
	var errs field.ErrorList
	if begin := beginCreate[gvk.GroupKind()]; begin != nil {
		errs = begin(internal)
	}
	strategy.PrepareForCreate(ctx, internal)
	errs = append(errs, rest.ValidateCreate(ctx, internal, strategy)...)
	seen := map[string]bool{}
	for _, e := range errs {
		key := e.Field + "\x00" + e.ErrorBody()
		if seen[key] {
			continue
		}
		seen[key] = true
		findings = append(findings, fieldFinding(ref, e))
	}
	if len(errs) == 0 {
		for _, w := range strategy.WarningsOnCreate(ctx, internal) {
			fld, msg := splitWarning(w)
			add(Warning, RuleWarning, fld, msg, "")
		}
	}
	return findings
}

// beginCreate holds what a kind's REST storage does to a new object
// before the strategy sees it, where that changes the verdict.
var beginCreate = map[schema.GroupKind]func(obj runtime.Object) field.ErrorList{
	{Group: "", Kind: "Service"}: beginServiceCreate,
}

// Default NodePort range of kube-apiserver (--service-node-port-range).
const nodePortMin, nodePortMax = 30000, 32767

// beginServiceCreate mirrors the service storage's create hook: it fills
// spec.clusterIPs from spec.clusterIP, as the server does for clients
// that set only the singular field, allocates a healthCheckNodePort where
// one is needed, and refuses a requested node port outside the default
// NodePort range, as the port allocator does. (IP allocation depends on
// the cluster's service CIDR and is not checked.)
func beginServiceCreate(obj runtime.Object) field.ErrorList {
	svc, ok := obj.(*api.Service)
	if !ok {
		return nil
	}
	if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	var errs field.ErrorList
	if svc.Spec.Type == api.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == api.ServiceExternalTrafficPolicyLocal {
		switch hc := svc.Spec.HealthCheckNodePort; {
		case hc == 0:
			// The allocator picks a free node port; so do we.
			used := map[int32]bool{}
			for _, p := range svc.Spec.Ports {
				used[p.NodePort] = true
			}
			for port := int32(nodePortMax); port >= nodePortMin; port-- {
				if !used[port] {
					svc.Spec.HealthCheckNodePort = port
					break
				}
			}
		case hc < nodePortMin || hc > nodePortMax:
			errs = append(errs, field.Invalid(field.NewPath("spec", "healthCheckNodePort"), hc,
				fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", nodePortMin, nodePortMax)))
		}
	}
	for i, p := range svc.Spec.Ports {
		if p.NodePort == 0 || svc.Spec.Type == api.ServiceTypeClusterIP || svc.Spec.Type == api.ServiceTypeExternalName {
			continue // validation reports a nodePort where none may be
		}
		if p.NodePort < nodePortMin || p.NodePort > nodePortMax {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), p.NodePort,
				fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", nodePortMin, nodePortMax)))
		}
	}
	return errs
}

// toTyped returns a deep copy of obj as the versioned Go type the legacy
// scheme registers for gvk.
func toTyped(obj runtime.Object, gvk schema.GroupVersionKind) (runtime.Object, error) {
	u, ok := obj.(runtime.Unstructured)
	if !ok {
		if _, _, err := legacyscheme.Scheme.ObjectKinds(obj); err != nil {
			return nil, err
		}
		out := obj.DeepCopyObject()
		out.GetObjectKind().SetGroupVersionKind(gvk)
		return out, nil
	}
	out, err := legacyscheme.Scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.UnstructuredContent(), out); err != nil {
		return nil, fmt.Errorf("decoding %s %s: %w", gvk.GroupVersion(), gvk.Kind, err)
	}
	out.GetObjectKind().SetGroupVersionKind(gvk)
	return out, nil
}

// prepareMeta gives the object's metadata what a server sets before
// validating a create: the namespace of the request ("default" when the
// object names none, nothing for cluster-scoped kinds), a generated name
// when only generateName is set, and the system fields. The values are
// fixed, so findings are the same from run to run.
func prepareMeta(m metav1.Object, namespaced bool) {
	switch {
	case !namespaced:
		m.SetNamespace("")
	case m.GetNamespace() == "":
		m.SetNamespace(metav1.NamespaceDefault)
	}
	if m.GetName() == "" && m.GetGenerateName() != "" {
		base := m.GetGenerateName()
		const maxBase = 63 - 5 // as names.SimpleNameGenerator
		if len(base) > maxBase {
			base = base[:maxBase]
		}
		m.SetName(base + "x0x0x")
	}
	m.SetUID("00000000-0000-0000-0000-000000000000")
	m.SetCreationTimestamp(metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
}

// requestContext is the context of a create request for the object, as
// the server's handlers build it: the namespace and the request info that
// declarative validation reads the API version from.
func requestContext(gvk schema.GroupVersionKind, m metav1.Object) context.Context {
	ctx := genericapirequest.WithNamespace(context.Background(), m.GetNamespace())
	resource, _ := meta.UnsafeGuessKindToResource(gvk)
	return genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Verb:              "create",
		APIPrefix:         "apis",
		APIGroup:          gvk.Group,
		APIVersion:        gvk.Version,
		Namespace:         m.GetNamespace(),
		Resource:          resource.Resource,
		Name:              m.GetName(),
	})
}

// fieldFinding converts one field error of the server's validation.
func fieldFinding(ref ObjectRef, e *field.Error) Finding {
	return Finding{
		Severity: Error,
		Rule:     ruleFor(e.Type),
		Object:   ref,
		Field:    e.Field,
		Message:  lowerFirst(e.ErrorBody()),
		Hint:     hintFor(e),
	}
}

// warningPath matches a warning that starts with a field path, as
// "spec.template.spec.containers[0].env[1]: hides previous definition".
var warningPath = regexp.MustCompile(`^([a-zA-Z][\w.\-/]*(?:\[[^\]]*\][\w.\-/]*)*): (.*)$`)

func splitWarning(w string) (fld, msg string) {
	if m := warningPath.FindStringSubmatch(w); m != nil {
		return m[1], m[2]
	}
	return "", w
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "RFC") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Ref names obj as findings do: its apiVersion, kind, namespace and name.
// Checkers use it to fill Finding.Object.
func Ref(obj runtime.Object) ObjectRef {
	gvk := obj.GetObjectKind().GroupVersionKind()
	ref := ObjectRef{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}
	if gvk.Empty() {
		ref.APIVersion = ""
	}
	if m, err := meta.Accessor(obj); err == nil {
		ref.Namespace, ref.Name = m.GetNamespace(), m.GetName()
		if ref.Name == "" && m.GetGenerateName() != "" {
			ref.Name = m.GetGenerateName() + "*"
		}
	}
	return ref
}

// servedVersionHint names the preferred served apiVersion of a built-in
// kind, "use apps/v1 Deployment", or "".
func servedVersionHint(kind string) string {
	for _, gv := range legacyscheme.Scheme.PrioritizedVersionsAllGroups() {
		gvk := gv.WithKind(kind)
		if !legacyscheme.Scheme.Recognizes(gvk) {
			continue
		}
		if obj, err := legacyscheme.Scheme.New(gvk); err == nil {
			if f, _ := lifecycle(obj, gvk); f != nil {
				continue
			}
		}
		return "use " + gv.String() + " " + kind
	}
	return ""
}

// lifecycleInfo is implemented by the types of pre-release API versions in
// k8s.io/api (zz_generated.prerelease-lifecycle.go).
type lifecycleInfo interface {
	APILifecycleIntroduced() (major, minor int)
	APILifecycleDeprecated() (major, minor int)
	APILifecycleRemoved() (major, minor int)
}

type replacementInfo interface {
	APILifecycleReplacement() schema.GroupVersionKind
}

// lifecycle reports an API version that a default API server of
// KubernetesVersion does not serve (stop is then true: the server would
// not get as far as validating) or that is deprecated.
func lifecycle(obj runtime.Object, gvk schema.GroupVersionKind) (f *Finding, stop bool) {
	li, ok := obj.(lifecycleInfo)
	if !ok {
		return nil, false
	}
	what := gvk.GroupVersion().String() + " " + gvk.Kind
	hint := ""
	if r, ok := obj.(replacementInfo); ok {
		if rep := r.APILifecycleReplacement(); !rep.Empty() {
			hint = "use " + rep.GroupVersion().String() + " " + rep.Kind
		}
	}
	atOrBefore := func(major, minor int) bool {
		return major != 0 && (major < kubeMajor || major == kubeMajor && minor <= kubeMinor)
	}
	if maj, min := li.APILifecycleRemoved(); atOrBefore(maj, min) {
		return &Finding{Severity: Error, Rule: RuleUnservedAPI, Message: fmt.Sprintf("%s was removed in Kubernetes %d.%d", what, maj, min), Hint: hint}, true
	}
	if strings.Contains(gvk.Version, "alpha") {
		return &Finding{Severity: Error, Rule: RuleUnservedAPI, Message: fmt.Sprintf("%s is an alpha API, which API servers do not serve by default", what), Hint: hint}, true
	}
	if maj, min := li.APILifecycleIntroduced(); strings.Contains(gvk.Version, "beta") && (maj > 1 || maj == 1 && min >= 24) {
		return &Finding{Severity: Error, Rule: RuleUnservedAPI, Message: fmt.Sprintf("%s is a beta API introduced in %d.%d, which API servers do not serve by default", what, maj, min), Hint: hint}, true
	}
	if maj, min := li.APILifecycleDeprecated(); atOrBefore(maj, min) {
		return &Finding{Severity: Warning, Rule: RuleDeprecatedAPI, Message: fmt.Sprintf("%s is deprecated since Kubernetes %d.%d", what, maj, min), Hint: hint}, false
	}
	return nil, false
}
