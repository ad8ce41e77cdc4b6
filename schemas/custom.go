package schemas

import (
	"fmt"
	"maps"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/schemas/crd"
)

// This file adds custom resources to a registry: the kinds of a
// repository's CRDs, whose messages package crd derives from their
// schemas and whose objects are *unstructured.Unstructured.

// WithCRDs returns a registry with r's types and kinds and the kinds that
// CRDs define (see package crd): .sky files construct them like built-in
// kinds, ToObject turns their messages into *unstructured.Unstructured
// with apiVersion and kind set. r is not changed. Kinds lists the
// built-in kinds only; CustomKinds these.
func (r *Registry) WithCRDs(kinds []*crd.Kind) (*Registry, error) {
	if len(kinds) == 0 {
		return r, nil
	}
	files, messages, err := crd.Describe(kinds, r.files)
	if err != nil {
		return nil, err
	}
	out, err := r.Extend(files)
	if err != nil {
		return nil, err
	}
	out.kinds = maps.Clone(r.kinds)
	out.byGVK = maps.Clone(r.byGVK)
	out.custom = append([]*Kind(nil), r.custom...)
	for _, k := range kinds {
		name := messages[k.GVK]
		mt, err := out.types.FindMessageByName(name)
		if err != nil {
			return nil, fmt.Errorf("registering %s: %w", name, err)
		}
		if _, dup := out.byGVK[k.GVK]; dup {
			return nil, fmt.Errorf("%s: %s is a built-in kind", k.File, k.GVK)
		}
		kind := &Kind{GVK: k.GVK, Message: mt, CRD: k}
		out.kinds[name] = kind
		out.byGVK[k.GVK] = kind
		out.custom = append(out.custom, kind)
	}
	return out, nil
}

// CustomKinds returns the kinds WithCRDs added, in the order of the CRDs.
func (r *Registry) CustomKinds() []*Kind { return r.custom }

// toUnstructured converts a message of a custom kind into its object.
func toUnstructured(m proto.Message, k *Kind) (runtime.Object, error) {
	obj, err := jsonObject(m.ProtoReflect())
	if err != nil {
		return nil, fmt.Errorf("converting %s: %w", k.Message.Descriptor().FullName(), err)
	}
	u := &unstructured.Unstructured{Object: obj}
	u.SetGroupVersionKind(k.GVK)
	return u, nil
}

// jsonObject is the JSON form of a message: its set fields under their
// JSON names.
func jsonObject(m protoreflect.Message) (map[string]any, error) {
	out := map[string]any{}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		var x any
		switch {
		case fd.IsList():
			l := v.List()
			items := make([]any, l.Len())
			for i := range items {
				if items[i], err = jsonValue(fd, l.Get(i)); err != nil {
					return false
				}
			}
			x = items
		case fd.IsMap():
			entries := map[string]any{}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				entries[k.String()], err = jsonValue(fd.MapValue(), mv)
				return err == nil
			})
			x = entries
		default:
			x, err = jsonValue(fd, v)
		}
		out[fd.JSONName()] = x
		return err == nil
	})
	return out, err
}

// jsonValue is the JSON form of one value of fd.
func jsonValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) (any, error) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return jsonMessage(v.Message())
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
		protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return v.Int(), nil
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return int64(v.Uint()), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float(), nil
	}
	return nil, fmt.Errorf("%s: no JSON form for %s", fd.FullName(), fd.Kind())
}

// jsonMessage is the JSON form of a message, with the Kubernetes types
// custom resources use in theirs.
func jsonMessage(m protoreflect.Message) (any, error) {
	switch m.Descriptor().FullName() {
	case crd.ObjectMetaName:
		b, err := wireOptions.Marshal(m.Interface())
		if err != nil {
			return nil, err
		}
		var om metav1.ObjectMeta
		if err := om.Unmarshal(b); err != nil {
			return nil, err
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&om)
		if err != nil {
			return nil, err
		}
		if ts, ok := u["creationTimestamp"]; ok && ts == nil {
			delete(u, "creationTimestamp")
		}
		return u, nil
	case crd.IntOrStringName:
		fields := m.Descriptor().Fields()
		if m.Get(fields.ByName("type")).Int() == 1 {
			return m.Get(fields.ByName("strVal")).String(), nil
		}
		return m.Get(fields.ByName("intVal")).Int(), nil
	case quantityName:
		return m.Get(m.Descriptor().Fields().ByName("string")).String(), nil
	}
	return jsonObject(m)
}

const quantityName protoreflect.FullName = "k8s.io.apimachinery.pkg.api.resource.Quantity"

// fromUnstructured converts a custom resource into a message of its
// kind. Fields the message has no field for (status, and what the
// message leaves out; see package crd) are dropped.
func (r *Registry) fromUnstructured(u *unstructured.Unstructured) (proto.Message, error) {
	k, ok := r.byGVK[u.GroupVersionKind()]
	if !ok || k.CRD == nil {
		return nil, fmt.Errorf("%s is not a registered kind", u.GroupVersionKind())
	}
	m := k.Message.New()
	if err := fromJSONObject(m, u.Object); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", k.Message.Descriptor().FullName(), err)
	}
	return m.Interface(), nil
}

