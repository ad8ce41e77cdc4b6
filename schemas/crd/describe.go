package crd

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The Kubernetes types custom resources use.
const (
	ObjectMetaName  protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	IntOrStringName protoreflect.FullName = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
)

// Describe builds the protobuf types of kinds: one file per group and
// version (see Package), resolving ObjectMeta and IntOrString in deps
// (the registry's files, which must hold them). It returns the files and
// the message of each kind.
func Describe(kinds []*Kind, deps *protoregistry.Files) (*protoregistry.Files, map[schema.GroupVersionKind]protoreflect.FullName, error) {
	var imports []string
	for _, name := range []protoreflect.FullName{ObjectMetaName, IntOrStringName} {
		d, err := deps.FindDescriptorByName(name)
		if err != nil {
			return nil, nil, fmt.Errorf("custom resources need %s: %w", name, err)
		}
		imports = append(imports, d.ParentFile().Path())
	}
	byPkg := map[string]*builder{}
	var pkgs []string
	messages := map[schema.GroupVersionKind]protoreflect.FullName{}
	for _, k := range kinds {
		pkg := Package(k.GVK.Group, k.GVK.Version)
		b, ok := byPkg[pkg]
		if !ok {
			b = &builder{pkg: pkg, names: map[string]bool{}, file: &descriptorpb.FileDescriptorProto{
				Name:       proto.String("skyc/crd/" + k.GVK.Group + "/" + k.GVK.Version + ".proto"),
				Package:    proto.String(pkg),
				Syntax:     proto.String("proto2"),
				Dependency: imports,
			}}
			byPkg[pkg] = b
			pkgs = append(pkgs, pkg)
		}
		if err := b.kind(k); err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", k.File, k.GVK, err)
		}
		messages[k.GVK] = protoreflect.FullName(pkg + "." + k.GVK.Kind)
	}
	files := new(protoregistry.Files)
	for _, pkg := range pkgs {
		fd, err := protodesc.NewFile(byPkg[pkg].file, deps)
		if err != nil {
			return nil, nil, fmt.Errorf("describing the custom resources of %s: %w", pkg, err)
		}
		if err := files.RegisterFile(fd); err != nil {
			return nil, nil, err
		}
	}
	return files, messages, nil
}

// builder makes the messages of one package.
type builder struct {
	pkg   string
	file  *descriptorpb.FileDescriptorProto
	names map[string]bool // message names taken
}

// kind adds the message of a kind: its metadata and the properties of
// its schema but apiVersion, kind and status.
func (b *builder) kind(k *Kind) error {
	name := k.GVK.Kind
	if !isIdent(name) {
		return fmt.Errorf("kind %q is not an identifier", name)
	}
	if b.names[name] {
		return fmt.Errorf("the type %s.%s is defined twice", b.pkg, name)
	}
	root := *k.Schema
	root.Properties = map[string]apiextv1.JSONSchemaProps{}
	for p, s := range k.Schema.Properties {
		switch p {
		case "apiVersion", "kind", "status":
			continue
		case "metadata":
			continue // always ObjectMeta, added below
		}
		root.Properties[p] = s
	}
	msg, err := b.message(name, &root)
	if err != nil {
		return err
	}
	msg.Field = append([]*descriptorpb.FieldDescriptorProto{{
		Name:     proto.String("metadata"),
		JsonName: proto.String("metadata"),
		Number:   proto.Int32(1),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		Type:     descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(),
		TypeName: proto.String("." + string(ObjectMetaName)),
	}}, msg.Field...)
	return nil
}

// message adds a message for an object schema and returns it.
func (b *builder) message(name string, s *apiextv1.JSONSchemaProps) (*descriptorpb.DescriptorProto, error) {
	name = b.unique(name)
	msg := &descriptorpb.DescriptorProto{Name: proto.String(name)}
	b.file.MessageType = append(b.file.MessageType, msg)
	props := make([]string, 0, len(s.Properties))
	for p := range s.Properties {
		props = append(props, p)
	}
	sort.Strings(props)
	fieldNames := map[string]bool{}
	for _, p := range props {
		ps := s.Properties[p]
		fd, err := b.field(msg, name, p, &ps)
		if err != nil {
			return nil, err
		}
		if fd == nil {
			continue // no protobuf type for it
		}
		fname := identifier(p)
		for fieldNames[fname] {
			fname += "_"
		}
		fieldNames[fname] = true
		fd.Name = proto.String(fname)
		fd.JsonName = proto.String(p)
		fd.Number = proto.Int32(int32(len(msg.Field) + 2)) // 1 is kept for a kind's metadata
		msg.Field = append(msg.Field, fd)
	}
	return msg, nil
}

