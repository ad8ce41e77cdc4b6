package starproto

import (
	"fmt"
	"slices"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// EnumType is the Starlark value of a protobuf enum type; its attributes
// are the enum's values (proto.package("p").Color.RED).
type EnumType struct {
	desc protoreflect.EnumDescriptor
}

var _ starlark.HasAttrs = (*EnumType)(nil)

// String returns <proto.EnumType "full.Name">, as skycfg does.
func (t *EnumType) String() string { return fmt.Sprintf("<proto.EnumType %q>", t.desc.FullName()) }

// Type returns "proto.EnumType".
func (t *EnumType) Type() string { return "proto.EnumType" }

// Freeze does nothing: enum types are immutable.
func (t *EnumType) Freeze() {}

// Truth reports true.
func (t *EnumType) Truth() starlark.Bool { return starlark.True }

// Hash fails: enum types are unhashable, as in skycfg.
func (t *EnumType) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", t.Type()) }

// Attr returns the enum value of the given name.
func (t *EnumType) Attr(name string) (starlark.Value, error) {
	if v := t.desc.Values().ByName(protoreflect.Name(name)); v != nil {
		return &EnumValue{desc: v}, nil
	}
	return nil, fmt.Errorf("enum %s has no value %q%s", t.desc.Name(), name, didYouMean(name, t.AttrNames()))
}

// AttrNames returns the names of the enum's values, sorted.
func (t *EnumType) AttrNames() []string {
	vals := t.desc.Values()
	names := make([]string, vals.Len())
	for i := range names {
		names[i] = string(vals.Get(i).Name())
	}
	slices.Sort(names)
	return names
}

// EnumValue is the Starlark value of one value of a protobuf enum. It has
// the attributes name and value (the number) and compares equal to the
// same value of the same enum.
type EnumValue struct {
	desc protoreflect.EnumValueDescriptor
}

var (
	_ starlark.HasAttrs   = (*EnumValue)(nil)
	_ starlark.Comparable = (*EnumValue)(nil)
)

// enumValueOf returns the value of enum ed numbered n, or n as an int if
// the enum does not define it (possible in messages decoded elsewhere).
func enumValueOf(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) starlark.Value {
	if v := ed.Values().ByNumber(n); v != nil {
		return &EnumValue{desc: v}
	}
	return starlark.MakeInt64(int64(n))
}

// toEnum converts an EnumValue of enum ed, a value name or a number.
func toEnum(ed protoreflect.EnumDescriptor, v starlark.Value) (protoreflect.Value, error) {
	switch v := v.(type) {
	case *EnumValue:
		if v.desc.Parent().FullName() == ed.FullName() {
			return protoreflect.ValueOfEnum(v.desc.Number()), nil
		}
	case starlark.String:
		if ev := ed.Values().ByName(protoreflect.Name(v)); ev != nil {
			return protoreflect.ValueOfEnum(ev.Number()), nil
		}
		vals := ed.Values()
		names := make([]string, vals.Len())
		for i := range names {
			names[i] = string(vals.Get(i).Name())
		}
		return protoreflect.Value{}, fmt.Errorf("%s is not a value of %s%s", v, ed.Name(), didYouMean(string(v), names))
	case starlark.Int:
		if n, err := starlark.AsInt32(v); err == nil && ed.Values().ByNumber(protoreflect.EnumNumber(n)) != nil {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
		}
		return protoreflect.Value{}, fmt.Errorf("%s is not a value of %s", v, ed.Name())
	}
	return protoreflect.Value{}, typeError(v, string(ed.Name()))
}

// String returns <full.Enum NAME=n>, as skycfg does.
func (v *EnumValue) String() string {
	return fmt.Sprintf("<%s %s=%d>", v.desc.Parent().FullName(), v.desc.Name(), v.desc.Number())
}

// Type returns the enum's full name.
func (v *EnumValue) Type() string { return string(v.desc.Parent().FullName()) }

// Freeze does nothing: enum values are immutable.
func (v *EnumValue) Freeze() {}

// Truth reports true.
func (v *EnumValue) Truth() starlark.Bool { return starlark.True }

// Hash hashes the value's number.
func (v *EnumValue) Hash() (uint32, error) { return starlark.MakeInt(int(v.desc.Number())).Hash() }

// Attr returns name or value.
func (v *EnumValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(v.desc.Name()), nil
	case "value":
		return starlark.MakeInt(int(v.desc.Number())), nil
	}
	return nil, nil
}

// AttrNames returns name and value.
func (v *EnumValue) AttrNames() []string { return []string{"name", "value"} }

// CompareSameType supports == and !=.
func (v *EnumValue) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	w := y.(*EnumValue)
	same := v.desc.Number() == w.desc.Number() && v.desc.Parent().FullName() == w.desc.Parent().FullName()
	switch op {
	case syntax.EQL:
		return same, nil
	case syntax.NEQ:
		return !same, nil
	}
	return false, fmt.Errorf("%s %s %s not supported: enum values compare only with == and !=", v.Type(), op, w.Type())
}
