package starproto

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// typeName names the type of the values fd holds, as error messages show
// it: "int32", "string", "Container", "Quantity".
func typeName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().Name())
	case protoreflect.EnumKind:
		return string(fd.Enum().Name())
	default:
		return fd.Kind().String()
	}
}

// fieldTypeName names the type of field fd as a whole: "list of
// Container", "dict of string to Quantity" or typeName.
func fieldTypeName(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return "dict of " + typeName(fd.MapKey()) + " to " + typeName(fd.MapValue())
	case fd.IsList():
		return "list of " + typeName(fd)
	default:
		return typeName(fd)
	}
}

// describe names the type of a Starlark value for an error message, with
// the value itself when it is a string, the commonest mistake
// (replicas = "3").
func describe(v starlark.Value) string {
	switch v := v.(type) {
	case starlark.String:
		s := string(v)
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return "string " + strconv.Quote(s)
	case *Message:
		return string(v.m.Descriptor().Name())
	case *EnumValue:
		return string(v.desc.Parent().Name())
	case *List:
		return fieldTypeName(v.fd)
	case *Map:
		return fieldTypeName(v.fd)
	}
	return v.Type()
}

func typeError(v starlark.Value, want string) error {
	return fmt.Errorf("got %s, want %s", describe(v), want)
}

// toProto converts v for storing in slot s, checking its type. The error
// does not say where: callers prefix the slot's path.
func (e *env) toProto(s slot, v starlark.Value) (protoreflect.Value, error) {
	fd := s.elem
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := v.(starlark.Bool); ok {
			return protoreflect.ValueOfBool(bool(b)), nil
		}
	case protoreflect.StringKind:
		if str, ok := v.(starlark.String); ok {
			return protoreflect.ValueOfString(string(str)), nil
		}
	case protoreflect.BytesKind:
		switch b := v.(type) {
		case starlark.String:
			return protoreflect.ValueOfBytes([]byte(b)), nil
		case starlark.Bytes:
			return protoreflect.ValueOfBytes([]byte(b)), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if i, ok := v.(starlark.Int); ok {
			n, ok := i.Int64()
			if !ok || n < math.MinInt32 || n > math.MaxInt32 {
				return protoreflect.Value{}, rangeError(i, fd)
			}
			return protoreflect.ValueOfInt32(int32(n)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if i, ok := v.(starlark.Int); ok {
			n, ok := i.Int64()
			if !ok {
				return protoreflect.Value{}, rangeError(i, fd)
			}
			return protoreflect.ValueOfInt64(n), nil
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if i, ok := v.(starlark.Int); ok {
			n, ok := i.Uint64()
			if !ok || n > math.MaxUint32 {
				return protoreflect.Value{}, rangeError(i, fd)
			}
			return protoreflect.ValueOfUint32(uint32(n)), nil
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if i, ok := v.(starlark.Int); ok {
			n, ok := i.Uint64()
			if !ok {
				return protoreflect.Value{}, rangeError(i, fd)
			}
			return protoreflect.ValueOfUint64(n), nil
		}
	case protoreflect.FloatKind:
		if f, ok := starlark.AsFloat(v); ok {
			return protoreflect.ValueOfFloat32(float32(f)), nil
		}
	case protoreflect.DoubleKind:
		if f, ok := starlark.AsFloat(v); ok {
			return protoreflect.ValueOfFloat64(f), nil
		}
	case protoreflect.EnumKind:
		return toEnum(fd.Enum(), v)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return e.toMessage(s, v)
	}
	return protoreflect.Value{}, typeError(v, typeName(fd))
}

func rangeError(i starlark.Int, fd protoreflect.FieldDescriptor) error {
	return fmt.Errorf("%s is out of range for %s", i, typeName(fd))
}

// errCycle is returned when storing a message would make it contain itself.
var errCycle = errors.New("the message would contain itself")

// toMessage converts v for storing in a message-typed slot. A mutable
// *Message of the slot's type is stored as it is (shared); a frozen one is
// copied; anything else goes through the type's Boxer.
func (e *env) toMessage(s slot, v starlark.Value) (protoreflect.Value, error) {
	want := s.elem.Message()
	x, ok := v.(*Message)
	if !ok {
		if b, ok := e.boxer(want); ok && v != starlark.None {
			dst := s.newMessage()
			if err := b.Box(v, dst); err != nil {
				return protoreflect.Value{}, err
			}
			return protoreflect.ValueOfMessage(dst), nil
		}
		return protoreflect.Value{}, typeError(v, string(want.Name()))
	}
	if x.m.Descriptor().FullName() != want.FullName() {
		return protoreflect.Value{}, typeError(v, string(want.Name()))
	}
	if !x.frozen && x.attach() == nil && s.accepts(x.m) {
		if e.isRecursive(s.owner.Descriptor()) && reaches(x.m, s.owner, map[protoreflect.Message]bool{}) {
			return protoreflect.Value{}, errCycle
		}
		return protoreflect.ValueOfMessage(x.m), nil
	}
	dst := s.newMessage()
	proto.Merge(dst.Interface(), x.read().Interface())
	return protoreflect.ValueOfMessage(dst), nil
}

// reaches reports whether target is m or a message inside m.
func reaches(m, target protoreflect.Message, seen map[protoreflect.Message]bool) bool {
	if m == target {
		return true
	}
	if seen[m] {
		return false
	}
	seen[m] = true
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool {
					found = reaches(v.Message(), target, seen)
					return !found
				})
			}
		case fd.Message() == nil:
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = reaches(l.Get(i).Message(), target, seen)
			}
		default:
			found = reaches(v.Message(), target, seen)
		}
		return !found
	})
	return found
}

