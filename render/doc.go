// Package render drives a render: it finds the service files named on the
// command line, evaluates each one's main(ctx) for every environment
// through lang and the standard library, and converts what main returns
// into the typed Kubernetes objects of a manifest set.
//
// A service file is a .sky file that defines main(ctx). main returns an
// object, a struct of objects (what service() returns), or a list of
// those. Other .sky files are libraries: loaded by service files,
// skipped by path patterns.
//
// Evaluation is parallel across services and environments; the output
// order is fixed (manifest.Sort) whatever the parallelism.
package render
