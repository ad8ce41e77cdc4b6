package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/proto"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/check/awscheck"
	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

// DocsURL is where the policies are documented; a policy's help address
// is this with its ID as the anchor.
const DocsURL = "https://github.com/skyc-dev/skyc/blob/main/docs/policies.md"

// Rule IDs of findings about waivers.
const (
	// RuleWaiverExpired: a waiver's expiry date has passed.
	RuleWaiverExpired = "waiver-expired"
	// RuleWaiverUnused: a waiver silences nothing.
	RuleWaiverUnused = "waiver-unused"
)

// Options configure an Engine.
type Options struct {
	// Runtime evaluates the policies' checks, under its limits. Its
	// standard library must be the one Policies were loaded from.
	Runtime *lang.Runtime
	// Policies are the policies to run (stdlib.LoadPolicies).
	Policies []*stdlib.Policy
	// Registry and Bridge turn objects into typed Starlark values.
	Registry *schemas.Registry
	Bridge   lang.Bridge
	// Config is the repository's config: each environment's policy
	// settings and the cost-allocation tags. Nil is an empty config.
	Config *config.Config
	// Waivers are the waive() declarations of the services checked.
	Waivers []Waiver
	// Parallel bounds how many groups of objects are checked at once;
	// zero means GOMAXPROCS.
	Parallel int
}

// Waiver is one waive() declaration of a service, as the engine needs it.
type Waiver struct {
	// Rule is the ID of the policy waived.
	Rule                   string
	Reason, Owner, Expires string
	// Expired says the expiry date has passed: the waiver silences
	// nothing.
	Expired bool
	// Source is the file of the service that declared it and Env the
	// environment it was rendered for, as the Source (without a line) and
	// Env of the service's objects.
	Source, Env string
	// Object, when not nil, limits the waiver to one object.
	Object *check.ObjectRef
	// Pos is where waive() was called, "svc/api.sky:12:5".
	Pos string
}

// Engine runs the platform policies. It is a check.Checker.
type Engine struct {
	opts     Options
	policies []*stdlib.Policy
	cfg      *config.Config
	byID     map[string]*stdlib.Policy

	libOnce     sync.Once
	workloadsFn starlark.Callable // _lib.sky's workloads, see lib
}

