// Package awscheck validates CloudFormation templates and IAM policies
// offline, before anything is deployed: the checks CloudFormation and IAM
// would make on create, and the platform's least-privilege rules.
//
// It works on templates in their encoded form (the document tree
// schemas/aws.Encode makes), so that it sees exactly what is written out,
// including JSON a service owner wrote by hand in a generic resource.
// Every [Finding] has a rule ID, a path into the template
// (Resources/ApiRole/Properties/Policies/0/PolicyDocument/Statement/1) and
// a message; the caller maps paths to the .sky lines that made them.
//
// # Templates
//
// Every Ref, Fn::GetAtt, Fn::Sub variable, DependsOn and condition name
// must name something the template declares (a resource, a parameter, a
// pseudo parameter, a condition); Fn::GetAtt must read an attribute the
// resource type has. Typed resources must set their required properties,
// at every level. The resources' dependencies must not form a cycle, and
// the template must stay within CloudFormation's limits: 51,200 bytes of
// body, 500 resources, 200 parameters, 200 outputs.
//
// # IAM
//
// Policies are found where CloudFormation takes them (a role's trust and
// inline policies, managed policies, key and resource policies) and
// checked for their grammar: version, statements, Effect, exactly one of
// Action and NotAction, Resource and NotResource, Principal where the
// kind of policy needs one and not where it does not; actions of the form
// service:Action (wildcards * and ? allowed); ARNs of the form
// arn:partition:service:region:account:resource; condition operators
// (with IfExists and the ForAllValues:/ForAnyValue: qualifiers) and
// condition keys.
//
// The least-privilege rules apply to identity policies (what a role may
// do) and can be waived, unlike the rest:
//
//	iam-no-wildcard-action     Allow of the action "*"
//	iam-no-iam-wildcard        Allow of "iam:*"
//	iam-no-wildcard-resource   Allow of a write action on Resource "*"
//	iam-no-passrole-wildcard   Allow of iam:PassRole on Resource "*"
//	iam-no-notaction-allow     Allow with NotAction
//
// An action counts as a read when its name (after the service prefix)
// starts with Get, List, Describe, BatchGet, Query, Scan, Search, Select,
// View or Lookup; every other action, including a bare "*" or "service:*",
// is a write.
package awscheck
