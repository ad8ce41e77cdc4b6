package render

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/skyc-dev/skyc/internal/fleet"
)

// TestDeterministicFleet renders a generated fleet of 1000 services (the
// mixed shape, two environments: 2000 evaluations) serially and on many
// goroutines and expects byte-identical streams: the order of the output
// must not depend on which evaluation finishes first.
func TestDeterministicFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 2000 service evaluations twice; skipped in -short mode")
	}
	root := t.TempDir()
	f := fleet.Generate(fleet.Options{N: 1000, Seed: 3, Shape: fleet.Mixed, Envs: []string{"staging", "production"}})
	if err := f.Write(root); err != nil {
		t.Fatal(err)
	}
	services := filepath.Join(root, "services") + "/..."
	_, serial := renderPaths(t, Options{Parallel: 1}, services)
	if serial.Failed() {
		t.Fatal(serial.Diagnostics[0])
	}
	if want := 2 * f.Objects(); len(serial.Objects) != want {
		t.Fatalf("rendered %d objects, want %d", len(serial.Objects), want)
	}
	want := stream(t, serial.Objects)
	_, parallel := renderPaths(t, Options{Parallel: 16}, services)
	if parallel.Failed() {
		t.Fatal(parallel.Diagnostics[0])
	}
	if got := stream(t, parallel.Objects); !bytes.Equal(got, want) {
		t.Fatalf("the parallel render differs from the serial one:\n%s", lineDiff(string(want), string(got)))
	}
}
