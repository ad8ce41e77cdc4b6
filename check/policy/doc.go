// Package policy runs the platform policies of the standard library
// (stdlib/policies/*.sky) over rendered objects and plain manifests, as a
// check.Checker, and applies the services' waivers.
//
// # Evaluation
//
// Objects are grouped by the file that made them and its environment: a
// service's render in one environment, or one manifest file. Each group's
// objects are converted to typed messages, frozen, and every policy that
// applies in the environment is called once with them (check(ctx)), on a
// Starlark thread of the repository's runtime, under its step, time and
// memory limits. Custom resources are among them when skyc.yaml lists
// their CRD; others are not given to the policies. Before the policies,
// _lib.sky's workloads() finds the pods and containers of the group's
// objects once for all of them (ctx.workloads), given their kinds
// (ctx.kinds, from the messages' names). The calls of one group, the
// policies' and workloads()', are one lang.Runtime.Batch: each has its
// own step budget and time limit, but they share the hand-off to an
// evaluation goroutine. Groups are evaluated in
// parallel (Check), or one at a time as they are rendered (CheckGroup,
// through check.Stream, with the waivers applied by Finish); the
// findings are the same in any order.
//
// # Configuration
//
// skyc.yaml's policies settings (config.Policies) choose, per
// environment, each policy's severity or "off", and the labels the
// missing-labels policy asks for; cost_allocation says which labels
// missing-cost-labels asks for. A setting naming no policy is an error.
//
// # Waivers
//
// waive("no-probes", reason = ..., owner = ..., expires = ...) in a
// service's main silences that policy's findings about the objects the
// service renders in that environment (or, with object = ..., about one
// of them). A waiver that has expired silences nothing (the render
// reports it as waiver-expired); one that silences nothing in any
// environment is a warning, waiver-unused, at the line of the waive call.
package policy
