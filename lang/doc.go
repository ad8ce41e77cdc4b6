// Package lang is skyc's Starlark runtime: it loads and evaluates .sky
// files in a sandbox, within limits, and turns what goes wrong into
// diagnostics that point at the service owner's source.
//
// # Sandbox
//
// A .sky file sees only the predeclared names it is given (the platform
// standard library and the protobuf bridge): Starlark itself has no file,
// network, clock, environment or randomness builtins, and none are added.
// load() resolves labels inside the repository root only:
//
//	load("lib/defaults.sky", "x")     relative to the loading file
//	load("//lib/defaults.sky", "x")   relative to the repository root
//	load("@skyc//service.sky", "x")   the embedded standard library
//
// A label that would leave the root, through "..", an absolute path or a
// symbolic link, is an error; so is a cycle of loads.
//
// # Limits
//
// Every evaluation runs under an execution-step budget (per file
// evaluated, and per call of a service's main), a wall-clock timeout, a
// heap bound and a goroutine-stack bound (MaxStack) shared by the process,
// and the caller's context; the first of them to run out stops the
// Starlark thread with an error naming the file and the limit.
//
// A stopped thread stops at its next step, but a Go built-in runs inside
// one step for as long as it likes: str of a tuple nested millions deep
// recurses towards Go's fatal stack limit, hashing a tuple that holds
// itself twice at every level visits 2⁶⁰ values. So each evaluation runs
// on a goroutine of its own, and one that has not noticed its limit a
// little while later (or at once, when memory is running away) is left
// behind: the caller gets the limit's error, with InBuiltin set, and the
// goroutine ends whenever the built-in returns. A panic in a built-in is
// an InternalError, not a crash.
//
// range is replaced by one whose ranges too long to walk within the step
// budget are lazy all the way down: built-ins cannot preallocate them
// (list(range(1 << 40)) would ask for 16 TiB at once), and walking one in
// Go counts against the budget.
//
// Source files must be UTF-8.
//
// # Modules
//
// Each file is evaluated once per Runtime and its globals frozen, so one
// Runtime can evaluate many service files in parallel, sharing the
// modules they load. A file whose evaluation failed keeps its error (the
// same mistake is reported once), unless it was cancelled or timed out:
// then a later load evaluates it anew.
//
// # Diagnostics
//
// Errors are converted, in one place (ToDiagnostic), into a Diagnostic:
// a position in the innermost frame of the user's own files, the message,
// a hint such as "did you mean", and the user's part of the call stack,
// with standard-library frames folded.
package lang
