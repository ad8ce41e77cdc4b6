package lang

import (
	"github.com/stripe/skycfg/go/protomodule"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
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

// NewSkycfgBridge returns a Bridge built on skycfg's protomodule over the
// message types of types.
func NewSkycfgBridge(types *protoregistry.Types) Bridge {
	return skycfgBridge{module: protomodule.NewModule(types)}
}

type skycfgBridge struct{ module *starlarkstruct.Module }

func (b skycfgBridge) Module() *starlarkstruct.Module { return b.module }

func (skycfgBridge) Wrap(m proto.Message) (starlark.Value, error) { return protomodule.NewMessage(m) }

func (skycfgBridge) Unwrap(v starlark.Value) (proto.Message, bool) {
	return protomodule.AsProtoMessage(v)
}
