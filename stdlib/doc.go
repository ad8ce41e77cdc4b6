// Package stdlib is skyc's platform standard library: the functions a
// service owner calls (service, worker, cron_job, units such as cores and
// gigabytes) and the platform defaults they apply.
//
// The library is written in Starlark, in the embedded *.sky files of this
// package, so a platform team can read and extend it; Go builtins (this
// package's Go files) cover what Starlark is awkward at: units and
// quantities, the current environment, the protobuf bridge.
//
// Every global of an embedded module whose name does not start with "_"
// is exported: predeclared in every user file. Modules are evaluated once
// per process and frozen.
package stdlib
