package lang

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// deadlockDeadline is how long a concurrency test waits for its
// goroutines before declaring a deadlock. It is generous: it only has to
// end a hung test, never to time a passing one.
const deadlockDeadline = 2 * time.Minute

// waitAll runs fs concurrently and waits for all of them, failing the test
// (rather than hanging it) if they do not return in deadlockDeadline.
func waitAll(t *testing.T, fs ...func()) {
	t.Helper()
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Go(f)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadlockDeadline):
		t.Fatalf("goroutines still running after %s: deadlock", deadlockDeadline)
	}
}

// rendezvous returns a builtin that blocks until n threads have called
// it, so that n files are all mid-evaluation at the same time.
func rendezvous(ctx context.Context, n int) *starlark.Builtin {
	var mu sync.Mutex
	all := make(chan struct{})
	return starlark.NewBuiltin("rendezvous", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		mu.Lock()
		if n--; n == 0 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return starlark.None, nil
		case <-ctx.Done():
			return nil, errors.New("rendezvous: the other threads never came")
		}
	})
}

func TestCycles(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		load  string
		cycle []string
		pos   string // where Diagnose points: the load that closes the cycle
	}{
		"self": {
			files: map[string]string{"a.sky": "load(\"a.sky\", \"y\")\nx = 1\n"},
			load:  "a.sky",
			cycle: []string{"a.sky", "a.sky"},
			pos:   "a.sky:1:1",
		},
		"two files": {
			files: map[string]string{
				"a.sky": "load(\"b.sky\", \"y\")\nx = 1\n",
				"b.sky": "\nload(\"a.sky\", \"x\")\ny = 1\n",
			},
			load:  "a.sky",
			cycle: []string{"a.sky", "b.sky", "a.sky"},
			pos:   "b.sky:2:1",
		},
		"three files across directories": {
			files: map[string]string{
				"a.sky":     "load(\"lib/b.sky\", \"y\")\nx = 1\n",
				"lib/b.sky": "load(\"//svc/c.sky\", \"z\")\ny = 1\n",
				"svc/c.sky": "z = 1\nload(\"../a.sky\", \"x\")\n",
			},
			load:  "a.sky",
			cycle: []string{"a.sky", "lib/b.sky", "svc/c.sky", "a.sky"},
			pos:   "svc/c.sky:2:1",
		},
		"entered from outside the cycle": {
			files: map[string]string{
				"main.sky": "load(\"a.sky\", \"x\")\n",
				"a.sky":    "load(\"b.sky\", \"y\")\nx = 1\n",
				"b.sky":    "load(\"a.sky\", \"x\")\ny = 1\n",
			},
			load:  "main.sky",
			cycle: []string{"a.sky", "b.sky", "a.sky"},
			pos:   "b.sky:1:1",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, Options{Root: writeRepo(t, tt.files)})
			_, err := rt.Load(context.Background(), tt.load)
			var ce *CycleError
			if !errors.As(err, &ce) {
				t.Fatalf("Load(%s) = %v, want a *CycleError", tt.load, err)
			}
			if !slices.Equal(ce.Cycle, tt.cycle) {
				t.Errorf("cycle %q, want %q", ce.Cycle, tt.cycle)
			}
			d := rt.Diagnose(err, tt.load)
			want := "load cycle: " + strings.Join(tt.cycle, " → ")
			if d.Message != want || d.Pos.String() != tt.pos {
				t.Errorf("diagnostic %s: %s\nwant %s: %s", d.Pos, d.Message, tt.pos, want)
			}
		})
	}
}

