package lang

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMemoryLimit: a list doubled in a loop is stopped by the memory
// watchdog with an error naming the file and the limit.
func TestMemoryLimit(t *testing.T) {
	root := t.TempDir()
	src := "def grow():\n    l = [1]\n    for i in range(64):\n        l = l + l\n    return l\n\nx = grow()\n"
	if err := os.WriteFile(filepath.Join(root, "bomb.sky"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, err := New(Options{Root: root, MaxMemory: 64 << 20, Timeout: time.Minute, MaxSteps: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.Load(context.Background(), "bomb.sky")
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "memory" {
		t.Fatalf("err = %v, want the memory limit", err)
	}
	d := rt.Diagnose(err, "bomb.sky")
	if want := "evaluation of bomb.sky stopped: memory limit of 64 MiB reached"; d.Message != want {
		t.Errorf("message = %q, want %q", d.Message, want)
	}
	// Stopped between steps, the position is the growing line. On a
	// loaded machine the watchdog may only see the heap once it is past
	// the limit runawayFactor times over, and then abandons the
	// evaluation inside the doubling: only the file is known, and the
	// error says so.
	switch {
	case d.Pos.Line == 4:
	case le.InBuiltin && d.Pos.Line == 0 && d.Pos.File == "bomb.sky":
	default:
		t.Errorf("position = %v (stopped inside a built-in: %v), want line 4 (the growing line), or the file alone when abandoned", d.Pos, le.InBuiltin)
	}
}

// TestCancelledLoadNotCached: a load the caller cancelled is evaluated
// anew by the next caller rather than failing forever.
func TestCancelledLoadNotCached(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.sky"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, err := New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = rt.Load(ctx, "a.sky")
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "cancelled" {
		t.Fatalf("cancelled load: err = %v, want a cancelled LimitError", err)
	}
	g, err := rt.Load(context.Background(), "a.sky")
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	if g["x"] == nil {
		t.Fatal("second load: x is not defined")
	}
}
