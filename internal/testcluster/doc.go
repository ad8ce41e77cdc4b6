// Package testcluster runs a real Kubernetes API server for skyc's tests.
//
// It starts the upstream etcd and kube-apiserver binaries on loopback ports,
// with a throw-away data directory, a self-signed serving certificate, a
// service-account signing key and a static admin token, so tests talk to the
// same validation, defaulting, admission and server-side apply code that a
// production cluster runs. No controllers or nodes run: objects are stored
// and validated, never reconciled.
//
// # Binaries
//
// The binaries are built from the Go module proxy by hack/build-kube.sh
// (`make e2e-deps`) into ${SKYC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skyc}/bin;
// the SKYC_KUBE_BIN environment variable points elsewhere. When they are
// missing, [Start] fails with an error that says how to build them: tests
// that need a cluster fail rather than skip.
//
// # Sharing one cluster
//
// Startup takes seconds, so a test binary usually shares one cluster:
//
//	var cluster testcluster.Shared
//
//	func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }
//
//	func TestThing(t *testing.T) {
//		cfg := cluster.Get(t).RESTConfig()
//		...
//	}
//
// [Shared] starts the cluster on first use only, so tests that need none
// cost nothing. [New] gives a test its own cluster instead.
//
// # Dry runs
//
// [DryRunApply] sends objects through server-side apply with dryRun=All, the
// way `kubectl apply --server-side --dry-run=server` does, and returns the
// server's verdict per object. [DecodeYAML] reads a multi-document manifest
// stream into the objects it takes.
package testcluster
