package stdlib

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// Resource is the Starlark value of one CloudFormation resource: what
// cfn.resource and the aws.* constructors return. Its typed properties
// message is the properties attribute; the resource attributes
// (deletion_policy, update_replace_policy, depends_on, condition) are
// attributes that can be set. ref and get_att(name) make intrinsics that
// refer to it; the constructor that made it may add attributes and
// methods of its own (bucket.arn, bucket.grant_read(svc)).
type Resource struct {
	// LogicalID is the resource's key in its template.
	LogicalID string
	// TypeName is the CloudFormation type, e.g. "AWS::S3::Bucket".
	TypeName string
	// Spec is the type's table, nil for a type without one.
	Spec *aws.ResourceType
	// Pos is where the resource was declared in the user's source.
	Pos lang.Pos

	props               starlark.Value // the properties message
	deletionPolicy      string
	updateReplacePolicy string
	condition           string
	dependsOn           []string
	companions          []*Resource
	extra               starlark.StringDict
	lib                 *cfnLib
	frozen              bool
}

var (
	_ starlark.HasAttrs    = (*Resource)(nil)
	_ starlark.HasSetField = (*Resource)(nil)
)

// String returns <AWS::S3::Bucket StatementsBucket>.
func (r *Resource) String() string { return fmt.Sprintf("<%s %s>", r.TypeName, r.LogicalID) }

// Type returns "aws.resource".
func (r *Resource) Type() string { return "aws.resource" }

// Freeze freezes the resource and its properties.
func (r *Resource) Freeze() {
	if r.frozen {
		return
	}
	r.frozen = true
	r.props.Freeze()
	r.extra.Freeze()
	for _, c := range r.companions {
		c.Freeze()
	}
}

// Truth reports true.
func (r *Resource) Truth() starlark.Bool { return starlark.True }

// Hash hashes the resource by identity.
func (r *Resource) Hash() (uint32, error) {
	return starlark.String(r.TypeName + "/" + r.LogicalID).Hash()
}

var resourceAttrs = []string{"companions", "condition", "deletion_policy", "depends_on", "get_att", "logical_id", "name", "properties", "ref", "type", "update_replace_policy"}

// AttrNames lists the attributes, sorted.
func (r *Resource) AttrNames() []string {
	names := slices.Clone(resourceAttrs)
	for k := range r.extra {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Attr returns an attribute.
func (r *Resource) Attr(name string) (starlark.Value, error) {
	switch name {
	case "logical_id":
		return starlark.String(r.LogicalID), nil
	case "type":
		return starlark.String(r.TypeName), nil
	case "properties":
		return r.props, nil
	case "name":
		if n := r.PhysicalName(); n != "" {
			return starlark.String(n), nil
		}
		return starlark.None, nil
	case "deletion_policy":
		return noneOr(r.deletionPolicy), nil
	case "update_replace_policy":
		return noneOr(r.updateReplacePolicy), nil
	case "condition":
		return noneOr(r.condition), nil
	case "depends_on":
		l := make([]starlark.Value, len(r.dependsOn))
		for i, d := range r.dependsOn {
			l[i] = starlark.String(d)
		}
		return starlark.Tuple(l), nil
	case "ref":
		return r.lib.ref(r)
	case "companions":
		l := make([]starlark.Value, len(r.companions))
		for i, c := range r.companions {
			l[i] = c
		}
		return starlark.Tuple(l), nil
	case "get_att":
		return starlark.NewBuiltin(r.LogicalID+".get_att", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var attr string
			if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "attribute", &attr); err != nil {
				return nil, err
			}
			v, err := r.lib.getAtt(r, attr)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fn.Name(), err)
			}
			return v, nil
		}), nil
	}
	if v, ok := r.extra[name]; ok {
		if c, ok := v.(starlark.Callable); ok {
			return boundMethod(r, name, c), nil
		}
		return v, nil
	}
	return nil, starlark.NoSuchAttrError(fmt.Sprintf("%s has no attribute %q%s", r.TypeName, name, hint(name, r.AttrNames())))
}

func hint(name string, candidates []string) string {
	if n := spell.Nearest(name, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %s?)", n)
	}
	return ""
}

// boundMethod calls fn with the resource as first argument.
func boundMethod(r *Resource, name string, fn starlark.Callable) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return starlark.Call(thread, fn, append(starlark.Tuple{r}, args...), kwargs)
	})
}

