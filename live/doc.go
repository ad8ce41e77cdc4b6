// Package live reads the live state that skyc diff compares a render
// against. It only reads: the one request that looks like a write, a
// server-side apply, is always a dry run.
//
// # Kubernetes
//
// A [Kube] is one cluster, reached through a kubeconfig context
// ([KubeTarget]) or a rest.Config. [ConnectKube] loads the kubeconfig and
// reads the cluster's API discovery once, which both maps kinds to
// resources and proves that the cluster answers: an unreachable cluster
// fails there, with one clear error, instead of once per object.
//
// Every request has its own timeout ([KubeOptions].RequestTimeout) and is
// retried with exponential backoff when the failure is transient (the
// connection was refused or reset, the request timed out, the server said
// 429 or 5xx); answers such as NotFound, Invalid or Forbidden are returned
// at once. A kind the cluster does not serve is an [*UnknownKindError] for
// that object alone.
//
// [Kube.Get] reads an object, [Kube.DryRunApply] computes what a
// server-side apply would store (dryRun=All, force, a field manager) and
// [Kube.List] lists the objects of a kind by label selector, in given
// namespaces, page by page and bounded, for pruning.
package live
