package cli

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

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// RenderFlags are the flags of skyc render.
type RenderFlags struct {
	Envs       ListFlag
	Vars       ListFlag
	Out        string
	Only       string
	Root       string
	MaxSteps   uint64
	Timeout    time.Duration
	MaxMemory  ByteSize
	MaxObjects int
	Parallel   int
	Verbose    bool
	CPUProfile string
	MemProfile string
	NoCache    bool
	Since      string
}

// EvalOptions returns the render options these flags set: the
// repository root, the environments, the variables and the evaluation's
// limits. Commands add what else they need.
func (f *RenderFlags) EvalOptions(vars map[string]string) render.Options {
	return render.Options{
		Root:       f.Root,
		Envs:       f.EnvNames(),
		Vars:       vars,
		Parallel:   f.Parallel,
		MaxSteps:   f.MaxSteps,
		Timeout:    f.Timeout,
		MaxMemory:  uint64(f.MaxMemory),
		MaxObjects: f.MaxObjects,
	}
}

// VarValues returns the --var values by key, or an error naming the first
// that is not key=value.
func (f *RenderFlags) VarValues() (map[string]string, error) {
	vars := map[string]string{}
	for _, kv := range f.Vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--var %q: want key=value", kv)
		}
		vars[k] = v
	}
	return vars, nil
}

// EnvNames returns the environments --env names, each flag split at
// commas, blanks dropped.
func (f *RenderFlags) EnvNames() []string {
	var envs []string
	for _, e := range f.Envs {
		for _, name := range strings.Split(e, ",") {
			if name = strings.TrimSpace(name); name != "" {
				envs = append(envs, name)
			}
		}
	}
	return envs
}

// ByteSize is a flag holding a size in bytes, written as a Kubernetes
// quantity ("512Mi", "4Gi", "1000000").
type ByteSize uint64

// String returns the size as a binary quantity, such as 512Mi.
func (b *ByteSize) String() string {
	return resource.NewQuantity(int64(*b), resource.BinarySI).String()
}

// Set parses a positive quantity, such as 512Mi, 4Gi or 1000000.
func (b *ByteSize) Set(v string) error {
	q, err := resource.ParseQuantity(v)
	if err != nil || q.Sign() <= 0 {
		return fmt.Errorf("%q is not a size such as 512Mi or 4Gi", v)
	}
	*b = ByteSize(q.Value())
	return nil
}

// ListFlag is a repeatable flag whose values may also be comma-separated.
type ListFlag []string

// String returns the values, comma-separated.
func (l *ListFlag) String() string { return strings.Join(*l, ",") }

