package schemas

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// describer derives protobuf file descriptors from Go struct types tagged
// the way k8s.io/api tags them. It visits each Go type once.
type describer struct {
	files    map[string]*descriptorpb.FileDescriptorProto // by Go package path
	messages map[reflect.Type]string                      // Go type → full message name
	deps     map[string]map[string]bool                   // file → imported files
}

func newDescriber() *describer {
	return &describer{
		files:    map[string]*descriptorpb.FileDescriptorProto{},
		messages: map[reflect.Type]string{},
		deps:     map[string]map[string]bool{},
	}
}

// protoPackage returns the protobuf package for a Go import path:
// "k8s.io/api/apps/v1" → "k8s.io.api.apps.v1".
func protoPackage(goPkg string) string {
	return strings.ReplaceAll(goPkg, "/", ".")
}

// fileName returns the descriptor file name for a Go import path.
func fileName(goPkg string) string { return goPkg + "/generated.proto" }

func (d *describer) file(goPkg string) *descriptorpb.FileDescriptorProto {
	f, ok := d.files[goPkg]
	if !ok {
		f = &descriptorpb.FileDescriptorProto{
			Name:    proto.String(fileName(goPkg)),
			Package: proto.String(protoPackage(goPkg)),
			Syntax:  proto.String("proto2"),
		}
		d.files[goPkg] = f
		d.deps[fileName(goPkg)] = map[string]bool{}
	}
	return f
}

// special holds the message shapes of types whose Go structs do not
// describe their wire form through tags.
var special = map[string][]*descriptorpb.FieldDescriptorProto{
	"k8s.io/apimachinery/pkg/api/resource.Quantity": {
		scalarField("string", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING),
	},
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time": {
		scalarField("seconds", 1, descriptorpb.FieldDescriptorProto_TYPE_INT64),
		scalarField("nanos", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32),
	},
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime": {
		scalarField("seconds", 1, descriptorpb.FieldDescriptorProto_TYPE_INT64),
		scalarField("nanos", 2, descriptorpb.FieldDescriptorProto_TYPE_INT32),
	},
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1": {
		scalarField("Raw", 1, descriptorpb.FieldDescriptorProto_TYPE_BYTES),
	},
}

func scalarField(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:     proto.String(name),
		JsonName: proto.String(name),
		Number:   proto.Int32(num),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		Type:     typ.Enum(),
	}
}

func typeKey(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

// messageName returns the full name of the message describing Go type t:
// its package's protobuf package and its name.
func messageName(t reflect.Type) protoreflect.FullName {
	return protoreflect.FullName(protoPackage(t.PkgPath()) + "." + t.Name())
}

// message returns the full name of the message describing Go type t,
// describing t (and everything it reaches) first if needed. t must be a
// named struct type or a named slice type.
func (d *describer) message(t reflect.Type) (string, error) {
	if name, ok := d.messages[t]; ok {
		return name, nil
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return "", fmt.Errorf("unnamed type %s cannot become a message", t)
	}
	f := d.file(t.PkgPath())
	full := string(messageName(t))
	d.messages[t] = full // before recursing: types may refer to themselves
	msg := &descriptorpb.DescriptorProto{Name: proto.String(t.Name())}
	f.MessageType = append(f.MessageType, msg)

	if fields, ok := special[typeKey(t)]; ok {
		msg.Field = fields
		return full, nil
	}
	switch t.Kind() {
	case reflect.Slice:
		// go-to-protobuf turns a named slice (ExtraValue []string) into a
		// message with one repeated field called items.
		fd, err := d.field(msg, t.PkgPath(), "items", 1, t, true)
		if err != nil {
			return "", fmt.Errorf("%s: %w", full, err)
		}
		msg.Field = append(msg.Field, fd)
		return full, nil
	case reflect.Struct:
	default:
		return "", fmt.Errorf("type %s of kind %s cannot become a message", t, t.Kind())
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("protobuf")
		if !ok || tag == "-" {
			continue
		}
		num, name, err := parseTag(tag, sf.Name)
		if err != nil {
			return "", fmt.Errorf("%s.%s: %w", full, sf.Name, err)
		}
		fd, err := d.field(msg, t.PkgPath(), name, num, sf.Type, false)
		if err != nil {
			return "", fmt.Errorf("%s.%s: %w", full, sf.Name, err)
		}
		msg.Field = append(msg.Field, fd)
	}
	sort.Slice(msg.Field, func(i, j int) bool { return msg.Field[i].GetNumber() < msg.Field[j].GetNumber() })
	return full, nil
}

// parseTag reads the field number and name from a protobuf struct tag such
// as "bytes,1,opt,name=metadata". A tag without name= takes the Go field
// name lower-camel-cased.
func parseTag(tag, goName string) (int32, string, error) {
	parts := strings.Split(tag, ",")
	if len(parts) < 2 {
		return 0, "", fmt.Errorf("malformed protobuf tag %q", tag)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, "", fmt.Errorf("malformed field number in protobuf tag %q", tag)
	}
	name := ""
	for _, p := range parts[2:] {
		if v, ok := strings.CutPrefix(p, "name="); ok {
			name = v
		}
	}
	if name == "" {
		r := []rune(goName)
		r[0] = unicode.ToLower(r[0])
		name = string(r)
	}
	return int32(n), name, nil
}

// field describes one message field of Go type t. inItems is set when t is
// the element list of a named-slice wrapper message.
func (d *describer) field(owner *descriptorpb.DescriptorProto, ownerPkg, name string, num int32, t reflect.Type, inItems bool) (*descriptorpb.FieldDescriptorProto, error) {
	fd := &descriptorpb.FieldDescriptorProto{
		Name:     proto.String(name),
		JsonName: proto.String(name),
		Number:   proto.Int32(num),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_BYTES.Enum()
		return fd, nil
	case t.Kind() == reflect.Slice && (t.Name() == "" || inItems):
		fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
		if err := d.setElemType(ownerPkg, fd, t.Elem()); err != nil {
			return nil, err
		}
		return fd, nil
	case t.Kind() == reflect.Map:
		return d.mapField(owner, ownerPkg, fd, t)
	}
	if err := d.setElemType(ownerPkg, fd, t); err != nil {
		return nil, err
	}
	return fd, nil
}

// setElemType sets fd's scalar or message type from Go type t.
func (d *describer) setElemType(ownerPkg string, fd *descriptorpb.FieldDescriptorProto, t reflect.Type) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var typ descriptorpb.FieldDescriptorProto_Type
	switch t.Kind() {
	case reflect.Bool:
		typ = descriptorpb.FieldDescriptorProto_TYPE_BOOL
	case reflect.Int32:
		typ = descriptorpb.FieldDescriptorProto_TYPE_INT32
	case reflect.Int64, reflect.Int:
		typ = descriptorpb.FieldDescriptorProto_TYPE_INT64
	case reflect.Uint32:
		typ = descriptorpb.FieldDescriptorProto_TYPE_UINT32
	case reflect.Uint64, reflect.Uint:
		typ = descriptorpb.FieldDescriptorProto_TYPE_UINT64
	case reflect.Float64:
		typ = descriptorpb.FieldDescriptorProto_TYPE_DOUBLE
	case reflect.Float32:
		typ = descriptorpb.FieldDescriptorProto_TYPE_FLOAT
	case reflect.String:
		typ = descriptorpb.FieldDescriptorProto_TYPE_STRING
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			typ = descriptorpb.FieldDescriptorProto_TYPE_BYTES
			break
		}
		fallthrough
	case reflect.Struct:
		full, err := d.message(t)
		if err != nil {
			return err
		}
		if t.PkgPath() != ownerPkg {
			d.deps[fileName(ownerPkg)][fileName(t.PkgPath())] = true
		}
		fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
		fd.TypeName = proto.String("." + full)
		return nil
	default:
		return fmt.Errorf("unsupported Go type %s", t)
	}
	fd.Type = typ.Enum()
	return nil
}