func noneOr(s string) starlark.Value {
	if s == "" {
		return starlark.None
	}
	return starlark.String(s)
}

// SetField sets deletion_policy, update_replace_policy, depends_on or
// condition.
func (r *Resource) SetField(name string, v starlark.Value) error {
	if r.frozen {
		return fmt.Errorf("cannot set %s of frozen %s", name, r.LogicalID)
	}
	switch name {
	case "deletion_policy", "update_replace_policy":
		s, err := policyArg(v)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", r.LogicalID, name, err)
		}
		if name == "deletion_policy" {
			r.deletionPolicy = s
		} else {
			r.updateReplacePolicy = s
		}
		return nil
	case "depends_on":
		deps, err := dependsOnArg(v)
		if err != nil {
			return fmt.Errorf("%s.depends_on: %w", r.LogicalID, err)
		}
		r.dependsOn = deps
		return nil
	case "condition":
		if v == starlark.None {
			r.condition = ""
			return nil
		}
		c, err := conditionName(v)
		if err != nil {
			return fmt.Errorf("%s.condition: %w", r.LogicalID, err)
		}
		r.condition = c
		return nil
	}
	if slices.Contains(r.AttrNames(), name) {
		return fmt.Errorf("cannot set %s of %s: set fields of its properties instead", name, r.LogicalID)
	}
	return starlark.NoSuchAttrError(fmt.Sprintf("%s has no attribute %q%s", r.TypeName, name, hint(name, r.AttrNames())))
}

func policyArg(v starlark.Value) (string, error) {
	if v == starlark.None {
		return "", nil
	}
	s, ok := v.(starlark.String)
	if !ok {
		return "", fmt.Errorf("got %s, want one of %s", v.Type(), strings.Join(aws.DeletionPolicies, ", "))
	}
	if !slices.Contains(aws.DeletionPolicies, string(s)) {
		return "", fmt.Errorf("%q is not a policy: want one of %s%s", string(s), strings.Join(aws.DeletionPolicies, ", "), hint(string(s), aws.DeletionPolicies))
	}
	return string(s), nil
}

func dependsOnArg(v starlark.Value) ([]string, error) {
	if v == starlark.None {
		return nil, nil
	}
	var out []string
	add := func(x starlark.Value) error {
		switch x := x.(type) {
		case *Resource:
			out = append(out, x.LogicalID)
		case starlark.String:
			out = append(out, string(x))
		default:
			return fmt.Errorf("got %s, want a resource or a logical ID", x.Type())
		}
		return nil
	}
	if it, ok := v.(starlark.Iterable); ok {
		iter := it.Iterate()
		defer iter.Done()
		var x starlark.Value
		for iter.Next(&x) {
			if err := add(x); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return out, add(v)
}

// checkAttribute reports whether Fn::GetAtt may read attr of r.
func (r *Resource) checkAttribute(attr string) error {
	if r.Spec == nil {
		return nil
	}
	if _, ok := r.Spec.Attribute(attr); ok {
		return nil
	}
	names := r.Spec.AttributeNames()
	if len(names) == 0 {
		return fmt.Errorf("%s has no attributes for Fn::GetAtt", r.TypeName)
	}
	return fmt.Errorf("%s has no attribute %q: it has %s%s", r.TypeName, attr, strings.Join(names, ", "), hint(attr, names))
}

// PropertiesMessage returns the resource's properties: a message of the
// type's own (skyc.aws.s3.Bucket) or a skyc.aws.cfn.JsonObject.
func (r *Resource) PropertiesMessage() protoreflect.Message {
	m, _ := r.lib.bridge.Unwrap(r.props)
	return m.ProtoReflect()
}

// PhysicalName returns the resource's physical name when its name property
// holds a plain string, else "".
func (r *Resource) PhysicalName() string {
	if r.Spec == nil || r.Spec.NameProperty == "" {
		return ""
	}
	m := r.PropertiesMessage()
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(r.Spec.NameProperty))
	if fd == nil || !m.Has(fd) {
		return ""
	}
	s := m.Get(fd).Message()
	lit := s.Descriptor().Fields().ByName("Literal")
	if !s.Has(lit) {
		return ""
	}
	return s.Get(lit).String()
}

// Companions returns the resources declared with r that belong with it
// in its stack (a queue's dead-letter queue, a key's alias).
func (r *Resource) Companions() []*Resource { return r.companions }

// Message returns the resource as a skyc.aws.cfn.Resource, sharing
// nothing with r.
func (r *Resource) Message() protoreflect.Message {
	l := r.lib
	m := l.newMessage(aws.ResourceName)
	setString(m, "Type", r.TypeName)
	if r.condition != "" {
		setString(m, "Condition", r.condition)
	}
	if len(r.dependsOn) > 0 {
		deps := m.Mutable(field(m, "DependsOn")).List()
		for _, d := range r.dependsOn {
			deps.Append(protoreflect.ValueOfString(d))
		}
	}
	policy := func(name, v string) {
		if v == "" {
			return
		}
		fd := field(m, name)
		m.Set(fd, protoreflect.ValueOfEnum(fd.Enum().Values().ByName(protoreflect.Name(v)).Number()))
	}
	policy("DeletionPolicy", r.deletionPolicy)
	policy("UpdateReplacePolicy", r.updateReplacePolicy)
	props := proto.Clone(r.PropertiesMessage().Interface()).ProtoReflect()
	if r.Spec != nil {
		m.Set(aws.PropertiesField(m.Descriptor(), r.Spec), protoreflect.ValueOfMessage(props))
	} else {
		m.Set(field(m, "Generic"), protoreflect.ValueOfMessage(props))
	}
	return m
}

// Compiled on first use: package initialisation runs in every skyc
// process, whatever the command.
var (
	typeNamePattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$`)
	})
	logicalIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`) })
)

