package slotpb

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/runtime/protoiface"
	"google.golang.org/protobuf/runtime/protoimpl"
)

// Message is a slot-backed protobuf message: the value of field i (by
// its Index in the descriptor) is in slot i, an invalid
// protoreflect.Value while the field is unset.
type Message struct {
	typ     *MessageType
	vals    []protoreflect.Value // nil for the read-only empty message
	unknown protoreflect.RawFields
}

var (
	_ protoreflect.Message      = (*Message)(nil)
	_ protoreflect.ProtoMessage = (*Message)(nil)
	_ protoiface.MessageV1      = (*Message)(nil)
)

// ProtoMessage implements the legacy message interface.
func (m *Message) ProtoMessage() {}

// ProtoReflect returns m: it is its own reflective view.
func (m *Message) ProtoReflect() protoreflect.Message { return m }

// String returns the message in protobuf text format.
func (m *Message) String() string { return protoimpl.X.MessageStringOf(m) }

// Reset clears every field.
func (m *Message) Reset() {
	m.writable()
	clear(m.vals)
	m.unknown = nil
}

// Descriptor returns the message descriptor.
func (m *Message) Descriptor() protoreflect.MessageDescriptor { return m.typ.desc }

// Type returns the message type.
func (m *Message) Type() protoreflect.MessageType { return m.typ }

// MessageType returns the message type as a *MessageType.
func (m *Message) MessageType() *MessageType { return m.typ }

// New returns a new empty message of the same type.
func (m *Message) New() protoreflect.Message { return m.typ.NewMessage() }

// Interface returns m.
func (m *Message) Interface() protoreflect.ProtoMessage { return m }

// ProtoMethods returns nil: the protobuf runtime uses the reflection API.
func (m *Message) ProtoMethods() *protoiface.Methods { return nil }

// IsValid reports whether m is not the read-only empty message.
func (m *Message) IsValid() bool { return m.vals != nil }

func (m *Message) writable() {
	if m.vals == nil {
		panic(fmt.Sprintf("slotpb: %v: modification of read-only message", m.typ.desc.FullName()))
	}
}

// Range visits every populated field in declaration order.
func (m *Message) Range(f func(protoreflect.FieldDescriptor, protoreflect.Value) bool) {
	for i, v := range m.vals {
		if !v.IsValid() {
			continue
		}
		info := &m.typ.fields[i]
		if !isSet(info, v) {
			continue
		}
		if !f(info.fd, v) {
			return
		}
	}
}

// NumFields returns the number of fields of m's type: the slots Field
// reads.
func (m *Message) NumFields() int { return len(m.typ.fields) }

// Field returns field i of m's type (by Index) and its value when the
// field is populated, an invalid value otherwise: Range's fields one by
// one, for a caller that would rather not pass a closure.
func (m *Message) Field(i int) (protoreflect.FieldDescriptor, protoreflect.Value) {
	info := &m.typ.fields[i]
	if m.vals != nil {
		if v := m.vals[i]; v.IsValid() && isSet(info, v) {
			return info.fd, v
		}
	}
	return info.fd, protoreflect.Value{}
}

// Has reports whether a field is populated.
func (m *Message) Has(fd protoreflect.FieldDescriptor) bool {
	info := m.typ.info(fd)
	if m.vals == nil {
		return false
	}
	v := m.vals[fd.Index()]
	return v.IsValid() && isSet(info, v)
}

// Clear clears a field. On the read-only empty message, whose fields
// are all clear, it does nothing, as dynamicpb's does.
func (m *Message) Clear(fd protoreflect.FieldDescriptor) {
	m.typ.info(fd)
	if m.vals != nil {
		m.vals[fd.Index()] = protoreflect.Value{}
	}
}

// Get returns the value of a field: its default when unset, a read-only
// empty list, map or message for an unset composite field.
func (m *Message) Get(fd protoreflect.FieldDescriptor) protoreflect.Value {
	info := m.typ.info(fd)
	if m.vals != nil {
		if v := m.vals[fd.Index()]; v.IsValid() {
			switch {
			case info.isMap:
				if v.Map().Len() > 0 {
					return v
				}
			case info.list:
				if v.List().Len() > 0 {
					return v
				}
			default:
				return v
			}
		}
	}
	switch {
	case info.isMap:
		return protoreflect.ValueOfMap(info.emptyMap)
	case info.list:
		return protoreflect.ValueOfList(info.emptyList)
	case info.sub != nil:
		return protoreflect.ValueOfMessage(info.sub.Zero())
	case info.kind == protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(append([]byte(nil), fd.Default().Bytes()...))
	default:
		return fd.Default()
	}
}

// Mutable returns the list, map or message of a field, setting the field
// to a new empty one first if it is unset.
func (m *Message) Mutable(fd protoreflect.FieldDescriptor) protoreflect.Value {
	info := m.typ.info(fd)
	if !info.list && !info.isMap && info.sub == nil {
		panic(fmt.Sprintf("slotpb: %v: getting mutable reference to non-composite type", fd.FullName()))
	}
	m.writable()
	i := fd.Index()
	if v := m.vals[i]; v.IsValid() {
		return v
	}
	if info.oneof != nil {
		m.clearOneof(info)
	}
	v := m.newField(info)
	m.vals[i] = v
	return v
}

// Set stores v in a field, checking that it is a value of the field's
// type. A list or map value must come from NewField or Mutable of a
// message of this type.
func (m *Message) Set(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	info := m.typ.info(fd)
	if err := checkField(info, v); err != nil {
		panic(err)
	}
	m.store(info, v)
}

