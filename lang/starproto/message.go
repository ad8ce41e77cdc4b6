package starproto

import (
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// Message is the Starlark value of a protobuf message. It wraps a
// protoreflect.Message, which is the only storage: setting a field sets
// it in the message, with the value converted and type-checked at once,
// and reading a field reads it from the message. See the package
// documentation for aliasing, laziness and freezing.
type Message struct {
	m      protoreflect.Message
	env    *env
	frozen bool

	// While parent is set, the message is detached: it stands for the
	// unset message field fd of parent, m is a read-only empty message,
	// and the first write attaches a real message to parent (attach).
	parent *Message
	fd     protoreflect.FieldDescriptor

	// thread is the thread whose SetHook sees writes to the message: the
	// thread that constructed it (or the message it was read from), when
	// that thread had a SetHook. Only that thread can write to it: a
	// message that reaches another thread does so frozen.
	thread *starlark.Thread
}

var (
	_ starlark.HasAttrs    = (*Message)(nil)
	_ starlark.HasSetField = (*Message)(nil)
	_ starlark.Comparable  = (*Message)(nil)
)

// NewMessage returns the Starlark value of m, sharing m: changes made in
// Starlark are changes to m. It uses no boxers; see Bridge.Wrap.
func NewMessage(m proto.Message) *Message {
	return newMessage(m.ProtoReflect(), newEnv(Options{}))
}

func newMessage(m protoreflect.Message, e *env) *Message {
	return &Message{m: m, env: e}
}

// AsProto returns the message a Starlark value holds, if it is a
// *Message. The message is shared, not copied; a frozen value's message
// must not be modified. A detached message (an unset field read but never
// written) gives a new empty message.
func AsProto(v starlark.Value) (proto.Message, bool) {
	x, ok := v.(*Message)
	if !ok {
		return nil, false
	}
	m := x.read()
	if !m.IsValid() {
		m = m.Type().New()
	}
	return m.Interface(), true
}

// Proto returns the message x holds, as AsProto does.
func (x *Message) Proto() proto.Message {
	m, _ := AsProto(x)
	return m
}

// read returns the message to read from. A detached message whose field
// has been set since (through another value) adopts the field's message.
func (x *Message) read() protoreflect.Message {
	if x.parent != nil {
		if p := x.parent.read(); p.Has(x.fd) {
			x.m = p.Get(x.fd).Message()
			x.parent, x.fd = nil, nil
		}
	}
	return x.m
}

// attach makes a detached message part of its parent, attaching the
// parent first; it is called before every write. If the field was set in
// the meantime, the message adopts the field's message.
func (x *Message) attach() error {
	if x.parent == nil {
		return nil
	}
	p := x.parent
	if p.frozen {
		return x.frozenError(fmt.Sprintf("set %s.%s", p.name(), attrName(x.fd)))
	}
	if err := p.attach(); err != nil {
		return err
	}
	x.m = p.m.Mutable(x.fd).Message()
	x.parent, x.fd = nil, nil
	return nil
}

func (x *Message) name() string { return string(x.m.Descriptor().Name()) }

func (x *Message) frozenError(what string) error {
	return fmt.Errorf("cannot %s: message is frozen (use proto.clone)", what)
}

// String returns the message in constructor form, e.g.
// apps.v1.Deployment(metadata=ObjectMeta(name="web")), or for a boxed
// type the value it boxes (500m).
func (x *Message) String() string { return formatMessage(x.env, x.read(), true) }

// Type returns the message's full name, e.g.
// "k8s.io.api.apps.v1.Deployment", as skycfg does.
func (x *Message) Type() string { return string(x.m.Descriptor().FullName()) }

// Freeze makes the message and everything read from it immutable. A
// detached message is frozen as the empty message it stands for.
func (x *Message) Freeze() {
	if x.frozen {
		return
	}
	x.read()
	x.parent, x.fd = nil, nil
	x.frozen = true
}

// Truth reports true: a message is always truthy, even an empty one. Use
// proto.has to test whether a field is set.
func (x *Message) Truth() starlark.Bool { return starlark.True }

// Hash fails: messages are mutable and unhashable.
func (x *Message) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", x.name())
}

// AttrNames returns the Starlark names of the message's fields, sorted.
func (x *Message) AttrNames() []string { return fieldAttrNames(x.m.Descriptor()) }

// field returns the field of the given Starlark name, or an error naming
// the nearest field.
func (x *Message) field(name string) (protoreflect.FieldDescriptor, error) {
	md := x.m.Descriptor()
	if fd := lookupField(md, name); fd != nil {
		return fd, nil
	}
	return nil, noFieldError(md, name)
}

func noFieldError(md protoreflect.MessageDescriptor, name string) error {
	if inner := embeddedField(md, name); inner != "" {
		// Kubernetes embeds structs that its YAML flattens (Probe's
		// handler, Volume's volumeSource): the commonest misspelling is
		// leaving out their name.
		return fmt.Errorf("%s has no field %q (did you mean %q?)", md.Name(), name, inner+"."+name)
	}
	return fmt.Errorf("%s has no field %q%s", md.Name(), name, didYouMean(name, fieldAttrNames(md)))
}

// embeddedField returns the name of the singular message field of md
// that has a field called name, or "" if none or several have.
func embeddedField(md protoreflect.MessageDescriptor, name string) string {
	found := ""
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			continue
		}
		if lookupField(fd.Message(), name) != nil {
			if found != "" {
				return ""
			}
			found = attrName(fd)
		}
	}
	return found
}

