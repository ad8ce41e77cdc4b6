// Package schemas owns skyc's type registry: protobuf message descriptors for
// every output type a .sky file can construct.
//
// # Kubernetes built-in kinds
//
// The k8s.io/api Go types are not protobuf API-v2 messages, but every field
// carries a `protobuf:"bytes,N,opt,name=x"` struct tag and every type keeps
// its hand-written wire Marshal and Unmarshal. The registry walks the Go
// types of every kind of package internal/kubescheme's scheme (the kinds
// client-go's scheme knows, built on first use) and derives a
// FileDescriptorProto per Go package from those tags (package name = Go
// import path with "/" replaced by ".", e.g. k8s.io.api.apps.v1). The
// descriptors are registered as slot-backed message types (package
// slotpb: fields in a slice by field index, where dynamicpb keeps a map),
// which the Starlark bridge type-checks every assignment against.
//
// Output goes the other way: ToObject copies a message field by field into
// the k8s.io/api Go struct it describes (direct.go), falling back to the
// wire form (proto.Marshal, then the type's own Unmarshal) for what the
// copier cannot do, with apiVersion and kind set from the
// group-version-kind. skyc render mostly skips that copy: it writes an
// object's YAML straight from its message (manifest.EncodeMessage), and
// converts only what a check, a waiver or the AWS side needs as Go
// structs.
//
// A handful of apimachinery types do not describe themselves through tags
// (Quantity, Time, MicroTime, FieldsV1); their messages follow the shapes in
// apimachinery's generated.proto files.
//
// # AWS types
//
// Default also holds the messages of package schemas/aws: CloudFormation
// templates, their typed resources and the IAM policy grammar, written as
// descriptors in Go rather than derived from Go structs. Extend adds such
// a file set to a registry; the types share the file set's descriptors.
//
// # Prebuilt descriptors
//
// Deriving and checking the Kubernetes descriptors costs more than the
// rest of starting a render, so go generate writes the set derived from
// kubescheme's scheme to k8s.binpb (and package aws its own to aws.binpb),
// and Build reads it the way generated protobuf code reads its
// descriptors: a file's names at once, its fields on first use. Building
// the scheme only to learn each kind's Go type costs a few milliseconds
// too, so go generate also writes kinds_gen.go, the kinds of the scheme
// with their Go types, and Default builds from it and k8s.binpb without
// building the scheme. Tests fail while any of these files is stale;
// go generate ./schemas/... rewrites them.
//
// The registry is immutable once built; Default builds it once per process.
package schemas
