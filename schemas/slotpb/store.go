package slotpb

import "google.golang.org/protobuf/reflect/protoreflect"

// Store sets field fd of m to v, a value already made for fd (so of the
// right type): a slot-backed message takes it without checking it again,
// any other message through its checked Set.
func Store(m protoreflect.Message, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	if sm, ok := m.(*Message); ok {
		sm.SetUnchecked(fd, v)
		return
	}
	m.Set(fd, v)
}

// Append appends v, a value already made for l's elements, to l, without
// checking it again when l is slot-backed.
func Append(l protoreflect.List, v protoreflect.Value) {
	if sl, ok := l.(*List); ok {
		sl.AppendUnchecked(v)
		return
	}
	l.Append(v)
}

// StoreEntry sets key k of m to v, both already made for m's keys and
// values, without checking them again when m is slot-backed.
func StoreEntry(m protoreflect.Map, k protoreflect.MapKey, v protoreflect.Value) {
	if sm, ok := m.(*Map); ok {
		sm.SetUnchecked(k, v)
		return
	}
	m.Set(k, v)
}
