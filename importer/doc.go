// Package importer turns existing Kubernetes manifests into .sky source
// that renders back to the same objects.
//
// # Input
//
// Decode reads what kubectl would apply: YAML or JSON, one or many
// documents (as `helm template` and `kustomize build` print them), with
// comment-only and empty documents skipped. Lists (kind: List and typed
// lists such as RoleList) are flattened into their items. Every object is
// decoded into its k8s.io/api Go type without defaulting or conversion,
// so what comes out is what was written; the status of an object is
// dropped, as a configuration does not write it, and so are the ownership
// labels skyc render adds (skyc.dev/service, skyc.dev/environment), which
// render sets again.
//
// # Output
//
// Generate prints one .sky file whose main(ctx) returns the objects, each
// as a typed constructor call: k8s.apps.Deployment(...) for the API groups
// of the standard library's k8s struct, and a module-level
// proto.package(...) for any other group. The walk goes over the object's
// protobuf message (schemas.Registry.FromObject) and its Go type side by
// side:
//
//   - every field the Go object sets becomes a keyword argument, named as
//     the constructor expects it (Kubernetes JSON names, embedded structs
//     under their protobuf names, from_ for from);
//   - a field that is not a pointer in Go and holds its zero value is left
//     out, since leaving it out gives the same Go value; a pointer field
//     that is set is always written, even when empty (emptyDir = ...()),
//     since presence is what it means;
//   - quantities, IntOrString, times and durations are written as the
//     plain values the bridge boxes ("500m", 8080, "http");
//   - maps become dicts in sorted key order, lists become lists;
//   - strings are quoted so that Starlark reads back the same bytes, long
//     multi-line strings as triple-quoted literals; binary data that is
//     not printable text becomes a bytes literal.
//
// # service(), worker() and cron_job()
//
// A Deployment or CronJob that carries the platform's standard labels
// (app.kubernetes.io/managed-by: skyc, .../component: server, worker or
// cron-job), as skyc renders them, is read back into a service(),
// worker() or cron_job() call (schedule, time zone, timeout and retries
// for a cron job):
// name, team, image, command, args, replicas or autoscale (from the
// HorizontalPodAutoscaler beside it), cpu, memory, env (secret_env for
// Secret references), block_egress (its egress NetworkPolicy), port,
// probe paths and ingress_host (for a service), namespace, cost centre,
// extra labels and pod annotations. The call replaces the objects it
// renders only if rendering it alone gives exactly those objects back;
// a workload whose objects were changed after the call (an override)
// stays in typed constructors. ImportOptions.TypedOnly turns this off.
//
// The result is laid out line by line (a call that fits in the line width
// stays on one line) and then formatted by skyfmt, so it is what skyc fmt
// would print. The output is deterministic.
//
// # Round trip
//
// Compare checks that rendering the generated file gives the decoded
// objects again, by equality.Semantic.DeepEqual on the Go structs with
// status ignored. The package's tests do that for its own test data and,
// with the corpus build tag, for the shared real-world corpus.
package importer
