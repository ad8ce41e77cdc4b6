package lang

import (
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/skyc-dev/skyc/lang/starproto"
)

// Bridge is the Starlark representation of protobuf messages: the proto
// module .sky files construct typed values with, and conversions between
// Starlark values and messages for Go builtins and for output.
type Bridge interface {
	// Module returns the "proto" module.
	Module() *starlarkstruct.Module
	// Wrap returns the Starlark value for a message.
	Wrap(m proto.Message) (starlark.Value, error)
	// Unwrap returns the message a Starlark value holds, if it holds one.
	Unwrap(v starlark.Value) (proto.Message, bool)
}

// NewBridge returns skyc's bridge (lang/starproto) over the message types
// of types, with the Kubernetes conveniences: "500m" and 2 are accepted
// where a Quantity goes, ints and strings where an IntOrString goes,
// RFC 3339 strings for times.
func NewBridge(types *protoregistry.Types) Bridge {
	return starproto.New(types, starproto.Options{Box: starproto.KubernetesBoxers()})
}
