package apidoc

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/schemas"
)

// Type documents a Kubernetes type, or one field of it, as a .sky file
// sees it: field names are the protobuf names .sky constructors take
// (mostly the JSON names; an embedded struct such as Probe's handler is
// a field of its own).
type Type struct {
	APIVersion string // e.g. "apps/v1"
	Kind       string // the type named on the command line, e.g. "Deployment"
	Path       string // the field path below it, or ""
	Name       string // the type at the end of the path, e.g. "[]Container", "string"
	Message    string // its full protobuf name, or "" for a scalar
	IsKind     bool   // whether Kind is a kind, rather than another type of its API version
	FieldDoc   string // the documentation of the field at the end of Path
	Doc        string // the documentation of the type
	Fields     []Field
}

// Field is one field of a message type.
type Field struct {
	Name string
	Type string // e.g. "string", "int32", "list[Container]", "dict[string, Quantity]"
	Doc  string
}

// special documents the apimachinery types that are not Kubernetes
// structs with field documentation of their own.
var special = map[protoreflect.FullName]string{
	"k8s.io.apimachinery.pkg.api.resource.Quantity": `An amount of a resource, such as "250m" of CPU or "512Mi" of memory: ` +
		`a string such as "512Mi", a number of cores, or quantity("512Mi"), cores(0.5), millicores(250), gigabytes(4), megabytes(512).`,
	"k8s.io.apimachinery.pkg.util.intstr.IntOrString": `An int or a string: a port number or a port name, a count or a percentage ` +
		`such as "25%". Assign an int or a string.`,
	"k8s.io.apimachinery.pkg.apis.meta.v1.Time":      `A point in time: an RFC 3339 string such as "2026-01-02T15:04:05Z".`,
	"k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": `A point in time with microsecond precision: an RFC 3339 string.`,
}

// Index documents the Kubernetes types of a registry: every message type
// reachable from a kind, with the Go type its documentation comes from.
// Build one with NewIndex; it is read-only afterwards.
type Index struct {
	reg    *schemas.Registry
	goType map[protoreflect.FullName]reflect.Type
	// versions maps an apiVersion to its protobuf package, apiVersion
	// the other way.
	versions   map[string]protoreflect.FullName
	apiVersion map[protoreflect.FullName]string
}

// NewIndex walks every kind of reg.
func NewIndex(reg *schemas.Registry) *Index {
	x := &Index{
		reg:        reg,
		goType:     map[protoreflect.FullName]reflect.Type{},
		versions:   map[string]protoreflect.FullName{},
		apiVersion: map[protoreflect.FullName]string{},
	}
	for _, k := range reg.Kinds() {
		md := k.Message.Descriptor()
		x.versions[k.APIVersion()] = md.ParentFile().Package()
		x.apiVersion[md.ParentFile().Package()] = k.APIVersion()
		x.walk(md, k.GoType)
	}
	return x
}

func (x *Index) walk(md protoreflect.MessageDescriptor, t reflect.Type) {
	if _, seen := x.goType[md.FullName()]; seen || t.Kind() != reflect.Struct {
		return
	}
	x.goType[md.FullName()] = t
	byNumber := goFields(t)
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		sf, ok := byNumber[fd.Number()]
		if !ok {
			continue
		}
		if elem := messageOf(fd); elem != nil {
			x.walk(elem, elemType(sf.Type))
		}
	}
}

// goFields maps the protobuf field numbers of a Go struct's fields, from
// their `protobuf:"bytes,N,..."` tags, to the fields.
func goFields(t reflect.Type) map[protoreflect.FieldNumber]reflect.StructField {
	out := map[protoreflect.FieldNumber]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		parts := strings.Split(sf.Tag.Get("protobuf"), ",")
		if len(parts) < 2 {
			continue
		}
		if n, err := strconv.Atoi(parts[1]); err == nil {
			out[protoreflect.FieldNumber(n)] = sf
		}
	}
	return out
}

// messageOf returns the message type of a field's values (a map's
// values), or nil for scalars.
func messageOf(fd protoreflect.FieldDescriptor) protoreflect.MessageDescriptor {
	if fd.IsMap() {
		fd = fd.MapValue()
	}
	return fd.Message()
}

