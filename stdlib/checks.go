package stdlib

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
)

// The argument checks of the standard library run for every argument of
// every workload a repository renders, thousands of times per render:
// as Go built-ins they cost a fraction of the same checks written in
// Starlark. _platform.sky exports them as check_type, check_name and
// check_dict; their messages are the ones the Starlark versions gave.

// checkType is check_type(fn, what, value, *types): it fails with
// "fn: what: got TYPE VALUE, want T1 or T2" unless value's type is one
// of types.
func checkType(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 || len(args) < 3 {
		return nil, fmt.Errorf("%s: want (fn, what, value, *types)", b.Name())
	}
	fn, what, err := fnWhat(b, args)
	if err != nil {
		return nil, err
	}
	types := make([]string, 0, 4) // on the stack unless the check fails
	for _, t := range args[3:] {
		s, ok := starlark.AsString(t)
		if !ok {
			return nil, fmt.Errorf("%s: types: got %s, want string", b.Name(), t.Type())
		}
		types = append(types, s)
	}
	return starlark.None, wantType(fn, what, args[2], types...)
}

// wantType is the error of check_type, or nil.
func wantType(fn, what string, v starlark.Value, types ...string) error {
	t := v.Type()
	for _, want := range types {
		if t == want {
			return nil
		}
	}
	return fmt.Errorf("%s: %s: got %s %s, want %s", fn, what, t, v.String(), strings.Join(types, " or "))
}

// checkName is check_name(fn, what, name, max_len = 63): it fails unless
// name is a DNS-1035 label of at most max_len bytes, what Service names
// need.
func checkName(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, what, name, opt, err := unpackCheck(b, args, kwargs, "max_len")
	if err != nil {
		return nil, err
	}
	maxLen := 63
	if opt != nil {
		if maxLen, err = starlark.AsInt32(opt); err != nil {
			return nil, fmt.Errorf("%s: max_len: %v", b.Name(), err)
		}
	}
	if err := wantType(fn, what, name, "string"); err != nil {
		return nil, err
	}
	s := string(name.(starlark.String))
	if !isDNSLabel(s, maxLen) {
		return nil, fmt.Errorf("%s: %s: %s is not a valid name: use at most %d lower-case letters, digits and '-', starting with a letter and not ending with '-'", fn, what, name.String(), maxLen)
	}
	return starlark.None, nil
}

// isDNSLabel reports whether s is 1 to maxLen of a-z, 0-9 and '-',
// starting with a letter and not ending with '-'.
func isDNSLabel(s string, maxLen int) bool {
	if len(s) == 0 || len(s) > maxLen || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkDict is check_dict(fn, what, d, value_types = ("string",)): it
// fails unless d is a dict of string keys to values of value_types.
func checkDict(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, what, d, opt, err := unpackCheck(b, args, kwargs, "value_types")
	if err != nil {
		return nil, err
	}
	valueTypes := stringOnly
	if opt != nil {
		var ok bool
		if valueTypes, ok = opt.(starlark.Tuple); !ok {
			return nil, fmt.Errorf("%s: value_types: got %s, want tuple", b.Name(), opt.Type())
		}
	}
	if err := wantType(fn, what, d, "dict"); err != nil {
		return nil, err
	}
	types := make([]string, 0, 4) // on the stack unless the check fails
	for _, t := range valueTypes {
		s, ok := starlark.AsString(t)
		if !ok {
			return nil, fmt.Errorf("%s: value_types: got %s, want string", b.Name(), t.Type())
		}
		types = append(types, s)
	}
	// Names are formatted only for an error: this runs for every label
	// and annotation of every workload.
	for _, kv := range d.(*starlark.Dict).Items() {
		k, v := kv[0], kv[1]
		if k.Type() != "string" {
			return nil, wantType(fn, what+" key", k, "string")
		}
		if !slices.Contains(types, v.Type()) {
			return nil, wantType(fn, fmt.Sprintf("%s[%s]", what, k.String()), v, types...)
		}
	}
	return starlark.None, nil
}

// stringOnly is check_dict's default value_types.
var stringOnly = starlark.Tuple{starlark.String("string")}

// unpackCheck unpacks the arguments of check_name and check_dict: (fn,
// what, value) and an optional fourth, opt, by position or keyword (nil
// when absent). starlark.UnpackArgs would move each variable it fills to
// the heap, four allocations per check.
func unpackCheck(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, opt string) (fn, what string, v, optVal starlark.Value, err error) {
	if len(args) < 3 || len(args) > 4 {
		return "", "", nil, nil, fmt.Errorf("%s: got %d positional arguments, want (fn, what, value, %s = ...)", b.Name(), len(args), opt)
	}
	if fn, what, err = fnWhat(b, args); err != nil {
		return "", "", nil, nil, err
	}
	if len(args) == 4 {
		optVal = args[3]
	}
	for _, kv := range kwargs {
		if name, _ := starlark.AsString(kv[0]); name != opt || optVal != nil {
			return "", "", nil, nil, fmt.Errorf("%s: unexpected keyword argument %s", b.Name(), kv[0])
		}
		optVal = kv[1]
	}
	return fn, what, args[2], optVal, nil
}

// fnWhat unpacks the first two arguments of a check, the function and
// the argument it checks, both strings.
func fnWhat(b *starlark.Builtin, args starlark.Tuple) (fn, what string, err error) {
	fn, ok1 := starlark.AsString(args[0])
	what, ok2 := starlark.AsString(args[1])
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("%s: fn and what: want strings", b.Name())
	}
	return fn, what, nil
}
