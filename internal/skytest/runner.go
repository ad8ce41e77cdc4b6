package skytest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/skypath"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/render"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

// Options configures a Runner. The zero value runs every test of the
// repository holding the first file, with the default limits.
type Options struct {
	// Root is the repository root; empty means the nearest directory
	// holding skyc.yaml above the first file, else the current directory.
	Root string
	// Run selects the tests to run by name; nil runs all.
	Run *regexp.Regexp
	// Update writes snapshots instead of comparing with them.
	Update bool
	// MaxSteps and Timeout bound each evaluation (see lang.Options).
	MaxSteps uint64
	Timeout  time.Duration
	// Print receives print() output.
	Print func(pos, msg string)
}

// Runner runs test files of one repository.
type Runner struct {
	opts   Options
	root   string
	cfg    *config.Config
	reg    *schemas.Registry
	br     lang.Bridge
	rt     *lang.Runtime
	toDict starlark.Value

	mu        sync.Mutex
	renderers map[string]*renderEntry // by environment and vars
}

// Result is the outcome of one test.
type Result struct {
	Name string
	// Failure is set when the test failed: where and why.
	Failure *lang.Diagnostic
	// Detail is shown below the failure: a diff of got and want.
	Detail string
	// Updated lists the snapshot files the test wrote (with Update).
	Updated []string
	// Duration is how long the test ran.
	Duration time.Duration
}

// Failed reports whether the test failed.
func (r *Result) Failed() bool { return r.Failure != nil }

// FileResult is the outcome of one test file.
type FileResult struct {
	// File is the test file's path as given; Label its repository label.
	File, Label string
	// Err is set when the file could not be loaded: no test ran.
	Err   *lang.Diagnostic
	Tests []*Result
}

// Failures counts the failed tests of the file.
func (f *FileResult) Failures() int {
	n := 0
	for _, t := range f.Tests {
		if t.Failed() {
			n++
		}
	}
	return n
}

// Report is the outcome of a run.
type Report struct {
	Files []*FileResult
}

// Status returns skyc test's exit status: 0 when every test passed, 1
// when a test failed, 2 when a file could not be loaded.
func (r *Report) Status() int {
	status := 0
	for _, f := range r.Files {
		if f.Err != nil {
			return 2
		}
		if f.Failures() > 0 {
			status = 1
		}
	}
	return status
}

// Discover expands command-line paths (as skyc render takes them) into
// test files. A file named directly must be a test file.
func Discover(paths []string) ([]string, error) {
	files, err := skypath.Expand(paths)
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, p := range paths {
		named[filepath.Clean(p)] = true
	}
	var tests []string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, "_test.sky"):
			tests = append(tests, f)
		case named[f]:
			return nil, fmt.Errorf("%s: not a test file (test files end in _test.sky)", f)
		}
	}
	return tests, nil
}

