package stdlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// TestEnvVars checks env_vars: one EnvVar per entry in the dict's order,
// value for strings and valueFrom for secret_env(...), and errors that
// name the type of a bad value without showing a string.
func TestEnvVars(t *testing.T) {
	lib, _ := load(t)
	predeclared := starlark.StringDict{
		"env_vars":   lib.Builtins["env_vars_"],
		"k8s":        lib.Exports["k8s"],
		"secret_env": lib.Exports["secret_env"],
	}
	eval := func(expr string) (starlark.Value, error) {
		return starlark.Eval(&starlark.Thread{}, "test.sky", expr, predeclared)
	}
	v, err := eval(`env_vars("service", {"B": "2", "A": secret_env("db", "password"), "C": ""}, k8s.core.EnvVar)`)
	if err != nil {
		t.Fatal(err)
	}
	want := `[core.v1.EnvVar(name="B", value="2"), ` +
		`core.v1.EnvVar(name="A", valueFrom=EnvVarSource(secretKeyRef=SecretKeySelector(localObjectReference=LocalObjectReference(name="db"), key="password"))), ` +
		`core.v1.EnvVar(name="C", value="")]`
	if got := v.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if v, err := eval(`env_vars("worker", {}, k8s.core.EnvVar)`); err != nil || v.String() != "[]" {
		t.Errorf("empty env: got %v, %v; want []", v, err)
	}
	for _, tc := range []struct{ expr, err string }{
		{`env_vars("service", {"PORT": 8080}, k8s.core.EnvVar)`, `service: env["PORT"]: got int 8080, want a string or secret_env(...)`},
		{`env_vars("service", {"X": 1.5}, k8s.core.EnvVar)`, `service: env["X"]: got float 1.5, want a string or secret_env(...)`},
		{`env_vars("service", {"X": None}, k8s.core.EnvVar)`, `service: env["X"]: got NoneType None, want a string or secret_env(...)`},
		{`env_vars("service", {"A": "ok", "TOKEN": ["hunter2"]}, k8s.core.EnvVar)`, `service: env["TOKEN"]: got list, want a string or secret_env(...)`},
		{`env_vars("worker", {1: "x"}, k8s.core.EnvVar)`, `worker: env key: got int 1, want string`},
		{`env_vars("service", "hunter2", k8s.core.EnvVar)`, `service: env: got string, want dict`},
		{`env_vars("service", [("A", "b")], k8s.core.EnvVar)`, `service: env: got list, want dict`},
		{`env_vars("service", True, k8s.core.EnvVar)`, `service: env: got bool True, want dict`},
	} {
		_, err := eval(tc.expr)
		if err == nil || err.Error() != tc.err {
			t.Errorf("%s:\n got error %v\nwant error %q", tc.expr, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the value: %v", tc.expr, err)
		}
	}
}