// TestConcurrentCycles loads every file of a cycle at once, from one
// goroutine each, with all files mid-evaluation before any of them calls
// load(): each goroutine must return the cycle as an error; none may wait
// for ever on another.
func TestConcurrentCycles(t *testing.T) {
	tests := map[string]map[string]string{
		"two files": {
			"a.sky": "rendezvous()\nload(\"b.sky\", \"y\")\nx = 1\n",
			"b.sky": "rendezvous()\nload(\"a.sky\", \"x\")\ny = 1\n",
		},
		"three files": {
			"a.sky": "rendezvous()\nload(\"b.sky\", \"y\")\nx = 1\n",
			"b.sky": "rendezvous()\nload(\"c.sky\", \"z\")\ny = 1\n",
			"c.sky": "rendezvous()\nload(\"a.sky\", \"x\")\nz = 1\n",
		},
	}
	for name, files := range tests {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), deadlockDeadline)
			defer cancel()
			rt := newRuntime(t, Options{
				Root:        writeRepo(t, files),
				Predeclared: starlark.StringDict{"rendezvous": rendezvous(ctx, len(files))},
			})
			labels := slices.Sorted(func(yield func(string) bool) {
				for f := range files {
					if !yield(f) {
						return
					}
				}
			})
			errs := make([]error, len(labels))
			var fs []func()
			for i, label := range labels {
				fs = append(fs, func() { _, errs[i] = rt.Load(ctx, label) })
			}
			waitAll(t, fs...)
			for i, err := range errs {
				var ce *CycleError
				if !errors.As(err, &ce) {
					t.Errorf("Load(%s) = %v, want a *CycleError", labels[i], err)
					continue
				}
				if len(ce.Cycle) != len(files)+1 || ce.Cycle[0] != ce.Cycle[len(ce.Cycle)-1] {
					t.Errorf("Load(%s): cycle %q, want every file once, ending where it starts", labels[i], ce.Cycle)
				}
			}
		})
	}
}

// TestConcurrentCyclesUnsynchronised races loads of a cycle's files
// without lining them up, so the goroutines interleave differently from
// round to round.
func TestConcurrentCyclesUnsynchronised(t *testing.T) {
	files := map[string]string{
		"a.sky": "load(\"b.sky\", \"y\")\nx = 1\n",
		"b.sky": "load(\"c.sky\", \"z\")\ny = 1\n",
		"c.sky": "load(\"a.sky\", \"x\")\nz = 1\n",
	}
	root := writeRepo(t, files)
	ctx, cancel := context.WithTimeout(context.Background(), deadlockDeadline)
	defer cancel()
	for round := range 50 {
		rt := newRuntime(t, Options{Root: root})
		errs := make([]error, 3)
		waitAll(t,
			func() { _, errs[0] = rt.Load(ctx, "a.sky") },
			func() { _, errs[1] = rt.Load(ctx, "b.sky") },
			func() { _, errs[2] = rt.Load(ctx, "c.sky") },
		)
		for i, err := range errs {
			var ce *CycleError
			if !errors.As(err, &ce) {
				t.Fatalf("round %d: load %d = %v, want a *CycleError", round, i, err)
			}
		}
	}
}

const spin = `def spin():
    for i in range(1 << 40):
        pass
`

