package full

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/live"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/plan"
	"github.com/skyc-dev/skyc/plan/view"
	"github.com/skyc-dev/skyc/render"
)

// exitDestructive is skyc diff's status for destructive changes that were
// not allowed.
const exitDestructive = 3

// diffFlags are the flags of skyc diff.
type diffFlags struct {
	envs, vars, allow cli.ListFlag
	root              string
	kubeconfig        string
	kubeContext       string
	against           string
	format            string
	color             string
	parallel          int
	requestTimeout    time.Duration
	noPrune           bool
	kube, aws         bool
	awsEndpoint       string
	awsProfile        string
	maxSteps          uint64
	timeout           time.Duration
	verbose           bool
}

func newDiffFlags() (*flag.FlagSet, *diffFlags) {
	f := &diffFlags{}
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.Var(&f.envs, "env", "compare only this `environment` of skyc.yaml (repeatable, or comma-separated); default: all")
	fs.Var(&f.vars, "var", "set ctx.vars[`key=value`] for every environment (repeatable); overrides skyc.yaml")
	fs.StringVar(&f.root, "root", "", "repository `root` (default: the directory holding skyc.yaml above the first path)")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig `file` for every environment (default: skyc.yaml's kubeconfig, else $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.kubeContext, "context", "", "kubeconfig `context` for every environment, instead of skyc.yaml's cluster and clusters")
	fs.StringVar(&f.against, "against", "", "compare with a previous `DIR` written by skyc render -o DIR instead of clusters")
	fs.StringVar(&f.format, "format", "text", "output `format`: text, json or markdown")
	fs.StringVar(&f.color, "color", "auto", "colour the text output: auto (when stdout is a terminal), always or never")
	fs.Var(&f.allow, "allow-destructive", "allow these destructive changes: `ENV:KIND/NAMESPACE/NAME`, KIND/NAMESPACE/NAME, KIND/NAME or all (repeatable, or comma-separated)")
	fs.IntVar(&f.parallel, "parallel", 4, "clusters compared at once")
	fs.DurationVar(&f.requestTimeout, "request-timeout", live.DefaultRequestTimeout, "limit for each request to a cluster (each of its retries)")
	fs.BoolVar(&f.noPrune, "no-prune", false, "do not report objects that are no longer rendered as deletions")
	fs.BoolVar(&f.kube, "kubernetes", true, "compare Kubernetes objects with the clusters")
	fs.BoolVar(&f.aws, "aws", true, "compare CloudFormation stacks and IAM roles with the environments' AWS accounts")
	fs.StringVar(&f.awsEndpoint, "aws-endpoint", "", "AWS endpoint `URL` for every service instead of AWS's own (e.g. a moto_server)")
	fs.StringVar(&f.awsProfile, "aws-profile", "", "AWS shared-config `profile` (default: the default credential chain)")
	fs.Uint64Var(&f.maxSteps, "max-steps", lang.DefaultMaxSteps, "Starlark execution step budget per file")
	fs.DurationVar(&f.timeout, "timeout", lang.DefaultTimeout, "wall-clock limit per file")
	fs.BoolVar(&f.verbose, "verbose", false, "show standard-library frames in errors")
	return fs, f
}

func diffCommand() *cli.Command {
	c := &cli.Command{
		Name:    "diff",
		Summary: cli.DiffSummary,
		Usage:   "[flags] PATH...",
		Help: `
Diff renders the service files like skyc render and compares every object
with the live cluster of its environment: each kubeconfig context named by
cluster and clusters in skyc.yaml (or --context), all clusters at once.

For each object it reads the live object and asks the API server what a
server-side apply (field manager "skyc", forced) would make of it, with a
dry run, so server defaults never show as changes. Each changed field is
classified: a change of the configuration, drift (the live value was set
by another field manager, such as kubectl edit or scale, or an
autoscaler; applying resets it), or an immutable field (the object must be
deleted and created again). Objects labelled as skyc's for the
environment (skyc.dev/environment, skyc.dev/service) in the namespaces the
render uses that are no longer rendered are deletions; when PATH is not
the whole repository (ROOT/...), only the rendered services' objects are
considered.

CloudFormation stacks and IAM roles the services render are compared
with the environment's AWS account (aws.account_id and region in
skyc.yaml; credentials from the default chain or --aws-profile, checked
to belong to that account): each stack resource by resource with the
deployed template, then previewed through a change set that is created,
read and deleted again, never executed; each role statement by statement,
with permission broadening (new actions, wider resources, new principals)
called out.

Deletions, recreations and replacements are destructive, and so are
removed DNS records and certificates, IAM trust policy changes and data
resources (buckets, tables, databases) losing their retention or deletion
protection. They are listed at the end and make skyc diff exit 3 unless
--allow-destructive names each of them (ENV:KIND/NAMESPACE/NAME as
printed, e.g. staging:AWS::S3::Bucket/api-staging/Data) or is "all".

Secret data and other sensitive fields (secret properties of AWS
resources, NoEcho parameters) are never printed, in any format: a changed
value shows as "(sensitive value changed)" with a short hash.

With --against DIR, the render is compared with a previous render
(skyc render -o DIR) instead, with no cluster: what a reviewer sees of a
change before it meets a cluster.

--format json writes a plan with a stable schema ("format_version": "1");
--format markdown writes a pull-request comment.

Exit status:
	0  no changes
	1  changes, none of them destructive (or all allowed)
	2  error: usage, evaluation, or a cluster, account or object that could
	   not be compared (the plan is incomplete, never "no changes")
	3  destructive changes that --allow-destructive does not name

Examples:

	skyc diff --env staging services/...
	skyc diff --context kind-dev --allow-destructive=staging:Deployment/payments/api ./...
	skyc diff --against base-render/ --format markdown ./...`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newDiffFlags(); return fs }
	c.Run = func(env *cli.Env, args []string) int { return runDiff(env, c, args) }
	return c
}

func runDiff(env *cli.Env, c *cli.Command, args []string) int {
	fs, f := newDiffFlags()
	if ok, code := cli.ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc diff: no paths given\nRun 'skyc help diff' for usage.\n")
		return cli.ExitError
	}
	switch f.format {
	case "text", "json", "markdown":
	default:
		return env.Errorf("diff: --format %q: want text, json or markdown", f.format)
	}
	color, err := wantColor(env, f.color)
	if err != nil {
		return env.Errorf("diff: %v", err)
	}
	allow, err := plan.ParseAllowlist(f.allow...)
	if err != nil {
		return env.Errorf("diff: %v", err)
	}
	vars := map[string]string{}
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return env.Errorf("diff: --var %q: want key=value", kv)
		}
		vars[k] = v
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	files, explicit, err := render.Discover(fs.Args())
	if err != nil {
		return env.Errorf("diff: %v", err)
	}
	if len(files) == 0 {
		return env.Errorf("diff: no .sky files in %s", strings.Join(fs.Args(), " "))
	}
	r, err := render.New(ctx, render.Options{
		Root: f.root, Envs: splitList(f.envs), Vars: vars, MaxSteps: f.maxSteps, Timeout: f.timeout,
		Print: func(pos, msg string) { fmt.Fprintf(env.Stderr, "%s: %s\n", pos, msg) },
	}, files[0])
	if err != nil {
		return env.Errorf("diff: %v", err)
	}
	res := r.Render(ctx, files, explicit)
	if cli.PrintDiagnostics(env, r.Runtime(), res.Diagnostics, f.verbose) {
		return cli.ExitError
	}

	// The Kubernetes objects, then the AWS documents (stacks and roles).
	rendered := append(slices.Clip(res.Objects), res.Documents...)
	opts := plan.Options{Parallel: f.parallel, Prune: plan.Prune{Disabled: f.noPrune}}
	if !wholeRepository(r.Runtime().Root(), fs.Args()) {
		opts.Prune.Services = renderedServices(rendered, explicit)
	}
	var p *plan.Plan
	if f.against != "" {
		prev, err := manifest.ReadTree(f.against)
		if err != nil {
			return env.Errorf("diff: --against: %v", err)
		}
		p = plan.Offline(rendered, prev, f.against, opts)
	} else {
		p = diffLive(ctx, f, r.Environments(), rendered, opts)
	}
	if len(p.Targets) == 0 {
		// Nothing was compared: that is no answer, least of all "no changes".
		return env.Errorf("diff: nothing to compare: no environment renders anything for the targets chosen (--kubernetes=%v, --aws=%v)", f.kube, f.aws)
	}
	for _, u := range p.Allow(allow) {
		fmt.Fprintf(env.Stderr, "skyc diff: warning: --allow-destructive %s names no destructive change\n", u)
	}

	switch f.format {
	case "json":
		err = view.JSON(env.Stdout, p)
	case "markdown":
		err = view.Markdown(env.Stdout, p, view.MarkdownOptions{})
	default:
		err = view.Text(env.Stdout, p, view.TextOptions{Color: color})
	}
	if err != nil {
		return env.Errorf("diff: %v", err)
	}
	switch p.Status() {
	case plan.NoChanges:
		return cli.ExitOK
	case plan.Changes:
		return cli.ExitFindings
	case plan.Blocked:
		return exitDestructive
	}
	return cli.ExitError
}

