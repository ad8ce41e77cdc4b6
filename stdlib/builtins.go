package stdlib

import (
	"fmt"
	"math"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkjson"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
)

const quantityType = "k8s.io.apimachinery.pkg.api.resource.Quantity"

// builtins returns the Go builtins visible to the embedded .sky modules.
// The AWS builtins need the AWS types in reg (schemas.Default has them).
func builtins(reg *schemas.Registry, bridge lang.Bridge) starlark.StringDict {
	q := &quantities{reg: reg, bridge: bridge}
	d := starlark.StringDict{
		"proto":       bridge.Module(),
		"struct":      starlark.NewBuiltin("struct", starlarkstruct.Make),
		"json":        starlarkjson.Module,
		"cores":       starlark.NewBuiltin("cores", q.cores),
		"millicores":  starlark.NewBuiltin("millicores", q.millicores),
		"gigabytes":   starlark.NewBuiltin("gigabytes", q.gigabytes),
		"megabytes":   starlark.NewBuiltin("megabytes", q.megabytes),
		"quantity":    starlark.NewBuiltin("quantity", q.quantity),
		"current_env": starlark.NewBuiltin("current_env", currentEnv),
		"is_quantity": starlark.NewBuiltin("is_quantity", isQuantity),
		"check_type_": starlark.NewBuiltin("check_type", checkType),
		"check_name_": starlark.NewBuiltin("check_name", checkName),
		"check_dict_": starlark.NewBuiltin("check_dict", checkDict),
		"env_vars_":   starlark.NewBuiltin("env_vars", envVars),
	}
	if cfn, err := newCFNLib(reg.Types(), bridge); err == nil {
		funcs := cfn.cfnModule()
		cfnFuncs := starlark.NewDict(len(funcs))
		for _, name := range funcs.Keys() {
			cfnFuncs.SetKey(starlark.String(name), funcs[name])
		}
		cfnFuncs.Freeze()
		d["cfn_functions"] = cfnFuncs
		d["record_statement"] = starlark.NewBuiltin("record_statement", cfn.recordStatement)
		d["waive_rule"] = starlark.NewBuiltin("waive", waive)
		d["platform"] = starlark.NewBuiltin("platform", platform)
		d["cost_tags"] = starlark.NewBuiltin("cost_tags", costTags)
		d["attach"] = starlark.NewBuiltin("attach", attach)
		d["tag"] = starlark.NewBuiltin("tag", tag)
	}
	d.Freeze()
	return d
}

// quantities makes Kubernetes resource quantities.
type quantities struct {
	reg    *schemas.Registry
	bridge lang.Bridge
}

func (q *quantities) make(s string) (starlark.Value, error) {
	mt, err := q.reg.Types().FindMessageByName(quantityType)
	if err != nil {
		return nil, err
	}
	m := mt.New()
	m.Set(m.Descriptor().Fields().ByName("string"), protoreflect.ValueOfString(s))
	return q.bridge.Wrap(m.Interface())
}

// number unpacks one positive int or float argument.
func number(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (float64, bool, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return 0, false, err
	}
	switch v := v.(type) {
	case starlark.Int:
		i, ok := v.Int64()
		if !ok || i < 0 {
			return 0, false, fmt.Errorf("%s: %s is out of range: want a positive number", fn.Name(), v)
		}
		return float64(i), true, nil
	case starlark.Float:
		f := float64(v)
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false, fmt.Errorf("%s: %s is out of range: want a positive number", fn.Name(), v)
		}
		return f, false, nil
	}
	return 0, false, fmt.Errorf("%s: got %s, want int or float", fn.Name(), v.Type())
}

// cores(n) is n CPU cores: cores(2) is "2", cores(0.5) is "500m".
func (q *quantities) cores(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, isInt, err := number(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if isInt {
		return q.make(fmt.Sprintf("%d", int64(n)))
	}
	return q.make(scaled(n, 1000, "", "m"))
}

// millicores(n) is n thousandths of a core: millicores(250) is "250m".
func (q *quantities) millicores(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, isInt, err := number(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if !isInt {
		return nil, fmt.Errorf("%s: got float %v, want a whole number of millicores", fn.Name(), n)
	}
	return q.make(fmt.Sprintf("%dm", int64(n)))
}

// gigabytes(n) is n binary gigabytes: gigabytes(4) is "4Gi", gigabytes(0.5) is "512Mi".
func (q *quantities) gigabytes(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, isInt, err := number(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if isInt {
		return q.make(fmt.Sprintf("%dGi", int64(n)))
	}
	return q.make(scaled(n, 1024, "Gi", "Mi"))
}

// megabytes(n) is n binary megabytes: megabytes(512) is "512Mi".
func (q *quantities) megabytes(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	n, isInt, err := number(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if !isInt {
		return nil, fmt.Errorf("%s: got float %v, want a whole number of megabytes", fn.Name(), n)
	}
	return q.make(fmt.Sprintf("%dMi", int64(n)))
}

// scaled writes n in the larger unit when whole, else in the smaller one
// (factor smaller units per larger unit), rounding to the smaller unit.
func scaled(n float64, factor float64, big, small string) string {
	if n == math.Trunc(n) {
		return fmt.Sprintf("%d%s", int64(n), big)
	}
	return fmt.Sprintf("%d%s", int64(math.Round(n*factor)), small)
}

// quantity("500m") checks a Kubernetes quantity string and returns it as
// a Quantity.
func (q *quantities) quantity(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case starlark.String:
		if _, err := resource.ParseQuantity(string(v)); err != nil {
			return nil, fmt.Errorf(`%s: %s is not a quantity (examples: "500m", "2", "512Mi", "4Gi")`, fn.Name(), v)
		}
		return q.make(string(v))
	case starlark.Int, starlark.Float:
		return q.cores(nil, fn, args, kwargs)
	}
	if m, ok := q.bridge.Unwrap(v); ok && string(m.ProtoReflect().Descriptor().FullName()) == quantityType {
		return v, nil
	}
	return nil, fmt.Errorf("%s: got %s, want a string such as \"500m\" or \"4Gi\"", fn.Name(), v.Type())
}

// is_quantity(s) reports whether s is a valid Kubernetes quantity string,
// so library functions can reject a bad one naming their own argument.
func isQuantity(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	_, err := resource.ParseQuantity(s)
	return starlark.Bool(err == nil), nil
}

// EnvKey is the thread-local key under which the render driver stores the
// environment (a starlark.Value, normally the ctx struct) a service is
// being rendered for.
const EnvKey = "skyc.env"

// current_env() returns the ctx of the environment being rendered, so
// library functions can apply per-environment defaults.
func currentEnv(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	if v, ok := thread.Local(EnvKey).(starlark.Value); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%s: called outside a service's main(ctx)", fn.Name())
}