// checkLogicalID reports whether id can be a logical ID.
func checkLogicalID(id string) error {
	if !logicalIDPattern().MatchString(id) {
		return fmt.Errorf("logical ID %q: want 1 to 255 letters and digits", id)
	}
	return nil
}

// newResource implements cfn.resource(type, properties, logical_id, ...).
func (l *cfnLib) newResource(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		typeName                    string
		props, logicalID            starlark.Value = starlark.None, starlark.None
		deletion, replace, deps, cd starlark.Value = starlark.None, starlark.None, starlark.None, starlark.None
	)
	if err := starlark.UnpackArgs("cfn.resource", args, kwargs,
		"type", &typeName, "properties?", &props, "logical_id?", &logicalID,
		"deletion_policy?", &deletion, "update_replace_policy?", &replace,
		"depends_on?", &deps, "condition?", &cd); err != nil {
		return nil, err
	}
	if !typeNamePattern().MatchString(typeName) {
		return nil, fmt.Errorf("%q is not a resource type such as \"AWS::SNS::Subscription\"", typeName)
	}
	r := &Resource{TypeName: typeName, lib: l, Pos: userPos(thread), extra: starlark.StringDict{}}
	r.Spec, _ = aws.LookupResource(typeName)
	switch id := logicalID.(type) {
	case starlark.NoneType:
		r.LogicalID = strings.Join(strings.Split(typeName, "::")[1:], "")
	case starlark.String:
		r.LogicalID = string(id)
	default:
		return nil, fmt.Errorf("logical_id: got %s, want a string", logicalID.Type())
	}
	if err := checkLogicalID(r.LogicalID); err != nil {
		return nil, err
	}
	var err error
	if r.props, err = l.properties(thread, r, props); err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	for _, kv := range []struct {
		name string
		v    starlark.Value
	}{{"deletion_policy", deletion}, {"update_replace_policy", replace}, {"depends_on", deps}, {"condition", cd}} {
		if err := r.SetField(kv.name, kv.v); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// properties makes the properties message of r from a dict, a message or
// None.
func (l *cfnLib) properties(thread *starlark.Thread, r *Resource, v starlark.Value) (starlark.Value, error) {
	want := aws.JSONObjectName
	if r.Spec != nil {
		want = r.Spec.MessageName()
	}
	if m, ok := l.bridge.Unwrap(v); ok {
		if got := m.ProtoReflect().Descriptor().FullName(); got != want {
			return nil, fmt.Errorf("got %s, want %s or a dict", got, want)
		}
		return v, nil
	}
	if r.Spec == nil {
		obj := l.newMessage(aws.JSONObjectName)
		if v != starlark.None {
			j := l.newMessage(aws.JSONName)
			if err := l.toJSON(v, j, 0); err != nil {
				return nil, err
			}
			fd := j.WhichOneof(j.Descriptor().Oneofs().ByName("value"))
			if fd == nil || fd.Name() != "Object" {
				return nil, fmt.Errorf("got %s, want a dict", v.Type())
			}
			obj = j.Get(fd).Message()
		}
		return l.bridge.Wrap(obj.Interface())
	}
	ctor, err := l.messageType(thread, want)
	if err != nil {
		return nil, err
	}
	var kwargs []starlark.Tuple
	if v != starlark.None {
		d, ok := v.(starlark.IterableMapping)
		if !ok {
			return nil, fmt.Errorf("got %s, want a dict or %s", v.Type(), want.Name())
		}
		for _, kv := range d.Items() {
			if _, ok := kv[0].(starlark.String); !ok {
				return nil, fmt.Errorf("key %s: want a property name", kv[0])
			}
			kwargs = append(kwargs, starlark.Tuple{kv[0], kv[1]})
		}
	}
	return starlark.Call(thread, ctor, nil, kwargs)
}

// messageType returns the constructor of a message type, through the
// bridge's proto.package, so that construction type-checks and boxes.
func (l *cfnLib) messageType(thread *starlark.Thread, name protoreflect.FullName) (starlark.Callable, error) {
	l.pkgOnce.Do(func() {
		l.pkgFn, _ = l.bridge.Module().Members["package"].(starlark.Callable)
	})
	if l.pkgFn == nil {
		return nil, fmt.Errorf("the proto module has no package function")
	}
	pkg, err := starlark.Call(thread, l.pkgFn, starlark.Tuple{starlark.String(name.Parent())}, nil)
	if err != nil {
		return nil, err
	}
	ha, ok := pkg.(starlark.HasAttrs)
	if !ok {
		return nil, fmt.Errorf("proto.package(%q) has no attributes", name.Parent())
	}
	t, err := ha.Attr(string(name.Name()))
	if err != nil {
		return nil, err
	}
	c, ok := t.(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("%s is not a message type", name)
	}
	return c, nil
}

// attach implements the library's attach(resource, attrs, companions):
// it gives a resource the attributes and methods of its constructor and
// the resources that belong with it. Callable attributes become methods
// that receive the resource first.
func attach(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		rv         starlark.Value
		attrs      *starlark.Dict
		companions *starlark.List
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "resource", &rv, "attrs?", &attrs, "companions?", &companions); err != nil {
		return nil, err
	}
	r, ok := rv.(*Resource)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want a resource", fn.Name(), rv.Type())
	}
	if attrs != nil {
		for _, kv := range attrs.Items() {
			k, _ := kv[0].(starlark.String)
			if slices.Contains(resourceAttrs, string(k)) {
				return nil, fmt.Errorf("%s: %s is a built-in attribute", fn.Name(), k)
			}
			r.extra[string(k)] = kv[1]
		}
	}
	if companions != nil {
		for i := 0; i < companions.Len(); i++ {
			c, ok := companions.Index(i).(*Resource)
			if !ok {
				return nil, fmt.Errorf("%s: companions[%d]: got %s, want a resource", fn.Name(), i, companions.Index(i).Type())
			}
			r.companions = append(r.companions, c)
		}
	}
	return r, nil
}

