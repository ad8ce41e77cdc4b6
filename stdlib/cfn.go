package stdlib

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"go.yaml.in/yaml/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/lang/starproto"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// valueKind is what an intrinsic function yields, as far as it is known
// before deployment.
type valueKind int

const (
	anyKind valueKind = iota
	stringKind
	numberKind
	boolKind
	listKind
)

func (k valueKind) String() string {
	return [...]string{"a value", "a string", "a number", "a boolean", "a list"}[k]
}

// Intrinsic is the Starlark value of a CloudFormation intrinsic function:
// cfn.ref(bucket), bucket.arn, cfn.sub("${Queue.Arn}"). It is not a
// message, so that a typed field (a String, an Integer, ...) can take it
// in place of a plain value; storing it checks that what the function
// yields fits the field. Intrinsics are immutable; + with a string or
// another intrinsic joins them (Fn::Join with "").
type Intrinsic struct {
	fn   protoreflect.Message // a skyc.aws.cfn.Fn
	kind valueKind
	lib  *cfnLib
}

var (
	_ starlark.Value     = (*Intrinsic)(nil)
	_ starlark.HasBinary = (*Intrinsic)(nil)
)

// Fn returns the skyc.aws.cfn.Fn message of the intrinsic. It must not be
// modified.
func (x *Intrinsic) Fn() protoreflect.Message { return x.fn }

// String returns the function in CloudFormation's JSON form.
func (x *Intrinsic) String() string {
	tree, err := aws.Encode(x.fn)
	if err != nil {
		return "<invalid intrinsic: " + err.Error() + ">"
	}
	return compactJSON(tree)
}

// Type returns "cfn.intrinsic".
func (x *Intrinsic) Type() string { return "cfn.intrinsic" }

// Freeze does nothing: intrinsics are immutable.
func (x *Intrinsic) Freeze() {}

// Truth reports true.
func (x *Intrinsic) Truth() starlark.Bool { return starlark.True }

// Hash fails: intrinsics are unhashable.
func (x *Intrinsic) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: cfn.intrinsic") }

// Binary implements + with strings and intrinsics: Fn::Join with "".
func (x *Intrinsic) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if op != syntax.PLUS {
		return nil, nil
	}
	switch y.(type) {
	case starlark.String, *Intrinsic:
	default:
		return nil, nil
	}
	if x.kind != stringKind && x.kind != anyKind {
		return nil, fmt.Errorf("cannot concatenate %s, which yields %s", x, x.kind)
	}
	parts := []starlark.Value{x, y}
	if side == starlark.Right {
		parts = []starlark.Value{y, x}
	}
	// Flatten nested joins with "" so a + b + c is one Fn::Join.
	var flat []starlark.Value
	for _, p := range parts {
		if in, ok := p.(*Intrinsic); ok {
			if items, ok := emptyJoinItems(in); ok {
				flat = append(flat, items...)
				continue
			}
		}
		flat = append(flat, p)
	}
	return x.lib.join("", starlark.NewList(flat))
}

