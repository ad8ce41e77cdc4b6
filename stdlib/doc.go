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
//
// # AWS
//
// aws.sky declares AWS resources with safe defaults (aws.bucket,
// aws.queue, ...), cfn.sky CloudFormation's intrinsic functions and any
// resource type, iam.sky policies, waive.sky waivers. Their Go side:
//
//   - [Intrinsic] is an intrinsic function as a value. [Boxers] let typed
//     CloudFormation and IAM fields take plain values or intrinsics, so
//     BucketName = "x" and BucketName = cfn.sub(...) both type-check and
//     VisibilityTimeout = cfn.sub(...) does not; [NewBridge] is the bridge
//     with them.
//   - [Resource] is a declared resource: its typed properties message, its
//     resource attributes, its logical ID and the user's line that
//     declared it. [Section] is a parameter, condition or output.
//   - A [Session], stored in the evaluating thread under [SessionKey] by
//     the render driver, carries the [Platform] (account, OIDC provider,
//     cost-allocation tag rules) into the library and collects what main
//     declares on the side: waivers, and where each IAM statement was
//     written.
//
// A workload given aws = [...] gets an IAM runtime role whose trust
// policy admits exactly its service account through the cluster's OIDC
// provider (EKS IRSA), and the service account the annotation that names
// the role; both come from the one service() call.
package stdlib
