package stdlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestChecks(t *testing.T) {
	predeclared := starlark.StringDict{
		"check_type": starlark.NewBuiltin("check_type", checkType),
		"check_name": starlark.NewBuiltin("check_name", checkName),
		"check_dict": starlark.NewBuiltin("check_dict", checkDict),
	}
	for _, tc := range []struct {
		expr, err string
	}{
		{`check_type("service", "port", 80, "int")`, ""},
		{`check_type("service", "cpu", 1.5, "int", "float")`, ""},
		{`check_type("service", "port", "80", "int")`, `service: port: got string "80", want int`},
		{`check_type("worker", "args", None, "list", "tuple")`, `worker: args: got NoneType None, want list or tuple`},
		{`check_name("service", "name", "payments-api")`, ""},
		{`check_name("service", "name", "a")`, ""},
		{`check_name("service", "name", "Payments")`, `service: name: "Payments" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "1api")`, `service: name: "1api" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "api-")`, `service: name: "api-" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "")`, `service: name: "" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "a_b")`, `service: name: "a_b" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "é")`, `service: name: "é" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "name", "a" * 64)`, `service: name: "` + strings.Repeat("a", 64) + `" is not a valid name: use at most 63 lower-case letters, digits and '-', starting with a letter and not ending with '-'`},
		{`check_name("service", "service_account", "a" * 200, max_len = 253)`, ""},
		{`check_name("service", "team", 7)`, `service: team: got int 7, want string`},
		{`check_dict("service", "labels", {"tier": "web"})`, ""},
		{`check_dict("service", "labels", [])`, `service: labels: got list [], want dict`},
		{`check_dict("service", "labels", {1: "web"})`, `service: labels key: got int 1, want string`},
		{`check_dict("service", "labels", {"tier": 3})`, `service: labels["tier"]: got int 3, want string`},
		{`check_dict("bucket", "tags", {"a": 3}, value_types = ("string", "int"))`, ""},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := starlark.Eval(&starlark.Thread{}, "test.sky", tc.expr, predeclared)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.err {
				t.Errorf("%s:\n got error %q\nwant error %q", tc.expr, got, tc.err)
			}
		})
	}
}
