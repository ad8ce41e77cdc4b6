package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// checkFlags are the flags of skyc check; the render flags it shares
// with skyc render (environments, variables, limits) live in render.
type checkFlags struct {
	render     *renderFlags
	noPolicies bool
	format     string
	failOn     string
}

// renderFlagsForCheck are the flags of skyc render that apply to check.
var renderFlagsForCheck = []string{"env", "var", "root", "max-steps", "timeout", "max-memory", "parallel", "verbose"}

func newCheckFlags() (*flag.FlagSet, *checkFlags) {
	rfs, rf := newRenderFlags()
	f := &checkFlags{render: rf}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	for _, name := range renderFlagsForCheck {
		if fl := rfs.Lookup(name); fl != nil {
			fs.Var(fl.Value, fl.Name, fl.Usage)
		}
	}
	fs.BoolVar(&f.noPolicies, "no-policies", false, "run only the Kubernetes API server's validation, no platform policies")
	fs.StringVar(&f.format, "format", "text", "output `format`: text, json, sarif or github")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this `severity`: error, warning or info")
	return fs, f
}

func checkCommand() *command {
	c := &command{
		name:    "check",
		summary: "validate rendered objects and manifests as the API server would",
		usage:   "[flags] PATH...",
		help: `
Check finds what a Kubernetes API server would reject, without a cluster:
it renders .sky service files as skyc render does (every environment of
skyc.yaml, or those given with --env) and validates every object with the
API server's own validation code, and it validates plain manifests too.

PATH is a .sky file, a directory (its .sky files), DIR/... (every .sky
file below DIR), or a .yaml, .yml or .json manifest file (several
documents to a file; List kinds are expanded).

Each finding names the file that made the object (the .sky file, or the
manifest and the line of the field), the object, the field path as the
API server reports it, what is wrong, and a hint. The rules are listed in
docs/check.md.

Formats: text (grouped by file; coloured on a terminal), json, sarif
(SARIF 2.1.0, for GitHub code scanning) and github (workflow commands
that annotate a pull request).

Exit status: 0 when no finding is at or above --fail-on, 1 when one is,
2 on a usage error or a .sky file that does not evaluate.

Examples:

	skyc check services/...
	skyc check --env production --format sarif services/... > skyc.sarif
	skyc check --no-policies deploy/*.yaml`,
	}
	c.flags = func() *flag.FlagSet { fs, _ := newCheckFlags(); return fs }
	c.run = func(env *cmdEnv, args []string) int { return runCheck(env, c, args) }
	return c
}

// checkFormats are the output formats of skyc check.
var checkFormats = map[string]func(w io.Writer, rep *checkReport) error{
	"text":   writeCheckText,
	"json":   writeCheckJSON,
	"sarif":  writeCheckSARIF,
	"github": writeCheckGitHub,
}

// checkReport is what a check found, for the output formats.
type checkReport struct {
	Findings []check.Finding
	Objects  int  // how many objects were checked
	Color    bool // text: use ANSI colours
}

func runCheck(env *cmdEnv, c *command, args []string) int {
	fs, f := newCheckFlags()
	if ok, code := parseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.stderr, "skyc check: no paths given\nRun 'skyc help check' for usage.\n")
		return exitError
	}
	write, ok := checkFormats[f.format]
	if !ok {
		return env.errorf("check: unknown --format %q: want text, json, sarif or github", f.format)
	}
	failOn, err := check.ParseSeverity(f.failOn)
	if err != nil {
		return env.errorf("check: --fail-on: %v", err)
	}
	// k8s.io/kubernetes logs through klog; what it has to say reaches the
	// user as findings.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	var skyPaths, manifestPaths []string
	for _, p := range fs.Args() {
		if isManifestPath(p) {
			manifestPaths = append(manifestPaths, p)
		} else {
			skyPaths = append(skyPaths, p)
		}
	}

	var objs []manifest.Object
	var origins map[runtime.Object]string
	if len(skyPaths) > 0 {
		rendered, orig, code := renderForCheck(ctx, env, f.render, skyPaths)
		if code != exitOK {
			return code
		}
		objs, origins = append(objs, rendered...), orig
	}
	var plain check.Manifests
	for _, p := range manifestPaths {
		data, err := os.ReadFile(p)
		if err != nil {
			return env.errorf("check: %v", unwrapPathError(err))
		}
		plain.Add(filepath.ToSlash(filepath.Clean(p)), data)
	}
	objs = append(objs, plain.Objects...)
	locate := func(o manifest.Object, field string) string {
		if pos, ok := origins[o.Obj]; ok {
			return pos
		}
		return plain.Locate(o, field)
	}

	findings, err := check.Run(ctx, objs, check.Options{Checkers: checkers(f), Locate: locate})
	if err != nil {
		return env.errorf("check: %v", err)
	}
	findings = append(findings, plain.Findings...)
	check.Sort(findings)

	rep := &checkReport{Findings: findings, Objects: len(objs), Color: isTerminal(env.stdout)}
	if err := write(env.stdout, rep); err != nil {
		return env.errorf("check: %v", err)
	}
	if check.Count(findings, failOn) > 0 {
		return exitFindings
	}
	return exitOK
}

