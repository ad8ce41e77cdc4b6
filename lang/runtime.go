package lang

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Runtime loads and evaluates .sky files of one repository. It caches
// every module it evaluates (frozen) and is safe for concurrent use.
type Runtime struct {
	opts     Options
	root     string // absolute
	realRoot string // absolute, symbolic links resolved

	mu      sync.Mutex
	modules map[string]*module
	sources map[string][]byte // every file read, for diagnostics

	realDirs sync.Map // absolute directory → its real path (realFile)

	memory watchdog

	// Predeclared names of user and standard-library files, with the
	// sandbox's replacements of universal builtins (see sandboxed).
	userPredeclared, stdlibPredeclared starlark.StringDict
}

// module is one evaluated (or in-progress) file.
type module struct {
	label     string
	done      chan struct{}
	globals   starlark.StringDict
	err       error
	waitingOn *module  // the module this one's evaluation is loading; guarded by Runtime.mu
	loads     []string // the labels this module's load statements named, in order; guarded by Runtime.mu
	src       []byte   // the text evaluated; guarded by Runtime.mu
	// deps are the modules this module's loads returned, once each, in
	// order: unlike the labels of loads, they stay the modules its
	// evaluation used when one is released and evaluated again (see
	// Evaluated). Guarded by Runtime.mu.
	deps []*module
}

// New returns a Runtime for the repository at opts.Root.
func New(opts Options) (*Runtime, error) {
	r := &Runtime{opts: opts, modules: map[string]*module{}, sources: map[string][]byte{}, memory: watchdog{limit: opts.maxMemory()}}
	r.userPredeclared = r.sandboxed(opts.Predeclared)
	r.stdlibPredeclared = r.sandboxed(opts.StdlibPredeclared)
	if opts.Root == "" {
		// No repository: only the standard library can be loaded.
		return r, nil
	}
	root := opts.Root
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("repository root %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("repository root %s: %w", root, unwrapPathError(err))
	}
	r.root, r.realRoot = abs, real
	return r, nil
}

// Root returns the absolute path of the repository root.
func (r *Runtime) Root() string { return r.root }

// Label returns the canonical label (root-relative slash path) of a file
// named on the command line, relative to the working directory.
func (r *Runtime) Label(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil || !within(r.root, abs) {
		return "", fmt.Errorf("%s is outside the repository root %s", file, r.root)
	}
	return filepath.ToSlash(rel), nil
}

// Source returns the text of a file the runtime has read, for snippets in
// diagnostics.
func (r *Runtime) Source(label string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sources[label]
}

// LoadError is a failed load(): the label as written and why it failed.
type LoadError struct {
	Label string
	Err   error
}

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// CycleError is a cycle in the load graph.
type CycleError struct {
	Cycle []string // labels, first == last
}

func (e *CycleError) Error() string { return "load cycle: " + strings.Join(e.Cycle, " → ") }

// Load evaluates the module with the given canonical label (see Label),
// once per Runtime, and returns its frozen globals.
func (r *Runtime) Load(ctx context.Context, label string) (starlark.StringDict, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, r.opts.timeout(), &LimitError{Limit: "timeout", File: label, Value: r.opts.timeout().String()})
	defer cancel()
	m, err := r.load(ctx, nil, label)
	if err != nil {
		return nil, err
	}
	return m.globals, nil
}

func (r *Runtime) load(ctx context.Context, from *module, label string) (*module, error) {
	r.mu.Lock()
	if m, ok := r.modules[label]; ok {
		select {
		case <-m.done:
			r.mu.Unlock()
			return m, m.err
		default:
		}
		if from != nil {
			var cycle []string
			for w := m; w != nil; w = w.waitingOn {
				cycle = append(cycle, w.label)
				if w == from {
					cycle = append(cycle, m.label)
					r.mu.Unlock()
					return nil, &CycleError{Cycle: cycle}
				}
			}
			from.waitingOn = m
		}
		r.mu.Unlock()
		defer r.stopWaiting(from)
		select {
		case <-m.done:
			return m, m.err
		case <-ctx.Done():
			return nil, limitOf(ctx, from, label)
		}
	}
	m := &module{label: label, done: make(chan struct{})}
	r.modules[label] = m
	if from != nil {
		from.waitingOn = m
	}
	r.mu.Unlock()
	defer r.stopWaiting(from)
	m.globals, m.err = r.exec(ctx, m)
	var le *LimitError
	if errors.As(m.err, &le) && (le.Limit == "cancelled" || le.Limit == "timeout") {
		// The caller gave up, not the file: a later load evaluates anew.
		r.mu.Lock()
		delete(r.modules, label)
		r.mu.Unlock()
	}
	close(m.done)
	return m, m.err
}

