//go:build corpus

package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusRejected lists the files of $SKYC_CORPUS/k8s that a real API
// server rejects as published (see the corpus README), with the reason
// skyc must find. Every other file must pass with no error.
//
// The README also names files with privileged containers, which a server
// started without --allow-privileged rejects; skyc validates as a server
// with --allow-privileged=true (as managed clusters run), so they pass.
var corpusRejected = map[string]string{
	"aws-lb-controller__cognito-ingress-template.yaml":              "template placeholders: a <ingress-name> name and a port number of \"use-annotation\"",
	"ingress-nginx__auth__oauth-external-auth__oauth2-proxy.yaml":   "template placeholders: __INGRESS_HOST__ and __INGRESS_SECRET__ are not DNS names",
	"ingress-nginx__customization__ssl-dh-param__ssl-dh-param.yaml": "Secret data that is not base64",
	"k8s-website__secret__tls-auth-secret.yaml":                     "Secret data that is not base64",
	"k8s-website__pods__probe__grpc-liveness.yaml":                  "a gRPC: typo for grpc:, leaving the probe without a handler",
}

// TestCorpusCheck runs every real-world manifest of $SKYC_CORPUS/k8s (see
// make corpus) through what `skyc check --no-policies` runs: the manifest
// reader and the Kubernetes validation. Files the API server accepts must
// have no error; those listed in corpusRejected must have one.
func TestCorpusCheck(t *testing.T) {
	dir := os.Getenv("SKYC_CORPUS")
	if dir == "" {
		t.Fatal("SKYC_CORPUS is not set; run make corpus")
	}
	files, err := filepath.Glob(filepath.Join(dir, "k8s", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s/k8s: %v", dir, err)
	}
	seen := map[string]bool{}
	objects, accepted := 0, 0
	rules := map[string]int{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m Manifests
		m.Add(name, data)
		findings, err := Run(context.Background(), m.Objects, Options{Locate: m.Locate})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		findings = append(findings, m.Findings...)
		objects += len(m.Objects)
		var errs []string
		for _, f := range findings {
			rules[f.Rule]++
			if f.Severity == Error {
				errs = append(errs, f.String())
			}
		}
		reason, wantRejected := corpusRejected[name]
		switch {
		case wantRejected && len(errs) == 0:
			t.Errorf("%s: skyc check accepts it, but the API server rejects it (%s)", name, reason)
		case !wantRejected && len(errs) > 0:
			t.Errorf("%s: skyc check rejects it, but the API server accepts it:\n  %s", name, strings.Join(errs, "\n  "))
		case !wantRejected:
			accepted++
		}
	}
	for name := range corpusRejected {
		if !seen[name] {
			t.Errorf("corpusRejected lists %s, which is not in the corpus", name)
		}
	}
	var counts []string
	for r, n := range rules {
		counts = append(counts, fmt.Sprintf("%s=%d", r, n))
	}
	sort.Strings(counts)
	t.Logf("%d files (%d objects): %d accepted, %d rejected as expected; findings by rule: %s",
		len(files), objects, accepted, len(corpusRejected), strings.Join(counts, " "))
}