// Section is a template entry other than a resource: a parameter, a
// condition or an output, with its name.
type Section struct {
	kind sectionKind
	name string
	msg  protoreflect.Message // skyc.aws.cfn.Parameter, Condition or Output
	// Pos is where it was declared.
	Pos lang.Pos
}

type sectionKind int

const (
	parameterSection sectionKind = iota + 1
	conditionSection
	outputSection
)

func (k sectionKind) String() string {
	return [...]string{"", "parameter", "condition", "output"}[k]
}

// Name returns the section entry's name (its key in the template).
func (s *Section) Name() string { return s.name }

// Kind returns "parameter", "condition" or "output".
func (s *Section) Kind() string { return s.kind.String() }

// Message returns the entry's message: a skyc.aws.cfn.Parameter,
// Condition or Output.
func (s *Section) Message() protoreflect.Message { return s.msg }

// String returns <cfn.parameter Env>.
func (s *Section) String() string { return fmt.Sprintf("<cfn.%s %s>", s.kind, s.name) }

// Type returns "cfn.parameter", "cfn.condition" or "cfn.output".
func (s *Section) Type() string { return "cfn." + s.kind.String() }

// Freeze does nothing: sections are immutable.
func (s *Section) Freeze() {}

// Truth reports true.
func (s *Section) Truth() starlark.Bool { return starlark.True }

