package main

import (
	"bytes"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

// TestExamplesClean: the example repository is what service owners copy,
// so skyc fmt --check, skyc lint and skyc check (the API server's
// validation and every platform policy, at warning level) pass on it as
// they are.
func TestExamplesClean(t *testing.T) {
	for _, args := range [][]string{
		{"fmt", "--check", "../../examples/..."},
		{"lint", "../../examples/..."},
		{"check", "--fail-on", "warning", "../../examples/..."},
	} {
		var stdout, stderr bytes.Buffer
		if code := full.Main(args, &stdout, &stderr); code != cli.ExitOK {
			t.Errorf("skyc %q: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
	}
}