// Attr returns the value of a field. An unset scalar reads as its default;
// an unset message field reads as a detached empty message, and an unset
// repeated or map field as an empty list or dict view, none of which
// appears in the output until something is written into it.
func (x *Message) Attr(name string) (starlark.Value, error) {
	fd, err := x.field(name)
	if err != nil {
		return nil, err
	}
	return x.get(fd), nil
}

func (x *Message) get(fd protoreflect.FieldDescriptor) starlark.Value {
	m := x.read()
	switch {
	case fd.IsList():
		return &List{owner: x, fd: fd}
	case fd.IsMap():
		return &Map{owner: x, fd: fd}
	case fd.Message() != nil:
		child := &Message{m: m.Get(fd).Message(), env: x.env, frozen: x.frozen, thread: x.thread}
		if !x.frozen && !m.Has(fd) {
			child.parent, child.fd = x, fd
		}
		return child
	default:
		return x.env.toStarlark(fd, m.Get(fd), x.frozen)
	}
}

// adopt passes x's thread on to v, a message read from one of x's list or
// map fields, so that writes to it reach the thread's SetHook too.
func (x *Message) adopt(v starlark.Value) starlark.Value {
	if x.thread != nil {
		if m, ok := v.(*Message); ok {
			m.thread = x.thread
		}
	}
	return v
}

// wrote tells the SetHook of x's thread that field fd of x was set,
// cleared or changed in place.
func (x *Message) wrote(fd protoreflect.FieldDescriptor) {
	if x.thread == nil || x.parent != nil {
		return
	}
	if hook, ok := x.thread.Local(SetHook).(func(*starlark.Thread, proto.Message, protoreflect.FieldDescriptor)); ok {
		hook(x.thread, x.m.Interface(), fd)
	}
}

// SetField sets a field, converting and type-checking v. None clears the
// field. A mutable message is stored by reference, a frozen one copied;
// lists and dicts are copied into the field.
func (x *Message) SetField(name string, v starlark.Value) error {
	fd, err := x.field(name)
	if err != nil {
		return err
	}
	return x.set(fd, v)
}

func (x *Message) set(fd protoreflect.FieldDescriptor, v starlark.Value) (err error) {
	if isSensitive(x.m.Descriptor()) {
		defer func() { err = hideValue(err, v) }()
	}
	if x.frozen {
		return x.frozenError("set " + x.path(fd))
	}
	if v == starlark.None {
		if m := x.read(); x.parent == nil {
			m.Clear(fd)
			x.wrote(fd)
		}
		return nil
	}
	if err := x.attach(); err != nil {
		return err
	}
	var val protoreflect.Value
	switch {
	case fd.IsList():
		val, err = x.env.toList(x.m, fd, v)
		if err != nil {
			return fmt.Errorf("%s%w", x.path(fd), err)
		}
	case fd.IsMap():
		val, err = x.env.toMap(x.m, fd, v)
		if err != nil {
			return fmt.Errorf("%s%w", x.path(fd), err)
		}
	default:
		val, err = x.env.toProto(slot{x.m, fd, fd}, v)
		if err != nil {
			return fmt.Errorf("%s: %w", x.path(fd), err)
		}
	}
	slotpb.Store(x.m, fd, val)
	x.wrote(fd)
	return nil
}

// path names a field for messages: "DeploymentSpec.replicas".
func (x *Message) path(fd protoreflect.FieldDescriptor) string {
	return x.name() + "." + attrName(fd)
}

// CompareSameType compares messages with == and != by proto.Equal.
func (x *Message) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	switch op {
	case syntax.EQL:
		return equalMessages(x.read(), y.(*Message).read()), nil
	case syntax.NEQ:
		return !equalMessages(x.read(), y.(*Message).read()), nil
	}
	return false, fmt.Errorf("%s %s %s not supported: messages compare only with == and !=", x.name(), op, y.(*Message).name())
}

// equalMessages is proto.Equal, with a read-only empty message equal to
// any empty message of its type.
func equalMessages(a, b protoreflect.Message) bool {
	if a.Descriptor().FullName() != b.Descriptor().FullName() {
		return false
	}
	if !a.IsValid() || !b.IsValid() {
		return isEmpty(a) && isEmpty(b)
	}
	return proto.Equal(a.Interface(), b.Interface())
}

func isEmpty(m protoreflect.Message) bool {
	empty := true
	m.Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool {
		empty = false
		return false
	})
	return empty && len(m.GetUnknown()) == 0
}

// sensitive are the message types whose values errors never quote: a
// Secret's data is the user's to write into the output, not into the CI
// logs that show an error about it ("Secret.stringData: got string
// \"hunter2\", want dict").
var sensitive = []protoreflect.FullName{"k8s.io.api.core.v1.Secret"}

// isSensitive reports whether md is one of the sensitive types. Every
// field set asks, so it compares names rather than hashing one.
func isSensitive(md protoreflect.MessageDescriptor) bool {
	name := md.FullName()
	for _, s := range sensitive {
		if name == s {
			return true
		}
	}
	return false
}

// hideValue returns err without the quoted string v, when v is one:
// describe quotes strings, and only strings (other values it names by
// type).
func hideValue(err error, v starlark.Value) error {
	if _, ok := v.(starlark.String); !ok || err == nil {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), describe(v), "string (not shown: a Secret's values stay out of messages)"))
}
