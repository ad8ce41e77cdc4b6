package aws

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Package is the protobuf package every AWS type lives under.
const Package = "skyc.aws"

// Protobuf packages of the CloudFormation and IAM grammars.
const (
	CFNPackage = Package + ".cfn"
	IAMPackage = Package + ".iam"
)

// Full names of the messages Go code works with.
const (
	StringName          protoreflect.FullName = CFNPackage + ".String"
	IntegerName         protoreflect.FullName = CFNPackage + ".Integer"
	DoubleName          protoreflect.FullName = CFNPackage + ".Double"
	BooleanName         protoreflect.FullName = CFNPackage + ".Boolean"
	JSONName            protoreflect.FullName = CFNPackage + ".Json"
	JSONListName        protoreflect.FullName = CFNPackage + ".JsonList"
	JSONObjectName      protoreflect.FullName = CFNPackage + ".JsonObject"
	FnName              protoreflect.FullName = CFNPackage + ".Fn"
	ConditionName       protoreflect.FullName = CFNPackage + ".Condition"
	TagName             protoreflect.FullName = CFNPackage + ".Tag"
	TemplateName        protoreflect.FullName = CFNPackage + ".Template"
	ResourceName        protoreflect.FullName = CFNPackage + ".Resource"
	ParameterName       protoreflect.FullName = CFNPackage + ".Parameter"
	OutputName          protoreflect.FullName = CFNPackage + ".Output"
	PolicyDocumentName  protoreflect.FullName = IAMPackage + ".PolicyDocument"
	StatementName       protoreflect.FullName = IAMPackage + ".Statement"
	PrincipalName       protoreflect.FullName = IAMPackage + ".Principal"
	ConditionKeysName   protoreflect.FullName = IAMPackage + ".ConditionKeys"
	ConditionValuesName protoreflect.FullName = IAMPackage + ".ConditionValues"
)

// Intrinsic function messages: the fields of cfn.Fn, in order, with the
// CloudFormation name of each.
var intrinsics = []struct{ field, cfn string }{
	{"Ref", "Ref"},
	{"GetAtt", "Fn::GetAtt"},
	{"Sub", "Fn::Sub"},
	{"Join", "Fn::Join"},
	{"If", "Fn::If"},
	{"Select", "Fn::Select"},
	{"Split", "Fn::Split"},
	{"FindInMap", "Fn::FindInMap"},
	{"ImportValue", "Fn::ImportValue"},
	{"Base64", "Fn::Base64"},
	{"GetAZs", "Fn::GetAZs"},
	{"Cidr", "Fn::Cidr"},
}

var (
	filesOnce sync.Once
	files     *protoregistry.Files
	filesErr  error
)

// Files returns the file descriptors of every AWS message type, built once
// per process from the descriptors prebuilt from FileSet (prebuilt.go).
// They depend on no other files.
func Files() (*protoregistry.Files, error) {
	filesOnce.Do(func() {
		files, filesErr = prebuiltFiles()
		if filesErr != nil {
			files, filesErr = protodesc.NewFiles(FileSet())
		}
	})
	return files, filesErr
}

// FileSet returns the descriptors of every AWS message type as a new
// FileDescriptorSet, in dependency order.
func FileSet() *descriptorpb.FileDescriptorSet {
	set := &descriptorpb.FileDescriptorSet{}
	values := valuesFile()
	iam := iamFile()
	set.File = append(set.File, values, iam)
	var resourceFiles []string
	for _, rt := range resourceTypes {
		typesFile, resFile := describeResource(rt)
		if typesFile != nil {
			set.File = append(set.File, typesFile)
		}
		set.File = append(set.File, resFile)
		resourceFiles = append(resourceFiles, resFile.GetName())
	}
	set.File = append(set.File, templateFile(resourceFiles))
	return set
}

// Field types.

type fieldType struct {
	typ      descriptorpb.FieldDescriptorProto_Type
	typeName string // full name of a message or enum type
}

var (
	tString = fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_STRING}
	tInt64  = fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_INT64}
	tDouble = fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_DOUBLE}
	tBool   = fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_BOOL}
)

func tMsg(full protoreflect.FullName) fieldType {
	return fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, typeName: string(full)}
}

func tEnum(full protoreflect.FullName) fieldType {
	return fieldType{typ: descriptorpb.FieldDescriptorProto_TYPE_ENUM, typeName: string(full)}
}