// mapField describes a Go map as a protobuf map field: a repeated nested
// MapEntry message with key = 1 and value = 2.
func (d *describer) mapField(owner *descriptorpb.DescriptorProto, ownerPkg string, fd *descriptorpb.FieldDescriptorProto, t reflect.Type) (*descriptorpb.FieldDescriptorProto, error) {
	if t.Key().Kind() != reflect.String {
		return nil, fmt.Errorf("unsupported map key type %s", t.Key())
	}
	// Map entry messages are nested in the message that owns the field.
	entryName := mapEntryName(fd.GetName())
	entry := &descriptorpb.DescriptorProto{
		Name:    proto.String(entryName),
		Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
		Field: []*descriptorpb.FieldDescriptorProto{
			scalarField("key", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING),
		},
	}
	val := &descriptorpb.FieldDescriptorProto{
		Name:     proto.String("value"),
		JsonName: proto.String("value"),
		Number:   proto.Int32(2),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
	}
	if err := d.setElemType(ownerPkg, val, t.Elem()); err != nil {
		return nil, err
	}
	entry.Field = append(entry.Field, val)
	owner.NestedType = append(owner.NestedType, entry)
	fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	fd.Type = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
	fd.TypeName = proto.String("." + protoPackage(ownerPkg) + "." + owner.GetName() + "." + entryName)
	return fd, nil
}

// mapEntryName follows protoc: "labels" → "LabelsEntry".
func mapEntryName(field string) string {
	var b strings.Builder
	upper := true
	for _, r := range field {
		if r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String() + "Entry"
}

// fileSet returns the described files in dependency order.
func (d *describer) fileSet() *descriptorpb.FileDescriptorSet {
	names := make([]string, 0, len(d.files))
	byName := map[string]*descriptorpb.FileDescriptorProto{}
	for _, f := range d.files {
		names = append(names, f.GetName())
		byName[f.GetName()] = f
	}
	sort.Strings(names)
	set := &descriptorpb.FileDescriptorSet{}
	done := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		deps := make([]string, 0, len(d.deps[n]))
		for dep := range d.deps[n] {
			deps = append(deps, dep)
		}
		sort.Strings(deps)
		for _, dep := range deps {
			visit(dep)
		}
		f := byName[n]
		f.Dependency = deps
		set.File = append(set.File, f)
	}
	for _, n := range names {
		visit(n)
	}
	return set
}
