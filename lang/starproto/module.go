package starproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
)

// Bridge connects Starlark to the protobuf message types of one registry:
// it provides the proto module and wraps and unwraps messages with the
// same options. A Bridge is safe for concurrent use.
type Bridge struct {
	types  *protoregistry.Types
	env    *env
	module *starlarkstruct.Module

	indexOnce sync.Once
	index     *index
}

// New returns a bridge to the message types in types.
func New(types *protoregistry.Types, opts Options) *Bridge {
	b := &Bridge{types: types, env: newEnv(opts)}
	b.module = &starlarkstruct.Module{
		Name: "proto",
		Members: starlark.StringDict{
			"package":      starlark.NewBuiltin("proto.package", b.pkg),
			"clone":        starlark.NewBuiltin("proto.clone", protoClone),
			"merge":        starlark.NewBuiltin("proto.merge", protoMerge),
			"clear":        starlark.NewBuiltin("proto.clear", protoClear),
			"has":          starlark.NewBuiltin("proto.has", protoHas),
			"to_dict":      starlark.NewBuiltin("proto.to_dict", protoToDict),
			"set_defaults": starlark.NewBuiltin("proto.set_defaults", protoSetDefaults),
			"encode_json":  starlark.NewBuiltin("proto.encode_json", b.encodeJSON),
			"decode_json":  starlark.NewBuiltin("proto.decode_json", b.decodeJSON),
			"encode_text":  starlark.NewBuiltin("proto.encode_text", b.encodeText),
			"decode_text":  starlark.NewBuiltin("proto.decode_text", b.decodeText),
			"encode_any":   starlark.NewBuiltin("proto.encode_any", b.encodeAny),
			"decode_any":   starlark.NewBuiltin("proto.decode_any", b.decodeAny),
		},
	}
	b.module.Freeze()
	return b
}

// NewModule returns the Starlark module "proto" for the message types in
// types:
//
//	proto.package(name)           the types of a protobuf package
//	proto.clone(msg)              a deep, mutable copy
//	proto.merge(dst, src)         proto.Merge: src's set fields into dst
//	proto.clear(msg)              unset every field
//	proto.has(msg, field)         whether a field is set
//	proto.to_dict(msg)            the set fields as nested dicts and lists
//	proto.set_defaults(msg)       set unset fields that declare defaults
//	proto.encode_json(msg)        protobuf JSON (compact=False to indent)
//	proto.decode_json(type, s)    a message from protobuf JSON
//	proto.encode_text(msg)        protobuf text format
//	proto.decode_text(type, s)    a message from protobuf text format
//	proto.encode_any(msg)         a google.protobuf.Any holding msg
//	proto.decode_any(any)         the message an Any holds
//
// It is New(types, opts).Module().
func NewModule(types *protoregistry.Types, opts Options) *starlarkstruct.Module {
	return New(types, opts).Module()
}

// Module returns the frozen "proto" module (see NewModule).
func (b *Bridge) Module() *starlarkstruct.Module { return b.module }

// Wrap returns the Starlark value of m, sharing m, with the bridge's
// boxers. It never fails; the error is for interfaces that need one.
func (b *Bridge) Wrap(m proto.Message) (starlark.Value, error) {
	return newMessage(m.ProtoReflect(), b.env), nil
}

// Unwrap returns the message a Starlark value holds, as AsProto does.
func (b *Bridge) Unwrap(v starlark.Value) (proto.Message, bool) { return AsProto(v) }

// NewMessage returns the Starlark value of m with the bridge's boxers.
func (b *Bridge) NewMessage(m proto.Message) *Message { return newMessage(m.ProtoReflect(), b.env) }

// pkg implements proto.package(name): the types and subpackages of a
// protobuf package, e.g. proto.package("k8s.io.api.apps.v1").Deployment.
func (b *Bridge) pkg(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
		return nil, err
	}
	b.indexOnce.Do(func() { b.index = buildIndex(b.types, b.env) })
	p, err := b.index.lookup(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return p, nil
}

// messageArg returns argument v as a message.
func messageArg(fn *starlark.Builtin, v starlark.Value) (*Message, error) {
	x, ok := v.(*Message)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want a message", fn.Name(), describe(v))
	}
	return x, nil
}

func oneMessage(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Message, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	return messageArg(fn, v)
}