// emptyJoinItems returns the items of an Fn::Join with delimiter "" whose
// items are a list.
func emptyJoinItems(x *Intrinsic) ([]starlark.Value, bool) {
	if aws.FunctionName(x.fn) != "Fn::Join" {
		return nil, false
	}
	j := x.fn.Get(x.fn.Descriptor().Fields().ByName("Join")).Message()
	if j.Get(j.Descriptor().Fields().ByName("Delimiter")).String() != "" {
		return nil, false
	}
	list := j.Get(j.Descriptor().Fields().ByName("Values")).Message()
	lf := list.Descriptor().Fields().ByName("List")
	if !list.Has(lf) {
		return nil, false
	}
	items := list.Get(lf).Message()
	l := items.Get(items.Descriptor().Fields().ByName("Items")).List()
	out := make([]starlark.Value, l.Len())
	for i := range out {
		v, err := x.lib.jsonToStarlark(l.Get(i).Message())
		if err != nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// cfnLib makes the messages of the cfn and iam modules over one type
// registry.
type cfnLib struct {
	types  *protoregistry.Types
	bridge lang.Bridge

	pkgOnce sync.Once
	pkgFn   starlark.Callable // proto.package
}

func newCFNLib(types *protoregistry.Types, bridge lang.Bridge) (*cfnLib, error) {
	if _, err := types.FindMessageByName(aws.FnName); err != nil {
		return nil, fmt.Errorf("the type registry has no AWS types: %w", err)
	}
	return &cfnLib{types: types, bridge: bridge}, nil
}

// newMessage returns a new message of a registered type.
func (l *cfnLib) newMessage(name protoreflect.FullName) protoreflect.Message {
	mt, err := l.types.FindMessageByName(name)
	if err != nil {
		panic(fmt.Sprintf("stdlib: no message type %s", name))
	}
	return mt.New()
}

// field returns field name of m's type.
func field(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		panic(fmt.Sprintf("stdlib: %s has no field %s", m.Descriptor().FullName(), name))
	}
	return fd
}

func setString(m protoreflect.Message, name, v string) {
	m.Set(field(m, name), protoreflect.ValueOfString(v))
}

// intrinsic wraps args, a message of one of the function types, as an
// Intrinsic.
func (l *cfnLib) intrinsic(fnField string, args protoreflect.Message, kind valueKind) *Intrinsic {
	fn := l.newMessage(aws.FnName)
	fn.Set(field(fn, fnField), protoreflect.ValueOfMessage(args))
	return &Intrinsic{fn: fn, kind: kind, lib: l}
}

// kindOf says what an Fn yields when nothing more is known.
func kindOf(fn protoreflect.Message) valueKind {
	switch aws.FunctionName(fn) {
	case "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Base64", "Fn::ImportValue":
		return stringKind
	case "Fn::Split", "Fn::GetAZs", "Fn::Cidr":
		return listKind
	}
	return anyKind
}

// setJSON sets the Json-typed field name of m from a Starlark value.
func (l *cfnLib) setJSON(m protoreflect.Message, name string, v starlark.Value) error {
	fd := field(m, name)
	j := m.NewField(fd).Message()
	if err := l.toJSON(v, j, 0); err != nil {
		return err
	}
	m.Set(fd, protoreflect.ValueOfMessage(j))
	return nil
}

const maxJSONDepth = 100

// toJSON fills dst, a Json message, from a Starlark value: None, bools,
// numbers, strings, lists, dicts with string keys, intrinsics and AWS
// messages (in their CloudFormation form).
func (l *cfnLib) toJSON(v starlark.Value, dst protoreflect.Message, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("value nests deeper than %d", maxJSONDepth)
	}
	set := func(name string, pv protoreflect.Value) error {
		dst.Set(field(dst, name), pv)
		return nil
	}
	switch v := v.(type) {
	case starlark.NoneType:
		return set("Null", protoreflect.ValueOfBool(true))
	case starlark.Bool:
		return set("Bool", protoreflect.ValueOfBool(bool(v)))
	case starlark.Int:
		n, ok := v.Int64()
		if !ok {
			return fmt.Errorf("%s is out of range", v)
		}
		return set("Integer", protoreflect.ValueOfInt64(n))
	case starlark.Float:
		return set("Number", protoreflect.ValueOfFloat64(float64(v)))
	case starlark.String:
		return set("String", protoreflect.ValueOfString(string(v)))
	case *Intrinsic:
		return set("Fn", protoreflect.ValueOfMessage(proto.Clone(v.fn.Interface()).ProtoReflect()))
	case *Resource:
		return fmt.Errorf("got the resource %s itself: use %s.ref or %s.get_att(...)", v.LogicalID, v.LogicalID, v.LogicalID)
	case starlark.IterableMapping:
		obj := l.newMessage(aws.JSONObjectName)
		fields := obj.Mutable(field(obj, "Fields")).Map()
		for _, kv := range v.Items() {
			k, ok := kv[0].(starlark.String)
			if !ok {
				return fmt.Errorf("key %s: got %s, want a string", kv[0], kv[0].Type())
			}
			j := l.newMessage(aws.JSONName)
			if err := l.toJSON(kv[1], j, depth+1); err != nil {
				return fmt.Errorf("[%q]: %w", string(k), err)
			}
			fields.Set(protoreflect.ValueOfString(string(k)).MapKey(), protoreflect.ValueOfMessage(j))
		}
		return set("Object", protoreflect.ValueOfMessage(obj))
	case *starproto.Message:
		m, _ := starproto.AsProto(v)
		rm := m.ProtoReflect()
		if rm.Descriptor().FullName() == aws.JSONName {
			proto.Merge(dst.Interface(), m)
			return nil
		}
		if !strings.HasPrefix(string(rm.Descriptor().FullName()), aws.Package+".") {
			return fmt.Errorf("got %s, want a JSON value or an AWS message", rm.Descriptor().FullName())
		}
		tree, err := aws.Encode(rm)
		if err != nil {
			return err
		}
		return l.treeToJSON(tree, dst, depth)
	case starlark.Iterable:
		{
			list := l.newMessage(aws.JSONListName)
			items := list.Mutable(field(list, "Items")).List()
			it := v.Iterate()
			defer it.Done()
			var x starlark.Value
			for i := 0; it.Next(&x); i++ {
				j := l.newMessage(aws.JSONName)
				if err := l.toJSON(x, j, depth+1); err != nil {
					return fmt.Errorf("[%d]: %w", i, err)
				}
				items.Append(protoreflect.ValueOfMessage(j))
			}
			return set("List", protoreflect.ValueOfMessage(list))
		}
	}
	return fmt.Errorf("got %s, want a JSON value (string, number, bool, None, list, dict) or an intrinsic function", v.Type())
}