// toStarlark returns the Starlark value for v, a value held by fd (a
// singular field, a list element or a map value). Messages come back as
// *Message sharing the storage, frozen if frozen is set.
func (e *env) toStarlark(fd protoreflect.FieldDescriptor, v protoreflect.Value, frozen bool) starlark.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return starlark.Bool(v.Bool())
	case protoreflect.StringKind:
		return starlark.String(v.String())
	case protoreflect.BytesKind:
		// A string, as skycfg gives it, so existing code keeps working.
		return starlark.String(v.Bytes())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return starlark.MakeInt64(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return starlark.MakeUint64(v.Uint())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return starlark.Float(v.Float())
	case protoreflect.EnumKind:
		return enumValueOf(fd.Enum(), v.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return &Message{m: v.Message(), env: e, frozen: frozen}
	}
	return starlark.None
}

// toMapKey converts a Starlark map key for map field fd.
func (e *env) toMapKey(fd protoreflect.FieldDescriptor, k starlark.Value) (protoreflect.MapKey, error) {
	return e.toMapKeyIn(slot{elem: fd.MapKey()}, k)
}

// toMapKeyIn converts a Starlark map key for the key slot s of a map
// field (elem its key field).
func (e *env) toMapKeyIn(s slot, k starlark.Value) (protoreflect.MapKey, error) {
	v, err := e.toProto(s, k)
	if err != nil {
		return protoreflect.MapKey{}, err
	}
	return v.MapKey(), nil
}

// fullTypeName names the element type of fd with full message and enum
// names, for Type().
func fullTypeName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return string(fd.Enum().FullName())
	default:
		return fd.Kind().String()
	}
}

// toList converts v, a Starlark list, tuple or other iterable, into a new
// list for repeated field fd of owner. Errors start with the element's
// index ("[2]: got int, want Container") or ": " for v as a whole.
func (e *env) toList(owner protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) (protoreflect.Value, error) {
	it, ok := v.(starlark.Iterable)
	if _, isMap := v.(starlark.Mapping); !ok || isMap {
		return protoreflect.Value{}, fmt.Errorf(": %w", typeError(v, fieldTypeName(fd)))
	}
	lv := owner.NewField(fd)
	l := lv.List()
	if sl, ok := l.(*slotpb.List); ok {
		if n := starlark.Len(v); n > 0 {
			sl.Reserve(n)
		}
	}
	s := slot{owner, fd, fd}
	if ix, ok := v.(starlark.Indexable); ok {
		// Lists and tuples by index, without an iterator to allocate.
		for i, n := 0, ix.Len(); i < n; i++ {
			pv, err := e.toProto(s, ix.Index(i))
			if err != nil {
				return protoreflect.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			slotpb.Append(l, pv)
		}
		return lv, nil
	}
	iter := it.Iterate()
	defer iter.Done()
	var x starlark.Value
	for i := 0; iter.Next(&x); i++ {
		pv, err := e.toProto(s, x)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("[%d]: %w", i, err)
		}
		slotpb.Append(l, pv)
	}
	return lv, nil
}

// toMap converts v, a Starlark dict or other mapping with items, into a
// new map for map field fd of owner. None values are left out. Errors
// start with the key ("["cpu"]: ...") or ": " for v as a whole.
func (e *env) toMap(owner protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) (protoreflect.Value, error) {
	d, ok := v.(starlark.IterableMapping)
	if !ok {
		return protoreflect.Value{}, fmt.Errorf(": %w", typeError(v, fieldTypeName(fd)))
	}
	mv := owner.NewField(fd)
	m := mv.Map()
	s := fieldSlot(owner, fd)
	keySlot := slot{elem: fd.MapKey()}
	items := d.Items()
	if sm, ok := m.(*slotpb.Map); ok {
		sm.Reserve(len(items))
	}
	for _, kv := range items {
		k, err := e.toMapKeyIn(keySlot, kv[0])
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf(": key %s: %w", kv[0], err)
		}
		if kv[1] == starlark.None {
			continue
		}
		pv, err := e.toProto(s, kv[1])
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("[%s]: %w", kv[0], err)
		}
		slotpb.StoreEntry(m, k, pv)
	}
	return mv, nil
}
