// Package apidoc documents what a .sky author works with, at the terminal
// (skyc explain) and as Markdown (skyc doc).
//
// # The standard library
//
// Stdlib turns the library's docstrings and signatures into entries;
// WriteEntry prints one, Markdown renders all of them as a reference
// whose "Args:" and "Returns:" sections become lists and paragraphs.
//
// # Kubernetes types
//
// An Index pairs the protobuf message types .sky constructors are made
// from (the schemas registry) with the k8s.io/api Go types they were
// derived from: field names and types come from the protobuf descriptors,
// as a .sky file sees them, and documentation from the Go types'
// SwaggerDoc maps, matched by protobuf field number. Lookup walks a field
// path; WriteType prints the result as kubectl explain does.
package apidoc
