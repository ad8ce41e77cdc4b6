// Package check finds what is wrong with a set of Kubernetes objects
// before they reach a cluster: what the API server would reject, and
// (through further Checkers) what the platform's policies forbid.
//
// # Validation as the API server does it
//
// [Validate] does not reimplement the API server's rules; it runs them. It
// depends on k8s.io/kubernetes (the version in [KubernetesVersion]) and, for
// each object, follows the path of a create request through the server:
//
//  1. The object, typed (a k8s.io/api struct) or unstructured, becomes the
//     versioned Go type the legacy scheme registers for its apiVersion and
//     kind. An apiVersion the server no longer serves, or serves only when
//     enabled (alpha, and beta APIs added since 1.24), stops here.
//  2. The scheme's defaulting functions fill in defaults
//     (legacyscheme.Scheme.Default), and the object is converted to the
//     internal version, as the server decodes a request body.
//  3. Metadata gets what a server sets before validation: the request's
//     namespace ("default" when none is given; none for cluster-scoped
//     kinds), a name for generateName, a UID and a creation time.
//  4. The kind's registry create strategy (pkg/registry/<group>/<kind>)
//     runs PrepareForCreate, and rest.ValidateCreate runs the strategy's
//     validation (the group's validation.ValidateX with the options the
//     server derives from its feature gates), the generic metadata
//     validation and declarative validation, exactly as the server's
//     BeforeCreate does. The strategy's WarningsOnCreate become warnings.
//
// Every field error becomes a [Finding] with the field path the server
// reports (spec.template.spec.containers[0].ports[0].containerPort) and a
// rule named after the error type (k8s-invalid, k8s-required, ...; see
// [Rules]). The strategies are listed in one table from GroupKind to
// strategy ([Kinds]).
//
// What the server checks against cluster state is outside Validate:
// admission plugins (ResourceQuota, LimitRanger, a pod's ServiceAccount or
// PriorityClass existing), immutable fields on update, uniqueness of names.
// Validate checks as a server started with --allow-privileged=true.
//
// # Checkers, sources and plain manifests
//
// A [Checker] looks at a whole set of [manifest.Object]s; [Schema] is the
// one that calls Validate, and policy engines add their own. [Run] runs
// checkers, gives each finding the Source and Env of its object (the .sky
// file that rendered it, or the manifest file and line), and sorts them.
//
// [Stream] gives the same findings without holding every object: skyc
// check hands it each service's objects as soon as the render has made
// them (render.Options.Visit), on the goroutine that rendered them, and
// it runs the [GroupChecker]s over that group, locates the findings and
// keeps only those; at the end it applies what spans groups (the policy
// engine's waivers) and sorts.
//
// [Manifests] reads plain YAML or JSON manifests: several documents to a
// file, List kinds expanded, decoded with client-go's scheme and strict
// field checking (an unknown or duplicate field is a finding, as with
// kubectl's default --validate=strict). It keeps each object's YAML nodes,
// so [Manifests.Locate] can point a finding at the line of its field.
package check