// limitOf is the error of a load that stopped waiting for a module
// another evaluation was loading, because ctx ended.
func limitOf(ctx context.Context, from *module, label string) error {
	var le *LimitError
	if errors.As(context.Cause(ctx), &le) {
		return le
	}
	file := label
	if from != nil {
		file = from.label
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &LimitError{Limit: "timeout", File: file, Value: "the caller's deadline"}
	}
	return &LimitError{Limit: "cancelled", File: file}
}

func (r *Runtime) stopWaiting(from *module) {
	if from == nil {
		return
	}
	r.mu.Lock()
	from.waitingOn = nil
	r.mu.Unlock()
}

// exec reads, compiles and runs one module.
func (r *Runtime) exec(ctx context.Context, m *module) (starlark.StringDict, error) {
	predeclared := r.userPredeclared
	var src []byte
	var parsed *syntax.File // from Options.Source
	var err error
	rest, stdlib := strings.CutPrefix(m.label, StdlibPrefix)
	if stdlib {
		predeclared = r.stdlibPredeclared
		if r.opts.Stdlib == nil {
			return nil, &LabelError{Label: m.label, Msg: "no standard library is configured"}
		}
		src, err = fs.ReadFile(r.opts.Stdlib, rest)
		if err != nil {
			return nil, &LabelError{Label: m.label, Msg: fmt.Sprintf("no such standard library file: %s", m.label)}
		}
	} else {
		var served bool
		if r.opts.Source != nil && r.root != "" {
			src, parsed, served = r.opts.Source(m.label)
		}
		if served {
			if max := r.opts.maxFileSize(); int64(len(src)) > max {
				return nil, &LabelError{Label: m.label, Msg: fmt.Sprintf("%s is %d bytes, over the limit of %d bytes for a .sky file", m.label, len(src), max)}
			}
		} else if src, err = r.readRepoFile(m.label); err != nil {
			return nil, err
		}
		if err := checkUTF8(m.label, src); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.sources[m.label] = src
	m.src = src
	r.mu.Unlock()
	var prog *starlark.Program
	if stdlib && r.opts.StdlibProgram != nil {
		prog = r.opts.StdlibProgram(m.label, src, predeclared)
	}

	thread := r.newThread(m.label)
	thread.Load = func(t *starlark.Thread, label string) (starlark.StringDict, error) {
		canon, err := resolveLabel(label, m.label)
		if err != nil {
			return nil, &LoadError{Label: label, Err: err}
		}
		r.mu.Lock()
		if !slices.Contains(m.loads, canon) {
			m.loads = append(m.loads, canon)
		}
		r.mu.Unlock()
		dep, err := r.load(ctx, m, canon)
		if err != nil {
			return nil, &LoadError{Label: label, Err: err}
		}
		r.mu.Lock()
		if !slices.Contains(m.deps, dep) {
			m.deps = append(m.deps, dep)
		}
		r.mu.Unlock()
		return dep.globals, nil
	}
	var globals starlark.StringDict
	err = r.withLimits(ctx, thread, m.label, func() error {
		var g starlark.StringDict
		var err error
		if prog == nil && parsed != nil {
			// Resolved and compiled here, under the limits, as
			// ExecFileOptions would after parsing.
			if prog, err = starlark.FileProgram(parsed, predeclared.Has); err != nil {
				return err
			}
		}
		if prog != nil {
			// As ExecFileOptions runs what it compiles.
			g, err = prog.Init(thread, predeclared)
			g.Freeze()
		} else {
			g, err = starlark.ExecFileOptions(&syntax.FileOptions{}, thread, m.label, src, predeclared)
		}
		if err != nil {
			return err
		}
		// Freezing walks every value the file made, which may be nested
		// deep or shared many times over: it runs under the limits too.
		g.Freeze()
		globals = g
		return nil
	})
	if err != nil {
		return nil, err
	}
	return globals, nil
}

// Loads returns the canonical labels that the module label loaded
// directly, once each, in the order its load statements ran, including a load that
// failed (the file the mistake is in). It is nil for a module the runtime
// has not evaluated. Together with Dependencies it answers which services
// a change to a library file affects.
func (r *Runtime) Loads(label string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.modules[label]; ok {
		return append([]string(nil), m.loads...)
	}
	return nil
}

// Dependencies returns, sorted, every module that label loads directly or
// through the modules it loads, as far as the runtime has evaluated them;
// standard-library modules included. label itself is not listed unless a
// cycle leads back to it.
func (r *Runtime) Dependencies(label string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var visit func(string)
	visit = func(l string) {
		m, ok := r.modules[l]
		if !ok {
			return
		}
		for _, dep := range m.loads {
			if !seen[dep] {
				seen[dep] = true
				visit(dep)
			}
		}
	}
	visit(label)
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Call calls fn (typically a service file's main) under the runtime's
// limits. label names the file fn belongs to, for errors.
func (r *Runtime) Call(ctx context.Context, label string, fn starlark.Value, args starlark.Tuple, locals map[string]any) (starlark.Value, error) {
	var result starlark.Value
	err := r.supervise(ctx, label, r.opts.timeout(), func(l *limits) error {
		thread := r.newThread(label)
		for k, v := range locals {
			thread.SetLocal(k, v)
		}
		return l.run(thread, label, func() error {
			var err error
			result, err = starlark.Call(thread, fn, args, nil)
			return err
		})
	})
	return result, err
}

// Caller calls fn with args as Runtime.Call does, under the runtime's
// limits; label names the file fn belongs to, for errors. See Batch.
type Caller func(label string, fn starlark.Value, args starlark.Tuple) (starlark.Value, error)

// Batch runs f on an evaluation goroutine of its own, as Call runs a
// call, and f makes calls with call, one after another: for many short
// calls (a service's policies) that is cheaper than as many Calls, as
// the hand-off to the evaluation goroutine, the watch on ctx and the
// memory watchdog's registration are made once for all of them. Each
// call has a thread, a step budget and a time limit of its own, as with
// Call (the calls share one thread, which keeps its frames for the next
// call, but not its step count). Batch returns what f returns.
//
// A limit that stops one call (its steps, its time, ctx, memory) stops
// the batch: that call returns the limit's error, as Call would, and so
// does every later call, at once. If f does not return within a grace
// period after a limit stopped a call (a built-in that does not see
// cancellation, see withLimits), Batch leaves it behind and returns that
// call's limit error; a panic in f outside a call becomes an
// InternalError for label. call must be used only by f, on f's
// goroutine.
func (r *Runtime) Batch(ctx context.Context, label string, f func(call Caller) error) error {
	return r.supervise(ctx, label, r.opts.timeout(), func(l *limits) error {
		thread := r.newThread(label)
		return f(func(label string, fn starlark.Value, args starlark.Tuple) (starlark.Value, error) {
			// Only a limit cancels the thread, and that ends the batch: a
			// later call does not run on it.
			thread.Name, thread.Steps = label, 0
			var result starlark.Value
			err := l.run(thread, label, func() error {
				var err error
				result, err = starlark.Call(thread, fn, args, nil)
				return err
			})
			return result, err
		})
	})
}

func (r *Runtime) newThread(name string) *starlark.Thread {
	thread := &starlark.Thread{Name: name}
	thread.Print = func(t *starlark.Thread, msg string) {
		if r.opts.Print != nil {
			r.opts.Print(t.CallFrame(1).Pos.String(), msg)
		}
	}
	thread.SetLocal(runtimeKey, r)
	return thread
}

const runtimeKey = "skyc.runtime"

// LimitError is an evaluation stopped by one of the runtime's limits or by
// cancellation.
type LimitError struct {
	Limit string // "steps", "timeout", "memory", "stack" or "cancelled"
	File  string
	Value string // the limit's value, e.g. "30s"
	// InBuiltin reports that the evaluation was inside a call of a Go
	// built-in that did not return, and was left behind (see withLimits):
	// where in the file it was is not known.
	InBuiltin bool
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case "steps":
		return fmt.Sprintf("evaluation of %s stopped: execution step limit of %s reached", e.File, e.Value)
	case "timeout":
		return fmt.Sprintf("evaluation of %s stopped: time limit of %s reached", e.File, e.Value)
	case "memory":
		return fmt.Sprintf("evaluation of %s stopped: memory limit of %s reached", e.File, e.Value)
	case "stack":
		return fmt.Sprintf("evaluation of %s stopped: call stack limit of %s reached", e.File, e.Value)
	}
	return fmt.Sprintf("evaluation of %s cancelled", e.File)
}

// stuckGrace is how long an evaluation a limit stopped may take to
// notice: the thread stops at its next step, but a built-in function
// (str of a value nested millions deep, hashing a tuple that holds itself
// at every level) runs in Go, where no step is counted and cancellation
// is not seen, for as long as it likes. Waiting a little keeps the
// position of a built-in that does return, such as one large allocation.
const stuckGrace = 2 * time.Second

// runawayFactor: once the heap passes the memory limit this many times
// over, a stopped evaluation is not waited for at all, as whatever it is
// doing is allocating far faster than a loop could.
const runawayFactor = 4

// withLimits runs f on thread under the step budget, ctx's deadline and
// cancellation and the memory watchdog, and turns a cancelled thread's
// error into a LimitError.
//
// f runs on a goroutine of its own. When a limit stops the thread and f
// has not returned stuckGrace later, withLimits returns the limit's
// error and abandons the goroutine, which ends when the built-in it is
// stuck in returns: every limit ends an evaluation in bounded time,
// whatever Go code the evaluation is in. A panic in f (a bug in a
// built-in, not in the user's file) becomes an InternalError.
func (r *Runtime) withLimits(ctx context.Context, thread *starlark.Thread, file string, f func() error) error {
	return r.supervise(ctx, file, 0, func(l *limits) error { return l.run(thread, file, f) })
}

// limits are the limits of the calls of one evaluation goroutine (one
// withLimits, Call or Batch), and the first one hit, which stops them.
type limits struct {
	r       *Runtime
	timeout time.Duration // of each run; 0: none but ctx's
	timer   *time.Timer   // the running call's time limit, made by its first run

	mu     sync.Mutex
	thread *starlark.Thread // the running call's thread, nil between calls
	file   string           // the file of the running (or last) call
	runs   int              // calls started
	hit    error            // the first limit hit
	// stopped is closed when hit is set.
	stopped chan struct{}
}

// stop records a limit's error, unless one was recorded before, and
// cancels the running call. A LimitError with no File is given the
// running call's.
func (l *limits) stop(e error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hit != nil {
		return
	}
	if le, ok := e.(*LimitError); ok && le.File == "" {
		le.File = l.file
	}
	l.hit = e
	if l.thread != nil {
		l.thread.Cancel(e.Error())
	}
	close(l.stopped)
}

// stopTimedOut is the time limit's callback.
func (l *limits) stopTimedOut() {
	l.stop(&LimitError{Limit: "timeout", Value: l.timeout.String()})
}

// supervise runs body on an evaluation goroutine under ctx's deadline
// and cancellation and the memory watchdog (body's runs add the step
// budget and, if timeout is not zero, a time limit of their own), and
// returns what body returns; or, when a limit stops a run and body has
// not returned stuckGrace later, the limit's error (see withLimits).
func (r *Runtime) supervise(ctx context.Context, file string, timeout time.Duration, body func(l *limits) error) error {
	l := &limits{r: r, timeout: timeout, file: file, stopped: make(chan struct{})}
	ctxDone := func() {
		var le *LimitError
		if !errors.As(context.Cause(ctx), &le) {
			le = &LimitError{Limit: "cancelled"}
		}
		l.stop(le)
	}
	if ctx.Err() != nil {
		// Already over: stop before the first step, not whenever the
		// callback's goroutine happens to run.
		ctxDone()
	}
	stop := context.AfterFunc(ctx, ctxDone)
	defer stop()
	defer r.memory.watch(file, func(e error) {
		if le, ok := e.(*LimitError); ok {
			le.File = "" // the running call's
		}
		l.stop(e)
	})()

	done := make(chan error, 1) // buffered: an abandoned body still sends
	runEvaluation(func() {
		defer func() {
			// A panic outside a run (a run recovers its own).
			if p := recover(); p != nil {
				done <- &InternalError{File: file, Value: p, Stack: string(debug.Stack())}
			}
		}()
		done <- body(l)
	})
	select {
	case err := <-done:
		return err
	case <-l.stopped:
		err, stuck := r.awaitStopped(done)
		if !stuck {
			return err
		}
		// body is stuck in Go code; leave it behind.
		l.mu.Lock()
		hit := l.hit
		l.mu.Unlock()
		var le *LimitError
		if errors.As(hit, &le) {
			stuckErr := *le
			stuckErr.InBuiltin = true
			return &stuckErr
		}
		return hit
	}
}

// run runs f, which evaluates on thread, on the calling evaluation
// goroutine under the step budget and l's limits, and turns a cancelled
// thread's error into a LimitError. After a limit was hit it returns
// that limit's error without running f.
func (l *limits) run(thread *starlark.Thread, file string, f func() error) (err error) {
	l.mu.Lock()
	if hit := l.hit; hit != nil {
		if l.runs > 0 {
			// A later call of a batch that a limit stopped.
			l.mu.Unlock()
			return hit
		}
		// Stopped before the first step (ctx was over already): the
		// thread stops there.
		thread.Cancel(hit.Error())
	}
	l.runs++
	l.thread, l.file = thread, file
	l.mu.Unlock()

	max := l.r.opts.maxSteps()
	thread.SetMaxExecutionSteps(max)
	thread.OnMaxSteps = func(t *starlark.Thread) {
		l.stop(&LimitError{Limit: "steps", File: file, Value: fmt.Sprint(max)})
	}
	ls := &limitState{thread: thread}
	ls.active.Store(true)
	thread.SetLocal(limitsKey, ls)
	if l.timeout > 0 {
		if l.timer == nil {
			l.timer = time.AfterFunc(l.timeout, l.stopTimedOut)
		} else {
			l.timer.Reset(l.timeout)
		}
	}
	func() {
		defer func() {
			switch p := recover().(type) {
			case nil:
			case *limitPanic:
				err = p.limitError(file)
			default:
				err = &InternalError{File: file, Value: p, Stack: string(debug.Stack())}
			}
		}()
		err = f()
	}()
	if l.timer != nil {
		l.timer.Stop()
	}
	ls.active.Store(false)

	// A limit may be hit on another goroutine (ctx's callback, the
	// watchdog, the timer) as f returns: read hit once, under the lock.
	l.mu.Lock()
	hit := l.hit
	l.thread = nil
	l.mu.Unlock()
	if err != nil && hit != nil {
		switch err.(type) {
		case *InternalError, *LimitError, *stoppedError:
			return err // already says why it stopped
		}
		if ee, ok := err.(*starlark.EvalError); ok {
			return &stoppedError{EvalError: ee, limit: hit}
		}
		return hit
	}
	return err
}

// awaitStopped waits for a stopped evaluation's result, for at most
// stuckGrace and only while memory in use stays within runawayFactor
// times the limit. stuck reports that it gave up.
func (r *Runtime) awaitStopped(done <-chan error) (err error, stuck bool) {
	deadline := time.NewTimer(stuckGrace)
	defer deadline.Stop()
	poll := time.NewTicker(watchdogInterval)
	defer poll.Stop()
	for {
		select {
		case err := <-done:
			return err, false
		case <-deadline.C:
			return nil, true
		case <-poll.C:
			if r.memory.runaway() {
				return nil, true
			}
		}
	}
}

// InternalError is a panic in Go code an evaluation called: a bug in
// skyc or a library it uses, never in the user's file.
type InternalError struct {
	File  string
	Value any    // what was passed to panic
	Stack string // the Go stack where it was recovered
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error while evaluating %s: %v", e.File, e.Value)
}

// stoppedError keeps the Starlark stack of an evaluation a limit stopped,
// so the diagnostic can point at the line that was running.
type stoppedError struct {
	*starlark.EvalError
	limit error
}

func (e *stoppedError) Error() string { return e.limit.Error() }
func (e *stoppedError) Unwrap() []error {
	return []error{e.limit, e.EvalError}
}
