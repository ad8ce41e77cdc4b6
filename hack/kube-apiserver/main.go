// Command kube-apiserver is the upstream Kubernetes API server, linked from
// the Go module proxy for skyc's test harness (internal/testcluster).
package main

import (
	"os"

	// CronJob time zones must resolve even where the host has no zoneinfo.
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	// Same optional registrations the upstream binary links in, so flags
	// such as --logging-format=json behave identically.
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