// checkers are the checks skyc check runs: the API server's validation
// and, unless --no-policies, the platform policies.
func checkers(f *checkFlags) []check.Checker {
	cs := []check.Checker{check.Schema{}}
	if !f.noPolicies {
		cs = append(cs, policyCheckers()...)
	}
	return cs
}

// policyCheckers returns the platform policy engines. There are none yet;
// a policy engine is a check.Checker added here.
func policyCheckers() []check.Checker { return nil }

// isManifestPath reports whether a path names a plain manifest file.
func isManifestPath(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// renderForCheck renders .sky paths as skyc render does and returns the
// objects, with each object's Source made relative to the working
// directory, and where in the .sky files each object was constructed
// ("svc/api.sky:4:19", relative too). An evaluation error is printed as
// skyc render prints it.
func renderForCheck(ctx context.Context, env *cmdEnv, f *renderFlags, paths []string) ([]manifest.Object, map[runtime.Object]string, int) {
	vars := map[string]string{}
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, env.errorf("check: --var %q: want key=value", kv)
		}
		vars[k] = v
	}
	var envs []string
	for _, e := range f.envs {
		for _, name := range strings.Split(e, ",") {
			if name = strings.TrimSpace(name); name != "" {
				envs = append(envs, name)
			}
		}
	}
	files, explicit, err := render.Discover(paths)
	if err != nil {
		return nil, nil, env.errorf("check: %v", err)
	}
	if len(files) == 0 {
		return nil, nil, env.errorf("check: no .sky files in %s", strings.Join(paths, " "))
	}
	r, err := render.New(ctx, render.Options{
		Root:      f.root,
		Envs:      envs,
		Vars:      vars,
		Parallel:  f.parallel,
		MaxSteps:  f.maxSteps,
		Timeout:   f.timeout,
		MaxMemory: uint64(f.maxMemory),
		Print: func(pos, msg string) {
			fmt.Fprintf(env.stderr, "%s: %s\n", pos, msg)
		},
	}, files[0])
	if err != nil {
		return nil, nil, env.errorf("check: %v", err)
	}
	res := r.Render(ctx, files, explicit)
	if printDiagnostics(env, r.Runtime(), res.Diagnostics, f.verbose) {
		return nil, nil, exitError
	}
	cwd, _ := os.Getwd()
	root := r.Runtime().Root()
	origins := map[runtime.Object]string{}
	for i, o := range res.Objects {
		res.Objects[i].Source = relativeSource(root, cwd, o.Source)
		if pos, ok := res.Origins[o.Obj]; ok {
			origins[o.Obj] = relativeSource(root, cwd, pos.String())
		}
	}
	return res.Objects, origins, exitOK
}

// relativeSource turns a source position whose file is a label relative to
// the repository root into one relative to the working directory.
func relativeSource(root, cwd, src string) string {
	file, line, col := check.SplitSource(src)
	if file == "" || filepath.IsAbs(file) || cwd == "" {
		return src
	}
	rel, err := filepath.Rel(cwd, filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return src
	}
	out := filepath.ToSlash(rel)
	if line > 0 {
		out += fmt.Sprintf(":%d", line)
		if col > 0 {
			out += fmt.Sprintf(":%d", col)
		}
	}
	return out
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