func TestLimits(t *testing.T) {
	tests := map[string]struct {
		files   map[string]string
		load    string
		call    string // a global of load to call with Runtime.Call
		opts    Options
		cancel  string // "before" the evaluation or "during" it
		limit   string
		file    string // named by the error
		message string
		// Where Diagnose points: a file name alone when the line varies.
		pos, hint string
	}{
		"steps at top level": {
			files:   map[string]string{"spin.sky": spin + "spin()\n"},
			load:    "spin.sky",
			opts:    Options{MaxSteps: 10_000},
			limit:   "steps",
			file:    "spin.sky",
			message: "evaluation of spin.sky stopped: execution step limit of 10000 reached",
			pos:     "spin.sky:2:5",
			hint:    "is there a loop that never ends? Large but finite work can raise the budget with --max-steps",
		},
		"steps in a loaded file": {
			files: map[string]string{
				"main.sky":     "load(\"lib/spin.sky\", \"x\")\n",
				"lib/spin.sky": spin + "x = spin()\n",
			},
			load:    "main.sky",
			opts:    Options{MaxSteps: 10_000},
			limit:   "steps",
			file:    "lib/spin.sky",
			message: "evaluation of lib/spin.sky stopped: execution step limit of 10000 reached",
			pos:     "lib/spin.sky:2:5",
			hint:    "is there a loop that never ends? Large but finite work can raise the budget with --max-steps",
		},
		"steps in Call": {
			files:   map[string]string{"svc.sky": spin},
			load:    "svc.sky",
			call:    "spin",
			opts:    Options{MaxSteps: 10_000},
			limit:   "steps",
			file:    "svc.sky",
			message: "evaluation of svc.sky stopped: execution step limit of 10000 reached",
			pos:     "svc.sky:2:5",
			hint:    "is there a loop that never ends? Large but finite work can raise the budget with --max-steps",
		},
		"timeout": {
			files:   map[string]string{"spin.sky": spin + "spin()\n"},
			load:    "spin.sky",
			opts:    Options{MaxSteps: 1 << 62, Timeout: 50 * time.Millisecond},
			limit:   "timeout",
			file:    "spin.sky",
			message: "evaluation of spin.sky stopped: time limit of 50ms reached",
			pos:     "spin.sky", // wherever the thread notices
			hint:    "is there a loop that never ends? Slow but finite work can raise the limit with --timeout",
		},
		"timeout in a loaded file": {
			files: map[string]string{
				"main.sky":     "load(\"lib/spin.sky\", \"x\")\n",
				"lib/spin.sky": spin + "x = spin()\n",
			},
			load:    "main.sky",
			opts:    Options{MaxSteps: 1 << 62, Timeout: 50 * time.Millisecond},
			limit:   "timeout",
			file:    "main.sky",
			message: "evaluation of main.sky stopped: time limit of 50ms reached",
			pos:     "lib/spin.sky", // wherever the thread notices
			hint:    "is there a loop that never ends? Slow but finite work can raise the limit with --timeout",
		},
		"timeout in Call": {
			files:   map[string]string{"svc.sky": spin},
			load:    "svc.sky",
			call:    "spin",
			opts:    Options{MaxSteps: 1 << 62, Timeout: 50 * time.Millisecond},
			limit:   "timeout",
			file:    "svc.sky",
			message: "evaluation of svc.sky stopped: time limit of 50ms reached",
			pos:     "svc.sky", // wherever the thread notices
			hint:    "is there a loop that never ends? Slow but finite work can raise the limit with --timeout",
		},
		"cancelled during": {
			files:   map[string]string{"spin.sky": "cancel()\n" + spin + "spin()\n"},
			load:    "spin.sky",
			opts:    Options{MaxSteps: 1 << 62, Timeout: time.Hour},
			cancel:  "during",
			limit:   "cancelled",
			file:    "spin.sky",
			message: "evaluation of spin.sky cancelled",
			pos:     "spin.sky", // wherever the thread notices
		},
		"cancelled before": {
			files:   map[string]string{"spin.sky": spin + "spin()\n"},
			load:    "spin.sky",
			opts:    Options{MaxSteps: 1 << 62, Timeout: time.Hour},
			cancel:  "before",
			limit:   "cancelled",
			file:    "spin.sky",
			message: "evaluation of spin.sky cancelled",
			pos:     "spin.sky",
		},
		"cancelled in Call": {
			files:   map[string]string{"svc.sky": spin},
			load:    "svc.sky",
			call:    "spin",
			opts:    Options{MaxSteps: 1 << 62, Timeout: time.Hour},
			cancel:  "before",
			limit:   "cancelled",
			file:    "svc.sky",
			message: "evaluation of svc.sky cancelled",
			pos:     "svc.sky",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := tt.opts
			opts.Root = writeRepo(t, tt.files)
			opts.Predeclared = starlark.StringDict{
				"cancel": starlark.NewBuiltin("cancel", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
					cancel()
					return starlark.None, nil
				}),
			}
			rt := newRuntime(t, opts)
			var err error
			if tt.call != "" {
				var g starlark.StringDict
				g, err = rt.Load(ctx, tt.load)
				if err != nil {
					t.Fatal(err)
				}
				if tt.cancel == "before" {
					cancel()
				}
				_, err = rt.Call(ctx, tt.load, g[tt.call], nil, nil)
			} else {
				if tt.cancel == "before" {
					cancel()
				}
				_, err = rt.Load(ctx, tt.load)
			}
			le := asLimit(t, err)
			if le.Limit != tt.limit || le.File != tt.file {
				t.Errorf("LimitError{Limit: %q, File: %q}, want {%q, %q}", le.Limit, le.File, tt.limit, tt.file)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q, want it to contain %q", err, tt.message)
			}
			d := rt.Diagnose(err, tt.load)
			if d.Message != tt.message {
				t.Errorf("diagnostic message %q, want %q", d.Message, tt.message)
			}
			// The diagnostic points at the loop that was running, in the
			// innermost file, even when the limit names the outer one.
			if got := d.Pos.String(); got != tt.pos && d.Pos.File != tt.pos {
				t.Errorf("diagnostic at %s, want %s", d.Pos, tt.pos)
			}
			if d.Hint != tt.hint {
				t.Errorf("hint %q, want %q", d.Hint, tt.hint)
			}
		})
	}
}