// unique returns name, or name with a number if it is taken.
func (b *builder) unique(name string) string {
	n := name
	for i := 2; b.names[n]; i++ {
		n = fmt.Sprintf("%s%d", name, i)
	}
	b.names[n] = true
	return n
}

// field returns the field of property p of message msg (named owner), or
// nil when the property has no protobuf type.
func (b *builder) field(msg *descriptorpb.DescriptorProto, owner, p string, s *apiextv1.JSONSchemaProps) (*descriptorpb.FieldDescriptorProto, error) {
	fd := &descriptorpb.FieldDescriptorProto{Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()}
	switch {
	case s.Type == "array":
		if s.Items == nil || s.Items.Schema == nil {
			return nil, nil
		}
		ok, err := b.typeOf(fd, owner+singular(camel(p)), s.Items.Schema)
		if err != nil || !ok {
			return nil, err
		}
		fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
		return fd, nil
	case s.Type == "object" && len(s.Properties) == 0 && s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil:
		entry := &descriptorpb.DescriptorProto{
			Name:    proto.String(camel(p) + "Entry"),
			Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
			Field: []*descriptorpb.FieldDescriptorProto{{
				Name: proto.String("key"), JsonName: proto.String("key"), Number: proto.Int32(1),
				Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
				Type:  descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
			}},
		}
		value := &descriptorpb.FieldDescriptorProto{Name: proto.String("value"), JsonName: proto.String("value"), Number: proto.Int32(2),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()}
		vs := s.AdditionalProperties.Schema
		if vs.Type == "array" || (vs.Type == "object" && len(vs.Properties) == 0) {
			return nil, nil // a map of lists or of maps
		}
		ok, err := b.typeOf(value, owner+camel(p), vs)
		if err != nil || !ok {
			return nil, err
		}
		entry.Field = append(entry.Field, value)
		for _, n := range msg.NestedType {
			if n.GetName() == entry.GetName() {
				entry.Name = proto.String(entry.GetName() + "_")
			}
		}
		msg.NestedType = append(msg.NestedType, entry)
		fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
		fd.TypeName = proto.String("." + b.pkg + "." + msg.GetName() + "." + entry.GetName())
		return fd, nil
	}
	ok, err := b.typeOf(fd, owner+camel(p), s)
	if err != nil || !ok {
		return nil, err
	}
	return fd, nil
}

// typeOf sets the type of fd for a value of schema s; an object becomes a
// message named name. It reports false for a value without a protobuf
// type.
func (b *builder) typeOf(fd *descriptorpb.FieldDescriptorProto, name string, s *apiextv1.JSONSchemaProps) (bool, error) {
	if s.XIntOrString {
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
		fd.TypeName = proto.String("." + string(IntOrStringName))
		return true, nil
	}
	switch s.Type {
	case "string":
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
	case "integer":
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_INT64.Enum()
	case "number":
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_DOUBLE.Enum()
	case "boolean":
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_BOOL.Enum()
	case "object":
		if len(s.Properties) == 0 {
			return false, nil // free-form, or a map in a list
		}
		m, err := b.message(name, s)
		if err != nil {
			return false, err
		}
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
		fd.TypeName = proto.String("." + b.pkg + "." + m.GetName())
	default:
		return false, nil
	}
	return true, nil
}

// camel capitalises the first letter of a property name and drops what
// cannot be in an identifier: "tlsConfig" is "TlsConfig".
func camel(p string) string {
	var sb strings.Builder
	up := true
	for _, r := range p {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) || r > unicode.MaxASCII {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// singular names one item of a list: "Endpoints" is "Endpoint",
// "Policies" "Policy", "Addresses" "Address"; short words ("Tls") stay.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && len(s) > 3:
		return s[:len(s)-1]
	}
	return s
}

// identifier makes a property name a protobuf field name: characters
// that cannot be in one become "_".
func identifier(p string) string {
	var sb strings.Builder
	for i, r := range p {
		switch {
		case r == '_' || r <= unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) && i > 0):
			sb.WriteRune(r)
		case unicode.IsDigit(r):
			sb.WriteString("_")
			sb.WriteRune(r)
		default:
			sb.WriteRune('_')
		}
	}
	if sb.Len() == 0 {
		return "_"
	}
	return sb.String()
}

// isIdent reports whether s is a protobuf identifier as it is.
func isIdent(s string) bool { return s != "" && s != "_" && identifier(s) == s }