// treeToJSON fills dst from a document tree as aws.Encode makes it.
func (l *cfnLib) treeToJSON(tree any, dst protoreflect.Message, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("value nests deeper than %d", maxJSONDepth)
	}
	set := func(name string, pv protoreflect.Value) error {
		dst.Set(field(dst, name), pv)
		return nil
	}
	switch t := tree.(type) {
	case nil:
		return set("Null", protoreflect.ValueOfBool(true))
	case bool:
		return set("Bool", protoreflect.ValueOfBool(t))
	case int64:
		return set("Integer", protoreflect.ValueOfInt64(t))
	case float64:
		return set("Number", protoreflect.ValueOfFloat64(t))
	case string:
		return set("String", protoreflect.ValueOfString(t))
	case []any:
		list := l.newMessage(aws.JSONListName)
		items := list.Mutable(field(list, "Items")).List()
		for _, x := range t {
			j := l.newMessage(aws.JSONName)
			if err := l.treeToJSON(x, j, depth+1); err != nil {
				return err
			}
			items.Append(protoreflect.ValueOfMessage(j))
		}
		return set("List", protoreflect.ValueOfMessage(list))
	case yaml.MapSlice:
		obj := l.newMessage(aws.JSONObjectName)
		fields := obj.Mutable(field(obj, "Fields")).Map()
		for _, it := range t {
			j := l.newMessage(aws.JSONName)
			if err := l.treeToJSON(it.Value, j, depth+1); err != nil {
				return err
			}
			fields.Set(protoreflect.ValueOfString(fmt.Sprint(it.Key)).MapKey(), protoreflect.ValueOfMessage(j))
		}
		return set("Object", protoreflect.ValueOfMessage(obj))
	}
	return fmt.Errorf("unsupported value %T", tree)
}

// jsonToStarlark is the inverse of toJSON for reading values back.
func (l *cfnLib) jsonToStarlark(j protoreflect.Message) (starlark.Value, error) {
	od := j.Descriptor().Oneofs().ByName("value")
	fd := j.WhichOneof(od)
	if fd == nil {
		return starlark.None, nil
	}
	v := j.Get(fd)
	switch fd.Name() {
	case "String":
		return starlark.String(v.String()), nil
	case "Integer":
		return starlark.MakeInt64(v.Int()), nil
	case "Number":
		return starlark.Float(v.Float()), nil
	case "Bool":
		return starlark.Bool(v.Bool()), nil
	case "Null":
		return starlark.None, nil
	case "Fn":
		return &Intrinsic{fn: v.Message(), kind: kindOf(v.Message()), lib: l}, nil
	case "List":
		items := v.Message().Get(field(v.Message(), "Items")).List()
		out := make([]starlark.Value, items.Len())
		for i := range out {
			x, err := l.jsonToStarlark(items.Get(i).Message())
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return starlark.NewList(out), nil
	case "Object":
		m := v.Message().Get(field(v.Message(), "Fields")).Map()
		var keys []string
		m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k.String())
			return true
		})
		sort.Strings(keys)
		d := starlark.NewDict(len(keys))
		for _, k := range keys {
			x, err := l.jsonToStarlark(m.Get(protoreflect.ValueOfString(k).MapKey()).Message())
			if err != nil {
				return nil, err
			}
			d.SetKey(starlark.String(k), x)
		}
		return d, nil
	}
	return nil, fmt.Errorf("unknown Json value %s", fd.Name())
}

// compactJSON writes a document tree as one line of JSON.
func compactJSON(tree any) string {
	var b strings.Builder
	var write func(any)
	write = func(v any) {
		switch t := v.(type) {
		case nil:
			b.WriteString("null")
		case string:
			b.WriteString(strconv.Quote(t))
		case yaml.MapSlice:
			b.WriteByte('{')
			for i, it := range t {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.Quote(fmt.Sprint(it.Key)))
				b.WriteString(": ")
				write(it.Value)
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, x := range t {
				if i > 0 {
					b.WriteString(", ")
				}
				write(x)
			}
			b.WriteByte(']')
		default:
			fmt.Fprint(&b, t)
		}
	}
	write(tree)
	return b.String()
}

