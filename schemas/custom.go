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
