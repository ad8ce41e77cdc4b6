package skylint

import (
	"fmt"
	"slices"

	"github.com/bazelbuild/buildtools/build"
	"github.com/bazelbuild/buildtools/bzlenv"
	"go.starlark.net/starlark"
)

// shadowedBuiltins reports names bound by assignment, def, load, for or
// a comprehension that hide a Starlark builtin or a predeclared name.
// Parameters are exempt (see the category's documentation).
func shadowedBuiltins(f *build.File, opts *Options) []finding {
	var out []finding
	report := func(name string, pos build.Position) {
		if _, ok := starlark.Universe[name]; ok {
			out = append(out, finding{pos: pos, msg: fmt.Sprintf("%s hides the Starlark builtin %s", name, name)})
		} else if slices.Contains(opts.Predeclared, name) {
			out = append(out, finding{pos: pos, msg: fmt.Sprintf("%s hides the standard library's %s", name, name)})
		}
	}
	idents := func(x build.Expr) {
		for _, id := range bzlenv.CollectLValues(x) {
			report(id.Name, id.NamePos)
		}
	}
	build.Walk(f, func(x build.Expr, stk []build.Expr) {
		switch x := x.(type) {
		case *build.AssignExpr:
			if isStatement(x, stk) {
				idents(x.LHS)
			}
		case *build.DefStmt:
			pos := x.StartPos
			pos.LineRune += len("def ")
			report(x.Name, pos)
		case *build.LoadStmt:
			for _, id := range x.To {
				report(id.Name, id.NamePos)
			}
		case *build.ForStmt:
			idents(x.Vars)
		case *build.ForClause:
			idents(x.Vars)
		}
	})
	return out
}

// isStatement reports whether an assignment is a statement rather than
// a keyword argument or a parameter with a default, which the syntax tree
// also represents as assignments.
func isStatement(a *build.AssignExpr, stk []build.Expr) bool {
	if len(stk) == 0 {
		return true
	}
	switch parent := stk[len(stk)-1].(type) {
	case *build.CallExpr:
		return false
	case *build.DefStmt:
		return !slices.Contains(parent.Params, build.Expr(a))
	case *build.LambdaExpr:
		return !slices.Contains(parent.Params, build.Expr(a))
	}
	return true
}

// mutators are the methods of list and dict that change their receiver.
var mutators = []string{"append", "clear", "extend", "insert", "pop", "popitem", "remove", "setdefault", "update"}

// mutableDefaults reports a parameter whose default is a list or dict
// literal that the function changes: the default is frozen with the
// module, so the change fails at run time.
func mutableDefaults(f *build.File, _ *Options) []finding {
	var out []finding
	build.Walk(f, func(x build.Expr, _ []build.Expr) {
		def, ok := x.(*build.DefStmt)
		if !ok {
			return
		}
		for _, p := range def.Params {
			a, ok := p.(*build.AssignExpr)
			if !ok {
				continue
			}
			id, ok := a.LHS.(*build.Ident)
			if !ok {
				continue
			}
			kind := ""
			switch a.RHS.(type) {
			case *build.ListExpr:
				kind = "list"
			case *build.DictExpr:
				kind = "dict"
			case *build.Comprehension:
				kind = "comprehension"
			default:
				continue
			}
			if how, line := changes(def.Body, id.Name); how != "" {
				out = append(out, finding{pos: id.NamePos, msg: fmt.Sprintf(
					"the default %s of %s is frozen, so %s at line %d fails; default to None and make a new %s in the body",
					kind, id.Name, how, line, kind)})
			}
		}
	})
	return out
}

// changes reports the first statement of body that changes the value
// named name in place (name.append(...), name[k] = v, name += ...), as a
// short description and its line, or "" if there is none.
func changes(body []build.Expr, name string) (how string, line int) {
	isName := func(x build.Expr) bool {
		id, ok := x.(*build.Ident)
		return ok && id.Name == name
	}
	for _, stmt := range body {
		build.Walk(stmt, func(x build.Expr, _ []build.Expr) {
			if how != "" {
				return
			}
			switch x := x.(type) {
			case *build.CallExpr:
				if dot, ok := x.X.(*build.DotExpr); ok && isName(dot.X) && slices.Contains(mutators, dot.Name) {
					how, line = name+"."+dot.Name+"(...)", dot.NamePos.Line
				}
			case *build.AssignExpr:
				if ix, ok := x.LHS.(*build.IndexExpr); ok && isName(ix.X) {
					how, line = name+"[...] = ...", x.OpPos.Line
				} else if isName(x.LHS) && x.Op != "=" {
					how, line = name+" "+x.Op+" ...", x.OpPos.Line
				}
			}
		})
		if how != "" {
			return how, line
		}
	}
	return "", 0
}
