package lang

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// batchRepo has a.sky's work(n), which runs a loop of n steps and
// counts its calls in calls, and wait(), which waits in Go for pause.
func batchRepo(t *testing.T, opts Options, pause time.Duration, calls *atomic.Int32) (*Runtime, starlark.StringDict) {
	t.Helper()
	count := starlark.NewBuiltin("count", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		calls.Add(1)
		return starlark.None, nil
	})
	wait := starlark.NewBuiltin("wait", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		time.Sleep(pause)
		return starlark.None, nil
	})
	opts.Root = writeRepo(t, map[string]string{"a.sky": `
def work(n):
    count()
    for i in range(n):
        pass
    return n

def waits():
    count()
    wait()
`})
	opts.Predeclared = starlark.StringDict{"count": count, "wait": wait}
	rt := newRuntime(t, opts)
	g, err := rt.Load(context.Background(), "a.sky")
	if err != nil {
		t.Fatal(err)
	}
	return rt, g
}

// TestBatchOwnBudgets: each call of a batch has the step budget and the
// time limit a Call has, not a share of one.
func TestBatchOwnBudgets(t *testing.T) {
	var calls atomic.Int32
	rt, g := batchRepo(t, Options{MaxSteps: 10_000, Timeout: 400 * time.Millisecond}, 200*time.Millisecond, &calls)
	err := rt.Batch(context.Background(), "a.sky", func(call Caller) error {
		for range 3 { // 3 × about 6000 steps (four a turn of the loop), each under 10,000
			v, err := call("a.sky", g["work"], starlark.Tuple{starlark.MakeInt(1500)})
			if err != nil {
				return err
			}
			if v != starlark.MakeInt(1500) {
				t.Errorf("work(1500) = %v", v)
			}
		}
		for range 3 { // 3 × 200 ms, each under 400 ms
			if _, err := call("a.sky", g["waits"], nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 6 {
		t.Errorf("%d calls ran, want 6", n)
	}
}

// TestBatchStops: a limit that stops one call of a batch stops the
// later ones before they run, with the same error.
func TestBatchStops(t *testing.T) {
	tests := map[string]struct {
		opts  Options
		fn    string
		ctx   func() (context.Context, context.CancelFunc)
		limit string
	}{
		"steps": {opts: Options{MaxSteps: 10_000}, fn: "work", limit: "steps"},
		"timeout": {
			opts: Options{Timeout: 50 * time.Millisecond}, fn: "waits", limit: "timeout",
		},
		"cancelled": {
			fn: "waits", limit: "cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				return ctx, cancel
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			rt, g := batchRepo(t, tt.opts, 500*time.Millisecond, &calls)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			var errs []error
			sentinel := errors.New("f's own error")
			err := rt.Batch(ctx, "a.sky", func(call Caller) error {
				if _, err := call("a.sky", g["work"], starlark.Tuple{starlark.MakeInt(10)}); err != nil {
					t.Errorf("first call: %v", err)
				}
				args := starlark.Tuple{starlark.MakeInt(1 << 20)}
				if tt.fn == "waits" {
					args = nil
				}
				for range 2 {
					_, err := call("b.sky", g[tt.fn], args)
					errs = append(errs, err)
				}
				return sentinel
			})
			if err != sentinel {
				t.Errorf("Batch returned %v, want f's error", err)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("%d calls ran, want 2: the one before the limit and the one it stopped", n)
			}
			for i, err := range errs {
				if le := asLimit(t, err); le.Limit != tt.limit || le.File != "b.sky" {
					t.Errorf("call %d: LimitError{Limit: %q, File: %q}, want %s in b.sky", i+2, le.Limit, le.File, tt.limit)
				}
			}
		})
	}
}

// TestBatchStuck: a batch whose call is stuck in a built-in past a limit
// is left behind, and the error names that call's file.
func TestBatchStuck(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	block := starlark.NewBuiltin("block", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		<-release
		return starlark.None, nil
	})
	rt := newRuntime(t, Options{
		Root:        writeRepo(t, map[string]string{"svc.sky": "def main():\n    block()\n"}),
		Timeout:     10 * time.Millisecond,
		Predeclared: starlark.StringDict{"block": block},
	})
	g, err := rt.Load(context.Background(), "svc.sky")
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Batch(context.Background(), "batch", func(call Caller) error {
		_, err := call("svc.sky", g["main"], nil)
		return err
	})
	if le := asLimit(t, err); le.Limit != "timeout" || !le.InBuiltin || le.File != "svc.sky" {
		t.Errorf("LimitError{Limit: %q, InBuiltin: %v, File: %q}, want a timeout in a built-in of svc.sky", le.Limit, le.InBuiltin, le.File)
	}
}

// TestBatchPanic: a panic in f outside a call is an internal error.
func TestBatchPanic(t *testing.T) {
	rt := newRuntime(t, Options{})
	err := rt.Batch(context.Background(), "batch", func(Caller) error { panic("boom") })
	var ie *InternalError
	if !errors.As(err, &ie) || ie.File != "batch" || ie.Value != "boom" {
		t.Errorf("err = %v (%T), want an InternalError of batch", err, err)
	}
}