// New prepares a runner: the repository config, the type registry, the
// standard library and a runtime in which test files see assert and
// render. hint is a path inside the repository.
func New(ctx context.Context, opts Options, hint string) (*Runner, error) {
	root := config.Root(opts.Root, hint)
	cfg, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	reg, err := render.TypeRegistry(cfg)
	if err != nil {
		return nil, err
	}
	br := lang.NewBridge(reg.Types())
	lib, err := stdlib.Load(ctx, reg, br)
	if err != nil {
		return nil, err
	}
	r := &Runner{
		opts: opts, root: root, cfg: cfg, reg: reg, br: br,
		toDict:    br.Module().Members["to_dict"],
		renderers: map[string]*renderEntry{},
	}
	predeclared := starlark.StringDict{}
	for k, v := range lib.Exports {
		predeclared[k] = v
	}
	predeclared["assert"] = newAssert(r)
	predeclared["render"] = starlark.NewBuiltin("render", r.render)
	r.rt, err = lang.New(lang.Options{
		Root:              root,
		Predeclared:       predeclared,
		Stdlib:            stdlib.Sources(),
		StdlibPredeclared: lib.Builtins,
		StdlibProgram:     stdlib.Program,
		MaxSteps:          opts.MaxSteps,
		Timeout:           opts.Timeout,
		Print:             opts.Print,
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Runtime returns the runtime test files run in, for source snippets.
func (r *Runner) Runtime() *lang.Runtime { return r.rt }

// testState is what the assertions of one running test share, as a
// thread-local.
type testState struct {
	file    string // the test file's path
	label   string
	result  *Result
	detail  string
	updated []string
	// used maps the snapshot files of the test file to the test that
	// compared or wrote them, so that two tests cannot share one.
	used map[string]string
	name string
}

const (
	stateKey   = "skytest.state"
	contextKey = "skytest.context" // the run's context.Context, for render()
)

func stateOf(thread *starlark.Thread) (*testState, bool) {
	s, ok := thread.Local(stateKey).(*testState)
	return s, ok
}

// Run runs the tests of files, one file after the other.
func (r *Runner) Run(ctx context.Context, files []string) *Report {
	rep := &Report{}
	for _, f := range files {
		rep.Files = append(rep.Files, r.runFile(ctx, f))
	}
	return rep
}

func (r *Runner) runFile(ctx context.Context, file string) *FileResult {
	snapshots := map[string]string{} // snapshot file → test that used it
	fr := &FileResult{File: file}
	label, err := r.rt.Label(file)
	if err != nil {
		fr.Err = &lang.Diagnostic{Severity: lang.Error, Pos: lang.Pos{File: file}, Message: err.Error()}
		return fr
	}
	fr.Label = label
	globals, err := r.rt.Load(ctx, label)
	if err != nil {
		fr.Err = r.rt.Diagnose(err, label)
		return fr
	}
	type test struct {
		name string
		fn   *starlark.Function
	}
	var tests []test
	for name, v := range globals {
		fn, ok := v.(*starlark.Function)
		if !ok || !strings.HasPrefix(name, "test_") || fn.Position().Filename() != label {
			continue
		}
		tests = append(tests, test{name, fn})
	}
	sort.Slice(tests, func(i, j int) bool { return tests[i].fn.Position().Line < tests[j].fn.Position().Line })
	if len(tests) == 0 {
		fr.Err = &lang.Diagnostic{Severity: lang.Error, Pos: lang.Pos{File: label}, Message: "no tests: a test file defines functions named test_...",
			Hint: "def test_replicas():\n      assert.eq(render(\"service.sky\", env = \"production\").find(\"Deployment\").spec.replicas, 3)"}
		return fr
	}
	for _, t := range tests {
		if r.opts.Run != nil && !r.opts.Run.MatchString(t.name) {
			continue
		}
		res := &Result{Name: t.name}
		fr.Tests = append(fr.Tests, res)
		pos := t.fn.Position()
		if t.fn.NumParams() != 0 {
			res.Failure = &lang.Diagnostic{Severity: lang.Error, Pos: lang.Pos{File: label, Line: int(pos.Line), Col: int(pos.Col)},
				Message: fmt.Sprintf("test function %s takes parameters; a test takes none", t.name)}
			continue
		}
		st := &testState{file: file, label: label, result: res, used: snapshots, name: t.name}
		start := time.Now()
		_, err := r.rt.Call(ctx, label, t.fn, nil, map[string]any{stateKey: st, contextKey: ctx})
		res.Duration = time.Since(start)
		res.Updated = st.updated
		if err != nil {
			res.Failure = r.rt.Diagnose(err, label)
			res.Detail = st.detail
			if f, ok := asFailure(err); ok && f.detail != "" {
				res.Detail = f.detail
			}
		}
	}
	return fr
}

// asFailure finds the assertion failure an evaluation error wraps.
func asFailure(err error) (*failure, bool) {
	for err != nil {
		if f, ok := err.(*failure); ok {
			return f, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil, false
		}
		err = u.Unwrap()
	}
	return nil, false
}

// snapshotPath returns the snapshot file of name for the test file.
func snapshotPath(testFile, name string) string {
	return filepath.Join(filepath.Dir(testFile), "__snapshots__", name+".yaml")
}

// writeSnapshot writes a snapshot file, creating its directory.
func writeSnapshot(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
