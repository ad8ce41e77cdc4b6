package stdlib

import (
	"testing"

	"go.starlark.net/starlark"
)

// TestCostTagArgs checks that cost_tags reads its arguments the same by
// position (as service() passes them) and by keyword, and refuses the
// wrong types either way.
func TestCostTagArgs(t *testing.T) {
	predeclared := starlark.StringDict{"args": starlark.NewBuiltin("cost_tags", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		fn, aws, v, err := costTagArgs(b, args, kwargs)
		if err != nil {
			return nil, err
		}
		return starlark.Tuple{starlark.String(fn), starlark.Bool(aws), v[0], v[1], v[2], v[3]}, nil
	})}
	for _, tc := range []struct{ expr, want string }{
		{`args("service", True, "web", "api", "prod", None)`, `("service", True, "web", "api", "prod", None)`},
		{`args(fn = "service", aws = True, team = "web", service = "api", environment = "prod", cost_centre = None)`, `("service", True, "web", "api", "prod", None)`},
		{`args("worker", False, team = "web", cost_centre = "cc-1")`, `("worker", False, "web", None, None, "cc-1")`},
		{`args("service", False)`, `("service", False, None, None, None, None)`},
		{`args("service", "yes", "web", "api", "prod", None)`, `cost_tags: for parameter aws: got string, want bool`},
		{`args(1, True, "web", "api", "prod", None)`, `cost_tags: for parameter fn: got int, want string`},
		{`args("service", True, "web", "api", "prod", None, 7)`, `cost_tags: got 7 arguments, want at most 6`},
	} {
		v, err := starlark.Eval(&starlark.Thread{}, "test.sky", tc.expr, predeclared)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = v.String()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.expr, got, tc.want)
		}
	}
}