// TestCancelWhileFailing cancels the context from a builtin that then
// fails, so the runtime's cancellation callback and the failed evaluation
// finish at about the same time. Run with -race.
func TestCancelWhileFailing(t *testing.T) {
	root := writeRepo(t, map[string]string{"main.sky": "cancel_and_fail()\n"})
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		rt := newRuntime(t, Options{Root: root, Predeclared: starlark.StringDict{
			"cancel_and_fail": starlark.NewBuiltin("cancel_and_fail", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
				cancel()
				return nil, errors.New("broken")
			}),
		}})
		_, err := rt.Load(ctx, "main.sky")
		if msg := rt.Diagnose(err, "main.sky").Message; msg != "broken" && msg != "evaluation of main.sky cancelled" {
			t.Errorf("message %q, want the builtin's error or the cancellation", msg)
		}
		cancel()
	}
	time.Sleep(10 * time.Millisecond) // let the last callbacks run, for -race to see them
}

func TestDialect(t *testing.T) {
	tests := map[string]struct {
		src      string
		pos, msg string
	}{
		"while loop": {
			src: "def f():\n    while True:\n        pass\n",
			pos: "main.sky:2:5", msg: "this Starlark dialect does not support while loops"},
		"recursion": {
			src: "def fact(n):\n    return n * fact(n - 1) if n else 1\n\nx = fact(3)\n",
			pos: "main.sky:2:20", msg: "function fact called recursively"},
		"mutual recursion": {
			src: "def even(n):\n    return odd(n - 1) if n else True\n\ndef odd(n):\n    return even(n - 1) if n else False\n\nx = even(4)\n",
			pos: "main.sky:5:16", msg: "function even called recursively"},
		"top-level for": {
			src: "x = []\nfor i in range(3):\n    x.append(i)\n",
			pos: "main.sky:2:1", msg: "for loop not within a function"},
		"top-level if": {
			src: "if True:\n    x = 1\n",
			pos: "main.sky:1:1", msg: "if statement not within a function"},
		"set": {
			src: "s = set([1, 2])\n",
			pos: "main.sky:1:5", msg: "this Starlark dialect does not support sets"},
		"global reassignment": {
			src: "x = 1\nx = 2\n",
			pos: "main.sky:2:1", msg: "cannot reassign global x declared at main.sky:1:1"},
		"load in a function": {
			src: "def f():\n    load(\"x.sky\", \"x\")\n",
			pos: "main.sky:2:5", msg: "load statement within a function"},
	}
	for _, name := range []string{
		"open", "exec", "eval", "compile", "input", "__import__",
		"os", "env", "environ", "getenv", "time", "now", "sleep", "random",
		"rand", "uuid", "http", "fetch", "read", "read_file", "glob", "system", "subprocess",
	} {
		tests["no builtin "+name] = struct {
			src      string
			pos, msg string
		}{src: "\nx = " + name + "\n", pos: "main.sky:2:5", msg: "undefined: " + name}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, Options{Root: writeRepo(t, map[string]string{"main.sky": tt.src})})
			_, err := rt.Load(context.Background(), "main.sky")
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			d := rt.Diagnose(err, "main.sky")
			if d.Pos.String() != tt.pos || d.Message != tt.msg {
				t.Errorf("diagnostic %s: %s\n      want %s: %s", d.Pos, d.Message, tt.pos, tt.msg)
			}
		})
	}
}