// New returns an engine. It is an error for skyc.yaml to set the
// severity of a policy that does not exist.
func New(opts Options) (*Engine, error) {
	e := &Engine{opts: opts, policies: opts.Policies, cfg: opts.Config, byID: map[string]*stdlib.Policy{}}
	if e.cfg == nil {
		e.cfg = &config.Config{}
	}
	ids := make([]string, 0, len(e.policies))
	for _, p := range e.policies {
		e.byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	check := func(where string, p config.Policies) error {
		keys := make([]string, 0, len(p.Severity))
		for id := range p.Severity {
			keys = append(keys, id)
		}
		sort.Strings(keys)
		for _, id := range keys {
			if _, ok := e.byID[id]; !ok {
				hint := ""
				if n := spell.Nearest(id, ids); n != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", n)
				}
				return fmt.Errorf("%s: %s.policies.severity: unknown policy %q%s; the policies are %s", e.file(), where, id, hint, strings.Join(ids, ", "))
			}
		}
		return nil
	}
	if err := check("defaults", e.cfg.Defaults.Policies); err != nil {
		return nil, err
	}
	for _, name := range e.cfg.Names() {
		if err := check("environments."+name, e.cfg.Environments[name].Policies); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *Engine) file() string {
	if e.cfg.Path == "" {
		return config.FileName
	}
	return e.cfg.Path
}

// Name returns "policies".
func (e *Engine) Name() string { return "policies" }

// Rules describes the policies, the IAM least-privilege rules the render
// checks, and the findings about waivers, for output formats that list
// rules.
func (e *Engine) Rules() []check.Rule {
	out := make([]check.Rule, 0, len(e.policies)+2)
	for _, p := range e.policies {
		out = append(out, check.Rule{ID: p.ID, Severity: p.Severity, Summary: p.Summary, Doc: DocsURL + "#" + p.ID})
	}
	for _, r := range awscheck.Rules() {
		if r.Waivable {
			out = append(out, check.Rule{ID: r.ID, Severity: check.Error, Summary: r.Summary, Doc: DocsURL + "#" + r.ID})
		}
	}
	out = append(out,
		check.Rule{ID: RuleWaiverExpired, Severity: check.Error, Summary: "a waiver's expiry date has passed", Doc: DocsURL + "#" + RuleWaiverExpired},
		check.Rule{ID: RuleWaiverUnused, Severity: check.Warning, Summary: "a waiver silences no finding", Doc: DocsURL + "#" + RuleWaiverUnused},
	)
	return out
}

// group is the objects of one service in one environment, or of one
// manifest file.
type group struct {
	file, env string
	objs      []manifest.Object
}

// Check runs every policy that applies in each object's environment and
// applies the waivers.
func (e *Engine) Check(ctx context.Context, objs []manifest.Object) ([]check.Finding, error) {
	var groups []*group
	byKey := map[[2]string]*group{}
	for _, o := range objs {
		if o.Obj == nil {
			continue
		}
		file, _, _ := check.SplitSource(o.Source)
		k := [2]string{file, o.Env}
		g, ok := byKey[k]
		if !ok {
			g = &group{file: file, env: o.Env}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.objs = append(g.objs, o)
	}
	results := make([][]check.Finding, len(groups))
	errs := make([]error, len(groups))
	par := e.opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(par, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = e.checkGroup(ctx, groups[i])
			}
		}()
	}
	for i := range groups {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var all []check.Finding
	for _, fs := range results {
		all = append(all, fs...)
	}
	return e.waive(all), nil
}

// CheckGroup runs every policy that applies in the objects' environment
// over the objects of one service in one environment, or of one manifest
// file (see check.GroupChecker). Waivers are applied by Finish.
func (e *Engine) CheckGroup(ctx context.Context, objs []manifest.Object) ([]check.Finding, error) {
	g := &group{}
	for _, o := range objs {
		if o.Obj == nil {
			continue
		}
		if g.objs == nil {
			g.file, _, _ = check.SplitSource(o.Source)
			g.env = o.Env
		}
		g.objs = append(g.objs, o)
	}
	if len(g.objs) == 0 {
		return nil, nil
	}
	return e.checkGroup(ctx, g)
}

// Finish applies the waivers to the findings of every group: it says
// which findings no waiver accepts, and adds a warning for each waiver
// that accepts none, in any environment (see check.GroupChecker).
func (e *Engine) Finish(fs []check.Finding) (keep []bool, extra []check.Finding) {
	return e.applyWaivers(fs)
}

// SetWaivers replaces Options.Waivers, for a caller that learns them
// while the groups are checked. It must be called before Finish.
func (e *Engine) SetWaivers(ws []Waiver) { e.opts.Waivers = ws }

// settings returns the policy settings of an environment.
func (e *Engine) settings(env string) config.Policies {
	if env != "" {
		if s, err := e.cfg.Env(env); err == nil {
			return s.Policies
		}
	}
	return e.cfg.DefaultEnv().Policies
}

// severity returns the severity of p in the environment, or false when the
// policy is off there.
func severity(p *stdlib.Policy, s config.Policies) (check.Severity, bool) {
	switch s.Severity[p.ID] {
	case "off":
		return 0, false
	case "error":
		return check.Error, true
	case "warning":
		return check.Warning, true
	case "info":
		return check.Info, true
	}
	return p.Severity, true
}

// costLabels returns the labels of the cost-allocation tags skyc.yaml
// requires; none without cost_allocation. The environment label is only
// asked of objects rendered for an environment.
func (e *Engine) costLabels(env string) []string {
	if e.cfg.CostAllocation == nil {
		return nil
	}
	configured := e.cfg.CostAllocation.Tags()
	var out []string
	for _, t := range stdlib.DefaultCostTags() {
		if c, ok := configured[t.Dimension]; ok && c.Required != nil {
			t.Required = *c.Required
		}
		if !t.Required || (t.Dimension == "environment" && env == "") {
			continue
		}
		out = append(out, t.Label)
	}
	return out
}

// checkGroup runs the policies over one group: all its calls in one
// lang.Runtime.Batch, unless the policies' library's workloads() fails
// (then each call as a Call of its own, as checkEach does).
func (e *Engine) checkGroup(ctx context.Context, g *group) ([]check.Finding, error) {
	in, err := e.prepare(g)
	if in == nil || err != nil {
		return nil, err
	}
	e.lib() // loaded before the batch, not on its goroutine
	var out []check.Finding
	var running atomic.Pointer[stdlib.Policy] // the policy whose call is running
	err = e.opts.Runtime.Batch(ctx, policyLib, func(call lang.Caller) error {
		var err error
		out, err = e.run(in, call, &running, true)
		return err
	})
	var pe *policyError
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &pe):
		return nil, err
	case err == errWorkloads || running.Load() == nil:
		// workloads() failed, or a limit stopped it where it was stuck:
		// ctx.workloads is None, and every policy computes the
		// workloads itself, in a call of its own.
		return e.checkEach(ctx, in)
	default:
		// A limit left the batch behind, stuck in a built-in.
		p := running.Load()
		return nil, &policyError{p: p, where: in.where, err: err}
	}
}

