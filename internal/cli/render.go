package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// renderFlags are the flags of skyc render.
type renderFlags struct {
	envs       listFlag
	vars       listFlag
	out        string
	only       string
	root       string
	maxSteps   uint64
	timeout    time.Duration
	maxMemory  byteSize
	maxObjects int
	parallel   int
	verbose    bool
	cpuProf    string
	memProf    string
	noCache    bool
	since      string
}

// byteSize is a flag holding a size in bytes, written as a Kubernetes
// quantity ("512Mi", "4Gi", "1000000").
type byteSize uint64

func (b *byteSize) String() string {
	return resource.NewQuantity(int64(*b), resource.BinarySI).String()
}
func (b *byteSize) Set(v string) error {
	q, err := resource.ParseQuantity(v)
	if err != nil || q.Sign() <= 0 {
		return fmt.Errorf("%q is not a size such as 512Mi or 4Gi", v)
	}
	*b = byteSize(q.Value())
	return nil
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func newRenderFlags() (*flag.FlagSet, *renderFlags) {
	f := &renderFlags{}
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.Var(&f.envs, "env", "render only this `environment` of skyc.yaml (repeatable, or comma-separated); default: all")
	fs.Var(&f.vars, "var", "set ctx.vars[`key=value`] for every environment (repeatable); overrides skyc.yaml")
	fs.StringVar(&f.out, "o", "-", "write to `DIR` as DIR/<env>/<service>/<kind>-<name>.yaml, or \"-\" for one YAML stream on stdout")
	fs.StringVar(&f.root, "root", "", "repository `root` (default: the directory holding skyc.yaml above the first path)")
	fs.StringVar(&f.only, "only", "all", "write only `kind`s of output: all, kubernetes (e.g. to pipe into kubectl apply) or aws (CloudFormation templates and IAM roles)")
	fs.Uint64Var(&f.maxSteps, "max-steps", lang.DefaultMaxSteps, "Starlark execution step budget per file")
	fs.DurationVar(&f.timeout, "timeout", lang.DefaultTimeout, "wall-clock limit per file")
	f.maxMemory = lang.DefaultMaxMemory
	fs.Var(&f.maxMemory, "max-memory", "stop evaluation when the heap passes `size` (e.g. 512Mi, 4Gi)")
	fs.IntVar(&f.maxObjects, "max-objects", render.DefaultMaxObjects, "most objects one service may render per environment")
	fs.IntVar(&f.parallel, "parallel", 0, "files evaluated at once (default: the number of CPUs)")
	fs.BoolVar(&f.verbose, "verbose", false, "show standard-library frames in errors")
	fs.StringVar(&f.cpuProf, "cpuprofile", "", "write a CPU profile to `file`")
	fs.StringVar(&f.memProf, "memprofile", "", "write a heap profile to `file`")
	fs.BoolVar(&f.noCache, "no-cache", false, "evaluate every file, neither reading nor writing the render cache")
	fs.StringVar(&f.since, "changed-since", "", "render only the service files whose load graph includes a file changed since git `revision` (git diff --name-only, and untracked files)")
	return fs, f
}

func renderCommand() *command {
	c := &command{
		name:    "render",
		summary: "render .sky service files into Kubernetes manifests",
		usage:   "[flags] PATH...",
		help: `
Render evaluates each service file's main(ctx) for every environment in
skyc.yaml (or those given with --env) and writes the Kubernetes objects
they return. A service with AWS resources (aws = [...]) also gets its
CloudFormation template, cloudformation/<service>-<env>.yaml, and the
policy documents of its IAM roles, iam/<role>.json, checked offline
(references, required properties, IAM grammar, least privilege).

PATH is a .sky file, a directory (its .sky files), or DIR/... (every .sky
file below DIR). Files without a main function are libraries and are
skipped unless named directly; *_test.sky files are skipped.

--only kubernetes writes the Kubernetes objects alone (to pipe them into
kubectl apply), --only aws the AWS documents alone.

Rendering is incremental: the result of each service file and
environment is kept in a cache ($SKYC_CACHE/render, by default in the
user cache directory, e.g. ~/.cache/skyc/render) under a hash of
everything it depends on (skyc itself, skyc.yaml, the environment, --var
values and limits, the contents of the file and of every file it loads),
and reused while those stay the same. --no-cache, or SKYC_CACHE=off,
turns it off.
--changed-since REV renders only the service files whose load graph
includes a file changed since the git revision REV (or skyc.yaml),
listing them on stderr; it writes to stdout only, as a tree written from
part of the services would lose the others.

Output is deterministic: the same input gives the same bytes. With -o DIR
the tree (DIR/<env>/<service>/..., the AWS documents in the service's
cloudformation/ and iam/ folders) is written atomically: on any error
nothing is written and a previous tree is left as it was.

Exit status: 0 on success, 2 on a usage or evaluation error.

Examples:

	skyc render examples/...
	skyc render --env production -o out/ examples/...
	skyc render --var image_tag=1.43.0 services/payments-api.sky
	skyc render --changed-since origin/main services/...`,
	}
	c.flags = func() *flag.FlagSet { fs, _ := newRenderFlags(); return fs }
	c.run = func(env *cmdEnv, args []string) int { return runRender(env, c, args) }
	return c
}

func runRender(env *cmdEnv, c *command, args []string) int {
	fs, f := newRenderFlags()
	if ok, code := parseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.stderr, "skyc render: no paths given\nRun 'skyc help render' for usage.\n")
		return exitError
	}
	vars := map[string]string{}
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return env.errorf("render: --var %q: want key=value", kv)
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
	var collect func()
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// A render served from the cache allocates little (its pack is
		// mapped, not read) and ends soon: it runs without the garbage
		// collector, up to a soft limit, which saved a tenth of the CPU
		// of a warm render of 3000 services. As soon as a file must be
		// evaluated, the collector runs at renderGCPercent. GOGC or
		// GOMEMLIMIT in the environment leave the collector alone.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(warmRenderMemory)
		collect = func() {
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(renderGCPercent)
		}
	}
	if collect != nil && f.noCache {
		collect()
	}
	stop, ok := profiles(env, f.cpuProf, f.memProf)
	if !ok {
		return exitError
	}
	defer stop()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	files, explicit, err := render.Discover(fs.Args())
	if err != nil {
		return env.errorf("render: %v", err)
	}
	if len(files) == 0 {
		return env.errorf("render: no .sky files in %s", strings.Join(fs.Args(), " "))
	}
	if f.since != "" && f.out != "-" {
		return env.errorf("render: --changed-since renders part of the services and writes to stdout only; to write a tree, render all of them (the cache makes that fast)")
	}
	var cache *render.CacheOptions
	if !f.noCache {
		cache = renderCache()
	}
	r, err := render.New(ctx, render.Options{
		Root:       f.root,
		Envs:       envs,
		Vars:       vars,
		Parallel:   f.parallel,
		MaxSteps:   f.maxSteps,
		Timeout:    f.timeout,
		MaxMemory:  uint64(f.maxMemory),
		MaxObjects: f.maxObjects,
		Print: func(pos, msg string) {
			fmt.Fprintf(env.stderr, "%s: %s\n", pos, msg)
		},
		Cache:          cache,
		Encode:         true,
		BeforeEvaluate: collect,
	}, files[0])
	if err != nil {
		return env.errorf("render: %v", err)
	}
	if f.since != "" {
		all := len(files)
		if files, err = changedSince(r, files, f.since); err != nil {
			return env.errorf("render: --changed-since %s: %v", f.since, err)
		}
		fmt.Fprintf(env.stderr, "skyc: %d of %d files are affected by changes since %s\n", len(files), all, f.since)
		for _, file := range files {
			fmt.Fprintf(env.stderr, "  %s\n", file)
		}
		if len(files) == 0 {
			return exitOK
		}
	}
	res := r.Render(ctx, files, explicit)
	if len(res.Diagnostics) > 0 && printDiagnostics(env, r.Runtime(), res.Diagnostics, f.verbose) {
		return exitError
	}
	var all []manifest.Object
	switch f.only {
	case "all":
		all = res.Output()
	case "kubernetes":
		all = res.Objects
	case "aws":
		all = res.Documents
	default:
		return env.errorf("render: --only %q: want all, kubernetes or aws", f.only)
	}
	if f.out == "-" {
		if err := manifest.WriteStream(env.stdout, all); err != nil {
			return env.errorf("render: %v", err)
		}
		return exitOK
	}
	if err := manifest.WriteTree(ctx, f.out, all); err != nil {
		return env.errorf("render: %v", err)
	}
	docs := 0
	for _, o := range all {
		if o.Doc != nil {
			docs++
		}
	}
	if docs > 0 {
		fmt.Fprintf(env.stderr, "wrote %d objects and %d AWS documents to %s\n", len(all)-docs, docs, f.out)
	} else {
		fmt.Fprintf(env.stderr, "wrote %d objects to %s\n", len(all), f.out)
	}
	return exitOK
}