func TestModuleEvaluatedOnce(t *testing.T) {
	var ticks counter
	var mu sync.Mutex
	var printed []string
	rt := newRuntime(t, Options{
		Root: writeRepo(t, map[string]string{
			"lib/common.sky": "tick()\nprint(\"common\")\nnames = [\"a\"]\n",
			"a.sky":          "load(\"lib/common.sky\", \"names\")\nout = names\n",
			"b.sky":          "load(\"//lib/common.sky\", \"names\")\nout = names\n",
			"lib/c.sky":      "load(\"common.sky\", \"names\")\nload(\"./common.sky\", n2 = \"names\")\nout = n2\n",
		}),
		Predeclared: starlark.StringDict{"tick": ticks.builtin()},
		Print: func(pos, msg string) {
			mu.Lock()
			defer mu.Unlock()
			printed = append(printed, pos+": "+msg)
		},
	})
	ctx := context.Background()
	var outs []starlark.Value
	for _, f := range []string{"a.sky", "b.sky", "lib/c.sky", "lib/common.sky"} {
		g, err := rt.Load(ctx, f)
		if err != nil {
			t.Fatalf("Load(%s): %v", f, err)
		}
		if v, ok := g["out"]; ok {
			outs = append(outs, v)
		} else {
			outs = append(outs, g["names"])
		}
	}
	if n := ticks.n.Load(); n != 1 {
		t.Errorf("lib/common.sky evaluated %d times, want once", n)
	}
	if want := []string{"lib/common.sky:2:6: common"}; !slices.Equal(printed, want) {
		t.Errorf("printed %q, want %q", printed, want)
	}
	for i, v := range outs {
		if v != outs[0] {
			t.Errorf("file %d sees a different names list (%p) from file 0 (%p)", i, v, outs[0])
		}
	}
}

func TestFrozen(t *testing.T) {
	lib := "names = [\"a\"]\nports = {\"http\": 80}\nitems = [[1]]\n" +
		"def add(x):\n    names.append(x)\n"
	tests := map[string]struct {
		src, pos, msg string
	}{
		"append to a loaded list": {
			src: "load(\"lib.sky\", \"names\")\nnames.append(\"b\")\n",
			pos: "main.sky:2:13", msg: "append: cannot append to frozen list"},
		"set a key of a loaded dict": {
			src: "load(\"lib.sky\", \"ports\")\nports[\"https\"] = 443\n",
			pos: "main.sky:2:6", msg: "cannot insert into frozen hash table"},
		"mutate a nested value": {
			src: "load(\"lib.sky\", \"items\")\nitems[0].append(2)\n",
			pos: "main.sky:2:16", msg: "append: cannot append to frozen list"},
		"mutate through a loaded function": {
			src: "load(\"lib.sky\", \"add\")\nadd(\"b\")\n",
			pos: "lib.sky:5:17", msg: "append: cannot append to frozen list"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, Options{Root: writeRepo(t, map[string]string{"lib.sky": lib, "main.sky": tt.src})})
			_, err := rt.Load(context.Background(), "main.sky")
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			d := rt.Diagnose(err, "main.sky")
			if d.Pos.String() != tt.pos || d.Message != tt.msg {
				t.Errorf("diagnostic %s: %s\n      want %s: %s", d.Pos, d.Message, tt.pos, tt.msg)
			}
		})
	}

	t.Run("globals returned to Go", func(t *testing.T) {
		rt := newRuntime(t, Options{Root: writeRepo(t, map[string]string{"lib.sky": lib})})
		g, err := rt.Load(context.Background(), "lib.sky")
		if err != nil {
			t.Fatal(err)
		}
		if err := g["names"].(*starlark.List).Append(starlark.String("b")); err == nil {
			t.Error("appending to a global list succeeded, want it frozen")
		}
		if err := g["ports"].(*starlark.Dict).SetKey(starlark.String("https"), starlark.MakeInt(443)); err == nil {
			t.Error("setting a key of a global dict succeeded, want it frozen")
		}
	})
}