// The cfn module's intrinsic functions.

// ref implements cfn.ref(target): Ref of a resource, a parameter, a
// pseudo parameter ("AWS::Region") or a logical ID.
func (l *cfnLib) ref(target starlark.Value) (*Intrinsic, error) {
	name, kind := "", anyKind
	switch t := target.(type) {
	case *Resource:
		name, kind = t.LogicalID, stringKind
	case *Section:
		if t.kind != parameterSection {
			return nil, fmt.Errorf("cannot Ref %s %s: only resources and parameters", t.kind, t.name)
		}
		name, kind = t.name, t.paramKind()
	case starlark.String:
		name = string(t)
		if name == "" {
			return nil, fmt.Errorf("empty name")
		}
		if aws.IsPseudoParameter(name) {
			kind = stringKind
			if name == "AWS::NotificationARNs" {
				kind = listKind
			}
		} else if strings.HasPrefix(name, "AWS::") {
			return nil, fmt.Errorf("%q is not a pseudo parameter (they are %s)", name, strings.Join(aws.PseudoParameters, ", "))
		}
	default:
		return nil, fmt.Errorf("got %s, want a resource, a parameter or a name", target.Type())
	}
	args := l.newMessage("skyc.aws.cfn.Ref")
	setString(args, "Name", name)
	return l.intrinsic("Ref", args, kind), nil
}

// getAtt implements cfn.get_att(resource, attribute).
func (l *cfnLib) getAtt(target starlark.Value, attr string) (*Intrinsic, error) {
	name := ""
	switch t := target.(type) {
	case *Resource:
		if err := t.checkAttribute(attr); err != nil {
			return nil, err
		}
		name = t.LogicalID
	case starlark.String:
		name = string(t)
	default:
		return nil, fmt.Errorf("got %s, want a resource or a logical ID", target.Type())
	}
	args := l.newMessage("skyc.aws.cfn.GetAtt")
	setString(args, "Resource", name)
	setString(args, "Attribute", attr)
	return l.intrinsic("GetAtt", args, stringKind), nil
}

func (l *cfnLib) join(delim string, values starlark.Value) (*Intrinsic, error) {
	args := l.newMessage("skyc.aws.cfn.Join")
	setString(args, "Delimiter", delim)
	if in, ok := values.(*Intrinsic); ok && in.kind != listKind && in.kind != anyKind {
		return nil, fmt.Errorf("values: %s yields %s, want a list", in, in.kind)
	}
	if err := l.setJSON(args, "Values", values); err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	return l.intrinsic("Join", args, stringKind), nil
}

// conditionName accepts a condition's name or its declaration.
func conditionName(v starlark.Value) (string, error) {
	switch c := v.(type) {
	case starlark.String:
		if c == "" {
			return "", fmt.Errorf("empty condition name")
		}
		return string(c), nil
	case *Section:
		if c.kind == conditionSection {
			return c.name, nil
		}
	}
	return "", fmt.Errorf("got %s, want a condition from cfn.condition(...) or its name", v.Type())
}

