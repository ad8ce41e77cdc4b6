package aws

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Kind is the kind of value a property holds.
type Kind int

// The kinds of property values. Every scalar kind also takes an intrinsic
// function whose result has that kind.
const (
	// KindString is a cfn.String: a string or a string-valued intrinsic.
	KindString Kind = iota + 1
	// KindInteger is a cfn.Integer.
	KindInteger
	// KindDouble is a cfn.Double.
	KindDouble
	// KindBoolean is a cfn.Boolean.
	KindBoolean
	// KindJSON is a cfn.Json: any JSON value, intrinsics anywhere in it.
	KindJSON
	// KindPolicy is an IAM policy document (iam.PolicyDocument).
	KindPolicy
	// KindObject is a property type of its own (Type.Object).
	KindObject
	// KindTag is a cfn.Tag: a Key and a Value.
	KindTag
)

var kindNames = map[Kind]string{
	KindString: "String", KindInteger: "Integer", KindDouble: "Double", KindBoolean: "Boolean",
	KindJSON: "Json", KindPolicy: "PolicyDocument", KindObject: "object", KindTag: "Tag",
}

func (k Kind) String() string { return kindNames[k] }

// Type is the type of a property: a kind, or a list of it, or a map of
// string to it.
type Type struct {
	Kind Kind
	// Object is the property type of a KindObject.
	Object *PropertyType
	// List and Map make the property a list of, or a map from string to,
	// values of the kind.
	List, Map bool
}

// String describes t: "String", "list of Tag", "BucketEncryption".
func (t Type) String() string {
	s := t.Kind.String()
	if t.Kind == KindObject {
		s = t.Object.Name
	}
	switch {
	case t.List:
		return "list of " + s
	case t.Map:
		return "map of string to " + s
	}
	return s
}

// Property is one property of a resource type or of a property type.
type Property struct {
	Name string
	Type Type
	// Required properties must be set.
	Required bool
	// CreateOnly properties cannot be changed in place: a change replaces
	// the resource (CloudFormation's "Update requires: Replacement").
	CreateOnly bool
}

// PropertyType is a structured property value, such as
// AWS::S3::Bucket.BucketEncryption.
type PropertyType struct {
	Name       string
	Properties []*Property
}

// Property returns the property called name, or nil.
func (pt *PropertyType) Property(name string) *Property { return findProperty(pt.Properties, name) }

func findProperty(props []*Property, name string) *Property {
	for _, p := range props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Attribute is a value Fn::GetAtt reads from a resource.
type Attribute struct {
	Name string
	// Value is how the attribute's value follows from the resource's
	// physical name and its environment, as a pattern (see Pattern); ""
	// when it is known only once the resource exists.
	Value string
}

// TagStyle says how a resource type takes tags.
type TagStyle int

// Tag styles.
const (
	// NoTags: the resource type cannot be tagged.
	NoTags TagStyle = iota
	// TagList: a Tags property holding a list of {Key, Value}.
	TagList
	// TagMap: a Tags property holding a map of key to value.
	TagMap
)

// ResourceType describes one CloudFormation resource type: its
// properties, what Ref and Fn::GetAtt return, and how it is named.
//
// Patterns (Ref and Attribute.Value) are strings with the placeholders
// {name} (the physical name), {partition}, {region}, {account} and
// {urlsuffix}; Pattern.Expand fills them in.
type ResourceType struct {
	// Name is the CloudFormation type name, e.g. "AWS::S3::Bucket".
	Name       string
	Properties []*Property
	Attributes []Attribute
	// Ref is the pattern of the value Ref returns; "" when it is known
	// only once the resource exists (e.g. a generated id).
	Ref string
	// RefMeaning says what Ref returns, for documentation: "name", "ARN",
	// "URL", "id".
	RefMeaning string
	// NameProperty is the property holding the resource's physical name,
	// "" if it has none.
	NameProperty string
	// Tags says whether and how the type is tagged.
	Tags TagStyle
}

// Property returns the property called name, or nil.
func (rt *ResourceType) Property(name string) *Property { return findProperty(rt.Properties, name) }

// Attribute returns the attribute called name.
func (rt *ResourceType) Attribute(name string) (Attribute, bool) {
	for _, a := range rt.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// AttributeNames returns the names Fn::GetAtt accepts for the type.
func (rt *ResourceType) AttributeNames() []string {
	names := make([]string, len(rt.Attributes))
	for i, a := range rt.Attributes {
		names[i] = a.Name
	}
	return names
}

// service and resource split "AWS::S3::Bucket" into "s3" and "bucket".
func (rt *ResourceType) service() string {
	return strings.ToLower(strings.Split(rt.Name, "::")[1])
}

func (rt *ResourceType) resource() string { return strings.Split(rt.Name, "::")[2] }

// MessageName is the full name of the message holding the type's
// properties, e.g. skyc.aws.s3.Bucket.
func (rt *ResourceType) MessageName() protoreflect.FullName {
	return protoreflect.FullName(Package + "." + rt.service() + "." + rt.resource())
}

// TypesPackage is the protobuf package of the type's property types, e.g.
// skyc.aws.s3.bucket (so AWS::S3::Bucket.BucketEncryption is
// skyc.aws.s3.bucket.BucketEncryption).
func (rt *ResourceType) TypesPackage() protoreflect.FullName {
	return protoreflect.FullName(Package + "." + rt.service() + "." + strings.ToLower(rt.resource()))
}

// oneofField is the name of the type's field in the Properties oneof of
// cfn.Resource: AWS_S3_Bucket.
func (rt *ResourceType) oneofField() string { return strings.ReplaceAll(rt.Name, "::", "_") }

// Pattern is a string with placeholders for values of the environment
// (see ResourceType).
type Pattern string

// Values fills a Pattern's placeholders.
type Values struct {
	Name, Partition, Region, Account, URLSuffix string
}

// Expand fills in the placeholders.
func (p Pattern) Expand(v Values) string {
	return strings.NewReplacer(
		"{name}", v.Name, "{partition}", v.Partition, "{region}", v.Region,
		"{account}", v.Account, "{urlsuffix}", v.URLSuffix,
	).Replace(string(p))
}

// Resources returns every typed resource type, ordered by name.
func Resources() []*ResourceType { return resourceTypes }

// LookupResource returns the typed resource type called name
// ("AWS::S3::Bucket").
func LookupResource(name string) (*ResourceType, bool) {
	for _, rt := range resourceTypes {
		if rt.Name == name {
			return rt, true
		}
	}
	return nil, false
}
