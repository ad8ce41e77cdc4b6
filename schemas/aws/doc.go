// Package aws holds the types of skyc's AWS output: protobuf message
// descriptors, written in Go, for CloudFormation templates and their
// values, the IAM policy grammar and the typed resource types, with the
// tables that say which properties are required and which force a
// replacement. It has no Starlark in it: the lang bridge makes .sky
// values of these messages like of any other.
//
// # Values and intrinsic functions
//
// A CloudFormation property of type String may hold a string or an
// intrinsic function that yields one. Every scalar property is therefore a
// message of its own, skyc.aws.cfn.String (Integer, Double, Boolean),
// holding either a Literal or an Fn. An Fn is one of the intrinsic
// functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select,
// Fn::Split, Fn::FindInMap, Fn::ImportValue, Fn::Base64, Fn::GetAZs,
// Fn::Cidr), each a message whose fields are its arguments, so that a
// function with a missing or extra argument cannot be written. Arguments
// and untyped properties are skyc.aws.cfn.Json: any JSON value, with
// intrinsic functions anywhere in it. Conditions (Fn::Equals, Fn::And,
// Fn::Or, Fn::Not, Condition) are skyc.aws.cfn.Condition.
//
// # Templates
//
// skyc.aws.cfn.Template has the sections Parameters, Mappings,
// Conditions, Resources and Outputs. A skyc.aws.cfn.Resource has the
// resource attributes (Type, Condition, DependsOn, Metadata,
// DeletionPolicy, UpdateReplacePolicy) and its Properties in a oneof:
// either the typed message of its type or Generic, a JSON object, for any
// type without a table.
//
// # Resource types
//
// Each typed resource type is a message named after it, holding its
// properties: AWS::S3::Bucket is skyc.aws.s3.Bucket. Its property types
// live in a package of their own, named after the resource in lower case,
// because a property and its type usually share a name:
// AWS::S3::Bucket.VersioningConfiguration is
// skyc.aws.s3.bucket.VersioningConfiguration. [ResourceType] describes a
// type beyond its fields: required and create-only properties, the
// attributes Fn::GetAtt reads, what Ref returns, the property holding the
// physical name, and how the type is tagged. [Resources] lists them.
//
// # IAM policies
//
// skyc.aws.iam.PolicyDocument is the policy grammar: Version, Id and
// Statements, each with Sid, Effect, Principal or NotPrincipal, Action or
// NotAction, Resource or NotResource and Condition (operator → key →
// values). Strings in it are skyc.aws.cfn.String, so a policy inside a
// template can name resources through intrinsic functions.
//
// # Output
//
// [Encode] turns any of these messages into a document tree in
// CloudFormation's JSON form, deterministically; [Resolve] evaluates the
// intrinsic functions of such a tree offline where their values follow
// from the environment and the resources' physical names (so a role's
// policy can be written out as the exact JSON IAM will hold).
package aws