// message builds one DescriptorProto, numbering fields in order.
type message struct {
	pkg string
	d   *descriptorpb.DescriptorProto
}

func newMessage(pkg, name string) *message {
	return &message{pkg: pkg, d: &descriptorpb.DescriptorProto{Name: proto.String(name)}}
}

func (m *message) add(name string, t fieldType, label descriptorpb.FieldDescriptorProto_Label, oneof *int32) *message {
	fd := &descriptorpb.FieldDescriptorProto{
		Name:       proto.String(name),
		JsonName:   proto.String(name),
		Number:     proto.Int32(int32(len(m.d.Field) + 1)),
		Label:      label.Enum(),
		Type:       t.typ.Enum(),
		OneofIndex: oneof,
	}
	if t.typeName != "" {
		fd.TypeName = proto.String("." + t.typeName)
	}
	m.d.Field = append(m.d.Field, fd)
	return m
}

// opt adds an optional field.
func (m *message) opt(name string, t fieldType) *message {
	return m.add(name, t, descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL, nil)
}

// rep adds a repeated field.
func (m *message) rep(name string, t fieldType) *message {
	return m.add(name, t, descriptorpb.FieldDescriptorProto_LABEL_REPEATED, nil)
}

// mapOf adds a map field from string to v.
func (m *message) mapOf(name string, v fieldType) *message {
	entry := name + "Entry"
	e := newMessage(m.pkg, entry).opt("key", tString).opt("value", v)
	e.d.Options = &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)}
	m.d.NestedType = append(m.d.NestedType, e.d)
	return m.rep(name, tMsg(protoreflect.FullName(m.pkg+"."+m.d.GetName()+"."+entry)))
}

// oneof adds a oneof of the given fields.
func (m *message) oneof(name string, fields ...oneofField) *message {
	idx := int32(len(m.d.OneofDecl))
	m.d.OneofDecl = append(m.d.OneofDecl, &descriptorpb.OneofDescriptorProto{Name: proto.String(name)})
	for _, f := range fields {
		i := idx
		m.add(f.name, f.t, descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL, &i)
	}
	return m
}

// oneofField is one field of a oneof.
type oneofField struct {
	name string
	t    fieldType
}

func enumType(name string, values ...string) *descriptorpb.EnumDescriptorProto {
	e := &descriptorpb.EnumDescriptorProto{Name: proto.String(name)}
	for i, v := range values {
		e.Value = append(e.Value, &descriptorpb.EnumValueDescriptorProto{Name: proto.String(v), Number: proto.Int32(int32(i + 1))})
	}
	return e
}

func newFile(name, pkg string, deps ...string) *descriptorpb.FileDescriptorProto {
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String(name),
		Package:    proto.String(pkg),
		Syntax:     proto.String("proto2"),
		Dependency: deps,
	}
}

const (
	valuesFileName = "skyc/aws/cfn/values.proto"
	iamFileName    = "skyc/aws/iam/policy.proto"
)

func cfn(name string) protoreflect.FullName { return protoreflect.FullName(CFNPackage + "." + name) }
func iam(name string) protoreflect.FullName { return protoreflect.FullName(IAMPackage + "." + name) }