// elemType strips pointers, slices and maps down to the element type.
func elemType(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// swaggerDoc returns the documentation map of a k8s.io/api type: "" is
// the type's description, the other keys are JSON field names.
func swaggerDoc(t reflect.Type) map[string]string {
	if t == nil {
		return nil
	}
	if d, ok := reflect.Zero(t).Interface().(interface{ SwaggerDoc() map[string]string }); ok {
		return d.SwaggerDoc()
	}
	return nil
}

// typeDoc returns the documentation of a message type.
func (x *Index) typeDoc(md protoreflect.MessageDescriptor) string {
	if doc, ok := special[md.FullName()]; ok {
		return doc
	}
	return swaggerDoc(x.goType[md.FullName()])[""]
}

// fieldDoc returns the documentation of a field of a message type. A Go
// struct embedded inline (Probe's handler) is documented by its type.
func (x *Index) fieldDoc(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor) string {
	t := x.goType[md.FullName()]
	if t == nil {
		return ""
	}
	sf, ok := goFields(t)[fd.Number()]
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" && sf.Anonymous {
		if elem := messageOf(fd); elem != nil {
			return x.typeDoc(elem)
		}
	}
	return swaggerDoc(t)[name]
}

// APIVersions returns every apiVersion of the registry, sorted.
func (x *Index) APIVersions() []string {
	var out []string
	for v := range x.versions {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Lookup documents the type kind of apiVersion (a kind such as
// Deployment, or any type of that API version such as DeploymentSpec),
// or the field at path below it ("spec.strategy"; list indices such as
// "containers[0]" are allowed). Errors name what was not found and
// suggest the nearest spelling.
func (x *Index) Lookup(apiVersion, kind, path string) (*Type, error) {
	apiVersion = strings.TrimPrefix(apiVersion, "core/")
	pkg, ok := x.versions[apiVersion]
	if !ok {
		return nil, notFound("API version", apiVersion, x.APIVersions())
	}
	md, err := x.message(pkg, apiVersion, kind)
	if err != nil {
		return nil, err
	}
	return x.describe(md, apiVersion, path)
}

// LookupMessage documents the message type of the given full protobuf
// name (k8s.io.api.apps.v1.Deployment), or the field at path below it.
func (x *Index) LookupMessage(fullName, path string) (*Type, error) {
	md := x.find(protoreflect.FullName(fullName))
	if md == nil {
		return nil, fmt.Errorf("no Kubernetes type %s", fullName)
	}
	apiVersion, ok := x.apiVersion[md.ParentFile().Package()]
	if !ok {
		apiVersion = string(md.ParentFile().Package()) // e.g. meta/v1's types
	}
	return x.describe(md, apiVersion, path)
}

func (x *Index) describe(md protoreflect.MessageDescriptor, apiVersion, path string) (*Type, error) {
	_, isKind := x.reg.KindOf(md.FullName())
	t := &Type{APIVersion: apiVersion, Kind: string(md.Name()), Path: path, IsKind: isKind}
	name := string(md.Name())
	if path != "" {
		var walked []string
		for _, elem := range strings.Split(path, ".") {
			elem, _, _ = strings.Cut(elem, "[")
			if md == nil {
				return nil, fmt.Errorf("%s %s: %s (%s) has no field %s", apiVersion, t.Kind, strings.Join(walked, "."), name, elem)
			}
			fd := md.Fields().ByName(protoreflect.Name(elem))
			if fd == nil {
				where := t.Kind
				if len(walked) > 0 {
					where += " " + strings.Join(walked, ".")
				}
				return nil, notFound(fmt.Sprintf("field of %s %s", apiVersion, where), elem, fieldNames(md))
			}
			t.FieldDoc = x.fieldDoc(md, fd)
			walked = append(walked, elem)
			name = typeName(fd)
			md = messageOf(fd)
		}
	}
	t.Name = name
	if md == nil {
		return t, nil
	}
	t.Message = string(md.FullName())
	t.Doc = x.typeDoc(md)
	if _, ok := special[md.FullName()]; ok {
		return t, nil // its fields are an encoding detail
	}
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		t.Fields = append(t.Fields, Field{Name: string(f.Name()), Type: typeName(f), Doc: x.fieldDoc(md, f)})
	}
	sort.Slice(t.Fields, func(i, j int) bool { return t.Fields[i].Name < t.Fields[j].Name })
	return t, nil
}

// message finds a type of an API version's package by name, ignoring case
// if there is no exact match.
func (x *Index) message(pkg protoreflect.FullName, apiVersion, name string) (protoreflect.MessageDescriptor, error) {
	if md := x.find(pkg.Append(protoreflect.Name(name))); md != nil {
		return md, nil
	}
	var kinds, types []string
	for full := range x.goType {
		if full.Parent() == pkg {
			types = append(types, string(full.Name()))
		}
	}
	for _, k := range x.reg.Kinds() {
		if k.APIVersion() == apiVersion {
			kinds = append(kinds, k.GVK.Kind)
		}
	}
	for _, n := range types {
		if strings.EqualFold(n, name) {
			return x.find(pkg.Append(protoreflect.Name(n))), nil
		}
	}
	if s := spell.Nearest(name, types); s != "" {
		return nil, fmt.Errorf("no type %q in %s (did you mean %q?)", name, apiVersion, s)
	}
	sort.Strings(kinds)
	return nil, fmt.Errorf("no type %q in %s; its kinds are %s", name, apiVersion, strings.Join(kinds, ", "))
}

func (x *Index) find(name protoreflect.FullName) protoreflect.MessageDescriptor {
	if _, ok := x.goType[name]; !ok {
		return nil
	}
	d, err := x.reg.Files().FindDescriptorByName(name)
	if err != nil {
		return nil
	}
	md, _ := d.(protoreflect.MessageDescriptor)
	return md
}

// FindKind returns the apiVersions that have a kind of this name
// (ignoring case), generally available versions first.
func (x *Index) FindKind(name string) (kind string, apiVersions []string) {
	for _, k := range x.reg.Kinds() {
		if strings.EqualFold(k.GVK.Kind, name) {
			kind = k.GVK.Kind
			apiVersions = append(apiVersions, k.APIVersion())
		}
	}
	sort.SliceStable(apiVersions, func(i, j int) bool {
		si, sj := stability(apiVersions[i]), stability(apiVersions[j])
		if si != sj {
			return si < sj
		}
		return apiVersions[i] < apiVersions[j]
	})
	return kind, apiVersions
}

// stability orders versions: GA (v1, v2) before beta before alpha.
func stability(apiVersion string) int {
	v := apiVersion[strings.LastIndex(apiVersion, "/")+1:]
	switch {
	case strings.Contains(v, "alpha"):
		return 2
	case strings.Contains(v, "beta"):
		return 1
	}
	return 0
}

// Kinds returns every kind name, sorted and each once.
func (x *Index) Kinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range x.reg.Kinds() {
		if !seen[k.GVK.Kind] {
			seen[k.GVK.Kind] = true
			out = append(out, k.GVK.Kind)
		}
	}
	sort.Strings(out)
	return out
}

func fieldNames(md protoreflect.MessageDescriptor) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		out = append(out, string(md.Fields().Get(i).Name()))
	}
	sort.Strings(out)
	return out
}

