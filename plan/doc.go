// Package plan computes what applying a render would change: the
// difference between the rendered objects and the live state of each
// target, object by object and field by field, with every change
// classified. It does not print anything; package view renders a [Plan]
// as text, JSON or Markdown.
//
// # Kubernetes
//
// [Kubernetes] compares a render with clusters ([KubeTarget]: one per
// kubeconfig context of an environment), concurrently with bounded
// parallelism. For each rendered object, in the target of its environment:
//
//  1. Read the live object. None: the object is created. Its server-side
//     apply is still dry-run, so that an object the server would reject is a
//     problem now rather than at apply time (a missing namespace is only a
//     note: the server can't check the object before it exists).
//  2. Predict the object after the apply: a server-side apply with
//     dryRun=All, field manager "skyc" and force. The prediction has the
//     server's defaults, admission and conversions, the same as the live
//     object, so that they never show as changes.
//  3. Compare live and predicted after dropping what the server maintains
//     (status, managedFields, resourceVersion, generation, uid,
//     creationTimestamp, kubectl's last-applied annotation). Lists of
//     named objects (containers, env, ports, volumes) are compared element
//     by element.
//  4. Classify every changed field ([Class]): [Drift] when the live value
//     belongs to another field manager (its managedFields say so: kubectl
//     edit or scale, an autoscaler, a controller) — applying, which forces,
//     resets it; [Config] otherwise — the render changed.
//
// When the server refuses the dry run because an immutable field would
// change ("field is immutable", and similar), the object must be deleted
// and created again: the change is a [Recreate], the prediction is the live
// object with the rendered one laid over it, and the fields that force it
// (the server's causes, and a table of well-known immutable fields: a
// Deployment's selector, a Service's clusterIP, a Job's template, a
// StatefulSet's volumeClaimTemplates, ...) are [Immutable].
//
// # Pruning
//
// Rendered objects carry ownership labels (manifest.ServiceLabel and
// manifest.EnvironmentLabel). Live objects with the labels of the target's
// environment — and of the rendered services, unless the whole repository
// was rendered ([Prune]) — that the render no longer holds are deletions.
// Namespaced objects are looked for only in the namespaces the render uses,
// cluster-scoped ones only with a rendered service's label, because other
// repositories may deploy the same environment to the same cluster: the
// price is that a service removed together with the last use of its
// namespace is not seen. The kinds listed are [DefaultPruneKinds] and every
// rendered kind; lists are paged and bounded; objects a controller made
// from another (an ownerReference with controller: true) are left to their
// owner.
//
// # Destructive changes
//
// Deletions and recreations are destructive ([Change].Destructive says
// why). [Plan.Allow] marks those an [Allowlist] names (skyc diff
// --allow-destructive); [Plan.Status] is [Blocked] while any is not
// allowed.
//
// # Sensitive values
//
// A [Masker] replaces the values of sensitive fields (Secret data and
// stringData, [DefaultSensitive], and fields an object names in its
// [SensitiveAnnotation]) with a marker holding a short hash, before
// anything is compared: no Before, After or Field of a plan holds a
// sensitive value. Every message in a plan (an API server's error may
// quote a value) goes through [Masker.Redact].
//
// # Order and failure
//
// Within a target, changes come in apply order: namespaces and CRDs first,
// then by service and kind in install order, deletions last in reverse. A
// target that can't be reached gets its error in [Target].Err and an
// object that can't be compared a [Problem]; both make the plan
// [Incomplete], which is never reported as "no changes".
//
// # AWS
//
// [AWS] compares rendered CloudFormation stacks ([Stack]) and IAM roles
// ([Role]) with AWS accounts ([AWSTarget]). A stack's template is read into
// one form ([ParseTemplate]: short-form intrinsics become long-form) and
// compared with the deployed one resource by resource (Kind is the
// resource type, Namespace the stack, Name the logical ID). A changed
// create-only property (from the schemas/aws tables) makes the change a
// replacement; then a change set, created and deleted again, gives
// CloudFormation's own verdict, which adds changes the template alone does
// not show and overrides replacement either way. Destructive, besides
// deletions and replacements: removing a DNS record or a certificate, and
// a data-bearing resource (bucket, table, database, ...) losing its
// DeletionPolicy/UpdateReplacePolicy retention, deletion protection,
// point-in-time recovery or versioning. A resource deleted with
// DeletionPolicy Retain is kept in AWS and so is not destructive.
//
// Each role is compared statement by statement (statements matched by Sid,
// then by effect and shared actions), after putting both sides in
// canonical form. A statement that grants more — new actions or
// principals, wider resources, dropped conditions, a removed Deny, a new
// managed policy — is [Broadening], with a note saying how. Any change to
// the trust policy is destructive: it changes who may assume the role.
// Secret properties (DefaultSensitive), SecureString SSM parameters and
// NoEcho stack parameters are hidden like Secret data.
//
// # Offline
//
// [Offline] compares a render with a previous one (skyc render -o DIR)
// instead of clusters: the same changes, deletions and immutable-field
// table, without server defaults or drift.
package plan
