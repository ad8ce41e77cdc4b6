package stdlib

import (
	"fmt"
	"io/fs"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// builtinDocs documents the exported Go builtins as the .sky functions
// document themselves: a signature, and a docstring whose first line is a
// summary.
var builtinDocs = map[string]struct{ sig, doc string }{
	"cores": {"cores(n)", `CPU as a number of cores: cores(2) is "2", cores(0.5) is "500m".

Args:
  n: the number of cores, an int or a float, at least 0.

Returns:
  A Quantity, for cpu = ... or a container's resources.`},
	"millicores": {"millicores(n)", `CPU in thousandths of a core: millicores(250) is "250m".

Args:
  n: the number of millicores, a whole number.

Returns:
  A Quantity, for cpu = ... or a container's resources.`},
	"gigabytes": {"gigabytes(n)", `Memory in binary gigabytes: gigabytes(4) is "4Gi", gigabytes(0.5) is "512Mi".

Args:
  n: the number of gigabytes (GiB), an int or a float, at least 0.

Returns:
  A Quantity, for memory = ... or a container's resources.`},
	"megabytes": {"megabytes(n)", `Memory in binary megabytes: megabytes(512) is "512Mi".

Args:
  n: the number of megabytes (MiB), a whole number.

Returns:
  A Quantity, for memory = ... or a container's resources.`},
	"quantity": {"quantity(s)", `A Kubernetes resource quantity from its string form, checked.

Args:
  s: a quantity such as "500m", "2", "512Mi" or "1.5Gi"; a number is
    taken as cores.

Returns:
  A Quantity. A string that is not a quantity is an error at this line.`},
	"proto": {"", `The protobuf module: typed constructors for every built-in Kubernetes
kind, beyond the API groups that k8s offers.

proto.package("k8s.io.api.rbac.v1").ClusterRole(...) constructs any
type by its protobuf package (the Go import path with "/" replaced by
"."). Every assignment to a field is type-checked.`},
	"struct": {"struct(**fields)", `A struct with the given fields: struct(min = 1, max = 3).min is 1.

Returns:
  An immutable value whose fields are read with a dot.`},
	"json": {"", `The JSON module: json.encode(value) returns a JSON string,
json.decode(string) a value, json.indent(string) a readable form.`},
}

// signature returns the call signature of a Starlark function, e.g.
// "autoscale(min, max, cpu_percent = 70)".
func signature(name string, fn *starlark.Function) string {
	// Parameters come in this order: positional, keyword-only, *args,
	// **kwargs.
	n := fn.NumParams()
	if fn.HasVarargs() {
		n--
	}
	if fn.HasKwargs() {
		n--
	}
	positional := n - fn.NumKwonlyParams()
	var params []string
	param := func(i int) {
		p, _ := fn.Param(i)
		if d := fn.ParamDefault(i); d != nil {
			p += " = " + d.String()
		}
		params = append(params, p)
	}
	for i := 0; i < positional; i++ {
		param(i)
	}
	next := n
	if fn.HasVarargs() {
		p, _ := fn.Param(next)
		params = append(params, "*"+p)
		next++
	} else if fn.NumKwonlyParams() > 0 {
		params = append(params, "*")
	}
	for i := positional; i < n; i++ {
		param(i)
	}
	if fn.HasKwargs() {
		p, _ := fn.Param(next)
		params = append(params, "**"+p)
	}
	return fmt.Sprintf("%s(%s)", name, strings.Join(params, ", "))
}

// moduleDoc returns the docstring of an embedded module, or "".
func moduleDoc(file string) string {
	src, err := fs.ReadFile(sources, file)
	if err != nil {
		return ""
	}
	if doc, ok := compiledDoc(file, src); ok {
		return doc
	}
	return parseModuleDoc(file, src)
}

// parseModuleDoc returns the docstring of a module's source, or "".
func parseModuleDoc(file string, src []byte) string {
	f, err := syntax.Parse(file, src, 0)
	if err != nil || len(f.Stmts) == 0 {
		return ""
	}
	if e, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
		if lit, ok := e.X.(*syntax.Literal); ok && lit.Token == syntax.STRING {
			return lit.Value.(string)
		}
	}
	return ""
}