// typeName names a field's type as a .sky author sees it.
func typeName(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return "dict[" + scalarName(fd.MapKey()) + ", " + scalarName(fd.MapValue()) + "]"
	case fd.IsList():
		return "list[" + scalarName(fd) + "]"
	}
	return scalarName(fd)
}

func scalarName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().Name())
	case protoreflect.EnumKind:
		return string(fd.Enum().Name())
	case protoreflect.BoolKind:
		return "bool"
	case protoreflect.StringKind:
		return "string"
	case protoreflect.BytesKind:
		return "bytes"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "float"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return "int32"
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return "uint32"
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "uint64"
	}
	return "int64"
}

// notFound is the error for an unknown name, with a suggestion.
func notFound(what, name string, candidates []string) error {
	if s := spell.Nearest(name, candidates); s != "" {
		return fmt.Errorf("no %s %q (did you mean %q?)", what, name, s)
	}
	return fmt.Errorf("no %s %q", what, name)
}

// Summary returns the first sentence of a documentation text, for a
// one-line listing.
func Summary(doc string) string {
	doc = strings.TrimSpace(doc)
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	doc = strings.Join(strings.Fields(doc), " ")
	for i := 0; i < len(doc)-1; i++ {
		if doc[i] == '.' && doc[i+1] == ' ' && (i+2 >= len(doc) || unicode.IsUpper(rune(doc[i+2]))) {
			return doc[:i+1]
		}
	}
	return doc
}
