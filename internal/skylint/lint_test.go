package skylint

import (
	"errors"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/skyfmt"
)

// TestFile shows each category's finding, in the form skyc lint prints,
// next to the source that causes it, and that clean code gives none.
func TestFile(t *testing.T) {
	opts := Options{Predeclared: []string{"service", "cores"}}
	for name, c := range map[string]struct {
		src  string
		want []string
	}{
		"clean service": {
			src: `"""A service."""

load("//lib/defaults.sky", "TEAM")

def main(ctx):
    return service(name = "api", team = TEAM, image = "api:%s" % ctx.vars["tag"], cpu = cores(1))
`,
		},
		"unused load": {
			src:  "load(\"//lib/x.sky\", \"a\", \"b\")\n\nx = a\n",
			want: []string{`x.sky:1:27: load: loaded symbol "b" is unused`},
		},
		"unused variable": {
			src:  "def f():\n    x = 1\n    return 2\n",
			want: []string{`x.sky:2:5: unused-variable: variable "x" is unused`},
		},
		"main need not use ctx": {
			src: "def main(ctx):\n    return []\n",
		},
		"unused parameter": {
			src:  "def image(ctx, name):\n    return name\n",
			want: []string{`x.sky:1:11: unused-variable: variable "ctx" is unused`},
		},
		"underscore is unused on purpose": {
			src: "def f():\n    for _ in range(3):\n        pass\n",
		},
		"unreachable": {
			src:  "def f():\n    return 1\n    print(2)\n",
			want: []string{`x.sky:3:5: unreachable: statement is unreachable`},
		},
		"uninitialized": {
			src:  "def f(k):\n    if k:\n        u = 1\n    return u\n",
			want: []string{`x.sky:4:12: uninitialized: variable "u" may not have been initialized`},
		},
		"no effect": {
			src:  "def main(ctx):\n    ctx.vars[\"x\"]\n    return []\n",
			want: []string{`x.sky:2:5: no-effect: expression result is not used`},
		},
		"redefined global": {
			src:  "TEAM = \"a\"\nTEAM = \"b\"\n",
			want: []string{`x.sky:2:1: redefined-variable: variable "TEAM" has already been defined`},
		},
		"return on some paths": {
			src:  "def f(k):\n    if k:\n        return 1\n",
			want: []string{`x.sky:1:1: return-value: some but not all execution paths of "f" return a value`},
		},
		"integer division": {
			src:  "replicas = 4 / 2\n",
			want: []string{`x.sky:1:12: integer-division: "/" of two ints gives a float in Starlark; use "//"`},
		},
		"confusing name": {
			src:  "l = 1\n",
			want: []string{`x.sky:1:1: confusing-name: never use 'l', 'I', or 'O' as names (they're too easily confused with 'I', 'l', or '0')`},
		},
		"shadowed builtins": {
			src: "len = 1\ndef str():\n    pass\nload(\"x.sky\", service = \"s\")\n\nx = [cores for cores in range(3)]\n" +
				"def f():\n    for dict in []:\n        print(dict, service)\n",
			want: []string{
				`x.sky:1:1: shadowed-builtin: len hides the Starlark builtin len`,
				`x.sky:2:5: shadowed-builtin: str hides the Starlark builtin str`,
				`x.sky:4:15: shadowed-builtin: service hides the standard library's service`,
				`x.sky:6:16: shadowed-builtin: cores hides the standard library's cores`,
				`x.sky:8:9: shadowed-builtin: dict hides the Starlark builtin dict`,
			},
		},
		"parameters and keywords do not shadow": {
			src: "def autoscale(min, max, type = None):\n    return struct(min = min, max = max, type = type)\n",
		},
		"mutable default changed": {
			src: "def labels(extra = {}):\n    extra[\"team\"] = \"web\"\n    return extra\n\n" +
				"def ports(more = []):\n    more.append(80)\n    return more\n\n" +
				"def grow(xs = []):\n    xs += [1]\n    return xs\n",
			want: []string{
				`x.sky:1:12: mutable-default: the default dict of extra is frozen, so extra[...] = ... at line 2 fails; default to None and make a new dict in the body`,
				`x.sky:5:11: mutable-default: the default list of more is frozen, so more.append(...) at line 6 fails; default to None and make a new list in the body`,
				`x.sky:9:10: mutable-default: the default list of xs is frozen, so xs += ... at line 10 fails; default to None and make a new list in the body`,
			},
		},
		"mutable default only read": {
			src: "def labels(extra = {}):\n    l2 = {\"team\": \"web\"}\n    l2.update(extra)\n    return l2\n",
		},
		"silenced on the line": {
			src: "replicas = 4 / 2  # skyc: disable=integer-division\n",
		},
		"silenced from the line above": {
			src: "# skyc: disable=integer-division,confusing-name\nl = 4 / 2\n",
		},
		"silenced with buildifier's syntax": {
			src: "replicas = 4 / 2  # buildifier: disable=integer-division\n",
		},
		"silencing all": {
			src: "l = 4 / 2  # skyc: disable=all\n",
		},
		"silencing another category does not silence": {
			src:  "replicas = 4 / 2  # skyc: disable=unused-variable\n",
			want: []string{`x.sky:1:12: integer-division: "/" of two ints gives a float in Starlark; use "//"`},
		},
		"silencing one line only": {
			src:  "# skyc: disable=integer-division\na = 4 / 2\nb = 4 / 2\n",
			want: []string{`x.sky:3:5: integer-division: "/" of two ints gives a float in Starlark; use "//"`},
		},
		"a comment in a string silences nothing": {
			src:  "replicas = 4 / 2 if \"# skyc: disable=integer-division\" else 0\n",
			want: []string{`x.sky:1:12: integer-division: "/" of two ints gives a float in Starlark; use "//"`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			findings, err := File("x.sky", []byte(c.src), opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findings {
				got = append(got, f.String())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestFileSyntaxError(t *testing.T) {
	_, err := File("bad.sky", []byte("x = = 1\n"), Options{})
	var se *skyfmt.Error
	if !errors.As(err, &se) || se.Line != 1 || se.Column != 5 {
		t.Fatalf("error = %v, want a syntax error at 1:5", err)
	}
}

// TestCategoriesDocumented: every category that a check reports is
// documented, and every documented one has a check.
func TestCategoriesDocumented(t *testing.T) {
	all := checks()
	seen := map[string]bool{}
	for _, c := range Categories() {
		if seen[c.Name] {
			t.Errorf("%s is listed twice", c.Name)
		}
		seen[c.Name] = true
		if strings.TrimSpace(c.Summary) == "" || strings.TrimSpace(c.Doc) == "" {
			t.Errorf("%s has no summary or documentation", c.Name)
		}
		if _, ok := all[c.Name]; !ok {
			t.Errorf("%s is documented but has no check", c.Name)
		}
	}
	for name := range all {
		if !seen[name] {
			t.Errorf("%s has a check but no documentation", name)
		}
	}
}
