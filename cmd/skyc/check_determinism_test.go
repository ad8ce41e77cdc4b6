package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/fleet"
)

// TestCheckDeterminism checks a generated fleet with findings of every
// kind (validation errors, policy findings located in service files and
// in team libraries, used, unused and expired waivers; two environments
// with different policy settings; plain manifests) serially
// (--parallel 1) and with far more evaluations at once than CPUs
// (--parallel 64), and expects the same bytes and exit status in every
// output format: the findings, their order and their positions may not
// depend on which service finished first.
func TestCheckDeterminism(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 60
	}
	root := t.TempDir()
	f := fleet.Generate(fleet.Options{N: n, Seed: 11, Shape: fleet.Mixed, Envs: []string{"staging", "production"}, Findings: true})
	if err := f.Write(root); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "skyc.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "cost_allocation:\n  cost_centre: {key: cost-centre}\n"...)
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(root, "deploy", "web.yaml")
	writeFile(t, manifest, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers: [{name: web, image: nginx, ports: [{containerPort: 70000}]}]
`)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			check := func(parallel string) string {
				t.Helper()
				code, stdout, stderr := skyc("check", "--today", "2026-06-01", "--format", format, "--parallel", parallel,
					filepath.Join(root, "services")+"/...", manifest)
				if code != cli.ExitFindings {
					t.Fatalf("skyc check --parallel %s: exit %d, want %d\n%s", parallel, code, cli.ExitFindings, clip(stderr))
				}
				return stdout
			}
			serial := check("1")
			for _, rule := range []string{"k8s-invalid", "host-network", "no-probes", "waiver-unused", "waiver-expired", "missing-cost-labels"} {
				if !strings.Contains(serial, rule) {
					t.Errorf("the fleet has no %s finding; it should have one of every kind", rule)
				}
			}
			if got := check("64"); got != serial {
				t.Errorf("the parallel check differs from the serial one:\n%s", firstDifference(serial, got))
			}
		})
	}
}
