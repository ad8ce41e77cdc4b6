package lang

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// TestHugeRange: a range longer than the step budget behaves as a range
// in loops and the operations that don't walk it, and stops a built-in
// that walks or materialises it with the step limit, at the user's line.
func TestHugeRange(t *testing.T) {
	tests := map[string]struct {
		src string
		// want is the value of x, or "" when the load fails with the
		// step limit at pos.
		want string
		pos  string
	}{
		"loop with break": {
			src:  "def f():\n    n = 0\n    for i in range(1 << 62):\n        if i == 10:\n            break\n        n += i\n    return n\nx = f()\n",
			want: "45",
		},
		"len":         {src: "x = len(range(1 << 62))\n", want: "4611686018427387904"},
		"len of step": {src: "x = len(range(0, 1 << 62, 2))\n", want: "2305843009213693952"},
		"in":          {src: "x = (12345 in range(1 << 62), -1 in range(1 << 62))\n", want: "(True, False)"},
		"equal":       {src: "x = (range(1 << 62) == range(1 << 62), range(1 << 62) == range(1 << 61))\n", want: "(True, False)"},
		"str":         {src: "x = str(range(0, 1 << 62, 3))\n", want: `"range(0, 4611686018427387904, 3)"`},
		"type":        {src: "x = type(range(1 << 62))\n", want: `"range"`},
		"truth":       {src: "x = bool(range(1 << 62))\n", want: "True"},
		"small range": {src: "x = (range(10)[3], list(range(3)), len(range(5)))\n", want: "(3, [0, 1, 2], 5)"},
		"len of list": {src: "x = len([1, 2, 3])\n", want: "3"},
		"list": {
			src: "def f():\n    return list(range(1 << 40))\nx = f()\n",
			pos: "main.sky:2:16",
		},
		"all": {
			src: "def f():\n    return all(range(1, 1 << 62))\nx = f()\n",
			pos: "main.sky:2:15",
		},
		"sorted at top level": {
			src: "x = sorted(range(1 << 50))\n",
			pos: "main.sky:1:11",
		},
		"extend": {
			src: "def f():\n    l = []\n    l.extend(range(1 << 50))\n    return l\nx = f()\n",
			pos: "main.sky:3:13",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, Options{Root: writeRepo(t, map[string]string{"main.sky": tt.src}), MaxSteps: 100_000})
			g, err := rt.Load(context.Background(), "main.sky")
			if tt.want != "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := g["x"].String(); got != tt.want {
					t.Errorf("x = %s, want %s", got, tt.want)
				}
				return
			}
			le := asLimit(t, err)
			if le.Limit != "steps" || le.File != "main.sky" {
				t.Errorf("LimitError{%q, %q}, want the step limit of main.sky", le.Limit, le.File)
			}
			d := rt.Diagnose(err, "main.sky")
			if want := "evaluation of main.sky stopped: execution step limit of 100000 reached"; d.Message != want {
				t.Errorf("message %q, want %q", d.Message, want)
			}
			if got := d.Pos.String(); got != tt.pos {
				t.Errorf("diagnostic at %s, want %s", got, tt.pos)
			}
		})
	}
}

// TestHugeRangeFromAnotherFile: a huge range made by a loaded file and
// walked by a built-in in the loading file stops with the limit of the
// file walking it.
func TestHugeRangeFromAnotherFile(t *testing.T) {
	root := writeRepo(t, map[string]string{
		"lib.sky":  "FOREVER = range(1 << 62)\n",
		"main.sky": "load(\"lib.sky\", \"FOREVER\")\nx = list(FOREVER)\n",
	})
	rt := newRuntime(t, Options{Root: root, MaxSteps: 100_000})
	_, err := rt.Load(context.Background(), "main.sky")
	if le := asLimit(t, err); le.Limit != "steps" || le.File != "main.sky" {
		t.Errorf("LimitError{%q, %q}, want the step limit of main.sky", le.Limit, le.File)
	}
}