// Set adds a value; splitting at commas is the command's.
func (l *ListFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// NewRenderFlags returns the flag set of skyc render and the flags it
// sets. skyc check takes some of its flags.
func NewRenderFlags() (*flag.FlagSet, *RenderFlags) {
	f := &RenderFlags{}
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.Var(&f.Envs, "env", "render only this `environment` of skyc.yaml (repeatable, or comma-separated); default: all")
	fs.Var(&f.Vars, "var", "set ctx.vars[`key=value`] for every environment (repeatable); overrides skyc.yaml")
	fs.StringVar(&f.Out, "o", "-", "write to `DIR` as DIR/<env>/<service>/<kind>-<name>.yaml, or \"-\" for one YAML stream on stdout")
	fs.StringVar(&f.Root, "root", "", "repository `root` (default: the directory holding skyc.yaml above the first path)")
	fs.StringVar(&f.Only, "only", "all", "write only `kind`s of output: all, kubernetes (e.g. to pipe into kubectl apply) or aws (CloudFormation templates and IAM roles)")
	fs.Uint64Var(&f.MaxSteps, "max-steps", lang.DefaultMaxSteps, "Starlark execution step budget per file")
	fs.DurationVar(&f.Timeout, "timeout", lang.DefaultTimeout, "wall-clock limit per file")
	f.MaxMemory = lang.DefaultMaxMemory
	fs.Var(&f.MaxMemory, "max-memory", "stop evaluation when the heap passes `size` (e.g. 512Mi, 4Gi)")
	fs.IntVar(&f.MaxObjects, "max-objects", render.DefaultMaxObjects, "most objects one service may render per environment")
	fs.IntVar(&f.Parallel, "parallel", 0, "files evaluated at once (default: the number of CPUs)")
	fs.BoolVar(&f.Verbose, "verbose", false, "show standard-library frames in errors")
	fs.StringVar(&f.CPUProfile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.StringVar(&f.MemProfile, "memprofile", "", "write a heap profile to `file`")
	fs.BoolVar(&f.NoCache, "no-cache", false, "evaluate every file, neither reading nor writing the render cache")
	fs.StringVar(&f.Since, "changed-since", "", "render only the service files whose load graph includes a file changed since git `revision` (git diff --name-only, and untracked files)")
	return fs, f
}

func renderCommand() *Command {
	c := &Command{
		Name:    "render",
		Summary: "render .sky service files into Kubernetes manifests",
		Usage:   "[flags] PATH...",
		Help: `
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
	c.Flags = func() *flag.FlagSet { fs, _ := NewRenderFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runRender(env, c, args) }
	return c
}

func runRender(env *Env, c *Command, args []string) int {
	fs, f := NewRenderFlags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc render: no paths given\nRun 'skyc help render' for usage.\n")
		return ExitError
	}
	vars, err := f.VarValues()
	if err != nil {
		return env.Errorf("render: %v", err)
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
	if collect != nil && f.NoCache {
		collect()
	}
	stop, ok := Profiles(env, f.CPUProfile, f.MemProfile)
	if !ok {
		return ExitError
	}
	defer stop()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	var cache *render.CacheOptions
	if !f.NoCache {
		cache = renderCache()
	}
	opts := f.EvalOptions(vars)
	opts.Print = func(pos, msg string) {
		fmt.Fprintf(env.Stderr, "%s: %s\n", pos, msg)
	}
	opts.Cache = cache
	opts.Encode = true
	opts.NoOrigins = true
	opts.BeforeEvaluate = collect
	// The files are found while the renderer is made (the cache opened)
	// on another CPU, from the first path rather than the first file:
	// the two take a few milliseconds each in a warm render of thousands
	// of services. If the first file lies in another repository than the
	// first path (a skyc.yaml between them), the renderer is made again.
	found := make(chan discovered, 1)
	go func() {
		var d discovered
		d.files, d.explicit, d.err = render.Discover(fs.Args())
		found <- d
	}()
	hint := renderHint(fs.Arg(0))
	r, err := render.New(ctx, opts, hint)
	d := <-found
	files, explicit := d.files, d.explicit
	if d.err != nil {
		return env.Errorf("render: %v", d.err)
	}
	if len(files) == 0 {
		return env.Errorf("render: no .sky files in %s", strings.Join(fs.Args(), " "))
	}
	if f.Since != "" && f.Out != "-" {
		return env.Errorf("render: --changed-since renders part of the services and writes to stdout only; to write a tree, render all of them (the cache makes that fast)")
	}
	if config.Root(f.Root, files[0]) != config.Root(f.Root, hint) {
		r, err = render.New(ctx, opts, files[0])
	}
	if err != nil {
		return env.Errorf("render: %v", err)
	}
	if f.Since != "" {
		all := len(files)
		if files, err = changedSince(r, files, f.Since); err != nil {
			return env.Errorf("render: --changed-since %s: %v", f.Since, err)
		}
		fmt.Fprintf(env.Stderr, "skyc: %d of %d files are affected by changes since %s\n", len(files), all, f.Since)
		for _, file := range files {
			fmt.Fprintf(env.Stderr, "  %s\n", file)
		}
		if len(files) == 0 {
			return ExitOK
		}
	}
	res := r.Render(ctx, files, explicit)
	if len(res.Diagnostics) > 0 && PrintDiagnostics(env, r.Runtime(), res.Diagnostics, f.Verbose) {
		return ExitError
	}
	var all []manifest.Object
	switch f.Only {
	case "all":
		all = res.Output()
	case "kubernetes":
		all = res.Objects
	case "aws":
		all = res.Documents
	default:
		return env.Errorf("render: --only %q: want all, kubernetes or aws", f.Only)
	}
	if f.Out == "-" {
		if err := manifest.WriteStream(env.Stdout, all); err != nil {
			return env.Errorf("render: %v", err)
		}
		return ExitOK
	}
	if err := manifest.WriteTree(ctx, f.Out, all); err != nil {
		return env.Errorf("render: %v", err)
	}
	docs := 0
	for _, o := range all {
		if o.Doc != nil {
			docs++
		}
	}
	if docs > 0 {
		fmt.Fprintf(env.Stderr, "wrote %d objects and %d AWS documents to %s\n", len(all)-docs, docs, f.Out)
	} else {
		fmt.Fprintf(env.Stderr, "wrote %d objects to %s\n", len(all), f.Out)
	}
	return ExitOK
}

// discovered is what render.Discover returns.
type discovered struct {
	files    []string
	explicit map[string]bool
	err      error
}

// renderHint is the path a render's repository root is looked for from
// before its files are known: the first path argument, without "...".
func renderHint(arg string) string {
	if dir, ok := strings.CutSuffix(arg, "..."); ok {
		if dir = strings.TrimSuffix(dir, "/"); dir == "" {
			return "."
		}
		return dir
	}
	return arg
}

// renderGCPercent is the collector's setting while skyc render evaluates
// files, unless GOGC is set. A render allocates a few hundred kilobytes
// per service and keeps little (a service's objects are encoded as soon
// as it is rendered). Since objects are written straight from their
// messages (manifest.EncodeMessage), a cold render of 3000 services
// took, collecting at 200% of the live heap, 0.81 s of CPU and 134 MiB;
// at 300% 0.76 s and 145 MiB; at 400% 0.73 s and 160 MiB. For 10000
// services: 326, 378 and 464 MiB. 300% keeps well within the 250 MiB
// budget of issue 7 at 3000 services, and at 10000 within what 200%
// took before the message path (390 MiB).
const renderGCPercent = 300

// warmRenderMemory is the soft memory limit of a render while it runs
// without the garbage collector, before any file is evaluated.
const warmRenderMemory = 512 << 20

// PrintDiagnostics writes diagnostics to stderr and reports whether any
// is an error.
func PrintDiagnostics(env *Env, rt *lang.Runtime, diags []*lang.Diagnostic, verbose bool) bool {
	failed := false
	for i, d := range diags {
		if i > 0 {
			fmt.Fprintln(env.Stderr)
		}
		lang.Render(env.Stderr, d, rt.Source, verbose)
		if d.Severity == lang.Error {
			failed = true
		}
	}
	if failed && len(diags) > 1 {
		fmt.Fprintf(env.Stderr, "\n%d errors\n", countErrors(diags))
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
