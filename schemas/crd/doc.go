// Package crd turns CustomResourceDefinitions into typed schemas: the
// kinds a repository's CRD manifests define (skyc.yaml's crds) become
// protobuf message types that .sky files construct like the built-in
// kinds, with every assignment type-checked, and the CRDs' OpenAPI v3
// schemas are kept for skyc check to validate the custom resources with.
//
// # Package and type names
//
// The types of a group and version live in the protobuf package
// "<group>.<version>", with every "-" of the group replaced by "_":
// monitoring.coreos.com/v1 is proto.package("monitoring.coreos.com.v1"),
// cert-manager.io/v1 is proto.package("cert_manager.io.v1"). The kind's
// message is named after the kind (ServiceMonitor); the message of an
// object inside it is named after its path, each property capitalised
// and the items of an array named in the singular: spec is
// ServiceMonitorSpec, spec.endpoints[] ServiceMonitorSpecEndpoint,
// spec.endpoints[].tlsConfig ServiceMonitorSpecEndpointTlsConfig. A field
// keeps its property's name (one that is not an identifier has its other
// characters replaced by "_", and keeps its name in the output).
//
// # Types
//
// The schema's types map to protobuf's: string, integer (int64), number
// (double), boolean; an object with properties is a message, one with
// only additionalProperties a map from strings; an array is a repeated
// field. metadata is the Kubernetes ObjectMeta and x-kubernetes-int-or-
// string an IntOrString, so they take what built-in kinds take. What has
// no such type is left out of the message, and so cannot be set from a
// .sky file: status, fields that preserve unknown fields without
// properties, arrays of arrays, maps of arrays. Enums, patterns, formats,
// bounds and required fields are not part of the types; skyc check
// validates them with the API server's own validation of custom
// resources.
package crd
