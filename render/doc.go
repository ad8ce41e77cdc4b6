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
//
// # Incremental rendering
//
// With Options.Cache, each job (a service file and an environment) is
// looked up before it is evaluated, under a key hashing everything its
// result depends on: the skyc binary, skyc.yaml and the files it names,
// the environment and --var values, the limits, and the label and content
// of every file in the service's load graph, which comes from the cache's
// records, or from parsing load statements (lang.LoadLabels) for a
// library the records do not know. Jobs the cache holds are not
// evaluated; if none is missing, the type registry and the standard
// library are not even built. A result is stored only after checking that
// the evaluation read exactly the contents the key was made from. A
// service file the records do not know (a new or edited one, every file
// of an empty cache) cannot be in the cache, so it is evaluated without
// being parsed first: its key is made afterwards from what the
// evaluation used (lang.Runtime.Evaluated: the files loaded and the exact
// texts evaluated), and its loads are recorded for the next lookup. The
// store itself is internal/rendercache.
// Renderer.Affected uses the same load graph to map changed files to the
// services they reach (skyc render --changed-since).
package render
