//go:build unix

package cputime

import "testing"

// TestProcessGrows: busy work shows up as CPU time.
func TestProcessGrows(t *testing.T) {
	start := Process()
	x := 0
	for Process()-start < 5e6 { // 5 ms of CPU
		for i := range 1 << 16 {
			x += i
		}
	}
	if x == 0 || Process() <= start {
		t.Fatalf("CPU time did not grow: %v → %v", start, Process())
	}
}