// renderGCPercent is the collector's setting while skyc render evaluates
// files, unless GOGC is set. A render allocates a few hundred kilobytes
// per service and keeps little (a service's objects are encoded as soon
// as it is rendered). For 3000 services, collecting at 200% of the live
// heap took about 1.1 s of CPU and 190-212 MiB, at 150% 1.4 s and 185
// MiB, at 250% 1.05 s and 205-215 MiB (BENCHMARKS.md); 200% keeps within
// the 250 MiB budget of issue 7.
const renderGCPercent = 200

// warmRenderMemory is the soft memory limit of a render while it runs
// without the garbage collector, before any file is evaluated.
const warmRenderMemory = 512 << 20

// printDiagnostics writes diagnostics to stderr and reports whether any
// is an error.
func printDiagnostics(env *cmdEnv, rt *lang.Runtime, diags []*lang.Diagnostic, verbose bool) bool {
	failed := false
	for i, d := range diags {
		if i > 0 {
			fmt.Fprintln(env.stderr)
		}
		lang.Render(env.stderr, d, rt.Source, verbose)
		if d.Severity == lang.Error {
			failed = true
		}
	}
	if failed && len(diags) > 1 {
		fmt.Fprintf(env.stderr, "\n%d errors\n", countErrors(diags))
	}
	return failed
}

func countErrors(diags []*lang.Diagnostic) int {
	n := 0
	for _, d := range diags {
		if d.Severity == lang.Error {
			n++
		}
	}
	return n
}
