package startup

import (
	"runtime/debug"
	"testing"
)

func TestDone(t *testing.T) {
	// In this test binary nothing has called Done yet: the collector is
	// still off from this package's initialisation.
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("before Done the collector is at %d%%, want off (-1)", got)
	}
	for range 2 {
		Done()
		if got := debug.SetGCPercent(percent); got != percent {
			t.Errorf("after Done the collector is at %d%%, want %d%% (the setting before init)", got, percent)
		}
	}
	if percent == -1 {
		t.Log("GOGC=off: Done leaves the collector off")
	}
}
