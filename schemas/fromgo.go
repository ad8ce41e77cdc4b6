package schemas

import (
	"fmt"
	"reflect"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// This file is direct.go's reverse: it fills a message from the
// k8s.io/api Go struct its descriptor was derived from, field by field,
// instead of encoding the struct with its generated Marshal and decoding
// that with proto.Unmarshal. The message is the one the wire gives: the
// generated code always writes a field that is not a pointer, a slice or
// a map (zero or not), a pointer or []byte only when it is not nil, a
// zero metav1.Time as an empty message and an empty FieldsV1 without
// its bytes.

// fillMessage fills m from v, a value of the Go type m describes.
func fillMessage(v reflect.Value, m protoreflect.Message) error {
	t := v.Type()
	fields := m.Descriptor().Fields()
	switch t {
	case quantityGoType:
		q := v.Interface().(resource.Quantity)
		m.Set(fields.ByNumber(1), protoreflect.ValueOfString(q.String()))
		return nil
	case timeGoType, microTimeGoType:
		tm := v.Field(0).Interface().(time.Time)
		if !tm.IsZero() {
			m.Set(fields.ByNumber(1), protoreflect.ValueOfInt64(tm.Unix()))
			m.Set(fields.ByNumber(2), protoreflect.ValueOfInt32(int32(tm.Nanosecond())))
		}
		return nil
	case fieldsV1GoType:
		if raw := v.Field(0).Bytes(); len(raw) > 0 {
			m.Set(fields.ByNumber(1), protoreflect.ValueOfBytes(append([]byte{}, raw...)))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Slice:
		fd := fields.ByNumber(1)
		if fd == nil || !fd.IsList() {
			return fmt.Errorf("%s: no items field", t)
		}
		return fillList(v, fd, m)
	case reflect.Struct:
	default:
		return fmt.Errorf("cannot fill a message from %s", t)
	}
	p, err := planFor(t)
	if err != nil {
		return err
	}
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		idx, ok := p.field(fd.Number())
		if !ok {
			return fmt.Errorf("%s has no field numbered %d", t, fd.Number())
		}
		f := v.Field(idx)
		var err error
		switch {
		case fd.IsList():
			err = fillList(f, fd, m)
		case fd.IsMap():
			err = fillMap(f, fd, m)
		default:
			err = fillSingular(f, fd, m)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", fd.Name(), err)
		}
	}
	return nil
}

// fillSingular sets field fd of m from f, unless f is a nil pointer or
// nil bytes, which the wire form leaves out.
func fillSingular(f reflect.Value, fd protoreflect.FieldDescriptor, m protoreflect.Message) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	if fd.Kind() == protoreflect.BytesKind && f.IsNil() {
		return nil
	}
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return fillMessage(f, m.Mutable(fd).Message())
	}
	val, err := scalarValue(f, fd)
	if err != nil {
		return err
	}
	slotpb.Store(m, fd, val)
	return nil
}

// scalarValue is the protobuf value of f for a scalar field fd.
func scalarValue(f reflect.Value, fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(f.Bool()), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(f.Int())), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(f.Int()), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(f.Uint())), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(f.Uint()), nil
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(f.Float())), nil
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(f.Float()), nil
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(f.String()), nil
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(append([]byte{}, f.Bytes()...)), nil
	}
	return protoreflect.Value{}, fmt.Errorf("unsupported field kind %s", fd.Kind())
}

// fillList appends the elements of the slice f to the repeated field fd.
func fillList(f reflect.Value, fd protoreflect.FieldDescriptor, m protoreflect.Message) error {
	n := f.Len()
	if n == 0 {
		return nil
	}
	l := m.Mutable(fd).List()
	for i := 0; i < n; i++ {
		e := f.Index(i)
		if e.Kind() == reflect.Pointer {
			if e.IsNil() {
				// The generated code cannot write a nil element; give
				// the wire path the object, and its error.
				return fmt.Errorf("nil element %d", i)
			}
			e = e.Elem()
		}
		if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
			el := l.NewElement()
			if err := fillMessage(e, el.Message()); err != nil {
				return err
			}
			slotpb.Append(l, el)
			continue
		}
		val, err := scalarValue(e, fd)
		if err != nil {
			return err
		}
		slotpb.Append(l, val)
	}
	return nil
}

// fillMap sets the entries of the Go map f in the map field fd.
func fillMap(f reflect.Value, fd protoreflect.FieldDescriptor, m protoreflect.Message) error {
	if f.Len() == 0 {
		return nil
	}
	pm := m.Mutable(fd).Map()
	vfd := fd.MapValue()
	it := f.MapRange()
	for it.Next() {
		k := protoreflect.ValueOfString(it.Key().String()).MapKey()
		gv := it.Value()
		if vfd.Kind() == protoreflect.MessageKind || vfd.Kind() == protoreflect.GroupKind {
			if gv.Kind() == reflect.Pointer {
				if gv.IsNil() {
					return fmt.Errorf("nil value for key %q", it.Key().String())
				}
				gv = gv.Elem()
			}
			mv := pm.NewValue()
			// A map value is not addressable: copy it into one that is,
			// for the types that need their pointer methods.
			addr := reflect.New(gv.Type()).Elem()
			addr.Set(gv)
			if err := fillMessage(addr, mv.Message()); err != nil {
				return err
			}
			slotpb.StoreEntry(pm, k, mv)
			continue
		}
		if vfd.Kind() == protoreflect.BytesKind && gv.IsNil() {
			// The generated code writes an empty value for nil bytes.
			slotpb.StoreEntry(pm, k, protoreflect.ValueOfBytes([]byte{}))
			continue
		}
		val, err := scalarValue(gv, vfd)
		if err != nil {
			return err
		}
		slotpb.StoreEntry(pm, k, val)
	}
	return nil
}