// checkEach runs the policies over one group with a Runtime.Call each.
func (e *Engine) checkEach(ctx context.Context, in *groupInput) ([]check.Finding, error) {
	return e.run(in, func(label string, fn starlark.Value, args starlark.Tuple) (starlark.Value, error) {
		return e.opts.Runtime.Call(ctx, label, fn, args, nil)
	}, nil, false)
}

// groupInput is what the policies are given about a group.
type groupInput struct {
	g        *group
	settings config.Policies
	index    map[proto.Message]int // of each message in ctx.objects, its object
	objects  *starlark.List        // ctx.objects
	kinds    *starlark.List        // ctx.kinds
	where    string                // the group's file and environment, for errors
}

// prepare converts a group's objects for the policies; nil if none of
// them has a message type.
func (e *Engine) prepare(g *group) (*groupInput, error) {
	in := &groupInput{g: g, settings: e.settings(g.env), index: map[proto.Message]int{}, where: g.file}
	values := make([]starlark.Value, 0, len(g.objs))
	var kinds []starlark.Value
	for i, o := range g.objs {
		m, err := e.toMessage(o.Obj)
		if err != nil {
			continue // a custom resource, or a kind without a message type
		}
		v, err := e.opts.Bridge.Wrap(m)
		if err != nil {
			return nil, err
		}
		v.Freeze()
		values = append(values, v)
		// _lib.sky's kind(): the last part of type(v), the message's
		// full name.
		kinds = append(kinds, starlark.String(m.ProtoReflect().Descriptor().Name()))
		in.index[m] = i
	}
	if len(values) == 0 {
		return nil, nil
	}
	in.objects = starlark.NewList(values)
	in.objects.Freeze()
	in.kinds = starlark.NewList(kinds)
	in.kinds.Freeze()
	if g.env != "" {
		in.where += " (" + g.env + ")"
	}
	return in, nil
}

// errWorkloads is run's error when workloads() failed and it was told
// not to go on without.
var errWorkloads = errors.New("workloads() failed")

// policyError is a policy that failed on a group.
type policyError struct {
	p     *stdlib.Policy
	where string
	err   error // from the call: the policy's message is its diagnostic
	msg   error // or from its result
}

func (e *policyError) Error() string {
	if e.msg != nil {
		return fmt.Sprintf("policy %s on %s: %v", e.p.ID, e.where, e.msg)
	}
	d := lang.ToDiagnostic(e.err, e.p.File)
	return fmt.Sprintf("policy %s on %s: %s", e.p.ID, e.where, d.Error())
}