// SetUnchecked stores v in a field as Set does, without checking its
// type: the caller must have made v for fd (a protoreflect.Value of the
// Go type protoreflect documents for fd's kind, a message of fd's message
// type, a list or map made by NewField or Mutable for fd).
func (m *Message) SetUnchecked(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	m.store(m.typ.info(fd), v)
}

func (m *Message) store(info *fieldInfo, v protoreflect.Value) {
	m.writable()
	if info.oneof != nil {
		m.clearOneof(info)
	}
	m.vals[info.fd.Index()] = v
}

// clearOneof clears the other fields of info's oneof.
func (m *Message) clearOneof(info *fieldInfo) {
	fds := info.oneof.Fields()
	for i := 0; i < fds.Len(); i++ {
		if fd := fds.Get(i); fd != info.fd {
			m.vals[fd.Index()] = protoreflect.Value{}
		}
	}
}

// NewField returns a new value for a field: an empty list, map or
// message, or the default of a scalar.
func (m *Message) NewField(fd protoreflect.FieldDescriptor) protoreflect.Value {
	return m.newField(m.typ.info(fd))
}

func (m *Message) newField(info *fieldInfo) protoreflect.Value {
	switch {
	case info.isMap:
		return protoreflect.ValueOfMap(&Map{info: info})
	case info.list:
		return protoreflect.ValueOfList(&List{info: info, valid: true})
	case info.sub != nil:
		return protoreflect.ValueOfMessage(info.sub.NewMessage())
	case info.kind == protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(append([]byte(nil), info.fd.Default().Bytes()...))
	default:
		return info.fd.Default()
	}
}

// NewMessageFor returns a new empty message of the type a message field
// holds: a singular or repeated message field's, or a map field's
// values'.
func (m *Message) NewMessageFor(fd protoreflect.FieldDescriptor) *Message {
	info := m.typ.info(fd)
	if info.sub == nil {
		panic(fmt.Sprintf("slotpb: %v: not a message field", fd.FullName()))
	}
	return info.sub.NewMessage()
}

// WhichOneof returns the populated field of a oneof, or nil.
func (m *Message) WhichOneof(od protoreflect.OneofDescriptor) protoreflect.FieldDescriptor {
	fds := od.Fields()
	for i := 0; i < fds.Len(); i++ {
		if fd := fds.Get(i); m.Has(fd) {
			return fd
		}
	}
	return nil
}

// GetUnknown returns the raw unknown fields.
func (m *Message) GetUnknown() protoreflect.RawFields { return m.unknown }

// SetUnknown sets the raw unknown fields.
func (m *Message) SetUnknown(r protoreflect.RawFields) {
	m.writable()
	m.unknown = r
}

// isSet reports whether v, a valid value of the field, counts as set: a
// non-empty list or map, any value of a field with presence, a non-zero
// value of one without.
func isSet(info *fieldInfo, v protoreflect.Value) bool {
	switch {
	case info.isMap:
		return v.Map().Len() > 0
	case info.list:
		return v.List().Len() > 0
	case !info.implicit:
		return true
	}
	switch info.kind {
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.EnumKind:
		return v.Enum() != 0
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return v.Int() != 0
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return v.Uint() != 0
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float() != 0 || math.Signbit(v.Float())
	case protoreflect.StringKind:
		return v.String() != ""
	case protoreflect.BytesKind:
		return len(v.Bytes()) > 0
	}
	return true
}

// checkField returns an error unless v can be stored in the field.
func checkField(info *fieldInfo, v protoreflect.Value) error {
	switch {
	case !v.IsValid():
		return fmt.Errorf("slotpb: %v: assigning invalid value", info.fd.FullName())
	case info.isMap:
		if mv, ok := v.Interface().(*Map); !ok || mv.info.fd != info.fd {
			return fmt.Errorf("slotpb: %v: assigning invalid type %T", info.fd.FullName(), v.Interface())
		}
		return nil
	case info.list:
		if lv, ok := v.Interface().(*List); !ok || lv.info.fd != info.fd {
			return fmt.Errorf("slotpb: %v: assigning invalid type %T", info.fd.FullName(), v.Interface())
		}
		return nil
	}
	return checkSingular(info.fd, info.kind, v)
}

// checkSingular returns an error unless v is a value of kind for fd (a
// singular field, a list element or a map key or value).
func checkSingular(fd protoreflect.FieldDescriptor, kind protoreflect.Kind, v protoreflect.Value) error {
	vi := v.Interface()
	var ok bool
	switch kind {
	case protoreflect.BoolKind:
		_, ok = vi.(bool)
	case protoreflect.EnumKind:
		_, ok = vi.(protoreflect.EnumNumber)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		_, ok = vi.(int32)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		_, ok = vi.(uint32)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		_, ok = vi.(int64)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		_, ok = vi.(uint64)
	case protoreflect.FloatKind:
		_, ok = vi.(float32)
	case protoreflect.DoubleKind:
		_, ok = vi.(float64)
	case protoreflect.StringKind:
		_, ok = vi.(string)
	case protoreflect.BytesKind:
		_, ok = vi.([]byte)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		var m protoreflect.Message
		if m, ok = vi.(protoreflect.Message); ok {
			if m.Descriptor().FullName() != fd.Message().FullName() {
				return fmt.Errorf("slotpb: %v: assigning invalid message type %v", fd.FullName(), m.Descriptor().FullName())
			}
			if !m.IsValid() {
				return fmt.Errorf("slotpb: %v: assigning invalid read-only message", fd.FullName())
			}
		}
	}
	if !ok {
		return fmt.Errorf("slotpb: %v: assigning invalid type %T", fd.FullName(), vi)
	}
	return nil
}