// cfnModule returns the Go part of the cfn module: the intrinsic
// functions, conditions and template sections.
func (l *cfnLib) cfnModule() starlark.StringDict {
	b := func(name string, fn func(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
		full := "cfn." + name
		return starlark.NewBuiltin(full, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			v, err := fn(thread, args, kwargs)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", full, err)
			}
			return v, nil
		})
	}
	unpack := func(name string, args starlark.Tuple, kwargs []starlark.Tuple, pairs ...any) error {
		return starlark.UnpackArgs("cfn."+name, args, kwargs, pairs...)
	}
	jsonArgs := func(msg protoreflect.FullName, fields []string, values []starlark.Value) (protoreflect.Message, error) {
		m := l.newMessage(msg)
		for i, f := range fields {
			if values[i] == nil {
				continue
			}
			if err := l.setJSON(m, f, values[i]); err != nil {
				return nil, fmt.Errorf("%s: %w", strings.ToLower(f), err)
			}
		}
		return m, nil
	}
	pseudo := func(name string) *Intrinsic {
		in, _ := l.ref(starlark.String(name))
		return in
	}
	d := starlark.StringDict{
		"ref": b("ref", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var target starlark.Value
			if err := unpack("ref", args, kwargs, "target", &target); err != nil {
				return nil, err
			}
			return l.ref(target)
		}),
		"get_att": b("get_att", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				target starlark.Value
				attr   string
			)
			if err := unpack("get_att", args, kwargs, "resource", &target, "attribute", &attr); err != nil {
				return nil, err
			}
			return l.getAtt(target, attr)
		}),
		"sub": b("sub", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var tmpl string
			if err := starlark.UnpackPositionalArgs("cfn.sub", args, nil, 1, &tmpl); err != nil {
				return nil, err
			}
			if err := aws.ScanSub(tmpl, func(string) {}, func(string) error { return nil }); err != nil {
				return nil, err
			}
			m := l.newMessage("skyc.aws.cfn.Sub")
			setString(m, "Template", tmpl)
			vars := m.Mutable(field(m, "Variables")).Map()
			for _, kv := range kwargs {
				j := l.newMessage(aws.JSONName)
				if err := l.toJSON(kv[1], j, 0); err != nil {
					return nil, fmt.Errorf("%s: %w", kv[0], err)
				}
				vars.Set(protoreflect.ValueOfString(string(kv[0].(starlark.String))).MapKey(), protoreflect.ValueOfMessage(j))
			}
			return l.intrinsic("Sub", m, stringKind), nil
		}),
		"join": b("join", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				delim  string
				values starlark.Value
			)
			if err := unpack("join", args, kwargs, "delimiter", &delim, "values", &values); err != nil {
				return nil, err
			}
			return l.join(delim, values)
		}),
		"if_": b("if_", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var cond, then, els starlark.Value
			if err := unpack("if_", args, kwargs, "condition", &cond, "then", &then, "else_", &els); err != nil {
				return nil, err
			}
			name, err := conditionName(cond)
			if err != nil {
				return nil, fmt.Errorf("condition: %w", err)
			}
			m, err := jsonArgs("skyc.aws.cfn.If", []string{"Then", "Else"}, []starlark.Value{then, els})
			if err != nil {
				return nil, err
			}
			setString(m, "Condition", name)
			return l.intrinsic("If", m, unifyKinds(valueKindOf(then), valueKindOf(els))), nil
		}),
		"select": b("select", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				index int
				list  starlark.Value
			)
			if err := unpack("select", args, kwargs, "index", &index, "list", &list); err != nil {
				return nil, err
			}
			if index < 0 {
				return nil, fmt.Errorf("index: got %d, want 0 or more", index)
			}
			m, err := jsonArgs("skyc.aws.cfn.Select", []string{"List"}, []starlark.Value{list})
			if err != nil {
				return nil, err
			}
			m.Set(field(m, "Index"), protoreflect.ValueOfInt64(int64(index)))
			return l.intrinsic("Select", m, anyKind), nil
		}),
		"split": b("split", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				delim  string
				source starlark.Value
			)
			if err := unpack("split", args, kwargs, "delimiter", &delim, "source", &source); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.Split", []string{"Source"}, []starlark.Value{source})
			if err != nil {
				return nil, err
			}
			setString(m, "Delimiter", delim)
			return l.intrinsic("Split", m, listKind), nil
		}),
		"base64": b("base64", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var v starlark.Value
			if err := unpack("base64", args, kwargs, "value", &v); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.Base64", []string{"Value"}, []starlark.Value{v})
			if err != nil {
				return nil, err
			}
			return l.intrinsic("Base64", m, stringKind), nil
		}),
		"find_in_map": b("find_in_map", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				name        string
				top, second starlark.Value
			)
			if err := unpack("find_in_map", args, kwargs, "map", &name, "top_level_key", &top, "second_level_key", &second); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.FindInMap", []string{"TopLevelKey", "SecondLevelKey"}, []starlark.Value{top, second})
			if err != nil {
				return nil, err
			}
			setString(m, "MapName", name)
			return l.intrinsic("FindInMap", m, anyKind), nil
		}),
		"import_value": b("import_value", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var v starlark.Value
			if err := unpack("import_value", args, kwargs, "name", &v); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.ImportValue", []string{"Name"}, []starlark.Value{v})
			if err != nil {
				return nil, err
			}
			return l.intrinsic("ImportValue", m, stringKind), nil
		}),
		"get_azs": b("get_azs", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var region starlark.Value = starlark.String("")
			if err := unpack("get_azs", args, kwargs, "region?", &region); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.GetAZs", []string{"Region"}, []starlark.Value{region})
			if err != nil {
				return nil, err
			}
			return l.intrinsic("GetAZs", m, listKind), nil
		}),
		"cidr": b("cidr", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var block, count, bits starlark.Value
			if err := unpack("cidr", args, kwargs, "ip_block", &block, "count", &count, "cidr_bits", &bits); err != nil {
				return nil, err
			}
			m, err := jsonArgs("skyc.aws.cfn.Cidr", []string{"IpBlock", "Count", "CidrBits"}, []starlark.Value{block, count, bits})
			if err != nil {
				return nil, err
			}
			return l.intrinsic("Cidr", m, listKind), nil
		}),
		"equals": b("equals", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var a, c starlark.Value
			if err := unpack("equals", args, kwargs, "left", &a, "right", &c); err != nil {
				return nil, err
			}
			eq, err := jsonArgs("skyc.aws.cfn.Equals", []string{"Left", "Right"}, []starlark.Value{a, c})
			if err != nil {
				return nil, err
			}
			cond := l.newMessage(aws.ConditionName)
			cond.Set(field(cond, "Equals"), protoreflect.ValueOfMessage(eq))
			return l.bridge.Wrap(cond.Interface())
		}),
		"and_": b("and_", l.conditionList("And")),
		"or_":  b("or_", l.conditionList("Or")),
		"not_": b("not_", func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var c starlark.Value
			if err := unpack("not_", args, kwargs, "condition", &c); err != nil {
				return nil, err
			}
			inner, err := l.conditionMessage(c)
			if err != nil {
				return nil, err
			}
			cond := l.newMessage(aws.ConditionName)
			cond.Set(field(cond, "Not"), protoreflect.ValueOfMessage(inner))
			return l.bridge.Wrap(cond.Interface())
		}),
		"no_value":   pseudo("AWS::NoValue"),
		"region":     pseudo("AWS::Region"),
		"account_id": pseudo("AWS::AccountId"),
		"partition":  pseudo("AWS::Partition"),
		"stack_name": pseudo("AWS::StackName"),
		"url_suffix": pseudo("AWS::URLSuffix"),
	}
	for k, v := range l.sectionBuiltins() {
		d[k] = v
	}
	return d
}

