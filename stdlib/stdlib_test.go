package stdlib

import (
	"context"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
)

func load(t *testing.T) (*Library, lang.Bridge) {
	t.Helper()
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	br := lang.NewBridge(reg.Types())
	lib, err := Load(context.Background(), reg, br)
	if err != nil {
		t.Fatal(err)
	}
	return lib, br
}

// TestExportsDocumented: every function a service owner can call has a
// docstring (skyc explain and the reference are made from them).
func TestExportsDocumented(t *testing.T) {
	lib, _ := load(t)
	for _, name := range []string{"service", "worker", "cron_job", "autoscale", "secret_env", "k8s", "cores", "gigabytes"} {
		if _, ok := lib.Exports[name]; !ok {
			t.Errorf("%s is not exported", name)
		}
	}
	for name, v := range lib.Exports {
		if fn, ok := v.(*starlark.Function); ok && strings.TrimSpace(fn.Doc()) == "" {
			t.Errorf("%s has no docstring", name)
		}
	}
	for name := range lib.Exports {
		if strings.HasPrefix(name, "_") || name == "check_type" || name == "current_env" || name == "is_quantity" {
			t.Errorf("%s is exported but is internal", name)
		}
	}
}

// TestUnits checks the quantities the unit builtins make.
func TestUnits(t *testing.T) {
	lib, br := load(t)
	for _, c := range []struct{ expr, want string }{
		{"cores(2)", "2"},
		{"cores(0.5)", "500m"},
		{"cores(1.25)", "1250m"},
		{"millicores(250)", "250m"},
		{"gigabytes(4)", "4Gi"},
		{"gigabytes(0.5)", "512Mi"},
		{"megabytes(768)", "768Mi"},
		{`quantity("1.5Gi")`, "1.5Gi"},
	} {
		v, err := starlark.EvalOptions(&syntax.FileOptions{}, &starlark.Thread{}, "units", c.expr, lib.Exports)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		m, ok := br.Unwrap(v)
		if !ok {
			t.Errorf("%s = %s, want a Quantity", c.expr, v.Type())
			continue
		}
		got := m.ProtoReflect().Get(m.ProtoReflect().Descriptor().Fields().ByName("string")).String()
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
	for _, c := range []struct{ expr, err string }{
		{"cores(-1)", "out of range"},
		{`cores("2")`, "want int or float"},
		{"millicores(0.5)", "whole number"},
		{`quantity("1.5.2Gi")`, `"1.5.2Gi" is not a quantity`},
	} {
		_, err := starlark.EvalOptions(&syntax.FileOptions{}, &starlark.Thread{}, "units", c.expr, lib.Exports)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one containing %q", c.expr, err, c.err)
		}
	}
}
