// Package skylint checks .sky files for Starlark hygiene: unused loads and
// variables, unreachable code, names that shadow builtins, mutable default
// arguments and more.
//
// # Checks
//
// Most checks are buildifier's (the buildtools warn package), run on the
// file parsed as plain Starlark; Categories lists which, and why each
// matters. Two are skyc's own: shadowed-builtin knows the names skyc
// predeclares (Options.Predeclared), and mutable-default reports only a
// default value the function changes, which fails at run time in Starlark
// because defaults are frozen with their module.
//
// # Silencing
//
// A comment "# skyc: disable=CATEGORY[,CATEGORY...]" on the line of a
// finding, or alone on the line above it, silences that line; "all"
// silences every category. buildifier's "# buildifier: disable=..." is
// understood too.
package skylint

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bazelbuild/buildtools/build"
	"github.com/bazelbuild/buildtools/warn"

	"github.com/skyc-dev/skyc/internal/skyfmt"
)

// Options configures the checks. The zero value checks against Starlark's
// builtins only.
type Options struct {
	// Predeclared are the names every file sees besides Starlark's own
	// builtins: the standard library's exports.
	Predeclared []string
}

// Finding is one problem in a file.
type Finding struct {
	File      string
	Line, Col int // 1-based; Col counts runes
	Category  string
	Message   string
}

// String formats f as "file:line:col: category: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", f.File, f.Line, f.Col, f.Category, f.Message)
}

// finding is what a check reports, before silencing.
type finding struct {
	pos build.Position
	msg string
}

// check runs one category's check over a parsed file.
type check func(f *build.File, opts *Options) []finding

// checks maps every category of Categories to its check.
func checks() map[string]check {
	bt := func(name string, rewrite func(string) string) check {
		return func(f *build.File, _ *Options) []finding {
			var out []finding
			for _, w := range warn.FileWarningMap[name](f) {
				out = append(out, finding{pos: w.Start, msg: rewrite(w.Message)})
			}
			return out
		}
	}
	return map[string]check{
		"confusing-name":     bt("confusing-name", firstSentence),
		"integer-division":   bt("integer-division", func(string) string { return `"/" of two ints gives a float in Starlark; use "//"` }),
		"load":               bt("load", firstSentence),
		"mutable-default":    mutableDefaults,
		"no-effect":          bt("no-effect", firstSentence),
		"redefined-variable": bt("redefined-variable", firstSentence),
		"return-value":       bt("return-value", firstSentence),
		"shadowed-builtin":   shadowedBuiltins,
		"uninitialized":      bt("uninitialized", firstSentence),
		"unreachable":        bt("unreachable", func(string) string { return "statement is unreachable" }),
		"unused-variable":    bt("unused-variable", firstSentence),
	}
}

// firstSentence turns one of buildifier's messages into skyc's style: its
// first sentence, as a lower-case fragment ("Variable "x" is unused.
// Please remove it." → "variable "x" is unused").
func firstSentence(msg string) string {
	msg, _, _ = strings.Cut(msg, "\n")
	if i := strings.Index(msg, ". "); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimSuffix(msg, ".")
	r, n := utf8.DecodeRuneInString(msg)
	if next, _ := utf8.DecodeRuneInString(msg[n:]); !unicode.IsUpper(next) {
		msg = string(unicode.ToLower(r)) + msg[n:]
	}
	return msg
}

// File checks one .sky file. filename is used in findings only. A file
// that does not parse gives a *skyfmt.Error. Findings are ordered by
// position, then category.
func File(filename string, src []byte, opts Options) ([]Finding, error) {
	var out []Finding
	silenced := scanDisabled(src)
	f, err := skyfmt.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	all := checks()
	entryParams := entryPointParams(f)
	for _, cat := range Categories() {
		for _, fd := range all[cat.Name](f, &opts) {
			if cat.Name == "unused-variable" && entryParams[fd.pos] {
				continue
			}
			line := fd.pos.Line
			if silenced.has(line, cat.Name) || (cat.Buildifier && warn.DisabledWarning(f, line, cat.Name)) {
				continue
			}
			out = append(out, Finding{File: filename, Line: line, Col: fd.pos.LineRune, Category: cat.Name, Message: fd.msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Category < b.Category
	})
	return out, nil
}

// entryPointParams returns the positions of the parameters of main: its
// signature is fixed by skyc render, so an unused ctx is no mistake.
func entryPointParams(f *build.File) map[build.Position]bool {
	params := map[build.Position]bool{}
	for _, stmt := range f.Stmt {
		if def, ok := stmt.(*build.DefStmt); ok && def.Name == "main" {
			for _, p := range def.Params {
				if id, _ := build.GetParamIdent(p); id != nil {
					params[id.NamePos] = true
				}
			}
		}
	}
	return params
}
