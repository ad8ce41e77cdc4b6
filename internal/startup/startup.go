// Package startup turns the garbage collector off while the packages of
// skyc are initialised, and on again when they are done.
//
// skyc links Kubernetes' API server validation, client-go and the AWS SDK,
// whose package initialisation allocates about 9 MB in every process,
// even skyc version. With the collector's initial 4 MB heap goal that
// makes three collections before main runs, about a quarter of the CPU
// time of starting skyc, to free memory that is still in use. Package
// initialisation keeps what it allocates, so collecting then buys nothing.
//
// Go initialises a package as soon as its imports are, taking ready
// packages in the order of their import paths: this package, which only
// imports runtime/debug, runs before the packages of k8s.io,
// google.golang.org and go.opentelemetry.io that allocate most. The
// command's main package calls Done in its own init, which runs after
// every other package's.
package startup

import "runtime/debug"

// percent is the collector's setting before init turned it off: GOGC's,
// or 100.
var percent = debug.SetGCPercent(-1)

// Done restores the collector's setting. It is for the main package's
// init; calling it again does no harm.
func Done() { debug.SetGCPercent(percent) }
