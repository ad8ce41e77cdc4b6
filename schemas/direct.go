package schemas

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// This file copies a message straight into the k8s.io/api Go
// struct its descriptor was derived from (see describe.go), field by
// field, instead of encoding it to the wire form and decoding that with
// the struct's generated Unmarshal. The result is the one Unmarshal
// gives: the same fields set, Quantity parsed by resource.ParseQuantity,
// Time made local, empty messages of pointer fields allocated. A Go type
// the copier has no plan for falls back to the wire path.

// structPlan maps the field numbers of a message to the fields of the Go
// struct it describes.
type structPlan struct {
	byNumber []int // field number → struct field index, or -1
}

// maxPlanNumber bounds the field numbers a plan's slice covers; a Go
// type with a larger one (none in k8s.io/api) takes the wire path.
const maxPlanNumber = 1 << 12

// field returns the index of the struct field of field number num.
func (p *structPlan) field(num protoreflect.FieldNumber) (int, bool) {
	if int(num) >= len(p.byNumber) || p.byNumber[num] < 0 {
		return 0, false
	}
	return p.byNumber[num], true
}

var structPlans sync.Map // reflect.Type → *structPlan

func planFor(t reflect.Type) (*structPlan, error) {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan), nil
	}
	p := &structPlan{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("protobuf")
		if !ok || tag == "-" {
			continue
		}
		num, _, err := parseTag(tag, sf.Name)
		if err != nil {
			return nil, err
		}
		if num < 0 || num >= maxPlanNumber {
			return nil, fmt.Errorf("%s.%s: field number %d out of range", t, sf.Name, num)
		}
		for len(p.byNumber) <= int(num) {
			p.byNumber = append(p.byNumber, -1)
		}
		p.byNumber[num] = i
	}
	structPlans.Store(t, p)
	return p, nil
}

var (
	quantityGoType  = reflect.TypeFor[resource.Quantity]()
	timeGoType      = reflect.TypeFor[metav1.Time]()
	microTimeGoType = reflect.TypeFor[metav1.MicroTime]()
	fieldsV1GoType  = reflect.TypeFor[metav1.FieldsV1]()
	stringMapGoType = reflect.TypeFor[map[string]string]()
)

// copyMessage copies m into v, an addressable value of the Go type m
// describes: a struct, or a named slice (a message with one repeated
// field, items).
func copyMessage(m protoreflect.Message, v reflect.Value) error {
	t := v.Type()
	switch t {
	case quantityGoType:
		fd := m.Descriptor().Fields().ByNumber(1)
		if !m.Has(fd) {
			return nil // as Unmarshal: an empty message leaves the zero Quantity
		}
		q, err := resource.ParseQuantity(m.Get(fd).String())
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(q))
		return nil
	case timeGoType, microTimeGoType:
		fields := m.Descriptor().Fields()
		secs, nanos := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
		// As the generated Unmarshal: an empty message is the zero time,
		// anything else the local time.
		var tm time.Time
		if m.Has(fields.ByNumber(1)) || m.Has(fields.ByNumber(2)) {
			tm = time.Unix(secs, nanos).Local()
		}
		v.Field(0).Set(reflect.ValueOf(tm))
		return nil
	case fieldsV1GoType:
		if fd := m.Descriptor().Fields().ByNumber(1); m.Has(fd) {
			v.Field(0).SetBytes(append([]byte{}, m.Get(fd).Bytes()...))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Slice:
		fd := m.Descriptor().Fields().ByNumber(1)
		if fd == nil || !fd.IsList() {
			return fmt.Errorf("%s: no items field", t)
		}
		if !m.Has(fd) {
			// As Unmarshal: the message was there, so the slice is,
			// empty but not nil.
			v.Set(reflect.MakeSlice(t, 0, 0))
			return nil
		}
		return copyList(m.Get(fd).List(), fd, v)
	case reflect.Struct:
	default:
		return fmt.Errorf("cannot copy a message into %s", t)
	}
	p, err := planFor(t)
	if err != nil {
		return err
	}
	if sm, ok := m.(*slotpb.Message); ok {
		// The fields one by one: no closure to allocate per message.
		for i := range sm.NumFields() {
			if fd, val := sm.Field(i); val.IsValid() {
				if err := copyField(p, v, fd, val); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var rangeErr error
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		rangeErr = copyField(p, v, fd, val)
		return rangeErr == nil
	})
	return rangeErr
}

// copyField copies the value of field fd into its field of v, a struct
// that plan p describes.
func copyField(p *structPlan, v reflect.Value, fd protoreflect.FieldDescriptor, val protoreflect.Value) error {
	i, ok := p.field(fd.Number())
	if !ok {
		return fmt.Errorf("%s has no field numbered %d", v.Type(), fd.Number())
	}
	f := v.Field(i)
	var err error
	switch {
	case fd.IsList():
		err = copyList(val.List(), fd, f)
	case fd.IsMap():
		err = copyMap(val.Map(), fd, f)
	default:
		err = copySingular(val, fd, f)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fd.Name(), err)
	}
	return nil
}