// TestStuckBuiltin: a built-in that never returns (as Go code walking a
// value nested millions deep might not) does not keep a limit from ending
// the evaluation.
func TestStuckBuiltin(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	block := starlark.NewBuiltin("block", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		<-release
		return starlark.None, nil
	})
	root := writeRepo(t, map[string]string{"main.sky": "block()\n", "svc.sky": "def main():\n    block()\n"})
	rt := newRuntime(t, Options{Root: root, Timeout: 10 * time.Millisecond, Predeclared: starlark.StringDict{"block": block}})

	tests := map[string]func() error{
		"Load": func() error {
			_, err := rt.Load(context.Background(), "main.sky")
			return err
		},
		"Call": func() error {
			g, err := rt.Load(context.Background(), "svc.sky")
			if err != nil {
				return err
			}
			_, err = rt.Call(context.Background(), "svc.sky", g["main"], nil, nil)
			return err
		},
	}
	for name, run := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			result := make(chan error, 1)
			go func() { result <- run() }()
			select {
			case err := <-result:
				if le := asLimit(t, err); le.Limit != "timeout" || !le.InBuiltin {
					t.Errorf("LimitError{Limit: %q, InBuiltin: %v}, want a timeout in a built-in", le.Limit, le.InBuiltin)
				}
				d := rt.Diagnose(err, "main.sky")
				if want := "it was stopped inside one long operation: a built-in function (such as str, hash or sorted) on a value too large or too deeply nested for it, or a list or string grown too large in one step"; d.Hint != want {
					t.Errorf("hint %q, want %q", d.Hint, want)
				}
			case <-time.After(time.Minute): // only a hang gets here
				t.Fatal("the evaluation is still running: the stuck built-in kept the time limit from ending it")
			}
		})
	}
}

// TestPanickingBuiltin: a panic in Go code called from a file is reported
// as an internal error of that file, not a crash.
func TestPanickingBuiltin(t *testing.T) {
	boom := starlark.NewBuiltin("boom", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		var m map[string]int
		m["x"] = 1 // a nil map: a bug
		return starlark.None, nil
	})
	root := writeRepo(t, map[string]string{
		"lib.sky":  "x = boom()\n",
		"main.sky": "load(\"lib.sky\", \"x\")\n",
	})
	rt := newRuntime(t, Options{Root: root, Predeclared: starlark.StringDict{"boom": boom}})
	_, err := rt.Load(context.Background(), "main.sky")
	var ie *InternalError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want an *InternalError", err, err)
	}
	if ie.File != "lib.sky" || ie.Stack == "" {
		t.Errorf("InternalError{File: %q, %d bytes of stack}, want lib.sky and the stack", ie.File, len(ie.Stack))
	}
	d := rt.Diagnose(err, "main.sky")
	if want := "internal error while evaluating lib.sky: assignment to entry in nil map"; d.Message != want {
		t.Errorf("message %q, want %q", d.Message, want)
	}
	if d.Hint == "" {
		t.Error("no hint")
	}
}

// TestStackLimit: a built-in that recurses deep in Go grows its
// goroutine's stack, not the heap, towards Go's fatal limit; the stack
// limit stops the evaluation first.
func TestStackLimit(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var recurse func(n int) byte
	recurse = func(n int) byte {
		var frame [1024]byte // 160 MiB of stack over 160k calls
		if n == 0 {
			<-release
			return frame[0]
		}
		frame[n%1024] = byte(n)
		return recurse(n-1) + frame[(n+1)%1024]
	}
	deep := starlark.NewBuiltin("deep", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		recurse(160 << 10)
		return starlark.None, nil
	})
	root := writeRepo(t, map[string]string{"main.sky": "deep()\n"})
	rt := newRuntime(t, Options{Root: root, Timeout: time.Minute, Predeclared: starlark.StringDict{"deep": deep}})
	_, err := rt.Load(context.Background(), "main.sky")
	if le := asLimit(t, err); le.Limit != "stack" || !le.InBuiltin {
		t.Errorf("LimitError{Limit: %q, InBuiltin: %v}, want the stack limit in a built-in", le.Limit, le.InBuiltin)
	}
	if want := "evaluation of main.sky stopped: call stack limit of 128 MiB reached"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
