package check

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DocsURL is where the rules are documented; a rule's HelpURI is this
// with its ID as the anchor.
const DocsURL = "https://github.com/skyc-dev/skyc/blob/main/docs/check.md"

// Rule describes one kind of finding.
type Rule struct {
	// ID is the rule's identifier, as in Finding.Rule.
	ID string
	// Severity is the severity of the rule's findings.
	Severity Severity
	// Summary says in a few words what the rule finds.
	Summary string
	// Doc is the address of the rule's documentation, when it is not
	// documented in DocsURL (a platform policy's is in docs/policies.md).
	Doc string
}

// HelpURI is the address of the rule's documentation.
func (r Rule) HelpURI() string {
	if r.Doc != "" {
		return r.Doc
	}
	return DocsURL + "#" + r.ID
}

// Rule IDs of the Kubernetes validation. The k8s-* rules that mirror the
// API server's field errors are named after field.ErrorType.
const (
	RuleInvalid         = "k8s-invalid"
	RuleRequired        = "k8s-required"
	RuleDuplicate       = "k8s-duplicate"
	RuleNotSupported    = "k8s-not-supported"
	RuleForbidden       = "k8s-forbidden"
	RuleTooLong         = "k8s-too-long"
	RuleTooMany         = "k8s-too-many"
	RuleTooShort        = "k8s-too-short"
	RuleTooFew          = "k8s-too-few"
	RuleNotFound        = "k8s-not-found"
	RuleTypeInvalid     = "k8s-type-invalid"
	RuleInternal        = "k8s-internal"
	RuleWarning         = "k8s-warning"
	RuleUnservedAPI     = "k8s-unserved-api"
	RuleDeprecatedAPI   = "k8s-deprecated-api"
	RuleUnknownKind     = "k8s-unknown-kind"
	RuleNotValidated    = "k8s-not-validated"
	RuleDecode          = "manifest-decode"
	RuleUnknownField    = "manifest-unknown-field"
	RuleYAMLSyntax      = "manifest-syntax"
	RuleMissingTypeMeta = "manifest-no-kind"
)

var rules = []Rule{
	{RuleInvalid, Error, "a field has a value the API server rejects", ""},
	{RuleRequired, Error, "a required field is missing", ""},
	{RuleDuplicate, Error, "a value that must be unique is repeated", ""},
	{RuleNotSupported, Error, "a field has a value outside its set of supported values", ""},
	{RuleForbidden, Error, "a field is set where it is not allowed", ""},
	{RuleTooLong, Error, "a value is longer than the API server allows", ""},
	{RuleTooMany, Error, "a list has more items than the API server allows", ""},
	{RuleTooShort, Error, "a value is shorter than the API server allows", ""},
	{RuleTooFew, Error, "a list has fewer items than the API server requires", ""},
	{RuleNotFound, Error, "a field refers to something that does not exist", ""},
	{RuleTypeInvalid, Error, "a field has a value of the wrong type", ""},
	{RuleInternal, Error, "the validation itself failed", ""},
	{RuleWarning, Warning, "the API server would accept the object with a warning", ""},
	{RuleUnservedAPI, Error, "the object's apiVersion is not served by default: removed, or an alpha or new beta version", ""},
	{RuleDeprecatedAPI, Warning, "the object's apiVersion is deprecated", ""},
	{RuleUnknownKind, Warning, "the kind is not a built-in Kubernetes kind, so it was not validated", ""},
	{RuleNotValidated, Info, "the kind is built in, but skyc cannot validate it offline", ""},
	{RuleDecode, Error, "a manifest does not decode into its kind's type", ""},
	{RuleUnknownField, Error, "a manifest has a field its kind does not define, or the same field twice", ""},
	{RuleYAMLSyntax, Error, "a manifest file is not valid YAML or JSON", ""},
	{RuleMissingTypeMeta, Error, "a manifest document has no apiVersion or kind", ""},
}

// Rules returns every rule the Kubernetes validation and manifest decoding
// can report, in a fixed order.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ruleFor maps an API server field error type to its rule.
func ruleFor(t field.ErrorType) string {
	switch t {
	case field.ErrorTypeRequired:
		return RuleRequired
	case field.ErrorTypeDuplicate:
		return RuleDuplicate
	case field.ErrorTypeNotSupported:
		return RuleNotSupported
	case field.ErrorTypeForbidden:
		return RuleForbidden
	case field.ErrorTypeTooLong:
		return RuleTooLong
	case field.ErrorTypeTooMany:
		return RuleTooMany
	case field.ErrorTypeTooShort:
		return RuleTooShort
	case field.ErrorTypeTooFew:
		return RuleTooFew
	case field.ErrorTypeNotFound:
		return RuleNotFound
	case field.ErrorTypeTypeInvalid:
		return RuleTypeInvalid
	case field.ErrorTypeInternal:
		return RuleInternal
	}
	return RuleInvalid
}