// conditionMessage returns a skyc.aws.cfn.Condition for a condition
// value: one made by cfn.equals, cfn.and_, ..., a declared condition or
// its name.
func (l *cfnLib) conditionMessage(v starlark.Value) (protoreflect.Message, error) {
	if m, ok := l.bridge.Unwrap(v); ok && m.ProtoReflect().Descriptor().FullName() == aws.ConditionName {
		return proto.Clone(m).ProtoReflect(), nil
	}
	name, err := conditionName(v)
	if err != nil {
		return nil, err
	}
	cond := l.newMessage(aws.ConditionName)
	setString(cond, "Name", name)
	return cond, nil
}

func (l *cfnLib) conditionList(op string) func(*starlark.Thread, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(_ *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(kwargs) > 0 {
			return nil, fmt.Errorf("takes conditions as positional arguments")
		}
		if len(args) < 2 || len(args) > 10 {
			return nil, fmt.Errorf("got %d conditions, want 2 to 10", len(args))
		}
		list := l.newMessage("skyc.aws.cfn.ConditionList")
		items := list.Mutable(field(list, "Items")).List()
		for i, a := range args {
			c, err := l.conditionMessage(a)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			items.Append(protoreflect.ValueOfMessage(c))
		}
		cond := l.newMessage(aws.ConditionName)
		cond.Set(field(cond, op), protoreflect.ValueOfMessage(list))
		return l.bridge.Wrap(cond.Interface())
	}
}

// valueKindOf says what a Starlark value would yield as a template value.
func valueKindOf(v starlark.Value) valueKind {
	switch v := v.(type) {
	case *Intrinsic:
		return v.kind
	case starlark.String:
		return stringKind
	case starlark.Int, starlark.Float:
		return numberKind
	case starlark.Bool:
		return boolKind
	case *starlark.List, starlark.Tuple:
		return listKind
	}
	return anyKind
}

// unifyKinds is the kind of an Fn::If with branches of kinds a and b.
// Ref AWS::NoValue (anyKind) fits every branch.
func unifyKinds(a, b valueKind) valueKind {
	switch {
	case a == b:
		return a
	case a == anyKind:
		return b
	case b == anyKind:
		return a
	}
	return anyKind
}

