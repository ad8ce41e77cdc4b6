package slotpb

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// List is the value of a repeated field of a Message.
type List struct {
	info  *fieldInfo
	vals  []protoreflect.Value
	valid bool // false for the read-only empty list of an unset field
}

var _ protoreflect.List = (*List)(nil)

// Len returns the number of elements.
func (l *List) Len() int { return len(l.vals) }

// Get returns element i.
func (l *List) Get(i int) protoreflect.Value { return l.vals[i] }

// Reserve makes room for n more elements.
func (l *List) Reserve(n int) {
	l.writable()
	l.vals = slices.Grow(l.vals, n)
}

// Set stores v at index i, checking its type.
func (l *List) Set(i int, v protoreflect.Value) {
	l.check(v)
	l.vals[i] = v
}

// Append appends v, checking its type.
func (l *List) Append(v protoreflect.Value) {
	l.check(v)
	l.AppendUnchecked(v)
}

// AppendUnchecked appends v without checking its type: the caller must
// have made v for the list's element type (see Message.SetUnchecked).
func (l *List) AppendUnchecked(v protoreflect.Value) {
	l.writable()
	l.vals = append(l.vals, v)
}

// AppendMutable appends a new empty message and returns it.
func (l *List) AppendMutable() protoreflect.Value {
	if l.info.sub == nil {
		panic(fmt.Sprintf("slotpb: %v: AppendMutable on a list of %v", l.info.fd.FullName(), l.info.kind))
	}
	v := l.NewElement()
	l.AppendUnchecked(v)
	return v
}

// Truncate keeps the first n elements.
func (l *List) Truncate(n int) {
	l.writable()
	clear(l.vals[n:])
	l.vals = l.vals[:n]
}

// NewElement returns a new value for an element: an empty message or
// the zero scalar.
func (l *List) NewElement() protoreflect.Value { return newElement(l.info.fd, l.info.kind, l.info.sub) }

// IsValid reports whether the list is not the read-only empty list.
func (l *List) IsValid() bool { return l.valid }

func (l *List) writable() {
	if !l.valid {
		panic(fmt.Sprintf("slotpb: %v: modification of read-only list", l.info.fd.FullName()))
	}
}

func (l *List) check(v protoreflect.Value) {
	if err := checkSingular(l.info.fd, l.info.kind, v); err != nil {
		panic(err)
	}
}

// newElement returns the zero value of a list element or map value of
// the given kind, a new message of sub for messages.
func newElement(fd protoreflect.FieldDescriptor, kind protoreflect.Kind, sub *MessageType) protoreflect.Value {
	switch kind {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(false)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(fd.Enum().Values().Get(0).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(0)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(0)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(0)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(0)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(0)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(0)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("")
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(nil)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return protoreflect.ValueOfMessage(sub.NewMessage())
	}
	panic(fmt.Sprintf("slotpb: %v: unknown kind %v", fd.FullName(), kind))
}
