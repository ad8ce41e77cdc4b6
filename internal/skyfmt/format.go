// Package skyfmt formats .sky files canonically, with the printer of
// bazelbuild/buildtools (the formatter behind buildifier).
//
// # Mode
//
// Files are parsed as generic Starlark (build.TypeDefault), never as
// BUILD files, so nothing Bazel-specific applies: call arguments and
// string lists keep their order, labels are not rewritten, parentheses
// are not removed. Only the rewrites listed in rewrites run; each of them
// keeps a file's meaning.
//
// Formatting is idempotent: formatting formatted source returns it
// unchanged.
package skyfmt

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bazelbuild/buildtools/build"
	"go.starlark.net/resolve"
	"go.starlark.net/syntax"
)

// rewrites are the buildtools rewrites Format applies, by buildtools'
// name. They are named explicitly, rather than left to buildtools'
// defaults for the file type, so that a new buildtools version cannot
// quietly add one. Read only.
var rewrites = []string{
	"loadTop",            // load statements first (after the docstring)
	"sameOriginLoad",     // one load per module
	"sortLoadStatements", // loads ordered by module
	"loadsort",           // loaded names sorted within a load
	"formatdocstrings",   // docstrings indented with their function
	"reorderarguments",   // positional, keyword, *args, **kwargs
	"editoctal",          // 0o17, never the ambiguous 017
	"editfloat",          // 0.5 for .5, 1e9 for 1E+09
	"collapseEmpty",      // f() for an empty call split over lines
}

// dialect is skyc's Starlark: no relaxation of the language (lang
// evaluates files with the zero FileOptions too).
func dialect() *syntax.FileOptions { return &syntax.FileOptions{} }

// Error is a syntax error that stops a file from being formatted.
type Error struct {
	Filename     string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Filename, e.Line, e.Column, e.Msg)
}

// Parse parses .sky source into buildtools' syntax tree, which keeps
// comments and layout. filename is used in errors only. A syntax error is
// an *Error.
func Parse(filename string, src []byte) (*build.File, error) {
	f, err := build.ParseDefault(filename, src)
	if err == nil {
		return f, nil
	}
	// Starlark's own parser and resolver, in skyc's dialect, point at the
	// offending token and say what they wanted, as skyc render would;
	// buildtools' error is the fallback for what only buildtools rejects.
	sf, serr := dialect().Parse(filename, src, 0)
	var se syntax.Error
	if errors.As(serr, &se) {
		return nil, &Error{Filename: filename, Line: int(se.Pos.Line), Column: int(se.Pos.Col), Msg: se.Msg}
	}
	if serr == nil {
		known := func(string) bool { return true }
		var re resolve.ErrorList
		if errors.As(resolve.File(sf, known, known), &re) && len(re) > 0 {
			return nil, &Error{Filename: filename, Line: int(re[0].Pos.Line), Column: int(re[0].Pos.Col), Msg: re[0].Msg}
		}
	}
	var pe build.ParseError
	if errors.As(err, &pe) {
		return nil, &Error{Filename: filename, Line: pe.Pos.Line, Column: pe.Pos.LineRune, Msg: "cannot format: " + pe.Message}
	}
	return nil, &Error{Filename: filename, Line: 1, Column: 1, Msg: "cannot format: " + err.Error()}
}

// Format returns the canonical form of the .sky source src. filename is
// used in errors only. A syntax error is an *Error.
func Format(filename string, src []byte) ([]byte, error) {
	f, err := Parse(filename, src)
	if err != nil {
		return nil, err
	}
	out := build.FormatWithRewriter(&build.Rewriter{RewriteSet: rewrites}, f)

	// buildtools' grammar is not quite Starlark's. Whatever Starlark could
	// parse before formatting it must still parse after: a formatter that
	// breaks a file is worse than none.
	if _, err := dialect().Parse(filename, src, 0); err == nil {
		if _, err := dialect().Parse(filename, out, 0); err != nil {
			return nil, fmt.Errorf("%s: formatting would produce invalid Starlark (%v); please report this", filename, err)
		}
	}
	return out, nil
}

// IsFormatted reports whether src is in canonical form.
func IsFormatted(filename string, src []byte) (bool, error) {
	out, err := Format(filename, src)
	if err != nil {
		return false, err
	}
	return bytes.Equal(out, src), nil
}