// splitList splits comma-separated flag values.
func splitList(l cli.ListFlag) []string {
	var out []string
	for _, e := range l {
		for _, s := range strings.Split(e, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// wholeRepository reports whether the paths name every service of the
// repository (ROOT/... or a parent of it), so that a service missing from
// the render has been removed.
func wholeRepository(root string, paths []string) bool {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return false
	}
	for _, p := range paths {
		dir, ok := strings.CutSuffix(p, "...")
		if !ok {
			continue
		}
		if dir = strings.TrimSuffix(dir, "/"); dir == "" {
			dir = "."
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(abs, absRoot); err == nil && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}

// renderedServices names the services of a partial render: those with
// objects, and the files named directly (which may render nothing now).
func renderedServices(objs []manifest.Object, explicit map[string]bool) []string {
	set := map[string]bool{}
	for _, o := range objs {
		set[o.Service] = true
	}
	for f := range explicit {
		set[render.ServiceName(filepath.ToSlash(f))] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// wantColor decides --color: auto means when stdout is a terminal and
// NO_COLOR is unset.
func wantColor(env *cli.Env, mode string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		f, ok := env.Stdout.(*os.File)
		return ok && os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(f.Fd())), nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}

// diffLive compares the render with the environments' clusters and AWS
// accounts.
func diffLive(ctx context.Context, f *diffFlags, envs []*config.Environment, objs []manifest.Object, opts plan.Options) *plan.Plan {
	var parts []*plan.Plan
	_, stacks, roles := plan.Split(objs)
	if f.kube {
		var targets []plan.KubeTarget
		for _, e := range envs {
			kubeconfig := e.Kubeconfig
			if f.kubeconfig != "" {
				kubeconfig = f.kubeconfig
			}
			contexts := e.Contexts()
			if f.kubeContext != "" {
				contexts = []string{f.kubeContext}
			}
			if len(contexts) == 0 {
				contexts = []string{""} // the kubeconfig's current context
			}
			for _, kctx := range contexts {
				target := live.KubeTarget{Kubeconfig: kubeconfig, Context: kctx}
				targets = append(targets, plan.KubeTarget{Env: e.Name, Context: kctx, Connect: func(ctx context.Context) (plan.Cluster, string, error) {
					cfg, err := live.LoadKubeconfig(target)
					if err != nil {
						return nil, "", err
					}
					k, err := live.NewKube(ctx, cfg, live.KubeOptions{RequestTimeout: f.requestTimeout})
					if err != nil {
						return nil, cfg.Host, err
					}
					return k, cfg.Host, nil
				}})
			}
		}
		parts = append(parts, plan.Kubernetes(ctx, objs, targets, opts))
	}
	if f.aws && len(stacks)+len(roles) > 0 {
		var targets []plan.AWSTarget
		for _, e := range envs {
			if !hasDocuments(e.Name, stacks, roles) {
				continue
			}
			target := live.AWSTarget{Region: e.Region, Profile: f.awsProfile, Endpoint: f.awsEndpoint, Account: e.AWS.AccountID}
			account := e.AWS.AccountID
			if account == "" {
				account = "default"
			}
			endpoint := f.awsEndpoint
			if endpoint == "" {
				endpoint = "aws"
			}
			targets = append(targets, plan.AWSTarget{Env: e.Name, Account: "aws:" + account + "/" + e.Region, Connect: func(ctx context.Context) (plan.AWSReader, string, error) {
				a, err := live.ConnectAWS(ctx, target, live.AWSOptions{RequestTimeout: f.requestTimeout})
				if err != nil {
					return nil, endpoint, err
				}
				return a, endpoint, nil
			}})
		}
		parts = append(parts, plan.AWS(ctx, stacks, roles, targets, opts))
	}
	return plan.Join(parts...)
}

// hasDocuments reports whether env renders stacks or roles.
func hasDocuments(env string, stacks []plan.Stack, roles []plan.Role) bool {
	for _, s := range stacks {
		if s.Env == env {
			return true
		}
	}
	for _, r := range roles {
		if r.Env == env {
			return true
		}
	}
	return false
}