// fromJSONObject sets the fields of m from a JSON object.
func fromJSONObject(m protoreflect.Message, obj map[string]any) error {
	fields := m.Descriptor().Fields()
	for key, v := range obj {
		fd := fields.ByJSONName(key)
		if fd == nil || v == nil {
			continue
		}
		switch {
		case fd.IsList():
			items, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: got %T, want a list", key, v)
			}
			l := m.Mutable(fd).List()
			for _, item := range items {
				pv, err := fromJSONValue(fd, item, l.NewElement)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				l.Append(pv)
			}
		case fd.IsMap():
			entries, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: got %T, want an object", key, v)
			}
			mp := m.Mutable(fd).Map()
			for ek, ev := range entries {
				pv, err := fromJSONValue(fd.MapValue(), ev, mp.NewValue)
				if err != nil {
					return fmt.Errorf("%s[%s]: %w", key, ek, err)
				}
				mp.Set(protoreflect.ValueOfString(ek).MapKey(), pv)
			}
		default:
			pv, err := fromJSONValue(fd, v, func() protoreflect.Value { return m.NewField(fd) })
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			m.Set(fd, pv)
		}
	}
	return nil
}

// fromJSONValue converts one JSON value for fd; newMessage makes the
// message of a message-typed value.
func fromJSONValue(fd protoreflect.FieldDescriptor, v any, newMessage func() protoreflect.Value) (protoreflect.Value, error) {
	wrong := func() (protoreflect.Value, error) {
		return protoreflect.Value{}, fmt.Errorf("got %T, want %s", v, fd.Kind())
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		if s, ok := v.(string); ok {
			return protoreflect.ValueOfString(s), nil
		}
		return wrong()
	case protoreflect.BoolKind:
		if b, ok := v.(bool); ok {
			return protoreflect.ValueOfBool(b), nil
		}
		return wrong()
	case protoreflect.Int64Kind:
		switch n := v.(type) {
		case int64:
			return protoreflect.ValueOfInt64(n), nil
		case float64:
			return protoreflect.ValueOfInt64(int64(n)), nil
		}
		return wrong()
	case protoreflect.DoubleKind:
		switch n := v.(type) {
		case int64:
			return protoreflect.ValueOfFloat64(float64(n)), nil
		case float64:
			return protoreflect.ValueOfFloat64(n), nil
		}
		return wrong()
	case protoreflect.MessageKind:
		pv := newMessage()
		m := pv.Message()
		switch m.Descriptor().FullName() {
		case crd.ObjectMetaName:
			obj, ok := v.(map[string]any)
			if !ok {
				return wrong()
			}
			var om metav1.ObjectMeta
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &om); err != nil {
				return protoreflect.Value{}, err
			}
			b, err := om.Marshal()
			if err != nil {
				return protoreflect.Value{}, err
			}
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(b, m.Interface()); err != nil {
				return protoreflect.Value{}, err
			}
			clearZero(m)
		case crd.IntOrStringName:
			// All three fields, as the IntOrString boxer sets them.
			fields := m.Descriptor().Fields()
			typ, i, str := int64(0), int32(0), ""
			switch x := v.(type) {
			case string:
				typ, str = 1, x
			case int64:
				i = int32(x)
			case float64:
				i = int32(x)
			default:
				return wrong()
			}
			m.Set(fields.ByName("type"), protoreflect.ValueOfInt64(typ))
			m.Set(fields.ByName("intVal"), protoreflect.ValueOfInt32(i))
			m.Set(fields.ByName("strVal"), protoreflect.ValueOfString(str))
		default:
			obj, ok := v.(map[string]any)
			if !ok {
				return wrong()
			}
			if err := fromJSONObject(m, obj); err != nil {
				return protoreflect.Value{}, err
			}
		}
		return pv, nil
	}
	return wrong()
}

// clearZero clears the fields of m, and of the messages in it, that hold
// their zero value: the wire form of a Go struct has every field set.
func clearZero(m protoreflect.Message) {
	var zero []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			if l := v.List(); l.Len() == 0 {
				zero = append(zero, fd)
			} else if fd.Message() != nil {
				for i := 0; i < l.Len(); i++ {
					clearZero(l.Get(i).Message())
				}
			}
		case fd.IsMap():
			if v.Map().Len() == 0 {
				zero = append(zero, fd)
			}
		case fd.Message() != nil:
			clearZero(v.Message())
			empty := true
			v.Message().Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool {
				empty = false
				return false
			})
			if empty {
				zero = append(zero, fd)
			}
		default:
			if v.Equal(fd.Default()) {
				zero = append(zero, fd)
			}
		}
		return true
	})
	for _, fd := range zero {
		m.Clear(fd)
	}
}
