package slotpb

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Map is the value of a map field of a Message. It keeps its entries in
// the order they were first set, in a slice, and searches them linearly
// while there are few (Kubernetes' labels, annotations and resource lists
// have a handful); past indexFrom entries it keeps an index by key as
// well.
type Map struct {
	info    *fieldInfo
	entries []entry
	index   map[any]int // key's Interface() → position, once len(entries) > indexFrom
}

type entry struct {
	k protoreflect.MapKey
	v protoreflect.Value
}

var _ protoreflect.Map = (*Map)(nil)

const indexFrom = 16

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.entries) }

// Reserve makes room for n more entries.
func (m *Map) Reserve(n int) {
	m.writable()
	m.entries = slices.Grow(m.entries, n)
}

// find returns the position of k, or -1.
func (m *Map) find(k protoreflect.MapKey) int {
	if len(m.entries) > indexFrom {
		if m.index == nil {
			m.index = make(map[any]int, len(m.entries))
			for i, e := range m.entries {
				m.index[e.k.Interface()] = i
			}
		}
		if i, ok := m.index[k.Interface()]; ok {
			return i
		}
		return -1
	}
	switch m.info.mapKey.Kind() {
	case protoreflect.StringKind:
		s := k.String()
		for i := range m.entries {
			if m.entries[i].k.String() == s {
				return i
			}
		}
	case protoreflect.BoolKind:
		b := k.Bool()
		for i := range m.entries {
			if m.entries[i].k.Bool() == b {
				return i
			}
		}
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		n := k.Uint()
		for i := range m.entries {
			if m.entries[i].k.Uint() == n {
				return i
			}
		}
	default:
		n := k.Int()
		for i := range m.entries {
			if m.entries[i].k.Int() == n {
				return i
			}
		}
	}
	return -1
}

// Entry returns the i'th entry in Range's order, 0 <= i < Len().
func (m *Map) Entry(i int) (protoreflect.MapKey, protoreflect.Value) {
	return m.entries[i].k, m.entries[i].v
}

// Has reports whether k is set.
func (m *Map) Has(k protoreflect.MapKey) bool { return m.find(k) >= 0 }

// Get returns the value of k, or an invalid value.
func (m *Map) Get(k protoreflect.MapKey) protoreflect.Value {
	if i := m.find(k); i >= 0 {
		return m.entries[i].v
	}
	return protoreflect.Value{}
}

// Set stores v under k, checking the types of both.
func (m *Map) Set(k protoreflect.MapKey, v protoreflect.Value) {
	if err := checkSingular(m.info.mapKey, m.info.mapKey.Kind(), k.Value()); err != nil {
		panic(err)
	}
	if err := checkSingular(m.info.mapVal, m.info.mapVal.Kind(), v); err != nil {
		panic(err)
	}
	m.SetUnchecked(k, v)
}

// SetUnchecked stores v under k without checking their types: the
// caller must have made them for the map's key and value types (see
// Message.SetUnchecked).
func (m *Map) SetUnchecked(k protoreflect.MapKey, v protoreflect.Value) {
	m.writable()
	if i := m.find(k); i >= 0 {
		m.entries[i].v = v
		return
	}
	m.entries = append(m.entries, entry{k, v})
	if m.index != nil {
		m.index[k.Interface()] = len(m.entries) - 1
	}
}

// Clear removes k.
func (m *Map) Clear(k protoreflect.MapKey) {
	i := m.find(k)
	if i < 0 {
		return
	}
	m.entries = slices.Delete(m.entries, i, i+1)
	m.index = nil
}

// Mutable returns the message under k, storing a new empty one first if
// k is not set.
func (m *Map) Mutable(k protoreflect.MapKey) protoreflect.Value {
	if m.info.sub == nil {
		panic(fmt.Sprintf("slotpb: %v: Mutable on a map of %v", m.info.fd.FullName(), m.info.mapVal.Kind()))
	}
	if i := m.find(k); i >= 0 {
		return m.entries[i].v
	}
	v := m.NewValue()
	m.Set(k, v)
	return v
}

// Range visits the entries in the order they were first set.
func (m *Map) Range(f func(protoreflect.MapKey, protoreflect.Value) bool) {
	for _, e := range m.entries {
		if !f(e.k, e.v) {
			return
		}
	}
}

// NewValue returns a new value for an entry: an empty message or the
// zero scalar.
func (m *Map) NewValue() protoreflect.Value {
	return newElement(m.info.mapVal, m.info.mapVal.Kind(), m.info.sub)
}

// IsValid reports whether the map is not the read-only empty map of an
// unset field.
func (m *Map) IsValid() bool { return m != m.info.emptyMap }

func (m *Map) writable() {
	if m == m.info.emptyMap {
		panic(fmt.Sprintf("slotpb: %v: modification of read-only map", m.info.fd.FullName()))
	}
}
