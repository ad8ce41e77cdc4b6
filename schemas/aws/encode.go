package aws

import (
	"fmt"
	"sort"

	"go.yaml.in/yaml/v2"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TemplateFormatVersion is the AWSTemplateFormatVersion of every template.
const TemplateFormatVersion = "2010-09-09"

// Encode returns the CloudFormation form of m, a message of one of the
// AWS types, as a document tree: yaml.MapSlice for objects, []any for
// arrays, and string, int64, float64, bool or nil. Objects keep the order
// CloudFormation documents use (a template's sections, a resource's Type
// before its Properties, properties in their declared order); maps are
// ordered by key. Intrinsic functions take their long form
// ({"Fn::GetAtt": [r, a]}). The same message always gives the same tree.
func Encode(m protoreflect.Message) (any, error) {
	return encodeMessage(m, 0)
}

// maxDepth bounds nesting, in case a message built in Go contains itself.
const maxDepth = 100

func encodeMessage(m protoreflect.Message, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s nests deeper than %d", m.Descriptor().Name(), maxDepth)
	}
	depth++
	switch m.Descriptor().FullName() {
	case StringName, IntegerName, DoubleName, BooleanName:
		return encodeScalar(m, depth)
	case JSONName:
		return encodeJSON(m, depth)
	case JSONListName:
		return encodeList(m, m.Descriptor().Fields().ByName("Items"), depth)
	case JSONObjectName:
		return encodeMap(m, m.Descriptor().Fields().ByName("Fields"), depth)
	case FnName:
		return encodeFn(m, depth)
	case ConditionName:
		return encodeCondition(m, depth)
	case PrincipalName:
		if m.Get(m.Descriptor().Fields().ByName("Everyone")).Bool() {
			return "*", nil
		}
	case ConditionKeysName:
		return encodeMap(m, m.Descriptor().Fields().ByName("Keys"), depth)
	case ConditionValuesName:
		return encodeList(m, m.Descriptor().Fields().ByName("Values"), depth)
	case TemplateName:
		body, err := encodeFields(m, depth)
		if err != nil {
			return nil, err
		}
		return append(yaml.MapSlice{{Key: "AWSTemplateFormatVersion", Value: TemplateFormatVersion}}, body...), nil
	case ResourceName:
		return encodeResource(m, depth)
	}
	return encodeFields(m, depth)
}

// encodeFields encodes the set fields of m in declaration order.
func encodeFields(m protoreflect.Message, depth int) (yaml.MapSlice, error) {
	out := yaml.MapSlice{}
	fds := m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if !m.Has(fd) {
			continue
		}
		v, err := encodeField(m, fd, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, yaml.MapItem{Key: string(fd.Name()), Value: v})
	}
	return out, nil
}

// encodeField encodes the value of field fd of m, with a path on error.
func encodeField(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) (any, error) {
	var (
		v   any
		err error
	)
	switch {
	case fd.IsList():
		v, err = encodeList(m, fd, depth)
	case fd.IsMap():
		v, err = encodeMap(m, fd, depth)
	default:
		v, err = encodeSingular(fd, m.Get(fd), depth)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fd.Name(), err)
	}
	return v, nil
}

func encodeSingular(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) (any, error) {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		return encodeMessage(v.Message(), depth)
	case protoreflect.EnumKind:
		ev := fd.Enum().Values().ByNumber(v.Enum())
		if ev == nil {
			return nil, fmt.Errorf("%d is not a value of %s", v.Enum(), fd.Enum().Name())
		}
		return string(ev.Name()), nil
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return v.Int(), nil
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return v.Float(), nil
	}
	return nil, fmt.Errorf("unsupported field kind %s", fd.Kind())
}

func encodeList(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) (any, error) {
	l := m.Get(fd).List()
	out := make([]any, l.Len())
	for i := range out {
		v, err := encodeSingular(fd, l.Get(i), depth)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

func encodeMap(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) (any, error) {
	mp := m.Get(fd).Map()
	keys := make([]string, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k.String())
		return true
	})
	sort.Strings(keys)
	out := make(yaml.MapSlice, len(keys))
	for i, k := range keys {
		v, err := encodeSingular(fd.MapValue(), mp.Get(protoreflect.ValueOfString(k).MapKey()), depth)
		if err != nil {
			return nil, fmt.Errorf("[%q]: %w", k, err)
		}
		out[i] = yaml.MapItem{Key: k, Value: v}
	}
	return out, nil
}

// setOneof returns the field set in the oneof of m, or nil.
func setOneof(m protoreflect.Message, name protoreflect.Name) protoreflect.FieldDescriptor {
	od := m.Descriptor().Oneofs().ByName(name)
	if od == nil {
		return nil
	}
	return m.WhichOneof(od)
}

func encodeScalar(m protoreflect.Message, depth int) (any, error) {
	fd := setOneof(m, "value")
	if fd == nil {
		return nil, fmt.Errorf("empty %s: set a value or an intrinsic function", m.Descriptor().Name())
	}
	return encodeSingular(fd, m.Get(fd), depth)
}

func encodeJSON(m protoreflect.Message, depth int) (any, error) {
	fd := setOneof(m, "value")
	if fd == nil {
		return nil, fmt.Errorf("empty Json value")
	}
	if fd.Name() == "Null" {
		return nil, nil
	}
	return encodeSingular(fd, m.Get(fd), depth)
}

