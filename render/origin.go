package render

import (
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
)

// origins records, during one evaluation, where each message was
// constructed: the innermost frame of the user's own files on the stack,
// so that what the standard library builds for service() is attributed to
// the user's call of service(). It is the evaluation's
// starproto.NewHook.
type origins map[proto.Message]lang.Pos

// record is the starproto.NewHook.
func (o origins) record(thread *starlark.Thread, m proto.Message) {
	if _, ok := o[m]; !ok {
		o[m] = userPos(thread)
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
func userPos(thread *starlark.Thread) lang.Pos {
	for i := 0; i < thread.CallStackDepth(); i++ {
		fr := thread.CallFrame(i)
		if !lang.IsStdlib(fr.Pos.Filename()) {
			return lang.Pos{File: fr.Pos.Filename(), Line: int(fr.Pos.Line), Col: int(fr.Pos.Col)}
		}
	}
	return lang.Pos{}
}

// at returns where the user's code constructed m, if it did.
func (o origins) at(m protoreflect.Message) (lang.Pos, bool) {
	p, ok := o[m.Interface()]
	return p, ok && p.IsValid()
}
