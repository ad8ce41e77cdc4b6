package render

import (
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
)

// origins records, during one evaluation, where each message was
// constructed: the innermost frame of the user's own files on the stack,
// so that what the standard library builds for service() is attributed to
// the user's call of service(). It is the evaluation's
// starproto.NewHook.
type origins map[proto.Message]lang.Pos

// record is the starproto.NewHook when every message's origin is
// wanted (Options.FieldOrigins).
func (o origins) record(thread *starlark.Thread, m proto.Message) {
	if _, ok := o[m]; !ok {
		o[m] = userPos(thread)
	}
}

// recordKinds returns a starproto.NewHook that records only messages of
// the kinds reg can convert into objects: only those can be rendered
// objects whose origin note looks up, and a service constructs ten times
// as many messages inside them (specs, containers, probes) as objects.
func (o origins) recordKinds(reg *schemas.Registry) func(*starlark.Thread, proto.Message) {
	return func(thread *starlark.Thread, m proto.Message) {
		if _, ok := reg.KindOf(m.ProtoReflect().Descriptor().FullName()); ok {
			o.record(thread, m)
		}
	}
}

// note adds to dst the origin of m, the message obj was converted from,
// if it is known, and returns dst.
func (o origins) note(dst map[runtime.Object]lang.Pos, m proto.Message, obj runtime.Object) map[runtime.Object]lang.Pos {
	p, ok := o[m]
	if !ok || !p.IsValid() {
		return dst
	}
	if dst == nil {
		dst = map[runtime.Object]lang.Pos{}
	}
	dst[obj] = p
	return dst
}

// userPos returns the position of the innermost frame of the user's own
// files on thread's stack, or the zero Pos.
//
// A Starlark function's frame is judged by the file that defines the
// function, which is the file its position is in: the position itself
// (decoded from the function's line table, more work the further into
// the function) is computed for the one frame returned.
func userPos(thread *starlark.Thread) lang.Pos {
	for i := 0; i < thread.CallStackDepth(); i++ {
		fr := thread.DebugFrame(i)
		if fn, ok := fr.Callable().(*starlark.Function); ok && lang.IsStdlib(fn.Position().Filename()) {
			continue
		}
		pos := fr.Position()
		if !lang.IsStdlib(pos.Filename()) {
			return lang.Pos{File: pos.Filename(), Line: int(pos.Line), Col: int(pos.Col)}
		}
	}
	return lang.Pos{}
}

// at returns where the user's code constructed m, if it did.
func (o origins) at(m protoreflect.Message) (lang.Pos, bool) {
	p, ok := o[m.Interface()]
	return p, ok && p.IsValid()
}
