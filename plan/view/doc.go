// Package view renders a plan.Plan: as text for a terminal ([Text]), as
// JSON for programs ([JSON]) and as Markdown for a pull-request comment
// ([Markdown]). Renderers only format: every decision is in the plan, so
// all three agree. No renderer shows a sensitive value: the plan holds
// only markers for them.
//
// # JSON plan schema, format_version "1"
//
// One object:
//
//	format_version  "1"; changes only when a field is removed or changes
//	                meaning (fields may be added)
//	status          "no_changes", "changes", "blocked" (destructive
//	                changes not allowed) or "incomplete" (something could
//	                not be compared)
//	summary         counts: add, change, recreate, delete, destructive,
//	                blocked, unchanged, problems
//	targets[]       name ("<env>/<context>", "<env>/<account>", or
//	                "<env>" offline), environment, source ("kubernetes",
//	                "aws" or "render"),
//	                context, server, dir, error (null, or why the target
//	                could not be compared), objects (rendered objects
//	                compared), summary (its counts)
//	changes[]       in apply order per target:
//	  target, environment, service, source (the .sky file)
//	  address       "Kind/namespace/name" or "Kind/name"; for AWS
//	                "AWS::S3::Bucket/<stack>/<logical id>",
//	                "AWS::CloudFormation::Stack/<stack>", "IAMRole/<role>"
//	  api_version, kind, namespace, name
//	  action        "create", "update", "recreate" or "delete"
//	  destructive   null, or {reason, allowed, allow_as} where allow_as
//	                is the --allow-destructive entry naming it
//	  fields[]      path (spec.template.spec.containers[name=api].image),
//	                op ("add", "remove", "change"), class ("config",
//	                "drift", "immutable", "broadening"), before, after
//	                (null when absent), managers (other field managers
//	                owning the live value), sensitive, note (why the
//	                class, e.g. the actions an IAM statement adds)
//	  notes[]       remarks, e.g. a namespace that does not exist yet
//	  before, after the whole object before and after (null when absent),
//	                without server-maintained fields
//	problems[]      target, environment, service, address, message: an
//	                object or target that could not be compared
//
// Sensitive values appear as "(sensitive sha256:<12 hex digits>)": the
// hash tells equal values apart from different ones, never the value.
package view
