package starproto

import (
	"sync"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// Options configures the bridge. The zero value is usable: no boxing.
type Options struct {
	// Box maps a message type to the Boxer that turns plain Starlark
	// values into messages of that type, e.g. "500m" into a Quantity.
	// It is consulted whenever a value that is not a message is stored
	// where a message of the type is expected: a field, a list element or
	// a map value. The map must not change once the bridge uses it.
	Box map[protoreflect.FullName]Boxer
}

// A Boxer converts between plain Starlark values and messages of one type,
// so that .sky code can write limits = {"cpu": "500m"} for a map of
// Quantity messages.
type Boxer struct {
	// Box fills dst, a new empty message of the boxed type, from v, a
	// Starlark value that is not a message. Its error is shown after the
	// field's path ("Container.resources.limits["cpu"]: ..."), so it
	// should say what was wrong with v and what would be right, e.g.
	// `"1.5.2Gi" is not a quantity: ... (examples: "500m", "1Gi")`.
	Box func(v starlark.Value, dst protoreflect.Message) error

	// Unbox returns the Starlark value that Box would turn into m. It
	// gives boxed messages their str() and repr ("500m") and their value
	// in proto.to_dict. Optional; on error the message prints as usual.
	Unbox func(m protoreflect.Message) (starlark.Value, error)
}

// env is what every value of one bridge shares: the options and caches
// derived from the message types. It is safe for concurrent use.
type env struct {
	box       map[protoreflect.FullName]Boxer
	recursive sync.Map // protoreflect.MessageDescriptor → bool
}

func newEnv(opts Options) *env {
	return &env{box: opts.Box}
}

// boxer returns the boxer for messages of type md, if any.
func (e *env) boxer(md protoreflect.MessageDescriptor) (Boxer, bool) {
	if len(e.box) == 0 {
		return Boxer{}, false
	}
	b, ok := e.box[md.FullName()]
	return b, ok && b.Box != nil
}

// isRecursive reports whether a message of type md can contain, at any
// depth, another message of type md. Only then can storing a message in
// one of md's fields create a cycle.
func (e *env) isRecursive(md protoreflect.MessageDescriptor) bool {
	if v, ok := e.recursive.Load(md); ok {
		return v.(bool)
	}
	seen := map[protoreflect.FullName]bool{}
	var reaches func(protoreflect.MessageDescriptor) bool
	reaches = func(d protoreflect.MessageDescriptor) bool {
		fds := d.Fields()
		for i := 0; i < fds.Len(); i++ {
			fd := fds.Get(i)
			if fd.IsMap() {
				fd = fd.MapValue()
			}
			sub := fd.Message()
			if sub == nil {
				continue
			}
			if sub.FullName() == md.FullName() {
				return true
			}
			if !seen[sub.FullName()] {
				seen[sub.FullName()] = true
				if reaches(sub) {
					return true
				}
			}
		}
		return false
	}
	r := reaches(md)
	e.recursive.Store(md, r)
	return r
}

// slot is a place a singular value is stored in: a message field, an
// element of a repeated field or a value of a map field.
type slot struct {
	owner protoreflect.Message         // the message holding the field
	field protoreflect.FieldDescriptor // the field
	elem  protoreflect.FieldDescriptor // field, or its map value
}

func fieldSlot(owner protoreflect.Message, fd protoreflect.FieldDescriptor) slot {
	if fd.IsMap() {
		return slot{owner, fd, fd.MapValue()}
	}
	return slot{owner, fd, fd}
}

// newMessage returns a new empty message of the slot's message type, of
// the implementation the owner accepts.
func (s slot) newMessage() protoreflect.Message {
	switch o := s.owner.(type) {
	case *slotpb.Message:
		return o.NewMessageFor(s.field)
	case *dynamicpb.Message:
		return dynamicpb.NewMessage(s.elem.Message())
	}
	v := s.owner.NewField(s.field)
	switch {
	case s.field.IsList():
		return v.List().NewElement().Message()
	case s.field.IsMap():
		return v.Map().NewValue().Message()
	default:
		return v.Message()
	}
}

// accepts reports whether the slot can hold m itself, without a copy.
func (s slot) accepts(m protoreflect.Message) bool {
	switch s.owner.(type) {
	case *slotpb.Message:
		_, ok := m.(*slotpb.Message)
		return ok && m.Descriptor() == s.elem.Message()
	case *dynamicpb.Message:
		_, dyn := m.(*dynamicpb.Message)
		return dyn && m.Descriptor() == s.elem.Message()
	}
	return m.Type() == s.newMessage().Type()
}
