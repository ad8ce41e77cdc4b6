// Command skyc-full is skyc with every command: the light commands of
// skyc (render, fmt, lint, new, explain, doc, import, test, version) and
// check and diff, which link the Kubernetes API server's validation
// (k8s.io/kubernetes, k8s.io/apiserver), client-go's clientsets and the
// AWS SDK's service clients.
//
// It exists because Go runs the initialisation of every linked package in
// every process, before main: linking those into skyc cost every skyc
// process, even skyc version, about 20 ms. So skyc stays light and, for
// check and diff, replaces itself with skyc-full, passing the same
// arguments, environment and streams. Install both (go install
// github.com/skyc-dev/skyc/cmd/...@latest, or make build); skyc-full can
// also be run directly, as skyc is.
package main

import (
	"os"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

func main() {
	cli.Unforward()
	os.Exit(full.Main(os.Args[1:], os.Stdout, os.Stderr))
}
