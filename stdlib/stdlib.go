package stdlib

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
)

//go:embed *.sky policies/*.sky
var sources embed.FS

// Sources returns the embedded .sky sources of the library.
func Sources() fs.FS { return sources }

// Library is the evaluated standard library.
type Library struct {
	// Exports are predeclared in every user file.
	Exports starlark.StringDict
	// Builtins are predeclared in the library's own files.
	Builtins starlark.StringDict
	// Docs holds the docstring of every export, by name: a function's
	// own, a Go builtin's from this package, a value's that of the
	// module defining it (k8s).
	Docs map[string]string
	// Signatures holds the call signature of every exported function,
	// by name, e.g. "autoscale(min, max, cpu_percent = 70)".
	Signatures map[string]string
}

// Load evaluates the embedded library over the registry's types.
func Load(ctx context.Context, reg *schemas.Registry, bridge lang.Bridge) (*Library, error) {
	lib := &Library{
		Builtins:   builtins(reg, bridge),
		Exports:    starlark.StringDict{},
		Docs:       map[string]string{},
		Signatures: map[string]string{},
	}
	rt, err := lang.New(lang.Options{Stdlib: sources, StdlibPredeclared: lib.Builtins, StdlibProgram: Program})
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(sources, "*.sky")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	owner := map[string]string{}
	for _, name := range []string{"proto", "struct", "json", "cores", "millicores", "gigabytes", "megabytes", "quantity"} {
		lib.Exports[name] = lib.Builtins[name]
		owner[name] = "a Go builtin"
		lib.Docs[name] = builtinDocs[name].doc
		if sig := builtinDocs[name].sig; sig != "" {
			lib.Signatures[name] = sig
		}
	}
	for _, f := range files {
		private := strings.HasPrefix(f, "_")
		globals, err := rt.Load(ctx, lang.StdlibPrefix+f)
		if err != nil {
			d := lang.ToDiagnostic(err, lang.StdlibPrefix+f)
			return nil, fmt.Errorf("standard library: %s", d.Error())
		}
		for name, v := range globals {
			if private || strings.HasPrefix(name, "_") {
				continue
			}
			if prev, dup := owner[name]; dup {
				if lib.Exports[name] == v {
					continue // re-exported through load()
				}
				return nil, fmt.Errorf("standard library: %s is defined by both %s and %s", name, prev, f)
			}
			owner[name] = f
			lib.Exports[name] = v
			if fn, ok := v.(*starlark.Function); ok {
				lib.Docs[name] = fn.Doc()
				lib.Signatures[name] = signature(name, fn)
			} else {
				lib.Docs[name] = moduleDoc(f)
			}
		}
	}
	lib.Exports.Freeze()
	return lib, nil
}