// protoClone implements proto.clone(msg): a deep copy, mutable even if msg is
// frozen, and sharing nothing with msg.
func protoClone(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	c := &Message{m: cloneMessage(x.read()), env: x.env}
	if thread != nil && thread.Local(SetHook) != nil {
		c.thread = thread
	}
	return c, nil
}

func cloneMessage(m protoreflect.Message) protoreflect.Message {
	c := m.Type().New()
	proto.Merge(c.Interface(), m.Interface())
	return c
}

// protoMerge implements proto.merge(dst, src): proto.Merge semantics (set
// scalars overwrite, messages merge recursively, lists append, maps
// union), copying from src. It returns dst.
func protoMerge(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dv, sv starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &dv, &sv); err != nil {
		return nil, err
	}
	dst, err := messageArg(fn, dv)
	if err != nil {
		return nil, err
	}
	src, err := messageArg(fn, sv)
	if err != nil {
		return nil, err
	}
	if dst.Type() != src.Type() {
		return nil, fmt.Errorf("%s: cannot merge %s into %s", fn.Name(), src.name(), dst.name())
	}
	if dst.frozen {
		return nil, dst.frozenError("merge into " + dst.name())
	}
	if err := dst.attach(); err != nil {
		return nil, err
	}
	s := src.read()
	if s == dst.m {
		s = cloneMessage(s)
	}
	proto.Merge(dst.m.Interface(), s.Interface())
	return dst, nil
}

// protoClear implements proto.clear(msg): it unsets every field of msg and
// returns msg.
func protoClear(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if x.frozen {
		return nil, x.frozenError("clear " + x.name())
	}
	if m := x.read(); x.parent == nil {
		var fds []protoreflect.FieldDescriptor
		m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			fds = append(fds, fd)
			return true
		})
		for _, fd := range fds {
			m.Clear(fd)
		}
		if len(m.GetUnknown()) > 0 {
			m.SetUnknown(nil)
		}
	}
	return x, nil
}

// protoHas implements proto.has(msg, field): whether the field is set. For a
// repeated or map field, whether it is non-empty.
func protoHas(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		v    starlark.Value
		name string
	)
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &v, &name); err != nil {
		return nil, err
	}
	x, err := messageArg(fn, v)
	if err != nil {
		return nil, err
	}
	fd, err := x.field(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return starlark.Bool(x.read().Has(fd)), nil
}

// protoSetDefaults implements proto.set_defaults(msg): every unset field that
// declares a default (proto2) is set to it. It returns msg.
func protoSetDefaults(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	fds := x.m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if !fd.HasDefault() || x.read().Has(fd) {
			continue
		}
		if x.frozen {
			return nil, x.frozenError("set defaults of " + x.name())
		}
		if err := x.attach(); err != nil {
			return nil, err
		}
		x.m.Set(fd, fd.Default())
	}
	return x, nil
}

// protoToDict implements proto.to_dict(msg): the set fields of msg as a dict
// keyed by field name, with messages as dicts (boxed types as the value
// they box, e.g. "500m"), repeated fields as lists, maps as dicts in key
// order and enums as their names. The result shares nothing with msg.
func protoToDict(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	return messageDict(x.env, x.read(), 0)
}

func messageDict(e *env, m protoreflect.Message, depth int) (*starlark.Dict, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("proto.to_dict: %s nests deeper than %d", m.Descriptor().Name(), maxDepth)
	}
	fds := m.Descriptor().Fields()
	d := starlark.NewDict(fds.Len())
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		var (
			sv  starlark.Value
			err error
		)
		switch {
		case fd.IsList():
			l := v.List()
			elems := make([]starlark.Value, l.Len())
			for j := range elems {
				if elems[j], err = plainValue(e, fd, l.Get(j), depth); err != nil {
					return nil, err
				}
			}
			sv = starlark.NewList(elems)
		case fd.IsMap():
			pm := v.Map()
			md := starlark.NewDict(pm.Len())
			for _, k := range sortedKeys(pm) {
				ev, err := plainValue(e, fd.MapValue(), pm.Get(k), depth)
				if err != nil {
					return nil, err
				}
				if err := md.SetKey(e.toStarlark(fd.MapKey(), k.Value(), true), ev); err != nil {
					return nil, err
				}
			}
			sv = md
		default:
			if sv, err = plainValue(e, fd, v, depth); err != nil {
				return nil, err
			}
		}
		if err := d.SetKey(starlark.String(fd.Name()), sv); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// plainValue converts a singular value for to_dict.
