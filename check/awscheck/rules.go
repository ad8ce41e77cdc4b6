package awscheck

import (
	"fmt"
	"strings"
)

// Rule is one kind of finding.
type Rule struct {
	// ID names the rule in findings and in waive(...).
	ID string
	// Summary says what the rule requires.
	Summary string
	// Waivable rules can be waived; the others are errors CloudFormation
	// or IAM would reject, which no waiver makes deployable.
	Waivable bool
}

// rules is every rule, in the order the documentation lists them.
var rules = []Rule{
	{ID: "cfn-ref", Summary: "Ref names a resource, parameter or pseudo parameter of the template"},
	{ID: "cfn-get-att", Summary: "Fn::GetAtt reads an attribute the resource's type has"},
	{ID: "cfn-sub", Summary: "every ${...} of Fn::Sub names a variable, resource, attribute or parameter"},
	{ID: "cfn-depends-on", Summary: "DependsOn names other resources of the template"},
	{ID: "cfn-condition", Summary: "conditions that are used are declared"},
	{ID: "cfn-required", Summary: "typed resources set their required properties"},
	{ID: "cfn-cycle", Summary: "resources do not depend on each other in a cycle"},
	{ID: "cfn-limits", Summary: "the template stays within 51,200 bytes, 500 resources, 200 parameters and 200 outputs"},
	{ID: "cfn-logical-id", Summary: "logical IDs are letters and digits, and unique across the template"},
	{ID: "cost-tags", Summary: "taggable resources carry every required cost-allocation tag"},
	{ID: "iam-grammar", Summary: "policies follow the IAM policy grammar"},
	{ID: "iam-action", Summary: "actions are service:Action, with * and ? as wildcards"},
	{ID: "iam-arn", Summary: "resources are \"*\" or ARNs: arn:partition:service:region:account:resource"},
	{ID: "iam-condition", Summary: "condition operators are IAM's and condition keys are prefix:key"},
	{ID: "iam-no-wildcard-action", Summary: "no identity policy allows every action (\"*\")", Waivable: true},
	{ID: "iam-no-iam-wildcard", Summary: "no identity policy allows every IAM action (\"iam:*\")", Waivable: true},
	{ID: "iam-no-wildcard-resource", Summary: "no identity policy allows a write action on every resource (\"*\")", Waivable: true},
	{ID: "iam-no-passrole-wildcard", Summary: "no identity policy allows iam:PassRole on every role", Waivable: true},
	{ID: "iam-no-notaction-allow", Summary: "no identity policy allows with NotAction (everything but a list)", Waivable: true},
}

// Rules returns every rule.
func Rules() []Rule { return rules }

// WaivableRules returns the IDs of the rules a waiver may name.
func WaivableRules() []string {
	var out []string
	for _, r := range rules {
		if r.Waivable {
			out = append(out, r.ID)
		}
	}
	return out
}

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Finding is one problem found in a template.
type Finding struct {
	// Rule is the ID of the rule that found it.
	Rule string
	// Path leads from the template's top to the value at fault, e.g.
	// [Resources ApiRole Properties Policies 0 PolicyDocument Statement 1].
	Path []string
	// Message says what is wrong: a lower-case fragment with the value
	// that was wrong and what was expected.
	Message string
	// Hint says what to do, when there is something to say.
	Hint string
}

// String formats f as "Path: message [rule]".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s [%s]", strings.Join(f.Path, "/"), f.Message, f.Rule)
}

// Waivable reports whether a waiver may accept f.
func (f Finding) Waivable() bool {
	r, ok := LookupRule(f.Rule)
	return ok && r.Waivable
}
