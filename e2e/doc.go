// Package e2e holds skyc's end-to-end tests: rendered output judged by a
// real kube-apiserver (with etcd) started on loopback by
// internal/testcluster, and by kubectl as an independent client. The
// binaries are built by `make e2e-deps`; without them the tests fail with
// the command to run, they never skip.
package e2e