// Hash fails: sections are unhashable.
func (s *Section) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", s.Type()) }

// Attr returns name.
func (s *Section) Attr(name string) (starlark.Value, error) {
	if name == "name" {
		return starlark.String(s.name), nil
	}
	return nil, nil
}

// AttrNames returns ["name"].
func (s *Section) AttrNames() []string { return []string{"name"} }

// paramKind says what Ref of a parameter yields.
func (s *Section) paramKind() valueKind {
	t := s.msg.Get(field(s.msg, "Type")).String()
	switch {
	case t == "Number":
		return numberKind
	case strings.HasPrefix(t, "List<") || t == "CommaDelimitedList":
		return listKind
	}
	return stringKind
}

// parameterTypes are the parameter types a template may declare, besides
// the AWS-specific ones (AWS::EC2::VPC::Id, ...).
var parameterTypes = []string{"String", "Number", "List<Number>", "CommaDelimitedList"}

func (l *cfnLib) sectionBuiltins() starlark.StringDict {
	return starlark.StringDict{
		"resource": starlark.NewBuiltin("cfn.resource", func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			v, err := l.newResource(thread, args, kwargs)
			if err != nil {
				return nil, fmt.Errorf("cfn.resource: %w", err)
			}
			return v, nil
		}),
		"parameter": starlark.NewBuiltin("cfn.parameter", func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				name, typ, desc string = "", "String", ""
				def             starlark.Value
				allowed         *starlark.List
				noEcho          bool
			)
			if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "type?", &typ, "default?", &def,
				"description?", &desc, "allowed_values?", &allowed, "no_echo?", &noEcho); err != nil {
				return nil, err
			}
			if err := checkLogicalID(name); err != nil {
				return nil, fmt.Errorf("%s: %w", fn.Name(), err)
			}
			if !slices.Contains(parameterTypes, typ) && !strings.HasPrefix(typ, "AWS::") && !strings.HasPrefix(typ, "List<AWS::") {
				return nil, fmt.Errorf("%s: type %q: want one of %s or an AWS-specific type", fn.Name(), typ, strings.Join(parameterTypes, ", "))
			}
			m := l.newMessage(aws.ParameterName)
			setString(m, "Type", typ)
			if desc != "" {
				setString(m, "Description", desc)
			}
			if def != nil && def != starlark.None {
				if err := l.setJSON(m, "Default", def); err != nil {
					return nil, fmt.Errorf("%s: default: %w", fn.Name(), err)
				}
			}
			if allowed != nil {
				av := m.Mutable(field(m, "AllowedValues")).List()
				for i := 0; i < allowed.Len(); i++ {
					s, ok := starlark.AsString(allowed.Index(i))
					if !ok {
						s = allowed.Index(i).String()
					}
					av.Append(protoreflect.ValueOfString(s))
				}
			}
			if noEcho {
				m.Set(field(m, "NoEcho"), protoreflect.ValueOfBool(true))
			}
			return &Section{kind: parameterSection, name: name, msg: m, Pos: userPos(thread)}, nil
		}),
		"condition": starlark.NewBuiltin("cfn.condition", func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				name string
				expr starlark.Value
			)
			if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "expr", &expr); err != nil {
				return nil, err
			}
			if err := checkLogicalID(name); err != nil {
				return nil, fmt.Errorf("%s: %w", fn.Name(), err)
			}
			m, ok := l.bridge.Unwrap(expr)
			if !ok || m.ProtoReflect().Descriptor().FullName() != aws.ConditionName {
				return nil, fmt.Errorf("%s: expr: got %s, want cfn.equals, cfn.and_, cfn.or_ or cfn.not_", fn.Name(), expr.Type())
			}
			return &Section{kind: conditionSection, name: name, msg: proto.Clone(m).ProtoReflect(), Pos: userPos(thread)}, nil
		}),
		"output": starlark.NewBuiltin("cfn.output", func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var (
				name, desc string
				value      starlark.Value
				export     starlark.Value = starlark.None
				cond       starlark.Value = starlark.None
			)
			if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "name", &name, "value", &value,
				"description?", &desc, "export?", &export, "condition?", &cond); err != nil {
				return nil, err
			}
			if err := checkLogicalID(name); err != nil {
				return nil, fmt.Errorf("%s: %w", fn.Name(), err)
			}
			m := l.newMessage(aws.OutputName)
			if err := l.setJSON(m, "Value", value); err != nil {
				return nil, fmt.Errorf("%s: value: %w", fn.Name(), err)
			}
			if desc != "" {
				setString(m, "Description", desc)
			}
			if export != starlark.None {
				ex := m.Mutable(field(m, "Export")).Message()
				if err := l.setJSON(ex, "Name", export); err != nil {
					return nil, fmt.Errorf("%s: export: %w", fn.Name(), err)
				}
			}
			if cond != starlark.None {
				c, err := conditionName(cond)
				if err != nil {
					return nil, fmt.Errorf("%s: condition: %w", fn.Name(), err)
				}
				setString(m, "Condition", c)
			}
			return &Section{kind: outputSection, name: name, msg: m, Pos: userPos(thread)}, nil
		}),
	}
}

