package check

import (
	"fmt"
	"sort"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skyc-dev/skyc/schemas/crd"
)

// CustomResources validates the objects of the kinds a repository's CRDs
// define as the API server's custom resource handler does on create:
// unknown fields are pruned (and reported, as kubectl's strict field
// validation does), the schema's defaults applied, metadata validated as
// for every custom resource, and the object validated against the
// version's OpenAPI v3 schema (types, required fields, enums, patterns,
// formats, bounds). CEL rules (x-kubernetes-validations) are not run.
type CustomResources struct {
	kinds map[schema.GroupVersionKind]*customKind
}

type customKind struct {
	kind       *crd.Kind
	validator  apiservervalidation.SchemaValidator
	structural *structuralschema.Structural
}

// NewCustomResources prepares the validation of kinds. A schema the API
// server would not accept as a structural schema is an error.
func NewCustomResources(kinds []*crd.Kind) (*CustomResources, error) {
	c := &CustomResources{kinds: map[schema.GroupVersionKind]*customKind{}}
	for _, k := range kinds {
		var internal apiextensions.JSONSchemaProps
		if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(k.Schema, &internal, nil); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", k.File, k.GVK, err)
		}
		structural, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: the schema is not structural: %w", k.File, k.GVK, err)
		}
		validator, _, err := apiservervalidation.NewSchemaValidator(&internal)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", k.File, k.GVK, err)
		}
		c.kinds[k.GVK] = &customKind{kind: k, validator: validator, structural: structural}
	}
	return c, nil
}

// Validate validates obj if its kind is one of c's, and reports whether
// it is.
func (c *CustomResources) Validate(obj runtime.Object) ([]Finding, bool) {
	if c == nil {
		return nil, false
	}
	k, ok := c.kinds[obj.GetObjectKind().GroupVersionKind()]
	if !ok {
		return nil, false
	}
	ref := Ref(obj)
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return []Finding{{Severity: Error, Rule: RuleInternal, Object: ref, Message: fmt.Sprintf("a custom resource as %T, want an unstructured object", obj)}}, true
	}
	content := runtime.DeepCopyJSON(u.Object)
	var findings []Finding

	// Decoding: unknown fields are dropped, defaults applied.
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	unknown := pruning.PruneWithOptions(content, k.structural, true, opts)
	sort.Strings(unknown)
	for _, p := range unknown {
		findings = append(findings, Finding{Severity: Error, Rule: RuleUnknownField, Object: ref, Field: p,
			Message: "unknown field: " + k.kind.GVK.Kind + " does not define it", Hint: fmt.Sprintf("its CustomResourceDefinition is in %s", k.kind.File)})
	}
	structuraldefaulting.Default(content, k.structural)

	// The create strategy: metadata, then the schema.
	cr := &unstructured.Unstructured{Object: content}
	prepareMeta(cr, k.kind.Namespaced)
	errs := apimachineryvalidation.ValidateObjectMetaAccessor(cr, k.kind.Namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, content, k.validator)...)
	seen := map[string]bool{}
	for _, e := range errs {
		key := e.Field + "\x00" + e.ErrorBody()
		if seen[key] {
			continue
		}
		seen[key] = true
		findings = append(findings, fieldFinding(ref, e))
	}
	return findings, true
}
