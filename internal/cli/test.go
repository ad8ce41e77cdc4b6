package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"

	"github.com/skyc-dev/skyc/internal/skytest"
	"github.com/skyc-dev/skyc/lang"
)

// testFlags are the flags of skyc test.
type testFlags struct {
	run      string
	format   string
	update   bool
	list     bool
	verbose  bool
	root     string
	maxSteps uint64
}

func newTestFlags() (*flag.FlagSet, *testFlags) {
	f := &testFlags{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.StringVar(&f.run, "run", "", "run only the tests whose name matches `REGEX`")
	fs.StringVar(&f.format, "format", "text", "output `format`: text, or junit for JUnit XML on stdout")
	fs.BoolVar(&f.update, "update", false, "write snapshots that are missing or differ instead of failing")
	fs.BoolVar(&f.list, "v", false, "list every test, passed ones too")
	fs.BoolVar(&f.verbose, "verbose", false, "show standard-library frames in failures")
	fs.StringVar(&f.root, "root", "", "repository `root` (default: the directory holding skyc.yaml above the first path)")
	fs.Uint64Var(&f.maxSteps, "max-steps", lang.DefaultMaxSteps, "Starlark execution step budget per evaluation")
	return fs, f
}

// testCommand is skyc test: the tests of .sky code.
func testCommand() *Command {
	c := &Command{
		Name:    "test",
		Summary: "run the tests in *_test.sky files",
		Usage:   "[-v] [--run REGEX] [--format text|junit] [--update] PATH...",
		Help: `
Test runs the test_* functions of *_test.sky files. A test file sees the
standard library, loads service files and libraries like any .sky file,
and has two more names:

	assert.eq(got, want)           assert.ne(got, unwanted)
	assert.true(x)                 assert.false(x)
	assert.contains(container, x)  assert.fails(fn, "regexp")
	assert.fail("message")         assert.snapshot(x, "name")

	render(path, env = None, vars = {})
	    renders a service file as skyc render does, for one environment;
	    returns .objects, .kinds, .yaml and .find(kind, name = None)

For example, services/payments-api_test.sky:

	def test_production_scales_out():
	    api = render("payments-api.sky", env = "production")
	    assert.eq(api.find("HorizontalPodAutoscaler").spec.maxReplicas, 12)

	def test_production_snapshot():
	    assert.snapshot(render("payments-api.sky", env = "production"), "production")

A failed assertion shows the test's line and, for long values, a diff.
assert.snapshot compares YAML with __snapshots__/NAME.yaml beside the
test file; --update writes missing or changed snapshots instead (review
them with git diff before committing).

PATH is a test file, a directory or DIR/... (every *_test.sky below DIR).

Exit status: 0 when every test passed, 1 when a test failed, 2 when a
test file does not load or on a usage error.

Examples:

	skyc test examples/...
	skyc test --run 'snapshot' --update services/
	skyc test --format junit ./... > junit.xml`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newTestFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runTest(env, c, args) }
	return c
}

func runTest(env *Env, c *Command, args []string) int {
	fs, f := newTestFlags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc test: no paths given\nRun 'skyc help test' for usage.\n")
		return ExitError
	}
	if f.format != "text" && f.format != "junit" {
		return env.Errorf("test: --format %q: want text or junit", f.format)
	}
	var run *regexp.Regexp
	if f.run != "" {
		re, err := regexp.Compile(f.run)
		if err != nil {
			return env.Errorf("test: --run: %v", err)
		}
		run = re
	}
	files, err := skytest.Discover(fs.Args())
	if err != nil {
		return env.Errorf("test: %v", err)
	}
	if len(files) == 0 {
		return env.Errorf("test: no test files (*_test.sky) in %s", joinArgs(fs.Args()))
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	r, err := skytest.New(ctx, skytest.Options{
		Root: f.root, Run: run, Update: f.update, MaxSteps: f.maxSteps,
		Print: func(pos, msg string) { fmt.Fprintf(env.Stderr, "%s: %s\n", pos, msg) },
	}, files[0])
	if err != nil {
		return env.Errorf("test: %v", err)
	}
	rep := r.Run(ctx, files)
	if f.format == "junit" {
		if err := skytest.WriteJUnit(env.Stdout, rep, skytest.JUnitOptions{Source: r.Runtime().Source}); err != nil {
			return env.Errorf("test: %v", err)
		}
	} else {
		skytest.WriteText(env.Stdout, rep, skytest.TextOptions{List: f.list, Verbose: f.verbose, Source: r.Runtime().Source})
	}
	return rep.Status()
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}
