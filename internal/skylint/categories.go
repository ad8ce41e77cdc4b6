package skylint

// Category is one kind of finding, with the documentation a user needs to
// act on it.
type Category struct {
	Name string
	// Summary is a one-line description.
	Summary string
	// Doc explains why the finding matters and how to fix it, with an
	// example.
	Doc string
	// Buildifier reports whether the check is buildtools' (buildifier's
	// category of the same name); otherwise it is skyc's own.
	Buildifier bool
}

// Categories returns every category skyc lint reports, by name. Each
// call returns a fresh slice.
//
// Of buildifier's checks, those that apply to any Starlark file are
// enabled; those about Bazel (rules, providers, depsets, BUILD file
// layout, docstring conventions for rule authors) are not.
func Categories() []Category {
	return []Category{
		{
			Name:       "confusing-name",
			Buildifier: true,
			Summary:    "a name that is easily misread: l, I or O",
			Doc: `The names l, I and O look like 1, l and 0 in many fonts. Use a
longer, descriptive name.`,
		},
		{
			Name:       "integer-division",
			Buildifier: true,
			Summary:    `"/" between two ints, which gives a float in Starlark`,
			Doc: `In Starlark, 7 / 2 is the float 3.5, and a float cannot be assigned to
an integer field such as replicas. Use "//" for integer division:

	replicas = total // 2`,
		},
		{
			Name:       "load",
			Buildifier: true,
			Summary:    "a loaded name that is never used",
			Doc: `A name loaded with load() but not used in the file. Remove it from the
load statement (or the whole statement when nothing else is loaded). To
load a name only to re-export it, load it under a private alias and
assign it: load("x.sky", _name = "name") then name = _name.`,
		},
		{
			Name:    "mutable-default",
			Summary: "a function that changes its list or dict default value",
			Doc: `A default value is created once, when the def statement runs, and
shared by every call; once the file has loaded it is frozen, so a
function that changes it fails at run time ("cannot append to frozen
list"). Default to None and make a new value in the body:

	def labels(extra = None):
	    extra = dict(extra or {})
	    extra["team"] = "payments"
	    return extra`,
		},
		{
			Name:       "no-effect",
			Buildifier: true,
			Summary:    "an expression statement whose value is thrown away",
			Doc: `A statement such as ctx.vars["x"] or a string that is not a docstring
does nothing. It is usually a mistake: a missing assignment, return or
call. Docstrings belong first in a file or function.`,
		},
		{
			Name:       "redefined-variable",
			Buildifier: true,
			Summary:    "a global assigned twice",
			Doc: `Globals of a .sky file are assigned once (skyc render refuses a second
assignment). Use a new name, or compute the value in one expression.`,
		},
		{
			Name:       "return-value",
			Buildifier: true,
			Summary:    "a function that returns a value on some paths only",
			Doc: `When some paths of a function return a value and others fall off its
end, the latter return None, which is rarely intended: main would
return nothing for some environments. Return a value on every path, or
fail() with a message.`,
		},
		{
			Name:    "shadowed-builtin",
			Summary: "a name that hides a Starlark builtin or a standard-library function",
			Doc: `Assigning, defining or loading a name such as len, str, service or
cores hides the builtin in the rest of the scope, so a later call does
something unexpected. Choose another name. Function parameters are
exempt: a keyword such as min or type is part of a function's interface.`,
		},
		{
			Name:       "uninitialized",
			Buildifier: true,
			Summary:    "a local variable that may be used before it is assigned",
			Doc: `A variable assigned only in some branches (an if without else, a loop
that may not run) and used after them fails at run time on the other
paths. Assign it before the branches.`,
		},
		{
			Name:       "unreachable",
			Buildifier: true,
			Summary:    "a statement after return, fail, break or continue",
			Doc: `The statement can never run. Remove it, or move it before the
statement that ends the block.`,
		},
		{
			Name:       "unused-variable",
			Buildifier: true,
			Summary:    "a local variable that is assigned and never used",
			Doc: `A local variable that is never read is usually a mistake (a typo in a
later use, a forgotten return) or dead code. Remove it, or name it _
(or starting with _) when it must be assigned, as in a loop:

	for _ in range(3):

The parameters of main are exempt: skyc render calls main(ctx) whether
it uses ctx or not.`,
		},
	}
}
