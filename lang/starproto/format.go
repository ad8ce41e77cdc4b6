package starproto

import (
	"strings"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// maxDepth bounds the nesting that str() prints, in case a message built
// in Go contains itself.
const maxDepth = 64

// formatMessage returns m in constructor form. top selects the qualified
// type name (apps.v1.Deployment) over the short one used inside.
func formatMessage(e *env, m protoreflect.Message, top bool) string {
	if b, ok := e.box[m.Descriptor().FullName()]; ok && b.Unbox != nil && m.IsValid() {
		if v, err := b.Unbox(m); err == nil {
			if s, ok := v.(starlark.String); ok {
				return string(s)
			}
			return v.String()
		}
	}
	var b strings.Builder
	if top {
		b.WriteString(qualifiedName(m.Descriptor()))
		writeFields(&b, e, m, 0)
	} else {
		writeMessage(&b, e, m, 0)
	}
	return b.String()
}

// writeMessage writes m as Name(field=value, ...), or for a boxed type
// as the Starlark value it boxes.
func writeMessage(b *strings.Builder, e *env, m protoreflect.Message, depth int) {
	if bx, ok := e.box[m.Descriptor().FullName()]; ok && bx.Unbox != nil {
		if v, err := bx.Unbox(m); err == nil {
			b.WriteString(v.String())
			return
		}
	}
	b.WriteString(string(m.Descriptor().Name()))
	writeFields(b, e, m, depth)
}

// writeFields writes (field=value, ...) for the set fields of m in
// declaration order.
func writeFields(b *strings.Builder, e *env, m protoreflect.Message, depth int) {
	b.WriteByte('(')
	if depth >= maxDepth {
		b.WriteString("...)")
		return
	}
	fds := m.Descriptor().Fields()
	first := true
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if !m.Has(fd) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(attrName(fd))
		b.WriteByte('=')
		v := m.Get(fd)
		switch {
		case fd.IsList():
			writeList(b, e, fd, v.List(), depth+1)
		case fd.IsMap():
			writeMap(b, e, fd, v.Map(), depth+1)
		default:
			writeValue(b, e, fd, v, depth+1)
		}
	}
	b.WriteByte(')')
}

func writeValue(b *strings.Builder, e *env, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		writeMessage(b, e, v.Message(), depth)
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			b.WriteString(string(fd.Enum().Name()) + "." + string(ev.Name()))
		} else {
			b.WriteString(starlark.MakeInt64(int64(v.Enum())).String())
		}
	default:
		b.WriteString(e.toStarlark(fd, v, true).String())
	}
}

func writeList(b *strings.Builder, e *env, fd protoreflect.FieldDescriptor, l protoreflect.List, depth int) {
	b.WriteByte('[')
	for i := 0; i < l.Len(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, e, fd, l.Get(i), depth)
	}
	b.WriteByte(']')
}

func writeMap(b *strings.Builder, e *env, fd protoreflect.FieldDescriptor, m protoreflect.Map, depth int) {
	b.WriteByte('{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, e, fd.MapKey(), k.Value(), depth)
		b.WriteString(": ")
		writeValue(b, e, fd.MapValue(), m.Get(k), depth)
	}
	b.WriteByte('}')
}