func (e *policyError) Unwrap() error {
	if e.msg != nil {
		return e.msg
	}
	return nil
}

// run calls the policies that are on in the group's environment, with
// call, and converts their findings. It records in running (if not nil)
// the policy it is calling. When workloads() fails it returns
// errWorkloads if strict, else gives the policies None as ctx.workloads.
func (e *Engine) run(in *groupInput, call lang.Caller, running *atomic.Pointer[stdlib.Policy], strict bool) ([]check.Finding, error) {
	var required starlark.Value = starlark.None
	if in.settings.RequiredLabels != nil {
		required = stringList(in.settings.RequiredLabels)
	}
	cfg := starlarkstruct.FromStringDict(starlark.String("config"), starlark.StringDict{
		"required_labels": required,
		"cost_labels":     stringList(e.costLabels(in.g.env)),
	})
	workloads, err := e.workloads(in, call)
	if err != nil {
		if strict {
			return nil, errWorkloads
		}
		workloads = starlark.None
	}
	pctx := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{
		"objects":   in.objects,
		"kinds":     in.kinds,
		"workloads": workloads,
		"env":       starlark.String(in.g.env),
		"config":    cfg,
	})
	pctx.Freeze()
	var out []check.Finding
	args := starlark.Tuple{pctx}
	for _, p := range e.policies {
		sev, on := severity(p, in.settings)
		if !on {
			continue
		}
		if running != nil {
			running.Store(p)
		}
		v, err := call(p.File, p.Check, args)
		if err != nil {
			return nil, &policyError{p: p, where: in.where, err: err}
		}
		fs, err := e.findings(p, sev, v, in.g, in.index)
		if err != nil {
			return nil, &policyError{p: p, where: in.where, msg: err}
		}
		out = append(out, fs...)
	}
	return out, nil
}

// workloads returns ctx.workloads for the objects, computed once for all
// the policies by _lib.sky's workloads(): None when no policy is on or
// the library has no workloads(), an error when it fails (each policy
// that needs them then computes them itself, and fails as it would
// have).
func (e *Engine) workloads(in *groupInput, call lang.Caller) (starlark.Value, error) {
	on := false
	for _, p := range e.policies {
		if _, ok := severity(p, in.settings); ok {
			on = true
			break
		}
	}
	fn := e.lib()
	if !on || fn == nil {
		return starlark.None, nil
	}
	return call(policyLib, fn, starlark.Tuple{in.objects, in.kinds})
}

// policyLib is the label of the policies' library.
const policyLib = lang.StdlibPrefix + stdlib.PoliciesDir + "/_lib.sky"

// lib returns the policies' library's workloads function, loading the
// library once; nil if it has none.
func (e *Engine) lib() starlark.Callable {
	e.libOnce.Do(func() {
		if e.opts.Runtime == nil {
			return
		}
		globals, err := e.opts.Runtime.Load(context.Background(), policyLib)
		if err != nil {
			return
		}
		if fn, ok := globals["workloads"].(starlark.Callable); ok {
			e.workloadsFn = fn
		}
	})
	return e.workloadsFn
}

// toMessage converts an object into the typed message the policies see:
// Registry.FromObject finds the kind by the object's group, version and
// kind and fills the message straight from the Go struct.
func (e *Engine) toMessage(obj kruntime.Object) (proto.Message, error) {
	return e.opts.Registry.FromObject(obj)
}

func stringList(ss []string) *starlark.List {
	vs := make([]starlark.Value, len(ss))
	for i, s := range ss {
		vs[i] = starlark.String(s)
	}
	l := starlark.NewList(vs)
	l.Freeze()
	return l
}