// valuesFile describes the values of templates: typed scalars that also
// take intrinsic functions, JSON, the intrinsic functions and conditions.
func valuesFile() *descriptorpb.FileDescriptorProto {
	f := newFile(valuesFileName, CFNPackage)
	p := CFNPackage
	fn := tMsg(FnName)
	j := tMsg(JSONName)
	scalar := func(name string, lit fieldType) *message {
		return newMessage(p, name).oneof("value", oneofField{"Literal", lit}, oneofField{"Fn", fn})
	}
	msgs := []*message{
		scalar("String", tString),
		scalar("Integer", tInt64),
		scalar("Double", tDouble),
		scalar("Boolean", tBool),
		newMessage(p, "Json").oneof("value",
			oneofField{"String", tString},
			oneofField{"Integer", tInt64},
			oneofField{"Number", tDouble},
			oneofField{"Bool", tBool},
			oneofField{"Null", tBool},
			oneofField{"List", tMsg(JSONListName)},
			oneofField{"Object", tMsg(JSONObjectName)},
			oneofField{"Fn", fn},
		),
		newMessage(p, "JsonList").rep("Items", j),
		newMessage(p, "JsonObject").mapOf("Fields", j),
	}
	var fnFields []oneofField
	for _, in := range intrinsics {
		fnFields = append(fnFields, oneofField{in.field, tMsg(cfn(in.field))})
	}
	msgs = append(msgs,
		newMessage(p, "Fn").oneof("fn", fnFields...),
		newMessage(p, "Ref").opt("Name", tString),
		newMessage(p, "GetAtt").opt("Resource", tString).opt("Attribute", tString),
		newMessage(p, "Sub").opt("Template", tString).mapOf("Variables", j),
		newMessage(p, "Join").opt("Delimiter", tString).opt("Values", j),
		newMessage(p, "If").opt("Condition", tString).opt("Then", j).opt("Else", j),
		newMessage(p, "Select").opt("Index", tInt64).opt("List", j),
		newMessage(p, "Split").opt("Delimiter", tString).opt("Source", j),
		newMessage(p, "FindInMap").opt("MapName", tString).opt("TopLevelKey", j).opt("SecondLevelKey", j),
		newMessage(p, "ImportValue").opt("Name", j),
		newMessage(p, "Base64").opt("Value", j),
		newMessage(p, "GetAZs").opt("Region", j),
		newMessage(p, "Cidr").opt("IpBlock", j).opt("Count", j).opt("CidrBits", j),
		newMessage(p, "Condition").oneof("condition",
			oneofField{"Equals", tMsg(cfn("Equals"))},
			oneofField{"And", tMsg(cfn("ConditionList"))},
			oneofField{"Or", tMsg(cfn("ConditionList"))},
			oneofField{"Not", tMsg(ConditionName)},
			oneofField{"Name", tString},
		),
		newMessage(p, "Equals").opt("Left", j).opt("Right", j),
		newMessage(p, "ConditionList").rep("Items", tMsg(ConditionName)),
		newMessage(p, "Tag").opt("Key", tMsg(StringName)).opt("Value", tMsg(StringName)),
	)
	for _, m := range msgs {
		f.MessageType = append(f.MessageType, m.d)
	}
	f.EnumType = append(f.EnumType, enumType("DeletionPolicy", DeletionPolicies...))
	return f
}

// DeletionPolicies are the values of DeletionPolicy and
// UpdateReplacePolicy.
var DeletionPolicies = []string{"Delete", "Retain", "Snapshot", "RetainExceptOnCreate"}

// iamFile describes the IAM policy grammar.
func iamFile() *descriptorpb.FileDescriptorProto {
	f := newFile(iamFileName, IAMPackage, valuesFileName)
	p := IAMPackage
	s := tMsg(StringName)
	msgs := []*message{
		newMessage(p, "PolicyDocument").opt("Version", tString).opt("Id", tString).rep("Statement", tMsg(StatementName)),
		newMessage(p, "Statement").
			opt("Sid", tString).
			opt("Effect", tEnum(iam("Effect"))).
			opt("Principal", tMsg(PrincipalName)).
			opt("NotPrincipal", tMsg(PrincipalName)).
			rep("Action", s).
			rep("NotAction", s).
			rep("Resource", s).
			rep("NotResource", s).
			mapOf("Condition", tMsg(ConditionKeysName)),
		newMessage(p, "Principal").
			opt("Everyone", tBool).
			rep("AWS", s).
			rep("Service", s).
			rep("Federated", s).
			rep("CanonicalUser", s),
		newMessage(p, "ConditionKeys").mapOf("Keys", tMsg(ConditionValuesName)),
		newMessage(p, "ConditionValues").rep("Values", s),
	}
	for _, m := range msgs {
		f.MessageType = append(f.MessageType, m.d)
	}
	f.EnumType = append(f.EnumType, enumType("Effect", "Allow", "Deny"))
	return f
}