func plainValue(e *env, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) (starlark.Value, error) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		m := v.Message()
		if b, ok := e.box[m.Descriptor().FullName()]; ok && b.Unbox != nil {
			if u, err := b.Unbox(m); err == nil {
				return u, nil
			}
		}
		return messageDict(e, m, depth+1)
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return starlark.String(ev.Name()), nil
		}
		return starlark.MakeInt64(int64(v.Enum())), nil
	}
	return e.toStarlark(fd, v, true), nil
}

// compactArg unpacks (msg, compact=True).
func compactArg(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Message, bool, error) {
	var v starlark.Value
	compact := true
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "msg", &v, "compact?", &compact); err != nil {
		return nil, false, err
	}
	x, err := messageArg(fn, v)
	return x, compact, err
}

// encodeJSON implements proto.encode_json(msg, compact=True): protobuf
// JSON with field names as declared, whitespace normalized so that the
// output is the same from build to build.
func (b *Bridge) encodeJSON(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, compact, err := compactArg(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	raw, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: b.types}.Marshal(x.Proto())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	var out bytes.Buffer
	if compact {
		err = json.Compact(&out, raw)
	} else {
		err = json.Indent(&out, raw, "", "  ")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return starlark.String(out.String()), nil
}

// encodeText implements proto.encode_text(msg, compact=True): protobuf
// text format. Its whitespace may differ between builds of skyc, as the
// protobuf library intends; use it for display, not for comparison.
func (b *Bridge) encodeText(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, compact, err := compactArg(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	out, err := prototext.MarshalOptions{Multiline: !compact, Resolver: b.types}.Marshal(x.Proto())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return starlark.String(out), nil
}

// typeAndString unpacks (type, string).
func typeAndString(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*MessageType, string, error) {
	var (
		tv starlark.Value
		s  string
	)
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &tv, &s); err != nil {
		return nil, "", err
	}
	t, ok := tv.(*MessageType)
	if !ok {
		return nil, "", fmt.Errorf("%s: got %s, want a message type", fn.Name(), describe(tv))
	}
	return t, s, nil
}

// decodeJSON implements proto.decode_json(type, json).
func (b *Bridge) decodeJSON(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	t, s, err := typeAndString(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	m := t.typ.New()
	if err := (protojson.UnmarshalOptions{Resolver: b.types}).Unmarshal([]byte(s), m.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return &Message{m: m, env: t.env}, nil
}

// decodeText implements proto.decode_text(type, text).
func (b *Bridge) decodeText(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	t, s, err := typeAndString(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	m := t.typ.New()
	if err := (prototext.UnmarshalOptions{Resolver: b.types}).Unmarshal([]byte(s), m.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return &Message{m: m, env: t.env}, nil
}

// encodeAny implements proto.encode_any(msg): a google.protobuf.Any
// holding msg, deterministically encoded.
func (b *Bridge) encodeAny(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	a := new(anypb.Any)
	if err := anypb.MarshalFrom(a, x.Proto(), proto.MarshalOptions{Deterministic: true}); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return &Message{m: a.ProtoReflect(), env: b.env}, nil
}

// decodeAny implements proto.decode_any(any): the message an Any holds,
// of a type the bridge knows.
func (b *Bridge) decodeAny(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	x, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	a, ok := x.Proto().(*anypb.Any)
	if !ok {
		// An Any of another implementation, e.g. dynamic.
		a = new(anypb.Any)
		raw, err := proto.Marshal(x.Proto())
		if err == nil && x.m.Descriptor().FullName() == "google.protobuf.Any" {
			err = proto.Unmarshal(raw, a)
		} else if err == nil {
			err = fmt.Errorf("got %s, want google.protobuf.Any", x.name())
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
	}
	m, err := unmarshalAny(a, proto.UnmarshalOptions{Resolver: b.types})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return &Message{m: m.ProtoReflect(), env: b.env}, nil
}

// unmarshalAny is anypb.UnmarshalNew, except that a panic of the protobuf
// decoder is an error: on malformed bytes it panics for some dynamic
// messages (a map entry whose key has the wrong wire type, in v1.36), and
// an Any's value is whatever bytes a .sky file put there.
func unmarshalAny(a *anypb.Any, opts proto.UnmarshalOptions) (m proto.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("the value is not a valid encoding of %s (%v)", strings.TrimPrefix(a.GetTypeUrl(), "type.googleapis.com/"), p)
		}
	}()
	return anypb.UnmarshalNew(a, opts)
}
