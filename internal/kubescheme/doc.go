// Package kubescheme owns the runtime.Scheme of every built-in kind of
// k8s.io/api, as client-go's kubernetes/scheme registers them, built on
// first use.
//
// client-go's package builds its scheme in its init, which every process
// that links it pays for (about 2.5 ms), whether it decodes an object or
// not. skyc render never does, so the light skyc binary does not link
// client-go's scheme: package schemas (whose prebuilt descriptors are
// derived from this scheme) and package importer (which decodes manifests
// with it) use this one, which costs nothing until Scheme or
// Deserializer is first called.
//
// The groups are listed in scheme.go, in client-go's order; a test checks
// that the scheme knows exactly the kinds of client-go's, with the same
// Go types and version priorities, so the list follows k8s.io/api
// upgrades.
package kubescheme