// describeResource describes one resource type: a file for its property
// types (nil if it has none) and one for its properties message.
func describeResource(rt *ResourceType) (typesFile, resFile *descriptorpb.FileDescriptorProto) {
	svc := rt.service()
	typesPkg := string(rt.TypesPackage())
	typesName := "skyc/aws/" + svc + "/" + strings.ToLower(rt.resource()) + "/types.proto"
	resName := "skyc/aws/" + svc + "/" + strings.ToLower(rt.resource()) + ".proto"

	typesFile = newFile(typesName, typesPkg, valuesFileName, iamFileName)
	done := map[*PropertyType]bool{}
	byName := map[string]*PropertyType{}
	var describe func(props []*Property, m *message)
	fieldOf := func(t Type) fieldType {
		switch t.Kind {
		case KindString:
			return tMsg(StringName)
		case KindInteger:
			return tMsg(IntegerName)
		case KindDouble:
			return tMsg(DoubleName)
		case KindBoolean:
			return tMsg(BooleanName)
		case KindJSON:
			return tMsg(JSONName)
		case KindPolicy:
			return tMsg(PolicyDocumentName)
		case KindTag:
			return tMsg(TagName)
		case KindObject:
			pt := t.Object
			if prev, dup := byName[pt.Name]; dup && prev != pt {
				panic(fmt.Sprintf("%s: two property types called %s", rt.Name, pt.Name))
			}
			byName[pt.Name] = pt
			if !done[pt] {
				done[pt] = true
				sub := newMessage(typesPkg, pt.Name)
				describe(pt.Properties, sub)
				typesFile.MessageType = append(typesFile.MessageType, sub.d)
			}
			return tMsg(protoreflect.FullName(typesPkg + "." + pt.Name))
		}
		panic(fmt.Sprintf("%s: unknown kind %d", rt.Name, t.Kind))
	}
	describe = func(props []*Property, m *message) {
		for _, p := range props {
			ft := fieldOf(p.Type)
			switch {
			case p.Type.List:
				m.rep(p.Name, ft)
			case p.Type.Map:
				m.mapOf(p.Name, ft)
			default:
				m.opt(p.Name, ft)
			}
		}
	}
	resFile = newFile(resName, Package+"."+svc, valuesFileName, iamFileName)
	m := newMessage(Package+"."+svc, rt.resource())
	describe(rt.Properties, m)
	resFile.MessageType = append(resFile.MessageType, m.d)
	if len(typesFile.MessageType) == 0 {
		return nil, resFile
	}
	sort.Slice(typesFile.MessageType, func(i, j int) bool {
		return typesFile.MessageType[i].GetName() < typesFile.MessageType[j].GetName()
	})
	resFile.Dependency = append(resFile.Dependency, typesName)
	return typesFile, resFile
}

// templateFile describes templates and their sections.
func templateFile(resourceFiles []string) *descriptorpb.FileDescriptorProto {
	deps := append([]string{valuesFileName}, resourceFiles...)
	f := newFile("skyc/aws/cfn/template.proto", CFNPackage, deps...)
	p := CFNPackage
	j := tMsg(JSONName)
	props := []oneofField{{"Generic", tMsg(JSONObjectName)}}
	for _, rt := range resourceTypes {
		props = append(props, oneofField{rt.oneofField(), tMsg(rt.MessageName())})
	}
	msgs := []*message{
		newMessage(p, "Template").
			opt("Description", tString).
			mapOf("Parameters", tMsg(ParameterName)).
			mapOf("Mappings", tMsg(JSONObjectName)).
			mapOf("Conditions", tMsg(ConditionName)).
			mapOf("Resources", tMsg(ResourceName)).
			mapOf("Outputs", tMsg(OutputName)),
		newMessage(p, "Parameter").
			opt("Type", tString).
			opt("Default", j).
			opt("Description", tString).
			rep("AllowedValues", tString).
			opt("AllowedPattern", tString).
			opt("NoEcho", tBool).
			opt("MinLength", tInt64).
			opt("MaxLength", tInt64).
			opt("MinValue", tDouble).
			opt("MaxValue", tDouble).
			opt("ConstraintDescription", tString),
		newMessage(p, "Output").
			opt("Description", tString).
			opt("Value", j).
			opt("Export", tMsg(cfn("Export"))).
			opt("Condition", tString),
		newMessage(p, "Export").opt("Name", j),
		newMessage(p, "Resource").
			opt("Type", tString).
			opt("Condition", tString).
			rep("DependsOn", tString).
			opt("Metadata", tMsg(JSONObjectName)).
			opt("DeletionPolicy", tEnum(cfn("DeletionPolicy"))).
			opt("UpdateReplacePolicy", tEnum(cfn("DeletionPolicy"))).
			oneof("Properties", props...),
	}
	for _, m := range msgs {
		f.MessageType = append(f.MessageType, m.d)
	}
	return f
}

// PropertiesField returns the field of cfn.Resource's Properties oneof
// that holds properties of type rt.
func PropertiesField(resource protoreflect.MessageDescriptor, rt *ResourceType) protoreflect.FieldDescriptor {
	return resource.Fields().ByName(protoreflect.Name(rt.oneofField()))
}
