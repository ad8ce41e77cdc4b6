package stdlib

import (
	"github.com/skyc-dev/skyc/lang/starproto"
	"github.com/skyc-dev/skyc/schemas"
)

// NewBridge returns the Starlark bridge to reg's types that evaluating
// service files needs: lang/starproto with the Kubernetes boxers
// (quantities, IntOrString, times) and the AWS ones (see Boxers), so that
// plain strings, numbers and intrinsic functions can be stored in typed
// CloudFormation and IAM fields. reg must hold the AWS types
// (schemas.Default does).
func NewBridge(reg *schemas.Registry) (*starproto.Bridge, error) {
	box := starproto.KubernetesBoxers()
	awsBox, err := Boxers(reg.Types())
	if err != nil {
		return nil, err
	}
	for k, v := range awsBox {
		box[k] = v
	}
	return starproto.New(reg.Types(), starproto.Options{Box: box}), nil
}