// Boxers returns the boxers of the AWS value types, so that .sky code can
// store plain values and intrinsics in typed AWS fields:
//
//	String, Integer, Double, Boolean  the plain value, or an intrinsic yielding it
//	Json, JsonObject, JsonList        any JSON-like value, intrinsics anywhere
//	iam Principal                     "*" or {"Service": "eks.amazonaws.com", ...}
//	iam ConditionKeys                 {"aws:SourceVpc": "vpc-1" or [...]}
//	iam ConditionValues               a string, an intrinsic, or a list of them
//
// types must hold the AWS types (schemas.Platform).
func Boxers(types *protoregistry.Types) (map[protoreflect.FullName]starproto.Boxer, error) {
	l, err := newCFNLib(types, nil)
	if err != nil {
		return nil, err
	}
	scalar := func(want string, lit func(starlark.Value) (protoreflect.Value, bool), kinds ...valueKind) starproto.Boxer {
		return starproto.Boxer{
			Box: func(v starlark.Value, dst protoreflect.Message) error {
				if in, ok := v.(*Intrinsic); ok {
					fits := in.kind == anyKind
					for _, k := range kinds {
						fits = fits || in.kind == k
					}
					if !fits {
						return fmt.Errorf("%s yields %s, want %s", in, in.kind, want)
					}
					dst.Set(field(dst, "Fn"), protoreflect.ValueOfMessage(proto.Clone(in.fn.Interface()).ProtoReflect()))
					return nil
				}
				pv, ok := lit(v)
				if !ok {
					return fmt.Errorf("got %s, want %s or an intrinsic function (cfn.ref, cfn.get_att, cfn.sub, ...)", describeValue(v), want)
				}
				dst.Set(field(dst, "Literal"), pv)
				return nil
			},
			Unbox: func(m protoreflect.Message) (starlark.Value, error) {
				fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("value"))
				if fd == nil {
					return starlark.None, nil
				}
				if fd.Name() == "Fn" {
					return &Intrinsic{fn: m.Get(fd).Message(), kind: kindOf(m.Get(fd).Message()), lib: l}, nil
				}
				return scalarValue(m.Get(fd))
			},
		}
	}
	jsonBoxer := starproto.Boxer{
		Box:   func(v starlark.Value, dst protoreflect.Message) error { return l.toJSON(v, dst, 0) },
		Unbox: l.jsonToStarlark,
	}
	// JsonObject and JsonList box through Json.
	inner := func(oneof string) starproto.Boxer {
		return starproto.Boxer{Box: func(v starlark.Value, dst protoreflect.Message) error {
			j := l.newMessage(aws.JSONName)
			if err := l.toJSON(v, j, 0); err != nil {
				return err
			}
			fd := j.WhichOneof(j.Descriptor().Oneofs().ByName("value"))
			if fd == nil || string(fd.Name()) != oneof {
				return fmt.Errorf("got %s, want a %s", v.Type(), map[string]string{"Object": "dict", "List": "list"}[oneof])
			}
			proto.Merge(dst.Interface(), j.Get(fd).Message().Interface())
			return nil
		}}
	}
	return map[protoreflect.FullName]starproto.Boxer{
		aws.StringName: scalar("String", func(v starlark.Value) (protoreflect.Value, bool) {
			s, ok := v.(starlark.String)
			return protoreflect.ValueOfString(string(s)), ok
		}, stringKind),
		aws.IntegerName: scalar("Integer", func(v starlark.Value) (protoreflect.Value, bool) {
			i, ok := v.(starlark.Int)
			if !ok {
				return protoreflect.Value{}, false
			}
			n, ok := i.Int64()
			return protoreflect.ValueOfInt64(n), ok
		}, numberKind),
		aws.DoubleName: scalar("Double", func(v starlark.Value) (protoreflect.Value, bool) {
			switch v.(type) {
			case starlark.Int, starlark.Float:
				f, _ := starlark.AsFloat(v)
				return protoreflect.ValueOfFloat64(f), true
			}
			return protoreflect.Value{}, false
		}, numberKind),
		aws.BooleanName: scalar("Boolean", func(v starlark.Value) (protoreflect.Value, bool) {
			b, ok := v.(starlark.Bool)
			return protoreflect.ValueOfBool(bool(b)), ok
		}, boolKind),
		aws.JSONName:            jsonBoxer,
		aws.JSONObjectName:      inner("Object"),
		aws.JSONListName:        inner("List"),
		aws.PrincipalName:       {Box: l.boxPrincipal},
		aws.ConditionKeysName:   {Box: l.boxConditionKeys},
		aws.ConditionValuesName: {Box: l.boxConditionValues},
	}, nil
}