// userPos returns the position of the innermost frame of the user's own
// files on thread's stack.
func userPos(thread *starlark.Thread) lang.Pos {
	if thread == nil {
		return lang.Pos{}
	}
	for i := 0; i < thread.CallStackDepth(); i++ {
		fr := thread.CallFrame(i)
		if !lang.IsStdlib(fr.Pos.Filename()) {
			return lang.Pos{File: fr.Pos.Filename(), Line: int(fr.Pos.Line), Col: int(fr.Pos.Col)}
		}
	}
	return lang.Pos{}
}

// tag implements tag(resource, pairs): it sets the tags of a typed,
// taggable resource, replacing tags of the same keys and keeping others.
// It reports whether the resource type takes tags.
func tag(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		rv    starlark.Value
		pairs *starlark.List
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "resource", &rv, "pairs", &pairs); err != nil {
		return nil, err
	}
	r, ok := rv.(*Resource)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want a resource", fn.Name(), rv.Type())
	}
	if r.Spec == nil || r.Spec.Tags == aws.NoTags {
		return starlark.False, nil
	}
	if r.frozen {
		return nil, fmt.Errorf("%s: %s is frozen", fn.Name(), r.LogicalID)
	}
	var keys, values []string
	for i := 0; i < pairs.Len(); i++ {
		kv, ok := pairs.Index(i).(starlark.Tuple)
		if !ok || len(kv) != 2 {
			return nil, fmt.Errorf("%s: pairs[%d]: want a (key, value) tuple", fn.Name(), i)
		}
		k, _ := starlark.AsString(kv[0])
		v, _ := starlark.AsString(kv[1])
		keys, values = append(keys, k), append(values, v)
	}
	props := r.PropertiesMessage()
	fd := field(props, "Tags")
	lit := func(s string) protoreflect.Value {
		m := r.lib.newMessage(aws.StringName)
		setString(m, "Literal", s)
		return protoreflect.ValueOfMessage(m)
	}
	if r.Spec.Tags == aws.TagMap {
		m := props.Mutable(fd).Map()
		for i, k := range keys {
			m.Set(protoreflect.ValueOfString(k).MapKey(), lit(values[i]))
		}
		return starlark.True, nil
	}
	list := props.Mutable(fd).List()
	var kept []protoreflect.Value
	for i := 0; i < list.Len(); i++ {
		t := list.Get(i).Message()
		key := t.Get(field(t, "Key")).Message()
		if k := key.Get(field(key, "Literal")).String(); slices.Contains(keys, k) {
			continue
		}
		kept = append(kept, list.Get(i))
	}
	list.Truncate(0)
	for _, v := range kept {
		list.Append(v)
	}
	for i, k := range keys {
		t := r.lib.newMessage(aws.TagName)
		t.Set(field(t, "Key"), lit(k))
		t.Set(field(t, "Value"), lit(values[i]))
		list.Append(protoreflect.ValueOfMessage(t))
	}
	return starlark.True, nil
}
