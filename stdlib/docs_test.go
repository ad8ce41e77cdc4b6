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

// TestEveryExportDocumented: skyc explain and the reference cover every
// name a service owner can use, Go builtins and values included.
func TestEveryExportDocumented(t *testing.T) {
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := Load(context.Background(), reg, lang.NewBridge(reg.Types()))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range lib.Exports {
		if strings.TrimSpace(lib.Docs[name]) == "" {
			t.Errorf("%s has no documentation: give it a docstring, or for a Go builtin an entry in builtinDocs (docs.go)", name)
		}
		if _, callable := v.(starlark.Callable); callable && lib.Signatures[name] == "" {
			t.Errorf("%s is callable but has no signature: add one to its builtinDocs entry (docs.go)", name)
		}
	}
	for name, want := range map[string]string{
		"autoscale": "autoscale(min, max, cpu_percent = 70)",
		"cores":     "cores(n)",
	} {
		if got := lib.Signatures[name]; got != want {
			t.Errorf("signature of %s = %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(lib.Docs["k8s"], "Typed constructors for Kubernetes objects") {
		t.Errorf("k8s is documented as %q, want k8s.sky's docstring", lib.Docs["k8s"])
	}
	for name := range builtinDocs {
		if _, ok := lib.Exports[name]; !ok {
			t.Errorf("%s is documented but not exported", name)
		}
	}
}

func TestSignature(t *testing.T) {
	for src, want := range map[string]string{
		"def f(): pass":                               "f()",
		"def f(a, b = 1, c = \"x\"): pass":            `f(a, b = 1, c = "x")`,
		"def f(a, *args): pass":                       "f(a, *args)",
		"def f(a, *, k = None, **kw): pass":           "f(a, *, k = None, **kw)",
		"def f(a, *rest, k, j = [1], **kwargs): pass": "f(a, *rest, k, j = [1], **kwargs)",
		"def f(**kwargs): pass":                       "f(**kwargs)",
	} {
		thread := &starlark.Thread{}
		globals, err := starlark.ExecFileOptions(&syntax.FileOptions{}, thread, "x.sky", src, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := signature("f", globals["f"].(*starlark.Function)); got != want {
			t.Errorf("signature(%s) = %q, want %q", src, got, want)
		}
	}
}
