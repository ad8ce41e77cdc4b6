// Package slotpb implements protobuf messages of types known only by
// their descriptors, as dynamicpb does, but keeps a message's fields in a
// slice indexed by the fields' Index in the descriptor rather than in a
// map keyed by field number. Getting, setting and ranging over fields are
// slice operations, Range visits fields in declaration order, and reading
// an unset message, list or map field allocates nothing.
//
// Messages implement protoreflect.Message and proto.Message; proto.Marshal,
// Unmarshal, Equal, Clone, Merge and protojson work on them through the
// reflection API. Set, List.Append, Map.Set and the like check the type of
// the value they store as dynamicpb does; SetUnchecked, AppendUnchecked
// and Map.SetUnchecked skip the check, for callers that converted the
// value for the field themselves (the Starlark bridge, the fillers from Go
// structs), since that check boxes every scalar it looks at.
//
// Extensions are not supported. Messages are not safe for concurrent
// writes; reading concurrently is safe.
package slotpb

import (
	"fmt"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// MessageType is the protoreflect.MessageType of slot-backed messages of
// one descriptor. TypeOf returns the one instance per descriptor.
type MessageType struct {
	desc protoreflect.MessageDescriptor

	once   sync.Once
	fields []fieldInfo // by field index
	oneofs bool        // some field is in a oneof
	zero   *Message    // the read-only empty message
}

// fieldInfo is what messages of a type need to know about one field,
// computed once per type.
type fieldInfo struct {
	fd       protoreflect.FieldDescriptor
	kind     protoreflect.Kind
	list     bool
	isMap    bool
	implicit bool // no presence: a zero scalar reads as unset
	oneof    protoreflect.OneofDescriptor
	// sub is the type of the field's messages: a singular or repeated
	// message field's, or a map field's values'; nil for scalars.
	sub *MessageType
	// mapKey and mapVal describe a map field's entries.
	mapKey, mapVal protoreflect.FieldDescriptor
	// empty is the read-only empty list or map the field reads as when
	// unset.
	emptyList *List
	emptyMap  *Map
}

var types sync.Map // protoreflect.MessageDescriptor → *MessageType

// TypeOf returns the message type of md. It returns the same
// *MessageType for the same descriptor, so messages built from either
// have the same Type; the types, and so their descriptors, are kept for
// the life of the process.
func TypeOf(md protoreflect.MessageDescriptor) *MessageType {
	if t, ok := types.Load(md); ok {
		return t.(*MessageType)
	}
	t, _ := types.LoadOrStore(md, &MessageType{desc: md})
	return t.(*MessageType)
}

// init computes the per-field table on first use, so that registering
// a type does not make a lazily built descriptor build its fields.
func (t *MessageType) init() {
	t.once.Do(func() {
		fds := t.desc.Fields()
		t.fields = make([]fieldInfo, fds.Len())
		for i := range t.fields {
			fd := fds.Get(i)
			f := &t.fields[i]
			f.fd = fd
			f.kind = fd.Kind()
			f.isMap = fd.IsMap()
			f.list = fd.IsList()
			f.oneof = fd.ContainingOneof()
			if f.oneof != nil {
				t.oneofs = true
			}
			f.implicit = !f.list && !f.isMap && f.oneof == nil && !fd.HasPresence()
			switch {
			case f.isMap:
				f.mapKey, f.mapVal = fd.MapKey(), fd.MapValue()
				if md := f.mapVal.Message(); md != nil {
					f.sub = TypeOf(md)
				}
				f.emptyMap = &Map{info: f}
			case fd.Message() != nil:
				f.sub = TypeOf(fd.Message())
			}
			if f.list {
				f.emptyList = &List{info: f}
			}
		}
		t.zero = &Message{typ: t}
	})
}

// New returns a new empty message.
func (t *MessageType) New() protoreflect.Message { return t.NewMessage() }

// NewMessage returns a new empty message, as New does, as a *Message.
func (t *MessageType) NewMessage() *Message {
	t.init()
	// The message and its slots in one allocation, the slots rounded
	// up to a few sizes, for all but the largest types.
	type v = protoreflect.Value
	var m *Message
	switch n := len(t.fields); {
	case n <= 2:
		m = newWithSlots(n, func(a *[2]v) []v { return a[:] })
	case n <= 4:
		m = newWithSlots(n, func(a *[4]v) []v { return a[:] })
	case n <= 6:
		m = newWithSlots(n, func(a *[6]v) []v { return a[:] })
	case n <= 8:
		m = newWithSlots(n, func(a *[8]v) []v { return a[:] })
	case n <= 12:
		m = newWithSlots(n, func(a *[12]v) []v { return a[:] })
	case n <= 16:
		m = newWithSlots(n, func(a *[16]v) []v { return a[:] })
	case n <= 20:
		m = newWithSlots(n, func(a *[20]v) []v { return a[:] })
	case n <= 24:
		m = newWithSlots(n, func(a *[24]v) []v { return a[:] })
	case n <= 32:
		m = newWithSlots(n, func(a *[32]v) []v { return a[:] })
	case n <= 40:
		m = newWithSlots(n, func(a *[40]v) []v { return a[:] })
	case n <= 48:
		m = newWithSlots(n, func(a *[48]v) []v { return a[:] })
	default:
		m = &Message{vals: make([]protoreflect.Value, n)}
	}
	m.typ = t
	return m
}

// newWithSlots allocates a message together with an array A of slots,
// of which it uses n.
func newWithSlots[A any](n int, slots func(*A) []protoreflect.Value) *Message {
	p := new(struct {
		m Message
		a A
	})
	p.m.vals = slots(&p.a)[:n:n]
	return &p.m
}

// Zero returns the read-only empty message of the type.
func (t *MessageType) Zero() protoreflect.Message {
	t.init()
	return t.zero
}

// Descriptor returns the message descriptor.
func (t *MessageType) Descriptor() protoreflect.MessageDescriptor { return t.desc }

// Enum returns the enum type of field i, if it is an enum field.
func (t *MessageType) Enum(i int) protoreflect.EnumType {
	if ed := t.desc.Fields().Get(i).Enum(); ed != nil {
		return dynamicpb.NewEnumType(ed)
	}
	return nil
}

// Message returns the message type of field i, if it is a message field.
func (t *MessageType) Message(i int) protoreflect.MessageType {
	if md := t.desc.Fields().Get(i).Message(); md != nil {
		return TypeOf(md)
	}
	return nil
}

// info returns the table entry of fd, which must be a field of t.
func (t *MessageType) info(fd protoreflect.FieldDescriptor) *fieldInfo {
	if i := fd.Index(); i < len(t.fields) && t.fields[i].fd == fd {
		return &t.fields[i]
	}
	if fd.IsExtension() {
		panic(fmt.Sprintf("slotpb: %v: extensions are not supported", fd.FullName()))
	}
	panic(fmt.Sprintf("slotpb: %v: field descriptor does not belong to %v", fd.FullName(), t.desc.FullName()))
}
