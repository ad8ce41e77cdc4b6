package stdlib

import (
	"fmt"

	"go.starlark.net/starlark"
)

// envVarSource is the type of what secret_env returns, the one value
// besides a string that env accepts.
const envVarSource = "k8s.io.api.core.v1.EnvVarSource"

// envVars is env_vars(fn, env, make): the container's environment, a
// list of make(name = k, value = v) for a string v and make(name = k,
// valueFrom = v) for a secret_env(...), in env's order, from env, a dict
// of name to either. _platform.sky passes make = k8s.core.EnvVar. It runs
// for every variable of every workload, so it is a Go built-in; its
// messages are the ones the Starlark version gave, and like it, it never
// shows a value that is not a number, a bool or None: env values are
// where secrets go, and errors end up in CI logs.
func envVars(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) != 3 || len(kwargs) > 0 {
		return nil, fmt.Errorf("%s: want (fn, env, make)", b.Name())
	}
	fn, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("%s: fn: want string", b.Name())
	}
	env, ok := args[1].(*starlark.Dict)
	if !ok {
		return nil, fmt.Errorf("%s: env: got %s, want dict", fn, shown(args[1]))
	}
	mk := args[2]
	items := env.Items()
	out := make([]starlark.Value, 0, len(items))
	// One backing array for every call's keyword arguments: the
	// constructor copies what it keeps.
	pairs := make(starlark.Tuple, 4)
	kw := []starlark.Tuple{pairs[0:2:2], pairs[2:4:4]}
	pairs[0] = starlark.String("name")
	for _, kv := range items {
		k, v := kv[0], kv[1]
		if err := wantType(fn, "env key", k, "string"); err != nil {
			return nil, err
		}
		switch {
		case v.Type() == "string":
			pairs[2] = starlark.String("value")
		case v.Type() == envVarSource:
			pairs[2] = starlark.String("valueFrom")
		default:
			return nil, fmt.Errorf("%s: env[%s]: got %s, want a string or secret_env(...)", fn, k.String(), shown(v))
		}
		pairs[1], pairs[3] = k, v
		x, err := starlark.Call(thread, mk, nil, kw)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return starlark.NewList(out), nil
}

// shown is the type of v, with v itself when it cannot be a secret (a
// number, a bool or None).
func shown(v starlark.Value) string {
	switch t := v.Type(); t {
	case "int", "float", "bool", "NoneType":
		return t + " " + v.String()
	default:
		return t
	}
}