// copySingular copies one value of field fd into f, allocating f first
// when it is a pointer.
func copySingular(val protoreflect.Value, fd protoreflect.FieldDescriptor, f reflect.Value) error {
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		if err := copySingular(val, fd, p.Elem()); err != nil {
			return err
		}
		f.Set(p)
		return nil
	}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return copyMessage(val.Message(), f)
	case protoreflect.BoolKind:
		f.SetBool(val.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		f.SetInt(val.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		f.SetUint(val.Uint())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f.SetFloat(val.Float())
	case protoreflect.StringKind:
		f.SetString(val.String())
	case protoreflect.BytesKind:
		// The generated Unmarshal leaves an empty bytes field non-nil.
		f.SetBytes(append([]byte{}, val.Bytes()...))
	default:
		return fmt.Errorf("unsupported field kind %s", fd.Kind())
	}
	return nil
}

// copyList copies a repeated field into the slice f.
func copyList(l protoreflect.List, fd protoreflect.FieldDescriptor, f reflect.Value) error {
	n := l.Len()
	s := reflect.MakeSlice(f.Type(), n, n)
	for i := 0; i < n; i++ {
		if err := copySingular(l.Get(i), fd, s.Index(i)); err != nil {
			return err
		}
	}
	f.Set(s)
	return nil
}

// copyMap copies a map field into the Go map f.
func copyMap(pm protoreflect.Map, fd protoreflect.FieldDescriptor, f reflect.Value) error {
	if f.Type() == stringMapGoType && fd.MapValue().Kind() == protoreflect.StringKind {
		// Labels, annotations, selectors: without reflection.
		sm := make(map[string]string, pm.Len())
		if spm, ok := pm.(*slotpb.Map); ok {
			for i := range spm.Len() {
				k, val := spm.Entry(i)
				sm[k.String()] = val.String()
			}
		} else {
			pm.Range(func(k protoreflect.MapKey, val protoreflect.Value) bool {
				sm[k.String()] = val.String()
				return true
			})
		}
		f.Set(reflect.ValueOf(sm))
		return nil
	}
	gm := reflect.MakeMapWithSize(f.Type(), pm.Len())
	kt, vt := f.Type().Key(), f.Type().Elem()
	vfd := fd.MapValue()
	var err error
	pm.Range(func(k protoreflect.MapKey, val protoreflect.Value) bool {
		gv := reflect.New(vt).Elem()
		if err = copySingular(val, vfd, gv); err != nil {
			return false
		}
		gm.SetMapIndex(reflect.ValueOf(k.String()).Convert(kt), gv)
		return true
	})
	if err != nil {
		return err
	}
	f.Set(gm)
	return nil
}