// FunctionName returns the CloudFormation name of the intrinsic function a
// cfn.Fn holds ("Fn::GetAtt"), or "" if it holds none.
func FunctionName(fn protoreflect.Message) string {
	fd := setOneof(fn, "fn")
	if fd == nil {
		return ""
	}
	for _, in := range intrinsics {
		if string(fd.Name()) == in.field {
			return in.cfn
		}
	}
	return ""
}

func encodeFn(m protoreflect.Message, depth int) (any, error) {
	fd := setOneof(m, "fn")
	if fd == nil {
		return nil, fmt.Errorf("empty intrinsic function")
	}
	name := FunctionName(m)
	args := m.Get(fd).Message()
	get := func(field protoreflect.Name) (any, error) {
		afd := args.Descriptor().Fields().ByName(field)
		if !args.Has(afd) {
			return nil, fmt.Errorf("%s: %s is not set", name, field)
		}
		return encodeField(args, afd, depth)
	}
	list := func(fields ...protoreflect.Name) (any, error) {
		out := make([]any, len(fields))
		for i, f := range fields {
			v, err := get(f)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	var (
		v   any
		err error
	)
	switch fd.Name() {
	case "Ref":
		v, err = get("Name")
	case "GetAtt":
		v, err = list("Resource", "Attribute")
	case "Sub":
		v, err = get("Template")
		if err == nil && args.Get(args.Descriptor().Fields().ByName("Variables")).Map().Len() > 0 {
			var vars any
			vars, err = encodeMap(args, args.Descriptor().Fields().ByName("Variables"), depth)
			v = []any{v, vars}
		}
	case "Join":
		v, err = list("Delimiter", "Values")
	case "If":
		v, err = list("Condition", "Then", "Else")
	case "Select":
		v, err = list("Index", "List")
	case "Split":
		v, err = list("Delimiter", "Source")
	case "FindInMap":
		v, err = list("MapName", "TopLevelKey", "SecondLevelKey")
	case "ImportValue":
		v, err = get("Name")
	case "Base64":
		v, err = get("Value")
	case "GetAZs":
		afd := args.Descriptor().Fields().ByName("Region")
		if args.Has(afd) {
			v, err = encodeField(args, afd, depth)
		} else {
			v = ""
		}
	case "Cidr":
		v, err = list("IpBlock", "Count", "CidrBits")
	default:
		return nil, fmt.Errorf("unknown intrinsic function %s", fd.Name())
	}
	if err != nil {
		return nil, err
	}
	return yaml.MapSlice{{Key: name, Value: v}}, nil
}

func encodeCondition(m protoreflect.Message, depth int) (any, error) {
	fd := setOneof(m, "condition")
	if fd == nil {
		return nil, fmt.Errorf("empty condition")
	}
	v := m.Get(fd)
	switch fd.Name() {
	case "Name":
		return yaml.MapSlice{{Key: "Condition", Value: v.String()}}, nil
	case "Equals":
		eq := v.Message()
		l, err := encodeField(eq, eq.Descriptor().Fields().ByName("Left"), depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::Equals: %w", err)
		}
		r, err := encodeField(eq, eq.Descriptor().Fields().ByName("Right"), depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::Equals: %w", err)
		}
		return yaml.MapSlice{{Key: "Fn::Equals", Value: []any{l, r}}}, nil
	case "Not":
		c, err := encodeCondition(v.Message(), depth+1)
		if err != nil {
			return nil, fmt.Errorf("Fn::Not: %w", err)
		}
		return yaml.MapSlice{{Key: "Fn::Not", Value: []any{c}}}, nil
	}
	items, err := encodeList(v.Message(), v.Message().Descriptor().Fields().ByName("Items"), depth)
	if err != nil {
		return nil, fmt.Errorf("Fn::%s: %w", fd.Name(), err)
	}
	return yaml.MapSlice{{Key: "Fn::" + string(fd.Name()), Value: items}}, nil
}

// encodeResource writes a resource as a template lists it: Type,
// Condition, DependsOn, Properties, Metadata and the policies.
func encodeResource(m protoreflect.Message, depth int) (any, error) {
	fds := m.Descriptor().Fields()
	out := yaml.MapSlice{}
	add := func(name protoreflect.Name) error {
		fd := fds.ByName(name)
		if !m.Has(fd) {
			return nil
		}
		v, err := encodeField(m, fd, depth)
		if err != nil {
			return err
		}
		out = append(out, yaml.MapItem{Key: string(name), Value: v})
		return nil
	}
	for _, f := range []protoreflect.Name{"Type", "Condition", "DependsOn"} {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	if pf := setOneof(m, "Properties"); pf != nil {
		props, err := encodeMessage(m.Get(pf).Message(), depth)
		if err != nil {
			return nil, fmt.Errorf("Properties: %w", err)
		}
		if p, ok := props.(yaml.MapSlice); !ok || len(p) > 0 {
			out = append(out, yaml.MapItem{Key: "Properties", Value: props})
		}
	}
	for _, f := range []protoreflect.Name{"Metadata", "DeletionPolicy", "UpdateReplacePolicy"} {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}
