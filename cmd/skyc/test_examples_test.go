package main

import (
	"bytes"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

// TestExampleTests runs skyc test over the example repository: its tests
// and snapshots must pass as committed.
func TestExampleTests(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := full.Main([]string{"test", "../../examples/..."}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("skyc test examples/... exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if bytes.Contains(stdout.Bytes(), []byte("updated")) {
		t.Errorf("skyc test wrote snapshots:\n%s", stdout.String())
	}
}
