package starproto

import (
	"fmt"
	"slices"
	"sync"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// MessageType is the Starlark value of a protobuf message type. Calling
// it with keyword arguments, one per field, constructs a message:
// Container(name = "web", ports = [ContainerPort(containerPort = 80)]).
// Its attributes are the message and enum types nested in it.
type MessageType struct {
	typ    protoreflect.MessageType
	env    *env
	nested map[string]starlark.Value

	fieldsOnce sync.Once
	fields     map[string]protoreflect.FieldDescriptor // by keyword, see lookup
}

var (
	_ starlark.Callable = (*MessageType)(nil)
	_ starlark.HasAttrs = (*MessageType)(nil)
)

// newMessageType returns the constructor for mt and the types nested in
// it, looked up in types when registered there.
func newMessageType(types *protoregistry.Types, mt protoreflect.MessageType, e *env) *MessageType {
	t := &MessageType{typ: mt, env: e, nested: map[string]starlark.Value{}}
	md := mt.Descriptor()
	for i := 0; i < md.Enums().Len(); i++ {
		ed := md.Enums().Get(i)
		t.nested[string(ed.Name())] = &EnumType{desc: ed}
	}
	for i := 0; i < md.Messages().Len(); i++ {
		sub := md.Messages().Get(i)
		if sub.IsMapEntry() {
			continue
		}
		st, err := types.FindMessageByName(sub.FullName())
		if err != nil {
			// Unregistered: of the implementation of the enclosing
			// type, whose fields then take its messages as they are.
			if _, ok := mt.(*slotpb.MessageType); ok {
				st = slotpb.TypeOf(sub)
			} else {
				st = dynamicpb.NewMessageType(sub)
			}
		}
		t.nested[string(sub.Name())] = newMessageType(types, st, e)
	}
	return t
}

// Name returns the message's full name.
func (t *MessageType) Name() string { return string(t.typ.Descriptor().FullName()) }

// String returns <proto.MessageType "full.Name">, as skycfg does.
func (t *MessageType) String() string { return fmt.Sprintf("<proto.MessageType %q>", t.Name()) }

// Type returns "proto.MessageType".
func (t *MessageType) Type() string { return "proto.MessageType" }

// Freeze does nothing: message types are immutable.
func (t *MessageType) Freeze() {}

// Truth reports true.
func (t *MessageType) Truth() starlark.Bool { return starlark.True }

// Hash fails: message types are unhashable, as in skycfg.
func (t *MessageType) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", t.Type())
}

// Attr returns a nested message or enum type.
func (t *MessageType) Attr(name string) (starlark.Value, error) {
	if v, ok := t.nested[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("Protobuf type %q not found%s", t.typ.Descriptor().FullName().Append(protoreflect.Name(name)), didYouMean(name, t.AttrNames()))
}

// AttrNames returns the names of the nested types, sorted.
func (t *MessageType) AttrNames() []string {
	names := make([]string, 0, len(t.nested))
	for n := range t.nested {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewHook is the key of a thread-local value (see starlark.Thread.SetLocal)
// that, when it is a func(*starlark.Thread, proto.Message), is called with
// the thread and every message a message type constructs. It is how a
// renderer learns which line of which .sky file made an object.
const NewHook = "starproto.NewHook"

// SetHook is the key of a thread-local value that, when it is a
// func(*starlark.Thread, proto.Message, protoreflect.FieldDescriptor), is
// called whenever Starlark code on that thread sets or clears a field of a
// message the thread constructed, or changes a list or map field in
// place: the message and the field, with the thread at the statement that
// wrote it. Construction itself is NewHook's; the fields set by keyword
// arguments of a constructor are not reported. With NewHook it tells a
// renderer which line gave a field of an object its value.
const SetHook = "starproto.SetHook"

// lookup returns the field a keyword argument names, as lookupField
// does, from a table built on the type's first call.
func (t *MessageType) lookup(name string) protoreflect.FieldDescriptor {
	t.fieldsOnce.Do(func() {
		fds := t.typ.Descriptor().Fields()
		t.fields = make(map[string]protoreflect.FieldDescriptor, fds.Len())
		for i := 0; i < fds.Len(); i++ {
			if fd := fds.Get(i); reserved[string(fd.Name())] {
				t.fields[string(fd.Name())+"_"] = fd
			}
		}
		// A field's own name wins over another's keyword alias.
		for i := 0; i < fds.Len(); i++ {
			t.fields[string(fds.Get(i).Name())] = fds.Get(i)
		}
	})
	return t.fields[name]
}

// CallInternal constructs a message from keyword arguments, setting the
// fields in the order given (which matters for oneofs). A None argument
// leaves its field unset. The thread's NewHook, if any, sees the message.
func (t *MessageType) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	md := t.typ.Descriptor()
	if len(args) > 0 {
		return nil, fmt.Errorf("%s() takes keyword arguments only (field = value), got %d positional", md.Name(), len(args))
	}
	x := &Message{m: t.typ.New(), env: t.env}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		fd := t.lookup(name)
		if fd == nil {
			return nil, noFieldError(md, name)
		}
		if err := x.set(fd, kv[1]); err != nil {
			return nil, err
		}
	}
	if thread != nil {
		if hook, ok := thread.Local(NewHook).(func(*starlark.Thread, proto.Message)); ok {
			hook(thread, x.m.Interface())
		}
		if thread.Local(SetHook) != nil {
			x.thread = thread
		}
	}
	return x, nil
}
