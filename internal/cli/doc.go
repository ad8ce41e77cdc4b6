// Package cli is skyc's command line, shared by its two binaries: the
// command table and Main (flags, help, exit codes, profiles), and the
// commands that need neither the Kubernetes API server's validation nor
// the cloud clients: render, fmt, lint, new, explain, doc, import, test
// and version, with the render cache and --affected they use.
//
// check and diff live in package full, linked only into skyc-full: Go
// runs the initialisation of every package a binary links in every
// process, and theirs (k8s.io/kubernetes, k8s.io/apiserver, client-go's
// clientsets, cel-go, the AWS SDK's service clients) took about 20 ms of
// each start, even of skyc version. The light binary, skyc, lists check
// and diff in its help and hands them to skyc-full (Forwarded). This
// package must therefore not import, even indirectly, check, check/policy,
// live, plan or plan/view; a test of cmd/skyc enforces it.
package cli