// TestConcurrentLoad loads many files sharing modules from 8 goroutines at
// once: each shared module is evaluated once and every file sees its
// globals. Run with -race.
func TestConcurrentLoad(t *testing.T) {
	const services = 40
	var ticks counter
	files := map[string]string{
		// Enough work for evaluations to overlap.
		"lib/common.sky": "tick()\nload(\"deep.sky\", \"base\")\n" +
			"def _work():\n    return len([i for i in range(20000)])\nwork = _work()\nconfig = {\"base\": base}\n",
		"lib/deep.sky": "tick()\nbase = 100\n",
	}
	for i := range services {
		files[fmt.Sprintf("svc/s%d.sky", i)] = fmt.Sprintf("load(\"//lib/common.sky\", \"config\")\nout = config[\"base\"] + %d\n", i)
	}
	rt := newRuntime(t, Options{Root: writeRepo(t, files), Predeclared: starlark.StringDict{"tick": ticks.builtin()}})
	ctx := context.Background()
	next := make(chan int)
	results := make([]starlark.Value, services)
	errs := make([]error, services)
	var workers []func()
	for range 8 {
		workers = append(workers, func() {
			for i := range next {
				label := fmt.Sprintf("svc/s%d.sky", i)
				g, err := rt.Load(ctx, label)
				if err == nil {
					results[i] = g["out"]
				}
				errs[i] = err
				_ = rt.Source(label) // read while others write
			}
		})
	}
	waitAll(t, append(workers, func() {
		for i := range services {
			next <- i
		}
		close(next)
	})...)
	for i := range services {
		if errs[i] != nil {
			t.Errorf("s%d: %v", i, errs[i])
		} else if results[i] != starlark.MakeInt(100+i) {
			t.Errorf("s%d: out = %v, want %d", i, results[i], 100+i)
		}
	}
	if n := ticks.n.Load(); n != 2 {
		t.Errorf("%d module evaluations of lib/common.sky and lib/deep.sky, want 2", n)
	}
}

// TestConcurrentLoadSameFile loads one file from 8 goroutines at once:
// they share one evaluation.
func TestConcurrentLoadSameFile(t *testing.T) {
	var ticks counter
	rt := newRuntime(t, Options{
		Root:        writeRepo(t, map[string]string{"main.sky": "tick()\ndef f():\n    return [i for i in range(10000)]\nout = f()\n"}),
		Predeclared: starlark.StringDict{"tick": ticks.builtin()},
	})
	outs := make([]starlark.Value, 8)
	var fs []func()
	for i := range outs {
		fs = append(fs, func() {
			g, err := rt.Load(context.Background(), "main.sky")
			if err != nil {
				t.Error(err)
				return
			}
			outs[i] = g["out"]
		})
	}
	waitAll(t, fs...)
	if n := ticks.n.Load(); n != 1 {
		t.Errorf("main.sky evaluated %d times, want once", n)
	}
	for i, v := range outs {
		if v != outs[0] {
			t.Errorf("goroutine %d got a different out from goroutine 0", i)
		}
	}
}

func TestCall(t *testing.T) {
	rt := newRuntime(t, Options{
		Root: writeRepo(t, map[string]string{"svc.sky": "def main(ctx):\n    return {\"env\": ctx, \"who\": who()}\n"}),
		Predeclared: starlark.StringDict{
			"who": starlark.NewBuiltin("who", func(th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
				v, _ := th.Local("skyc.test").(string)
				if th.Local(runtimeKey) == nil {
					return nil, errors.New("no runtime in the thread")
				}
				return starlark.String(v), nil
			}),
		},
	})
	g, err := rt.Load(context.Background(), "svc.sky")
	if err != nil {
		t.Fatal(err)
	}
	v, err := rt.Call(context.Background(), "svc.sky", g["main"], starlark.Tuple{starlark.String("prod")}, map[string]any{"skyc.test": "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), `{"env": "prod", "who": "tester"}`; got != want {
		t.Errorf("main(\"prod\") = %s, want %s", got, want)
	}
}