func scalarValue(v protoreflect.Value) (starlark.Value, error) {
	switch x := v.Interface().(type) {
	case string:
		return starlark.String(x), nil
	case int64:
		return starlark.MakeInt64(x), nil
	case float64:
		return starlark.Float(x), nil
	case bool:
		return starlark.Bool(x), nil
	}
	return nil, fmt.Errorf("unexpected %T", v.Interface())
}

// describeValue names a value's type for errors, with short strings shown.
func describeValue(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok && len(s) <= 40 {
		return "string " + strconv.Quote(string(s))
	}
	return v.Type()
}

// appendStrings appends a string, an intrinsic or a list of them to a
// repeated String field of m.
func (l *cfnLib) appendStrings(m protoreflect.Message, name string, v starlark.Value) error {
	list := m.Mutable(field(m, name)).List()
	add := func(x starlark.Value) error {
		s := l.newMessage(aws.StringName)
		switch x := x.(type) {
		case starlark.String:
			setString(s, "Literal", string(x))
		case *Intrinsic:
			if x.kind != stringKind && x.kind != anyKind {
				return fmt.Errorf("%s yields %s, want a string", x, x.kind)
			}
			s.Set(field(s, "Fn"), protoreflect.ValueOfMessage(proto.Clone(x.fn.Interface()).ProtoReflect()))
		default:
			return fmt.Errorf("got %s, want a string or an intrinsic function", describeValue(x))
		}
		list.Append(protoreflect.ValueOfMessage(s))
		return nil
	}
	switch v := v.(type) {
	case starlark.String, *Intrinsic:
		return add(v)
	case starlark.Iterable:
		it := v.Iterate()
		defer it.Done()
		var x starlark.Value
		for i := 0; it.Next(&x); i++ {
			if err := add(x); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	}
	return fmt.Errorf("got %s, want a string or a list of strings", v.Type())
}

// principalKeys are the keys of a principal, as IAM writes them.
var principalKeys = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (l *cfnLib) boxPrincipal(v starlark.Value, dst protoreflect.Message) error {
	if s, ok := v.(starlark.String); ok {
		if s != "*" {
			return fmt.Errorf("got string %q, want \"*\" or a dict such as {\"Service\": \"ec2.amazonaws.com\"}", string(s))
		}
		dst.Set(field(dst, "Everyone"), protoreflect.ValueOfBool(true))
		return nil
	}
	d, ok := v.(starlark.IterableMapping)
	if !ok {
		return fmt.Errorf("got %s, want \"*\" or a dict such as {\"Service\": \"ec2.amazonaws.com\"}", v.Type())
	}
	for _, kv := range d.Items() {
		k, _ := kv[0].(starlark.String)
		found := false
		for _, pk := range principalKeys {
			found = found || string(k) == pk
		}
		if !found {
			return fmt.Errorf("principal key %s: want one of %s", kv[0], strings.Join(principalKeys, ", "))
		}
		if err := l.appendStrings(dst, string(k), kv[1]); err != nil {
			return fmt.Errorf("[%q]: %w", string(k), err)
		}
	}
	return nil
}

func (l *cfnLib) boxConditionKeys(v starlark.Value, dst protoreflect.Message) error {
	d, ok := v.(starlark.IterableMapping)
	if !ok {
		return fmt.Errorf("got %s, want a dict of condition key to values", v.Type())
	}
	keys := dst.Mutable(field(dst, "Keys")).Map()
	for _, kv := range d.Items() {
		k, ok := kv[0].(starlark.String)
		if !ok {
			return fmt.Errorf("condition key %s: want a string", kv[0])
		}
		vals := l.newMessage(aws.ConditionValuesName)
		if err := l.boxConditionValues(kv[1], vals); err != nil {
			return fmt.Errorf("[%q]: %w", string(k), err)
		}
		keys.Set(protoreflect.ValueOfString(string(k)).MapKey(), protoreflect.ValueOfMessage(vals))
	}
	return nil
}

func (l *cfnLib) boxConditionValues(v starlark.Value, dst protoreflect.Message) error {
	switch v.(type) {
	case starlark.Bool, starlark.Int:
		// IAM compares strings; write "true" and "3" as it expects.
		v = starlark.String(v.String())
	}
	return l.appendStrings(dst, "Values", v)
}

// structOf makes a frozen struct, for modules.
func structOf(name string, d starlark.StringDict) *starlarkstruct.Struct {
	s := starlarkstruct.FromStringDict(starlark.String(name), d)
	s.Freeze()
	return s
}
