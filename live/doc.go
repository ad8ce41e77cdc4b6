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
// retried, at most [KubeOptions].Attempts times in all, when the failure
// is transient (the connection was refused, reset or cut short, the
// request timed out, the server said 429 or 5xx), waiting an exponential
// backoff capped by MaxBackoff, or the server's Retry-After capped by
// MaxRetryAfter. client-go's own retries are turned off, so that this is
// the one policy. Answers such as NotFound, Invalid or Forbidden are
// returned at once. Errors name the request, the object, the server and
// the attempts. When 3 requests in a row cannot connect at all, the
// server is given up for: later requests fail at once with a
// [*ServerDownError], which the plan reports once for the target
// ([Unreachable] tells such errors apart). A kind the cluster does not serve is an
// [*UnknownKindError] for that object alone; a kind whose API group's
// discovery failed is an error, never taken for absent.
//
// [Kube.Get] reads an object, [Kube.DryRunApply] computes what a
// server-side apply would store (dryRun=All, force, a field manager) and
// [Kube.List] lists the objects of a kind by label selector, in given
// namespaces, page by page and bounded, for pruning.
//
// # AWS
//
// An [AWS] reads one account and region through the AWS SDK for Go v2,
// with the default credential chain or a profile, and an endpoint that can
// be overridden (a moto_server on loopback in tests). The SDK's standard
// retryer retries throttling, 5xx, timeouts and dropped connections
// ([AWSOptions].Attempts, backoff capped by MaxBackoff); each attempt has
// its own timeout and each call a deadline. [AWS.Stack] reads a
// deployed CloudFormation stack: its original template and parameters.
// [AWS.PreviewChangeSet] creates a change set for a template, waits for
// it, reads CloudFormation's verdict per resource (Add, Modify, Remove;
// Replacement True, False or Conditional) and deletes it again — with the
// stack CloudFormation made for a first change set — so nothing is ever
// executed. [AWS.Role] reads an IAM role's trust policy, inline policies
// and attached managed policies; [DecodePolicy] decodes policy documents
// in the forms IAM and emulators return them.
package live
