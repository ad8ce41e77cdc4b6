package lang

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/internal/spell"
)

// Diagnose converts err into a diagnostic (see ToDiagnostic) and sharpens
// it with what the runtime knows: the caret moves from a call to the
// argument the message is about, and a misspelled keyword argument of a
// standard-library function gets a "did you mean".
func (r *Runtime) Diagnose(err error, file string) *Diagnostic {
	d := ToDiagnostic(err, file)
	if strings.HasPrefix(d.Message, "fail: ") {
		d.Message = strings.TrimPrefix(d.Message, "fail: ")
	}
	if m := unexpectedKwarg().FindStringSubmatch(d.Message); m != nil {
		fn, arg := m[1], m[2]
		d.Message = fmt.Sprintf("%s() has no parameter %s", fn, arg)
		if d.Hint == "" {
			if n := spell.Nearest(arg, r.params(fn)); n != "" {
				d.Hint = fmt.Sprintf("did you mean %s?", n)
			} else if ps := r.params(fn); len(ps) > 0 {
				d.Hint = fmt.Sprintf("%s() takes %s", fn, strings.Join(ps, ", "))
			}
		}
		r.pointAtArg(d, arg)
	} else if m := argMessage().FindStringSubmatch(d.Message); m != nil {
		r.pointAtArg(d, m[1])
	} else if frozenValue().MatchString(d.Message) && d.Hint == "" {
		d.Hint = "what a file defines at its top level, and what load() brings, is frozen once loaded; change a copy: dict(x), list(x) or proto.clone(x)"
	} else if missingComma().MatchString(d.Message) && d.Hint == "" {
		d.Hint = "is a comma missing between two arguments, list elements or dict entries?"
	} else if m := undefinedName().FindStringSubmatch(d.Message); m != nil && d.Hint == "" {
		// The resolver only suggests names it can list; add the
		// predeclared ones (the standard library) and the universe.
		names := make([]string, 0, len(r.opts.Predeclared)+len(starlark.Universe))
		for n := range r.opts.Predeclared {
			names = append(names, n)
		}
		for n := range starlark.Universe {
			names = append(names, n)
		}
		sort.Strings(names)
		if n := spell.Nearest(m[1], names); n != "" {
			d.Hint = fmt.Sprintf("did you mean %s?", n)
		}
	}
	return d
}

var (
	undefinedName   = lazyRegexp(`^undefined: (\w+)$`)
	frozenValue     = lazyRegexp(`^cannot (insert into|append to|clear|remove from|pop from|set \w+.*: message is) frozen`)
	missingComma    = lazyRegexp(`^got (identifier|string literal|int literal|float literal|\w+), want ','$`)
	unexpectedKwarg = lazyRegexp(`^function (\w+) got an unexpected keyword argument "?(\w+)"?`)
	// "service: replicas: got string ..." as the standard library phrases
	// argument errors, or Go builtins' "fn: for parameter x: ..." (x
	// quoted when it was passed by keyword).
	argMessage = lazyRegexp(`^\w+: (?:for parameter )?"?(\w+)"?(?:\[[^\]]*\])?: `)
)

// params returns the parameter names of a predeclared Starlark function.
func (r *Runtime) params(name string) []string {
	fn, ok := r.opts.Predeclared[name].(*starlark.Function)
	if !ok {
		return nil
	}
	var names []string
	for i := 0; i < fn.NumParams(); i++ {
		n, _ := fn.Param(i)
		names = append(names, n)
	}
	return names
}

// pointAtArg moves d's position from a call expression to its keyword
// argument named arg, when the call at d's position has one.
func (r *Runtime) pointAtArg(d *Diagnostic, arg string) {
	if !d.Pos.IsValid() {
		return
	}
	src := r.Source(d.Pos.File)
	if src == nil {
		return
	}
	f, err := syntax.Parse(d.Pos.File, src, 0)
	if err != nil {
		return
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok {
			return true
		}
		if int(call.Lparen.Line) != d.Pos.Line || int(call.Lparen.Col) != d.Pos.Col {
			return true
		}
		for _, a := range call.Args {
			if b, ok := a.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
				if id, ok := b.X.(*syntax.Ident); ok && id.Name == arg {
					d.Pos.Line, d.Pos.Col = int(id.NamePos.Line), int(id.NamePos.Col)
					return false
				}
			}
		}
		return false
	})
}

// lazyRegexp returns a function that compiles expr on its first call:
// the expressions that refine diagnostics are needed only when there is
// an error to explain, and compiling them at package initialisation
// slowed the start of every skyc process.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