// findings converts what a policy's check returned.
func (e *Engine) findings(p *stdlib.Policy, sev check.Severity, v starlark.Value, g *group, index map[proto.Message]int) ([]check.Finding, error) {
	list, ok := v.(*starlark.List)
	if !ok {
		return nil, fmt.Errorf("check returned %s, want a list of finding(...)", v.Type())
	}
	var out []check.Finding
	for i := 0; i < list.Len(); i++ {
		s, ok := list.Index(i).(*starlarkstruct.Struct)
		if !ok {
			return nil, fmt.Errorf("check returned %s at [%d], want finding(...)", list.Index(i).Type(), i)
		}
		attr := func(name string) starlark.Value {
			x, err := s.Attr(name)
			if err != nil {
				return starlark.None
			}
			return x
		}
		m, ok := e.opts.Bridge.Unwrap(attr("object"))
		if !ok {
			return nil, fmt.Errorf("finding [%d]: object: got %s, want one of ctx.objects", i, attr("object").Type())
		}
		j, ok := index[m]
		if !ok {
			return nil, fmt.Errorf("finding [%d]: object: a %s that is not one of ctx.objects", i, attr("object").Type())
		}
		text := func(name string) (string, error) {
			switch x := attr(name).(type) {
			case starlark.String:
				return string(x), nil
			case starlark.NoneType:
				return "", nil
			default:
				return "", fmt.Errorf("finding [%d]: %s: got %s, want a string", i, name, x.Type())
			}
		}
		field, err := text("field")
		if err != nil {
			return nil, err
		}
		msg, err := text("message")
		if err != nil {
			return nil, err
		}
		hint, err := text("hint")
		if err != nil {
			return nil, err
		}
		o := g.objs[j]
		out = append(out, check.Attach(o, []check.Finding{{
			Severity: sev, Rule: p.ID, Object: check.Ref(o.Obj), Field: field, Message: msg, Hint: hint,
		}})...)
	}
	return out, nil
}

// waive drops the findings a waiver accepts and adds a warning for each
// waiver that accepts none, in any environment.
func (e *Engine) waive(fs []check.Finding) []check.Finding {
	keep, extra := e.applyWaivers(fs)
	out := fs[:0]
	for i, f := range fs {
		if keep[i] {
			out = append(out, f)
		}
	}
	return slices.Clip(append(out, extra...))
}

// applyWaivers says which findings no waiver accepts and returns a
// warning for each waiver that accepts none, in any environment.
func (e *Engine) applyWaivers(fs []check.Finding) (keep []bool, unused []check.Finding) {
	used := make([]bool, len(e.opts.Waivers))
	keep = make([]bool, len(fs))
	for fi, f := range fs {
		file, _, _ := check.SplitSource(f.Source)
		waived := false
		for i, w := range e.opts.Waivers {
			if w.Expired || w.Rule != f.Rule || w.Source != file || w.Env != f.Env {
				continue
			}
			if w.Object != nil && *w.Object != f.Object {
				continue
			}
			used[i], waived = true, true
		}
		keep[fi] = !waived
	}
	// A waiver is declared once per environment it is rendered for: it is
	// unused when it is unused in all of them.
	type decl struct {
		pos, rule string
		object    check.ObjectRef
	}
	usedDecl := map[decl]bool{}
	var decls []decl
	first := map[decl]Waiver{}
	for i, w := range e.opts.Waivers {
		if w.Expired || e.byID[w.Rule] == nil {
			continue
		}
		d := decl{pos: w.Pos, rule: w.Rule}
		if w.Object != nil {
			d.object = *w.Object
		}
		if _, seen := first[d]; !seen {
			first[d] = w
			decls = append(decls, d)
		}
		usedDecl[d] = usedDecl[d] || used[i]
	}
	for _, d := range decls {
		if usedDecl[d] {
			continue
		}
		w := first[d]
		msg := fmt.Sprintf("the waiver of %s matches no finding", w.Rule)
		if w.Object != nil {
			msg += " about " + w.Object.String()
		}
		unused = append(unused, check.Finding{Severity: check.Warning, Rule: RuleWaiverUnused, Message: msg,
			Hint: "remove it: the policy is satisfied (or off in skyc.yaml)", Source: w.Pos})
	}
	return keep, unused
}
