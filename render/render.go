package render

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/meta"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check/awscheck"
	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/lang/starproto"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/schemas/crd"
	"github.com/skyc-dev/skyc/stdlib"
)

// Options configures a Renderer. The zero value renders every environment
// of the repository that holds the current directory.
type Options struct {
	// Root is the repository root. Empty means: the nearest directory
	// holding skyc.yaml above the first path rendered, else the current
	// directory.
	Root string
	// Envs are the environments to render; none means all of them. A
	// repository without environments renders once, with ctx.env == "".
	Envs []string
	// Vars override environment variables (ctx.vars), from --var flags.
	Vars map[string]string
	// Parallel bounds concurrent evaluations; zero means GOMAXPROCS.
	Parallel int
	// MaxSteps and Timeout bound each evaluation (see lang.Options).
	MaxSteps uint64
	Timeout  time.Duration
	// MaxMemory bounds the heap while evaluating (see lang.Options).
	MaxMemory uint64
	// MaxObjects bounds the objects one call of a service's main may
	// return. Zero means DefaultMaxObjects.
	MaxObjects int
	// Print receives print() output.
	Print func(pos, msg string)
	// Now is the time waivers are checked against; zero means the time
	// New is called. Nothing else depends on the time.
	Now time.Time
	// FieldOrigins records which line set each field of each object, for
	// Result.Locate (skyc check); it costs a little time per assignment.
	FieldOrigins bool
	// Visit, if set, is called for each service file and environment
	// that rendered objects, on the goroutine that evaluated it (so
	// concurrently), with the objects and a Locate for them (see
	// Visitor). Render then keeps only each object's identity, as
	// objects from the cache have, and forgets where their fields were
	// set: skyc check checks each service as soon as it is rendered
	// instead of holding every object until the end.
	Visit Visitor
	// BeforeEvaluate, if set, is called once per Render before it
	// evaluates more than quietEvaluations jobs (the first few may be
	// evaluated while the cache is looked up), and not at all when the
	// cache holds every result but those few: skyc render runs
	// the cache lookup without the garbage collector and turns it on
	// here. Turned on for a file or two, the collector's first cycle
	// would mark everything the lookup decoded, which cost a warm render
	// of 3000 services after one edit more than the evaluation itself.
	BeforeEvaluate func()
	// Encode makes Render encode each object's YAML document as soon as
	// the object is rendered, on the goroutine that evaluated it, and
	// keep only the document and the object's identity (see
	// manifest.Object.Encoded), as objects from the cache have: for
	// callers that only write the objects out. It spreads the encoding
	// over all CPUs and lets the typed objects go early. Cache implies it.
	Encode bool
	// NoOrigins leaves Result.Origins nil, for callers that do not look
	// up where objects were made (skyc render writes the objects out):
	// it spares a map entry per object, which for a render served from
	// the cache was a tenth of its time after the lookup.
	NoOrigins bool
	// Cache, if not nil, turns on incremental rendering (see
	// CacheOptions). New then defers building the type registry and
	// loading the standard library until a file must be evaluated. It is
	// ignored with FieldOrigins, which cached results cannot give.
	Cache *CacheOptions
	// VisitCache, with Cache, keeps what a Visitor found about each job
	// with it, and then replaces Visit (see VisitCache). Unlike the
	// render cache, it works with FieldOrigins.
	VisitCache *VisitCache
}

// quietEvaluations is the most jobs Render evaluates without calling
// Options.BeforeEvaluate: evaluating a service allocates well under a
// megabyte.
const quietEvaluations = 16

// DefaultMaxObjects is the default of Options.MaxObjects: far more than
// any one service renders (a handful to a few dozen objects), far fewer
// than a runaway loop would make.
const DefaultMaxObjects = 10_000

func (o *Options) maxObjects() int {
	if o.MaxObjects <= 0 {
		return DefaultMaxObjects
	}
	return o.MaxObjects
}

// Renderer renders service files of one repository.
type Renderer struct {
	opts  Options
	root  string // absolute
	cfg   *config.Config
	envs  []*config.Environment
	today time.Time
	cache *cacheState // nil without Options.Cache

	// The evaluator, built by New, or on first use with a cache.
	initOnce sync.Once
	initErr  error
	reg      *schemas.Registry
	br       lang.Bridge
	rt       *lang.Runtime
	// policies are the platform policies, whose IDs waive() accepts.
	policies []*stdlib.Policy
	rules    []string

	evaluated atomic.Int64 // jobs evaluated rather than served from the cache, for tests
	cwd       workDir      // the working directory, for label
	// messageObjects and messageFallbacks count the objects of built-in
	// kinds written from their messages and those EncodeMessage gave up
	// on, for tests.
	messageObjects, messageFallbacks atomic.Int64

	// ctxs are the frozen ctx values of the environments, made once.
	ctxOnce sync.Once
	ctxs    map[*config.Environment]starlark.Value
	// costTagList is skyc.yaml's cost-allocation tags (see costTags).
	costTagsOnce sync.Once
	costTagList  []stdlib.CostTag
}

// New prepares a renderer: it reads the repository config, builds the type
// registry and loads the standard library. hint is a path inside the
// repository, used to find its root when opts.Root is empty.
func New(ctx context.Context, opts Options, hint string) (*Renderer, error) {
	root := config.Root(opts.Root, hint)
	cfg, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("repository root %s: %w", root, err)
	}
	today := opts.Now
	if today.IsZero() {
		today = time.Now()
	}
	r := &Renderer{opts: opts, root: abs, cfg: cfg, today: today}
	if opts.Cache != nil && (!opts.FieldOrigins || opts.VisitCache != nil) {
		r.cache = openCache(opts.Cache, abs, cfg)
	}
	if r.cache == nil {
		if err := r.init(ctx); err != nil {
			return nil, err
		}
	}
	names := opts.Envs
	if len(names) == 0 {
		names = cfg.Names()
	}
	for _, n := range names {
		env, err := cfg.Env(n)
		if err != nil {
			return nil, err
		}
		r.envs = append(r.envs, env)
	}
	if len(r.envs) == 0 {
		r.envs = []*config.Environment{{Settings: cfg.Defaults}}
	}
	for _, env := range r.envs {
		if env.Vars == nil {
			env.Vars = map[string]string{}
		}
		for k, v := range opts.Vars {
			env.Vars[k] = v
		}
	}
	return r, nil
}

// TypeRegistry returns the types a repository's .sky files construct:
// the default registry's, and the kinds of the CRDs its skyc.yaml lists.
func TypeRegistry(cfg *config.Config) (*schemas.Registry, error) {
	reg, err := schemas.Default()
	if err != nil {
		return nil, fmt.Errorf("building the type registry: %w", err)
	}
	if len(cfg.CRDs) == 0 {
		return reg, nil
	}
	kinds, err := crd.Read(filepath.Dir(cfg.Path), cfg.CRDs)
	if err == nil {
		reg, err = reg.WithCRDs(kinds)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: crds: %w", config.FileName, err)
	}
	return reg, nil
}

// init builds the evaluator: the type registry, the standard library and
// the runtime. It runs once; later calls return its error.
func (r *Renderer) init(ctx context.Context) error {
	r.initOnce.Do(func() {
		reg, err := TypeRegistry(r.cfg)
		if err != nil {
			r.initErr = err
			return
		}
		br, err := stdlib.NewBridge(reg)
		if err != nil {
			r.initErr = err
			return
		}
		lib, err := stdlib.Load(ctx, reg, br)
		if err != nil {
			r.initErr = err
			return
		}
		print := r.opts.Print
		if r.cache != nil && print != nil {
			// Results of a render that prints are not cached: a cached
			// result could not print again.
			cs := r.cache
			print = func(pos, msg string) {
				cs.mu.Lock()
				cs.disabled = true
				cs.mu.Unlock()
				r.opts.Print(pos, msg)
			}
		}
		var source func(string) ([]byte, *syntax.File, bool)
		if r.cache != nil {
			// The files the cache's lookup read and parsed, as it
			// hashed them.
			source = r.cache.source
		}
		rt, err := lang.New(lang.Options{
			Root:              r.root,
			Predeclared:       lib.Exports,
			Stdlib:            stdlib.Sources(),
			StdlibPredeclared: lib.Builtins,
			StdlibProgram:     stdlib.Program,
			MaxSteps:          r.opts.MaxSteps,
			Timeout:           r.opts.Timeout,
			MaxMemory:         r.opts.MaxMemory,
			Print:             print,
			Source:            source,
		})
		if err != nil {
			r.initErr = err
			return
		}
		policies, err := stdlib.LoadPolicies(ctx, rt)
		if err != nil {
			r.initErr = err
			return
		}
		rules := awscheck.WaivableRules()
		for _, p := range policies {
			rules = append(rules, p.ID)
		}
		r.reg, r.br, r.rt, r.policies, r.rules = reg, br, rt, policies, rules
	})
	return r.initErr
}

// Runtime returns the Starlark runtime, e.g. for source snippets. With a
// cache it may have evaluated nothing yet; if it cannot be built, Runtime
// returns one without the standard library, which can still show sources.
func (r *Renderer) Runtime() *lang.Runtime {
	if r.init(context.Background()) != nil && r.rt == nil {
		if rt, err := lang.New(lang.Options{Root: r.root}); err == nil {
			return rt
		}
		rt, _ := lang.New(lang.Options{})
		return rt
	}
	return r.rt
}

// Root returns the absolute path of the repository root.
func (r *Renderer) Root() string { return r.root }

// Registry returns the type registry, or nil if it cannot be built.
func (r *Renderer) Registry() *schemas.Registry {
	r.init(context.Background())
	return r.reg
}

// Environments returns the environments a render covers.
func (r *Renderer) Environments() []*config.Environment { return r.envs }

// Bridge returns the Starlark bridge to the registry's types, or nil if
// it cannot be built.
func (r *Renderer) Bridge() lang.Bridge {
	r.init(context.Background())
	return r.br
}

// Config returns the repository config.
func (r *Renderer) Config() *config.Config { return r.cfg }

// Policies returns the platform policies of the standard library.
func (r *Renderer) Policies() []*stdlib.Policy {
	r.init(context.Background())
	return r.policies
}

// Result is the outcome of a render: the objects, in canonical order, and
// the diagnostics. Objects are only complete when Diagnostics holds no
// error.
type Result struct {
	// Objects are the Kubernetes objects.
	Objects []manifest.Object
	// Documents are the AWS side, one service and environment at a time:
	// its CloudFormation template and its IAM roles, as Objects whose Doc
	// is set, in canonical order. Output writes them after Objects.
	Documents []manifest.Object
	// Origins maps each object of Objects to where the user's .sky code
	// constructed it: for the objects service() makes, the call of
	// service(). Objects made otherwise (e.g. by decoding) have none.
	Origins     map[kruntime.Object]lang.Pos
	Diagnostics []*lang.Diagnostic
	// Waivers are the services' waivers of platform policies, for skyc
	// check to apply; waivers of the IAM rules are applied in the render.
	Waivers []Waiver

	fields map[kruntime.Object]*objectFields // with Options.FieldOrigins
}

// Output returns Objects and Documents together, in canonical order:
// what skyc render writes.
func (res *Result) Output() []manifest.Object {
	if len(res.Documents) == 0 {
		return res.Objects // sorted by Render
	}
	all := append(slices.Clone(res.Objects), res.Documents...)
	manifest.Sort(all)
	return all
}

// Failed reports whether any diagnostic is an error.
func (res *Result) Failed() bool {
	for _, d := range res.Diagnostics {
		if d.Severity == lang.Error {
			return true
		}
	}
	return false
}

type job struct {
	env      *config.Environment
	file     string
	label    string
	explicit bool
}

type jobResult struct {
	objects []manifest.Object
	origins map[kruntime.Object]lang.Pos
	fields  map[kruntime.Object]*objectFields
	waivers []Waiver
	docs    []manifest.Object
	diags   []*lang.Diagnostic
	// limit is the limit that stopped the evaluation, if one did:
	// "memory", "cancelled", ...
	limit string

	// Set by encodeJob and decodeJob (see assemble): sorted says objects
	// are in canonical order, ids holds a hash of each object's identity
	// (idHash), pos each object's origin, for a result from the cache
	// instead of origins.
	sorted bool
	ids    []uint64
	pos    []lang.Pos
}

// errMemory cancels the rest of a render once one evaluation has run out
// of memory: the limit is the process's, so every evaluation after it
// would fail too, blaming files that did nothing wrong.
var errMemory = errors.New("another file ran out of memory")

// Render evaluates files (from Discover) for every environment.
func (r *Renderer) Render(ctx context.Context, files []string, explicit map[string]bool) *Result {
	res := &Result{}
	var jobs []job
	services := map[string]string{} // service name → label
	for _, f := range files {
		label, err := r.label(f)
		if err != nil {
			res.Diagnostics = append(res.Diagnostics, &lang.Diagnostic{Severity: lang.Error, Pos: lang.Pos{File: f}, Message: err.Error()})
			continue
		}
		for _, env := range r.envs {
			jobs = append(jobs, job{env: env, file: f, label: label, explicit: explicit[filepath.Clean(f)]})
		}
		name := ServiceName(label)
		if prev, dup := services[name]; dup {
			res.Diagnostics = append(res.Diagnostics, &lang.Diagnostic{
				Severity: lang.Error, Pos: lang.Pos{File: label},
				Message: fmt.Sprintf("service name %q is taken by %s too", name, prev),
				Hint:    "a service is named after its file; rename one of the files",
			})
		}
		services[name] = label
	}
	if res.Failed() {
		return res
	}
	results := make([]jobResult, len(jobs))
	var (
		keys     []cachedJob
		hit      []bool
		payloads [][]byte
	)
	before := r.opts.BeforeEvaluate
	if before != nil {
		before = sync.OnceFunc(before) // the lookup may call it
	}
	if r.cache != nil {
		payloads = make([][]byte, len(jobs))
		keys, hit = r.lookup(ctx, jobs, results, payloads, before)
	}
	var todo []int
	for i := range jobs {
		if hit == nil || !hit[i] {
			todo = append(todo, i)
		}
	}
	if len(todo) > 0 {
		if before != nil && len(todo) > quietEvaluations {
			before()
		}
		if err := r.init(ctx); err != nil {
			res.Diagnostics = append(res.Diagnostics, &lang.Diagnostic{Severity: lang.Error, Message: err.Error()})
			return res
		}
	}
	par := r.opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Jobs left per file: after its last, a service's module is released.
	left := map[string]*atomic.Int32{}
	for _, i := range todo {
		n, ok := left[jobs[i].label]
		if !ok {
			n = new(atomic.Int32)
			left[jobs[i].label] = n
		}
		n.Add(1)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.renderOne(ctx, jobs[i])
				r.evaluated.Add(1)
				if results[i].limit == "memory" {
					cancel(errMemory)
				}
				switch {
				case r.opts.VisitCache != nil:
					k := &cachedJob{}
					if keys != nil {
						k = &keys[i]
					}
					if p := r.visitStore(jobs[i], k, &results[i]); payloads != nil {
						payloads[i] = p
					}
				case r.opts.Visit != nil:
					visitJob(r.opts.Visit, &results[i])
				case r.cache != nil:
					payloads[i], _ = r.store(jobs[i], &keys[i], &results[i])
				case r.opts.Encode:
					encodeObjects(&results[i], false)
				}
				// A file that rendered objects is a service, which no
				// other file is expected to load.
				if left[jobs[i].label].Add(-1) == 0 && len(results[i].objects) > 0 {
					r.rt.Release(jobs[i].label)
				}
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	outOfMemory := context.Cause(ctx) == errMemory
	// The cache is written while the results are assembled, on another
	// CPU: both only read them.
	var saving sync.WaitGroup
	if r.cache != nil {
		saving.Go(func() { r.cache.save(jobs, keys, payloads) })
	}
	assemble(res, jobs, results, outOfMemory, !r.opts.NoOrigins)
	saving.Wait()
	return res
}

// ServiceName names the service a file defines: its base name without
// ".sky", or its directory's name for a file called main.sky.
func ServiceName(label string) string {
	base := strings.TrimSuffix(path.Base(label), ".sky")
	if base == "main" && path.Dir(label) != "." {
		return path.Base(path.Dir(label))
	}
	return base
}

func (r *Renderer) renderOne(ctx context.Context, j job) jobResult {
	fail := func(err error) jobResult {
		res := jobResult{diags: []*lang.Diagnostic{r.rt.Diagnose(err, j.label)}}
		var le *lang.LimitError
		if errors.As(err, &le) {
			res.limit = le.Limit
		}
		return res
	}
	globals, err := r.rt.Load(ctx, j.label)
	if err != nil {
		return fail(err)
	}
	mainFn, ok := globals["main"]
	if !ok {
		if j.explicit {
			return jobResult{diags: []*lang.Diagnostic{{
				Severity: lang.Error, Pos: lang.Pos{File: j.label},
				Message: "no main function: a service file defines main(ctx) and returns its objects",
				Hint:    "def main(ctx):\n      return service(name = ..., team = ..., image = ...)",
			}}}
		}
		return jobResult{} // a library
	}
	if fn, ok := mainFn.(*starlark.Function); !ok || fn.NumParams() != 1 {
		d := &lang.Diagnostic{
			Severity: lang.Error, Pos: lang.Pos{File: j.label},
			Message: "main must be a function of one parameter, ctx",
			Hint:    "def main(ctx):",
		}
		if ok {
			p := fn.Position()
			d.Pos = lang.Pos{File: j.label, Line: int(p.Line), Col: int(p.Col)}
			d.Message = fmt.Sprintf("main takes %d parameters; it must take one, ctx", fn.NumParams())
		}
		return jobResult{diags: []*lang.Diagnostic{d}}
	}
	ctxVal := r.ctxValue(j.env)
	name := ServiceName(j.label)
	sess := stdlib.NewSession(r.platform(j.env, name), r.today, r.rules)
	orig := origins{}
	locals := map[string]any{starproto.NewHook: orig.recordKinds(r.reg), stdlib.EnvKey: ctxVal, stdlib.SessionKey: sess}
	var prov *provenance
	if r.opts.FieldOrigins {
		// Where every message was made, not only the objects.
		locals[starproto.NewHook] = orig.record
		prov = &provenance{made: orig, wrote: newWrites()}
		locals[starproto.SetHook] = prov.wrote.record
	}
	v, err := r.rt.Call(ctx, j.label, mainFn, starlark.Tuple{ctxVal}, locals)
	if err != nil {
		res := fail(err)
		varsHint(res.diags[0], j.env, r.rt.Source(j.label))
		return res
	}
	var out jobResult
	var labelErr error
	st := newStack()
	// made maps the messages of main's objects to them, for the waivers
	// limited to one object, if any.
	var made map[proto.Message]kruntime.Object
	for _, w := range sess.Waivers {
		if w.Object != nil {
			made = map[proto.Message]kruntime.Object{}
			break
		}
	}
	// own lets flatten write the objects' documents from their messages
	// (see messageObject) when nothing needs their Go structs: the objects
	// are only encoded (no Visit, no FieldOrigins), no waiver names one of
	// them and the ownership labels are valid (else SetOwnership reports
	// them). fromMessages are those objects, for the AWS side, which needs
	// the Go structs after all.
	var (
		own          *manifest.Ownership
		fromMessages []messageIndex
	)
	if r.messagePath() && made == nil && prov == nil && validOwnership(name, j.env.Name) {
		own = &manifest.Ownership{Service: name, Env: j.env.Name}
	}
	err = r.flatten(v, st, &bounds{maxObjects: r.opts.maxObjects(), own: own}, func(m proto.Message, obj manifest.Object) {
		if obj.Encoded != nil {
			fromMessages = append(fromMessages, messageIndex{len(out.objects), m})
		}
		out.origins = orig.note(out.origins, m, obj.Obj)
		if made != nil {
			made[m] = obj.Obj
		}
		if prov != nil {
			if out.fields == nil {
				out.fields = map[kruntime.Object]*objectFields{}
			}
			out.fields[obj.Obj] = &objectFields{root: m, prov: prov}
		}
		obj.Env, obj.Service, obj.Source = j.env.Name, name, j.label
		if obj.Encoded == nil { // else labelled already
			if err := manifest.SetOwnership(obj); err != nil && labelErr == nil {
				labelErr = fmt.Errorf("service name %w", err)
			}
		}
		if out.objects == nil {
			out.objects = make([]manifest.Object, 0, 8) // a service() makes 4 to 7
		}
		out.objects = append(out.objects, obj)
	})
	if err == nil {
		err = labelErr
	}
	if err == nil && !st.empty() && len(fromMessages) > 0 {
		err = r.materialize(&out, fromMessages)
	}
	if err != nil {
		d := &lang.Diagnostic{Severity: lang.Error, Pos: lang.Pos{File: j.label}, Message: err.Error()}
		var le *boundError
		if errors.As(err, &le) {
			d.Hint = le.hint
			out.objects, out.origins = nil, nil
		}
		out.diags = append(out.diags, d)
		return out
	}
	// In the canonical order already, as the render cache keeps them: the
	// sort of all the objects then only confirms it (see byService).
	manifest.Sort(out.objects)
	out.waivers, out.diags = waivers(j, sess, made, out.diags)
	if !st.empty() {
		var diags []*lang.Diagnostic
		out.docs, diags = r.awsOutput(j, name, st, sess, out.objects)
		out.diags = append(out.diags, diags...)
	} else {
		for _, w := range sess.Waivers {
			if isAWSRule(w.Rule) && !w.Expired {
				out.diags = append(out.diags, &lang.Diagnostic{Severity: lang.Warning, Pos: w.Pos, Rule: RuleWaiverUnused,
					Message: fmt.Sprintf("the waiver of %s matches no finding: %s renders no AWS resources", w.Rule, name), Hint: "remove it"})
			}
		}
	}
	return out
}

// maxNesting bounds how deep main's result may nest lists and structs.
const maxNesting = 100

// bounds keep one walk over what a main returned finite: main may return
// the same list many times over, nested many levels deep, so that a small
// value stands for more objects than memory holds.
type bounds struct {
	maxObjects int
	objects    int // objects seen so far
	values     int // values visited so far
	depth      int // of the value being visited
	// path leads from main's result to the value being visited, for
	// errors: it is formatted only for one, not for every value.
	path []step
	// own, if not nil, has objects written from their messages, with
	// these ownership labels, where they can be (see messageObject).
	own *manifest.Ownership
}

// step is a struct field (name) or a list element (index) on a path.
type step struct {
	name  string
	index int
}

// what names the value being visited: "main().deployment",
// "main()[2]".
func (b *bounds) what() string {
	var sb strings.Builder
	sb.WriteString("main()")
	for _, s := range b.path {
		if s.name != "" {
			sb.WriteString("." + s.name)
		} else {
			fmt.Fprintf(&sb, "[%d]", s.index)
		}
	}
	return sb.String()
}

func (b *bounds) enter() error {
	if b.values++; b.values > 10*b.maxObjects {
		return &boundError{fmt.Sprintf("main() returned more than %d values (lists, structs and objects)", 10*b.maxObjects), moreObjects}
	}
	if b.depth++; b.depth > maxNesting {
		return &boundError{fmt.Sprintf("main() returned lists or structs nested more than %d deep", maxNesting), "return a flat list of objects"}
	}
	return nil
}

func (b *bounds) leave() { b.depth-- }

// boundError is main's result going past one of its bounds.
type boundError struct{ msg, hint string }

func (e *boundError) Error() string { return e.msg }

const moreObjects = "a service renders a few dozen objects; if this many are intended, raise the limit with --max-objects"

// flatten walks what main returned: objects, structs of objects, lists.
// AWS resources and template sections go to st. The walk stays within b.
func (r *Renderer) flatten(v starlark.Value, st *stack, b *bounds, emit func(proto.Message, manifest.Object)) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	if st.add(v) {
		return nil
	}
	switch v := v.(type) {
	case *starlarkstruct.Struct:
		for _, name := range v.AttrNames() {
			field, _ := v.Attr(name)
			if _, ok := r.br.Unwrap(field); !ok && !isAWS(field) {
				if _, isList := field.(*starlark.List); !isList {
					continue // names, namespaces, absent objects
				}
			}
			b.path = append(b.path, step{name: name})
			if err := r.flatten(field, st, b, emit); err != nil {
				return err
			}
			b.path = b.path[:len(b.path)-1]
		}
		return nil
	case *starlark.List, starlark.Tuple:
		it := starlark.Iterate(v)
		defer it.Done()
		var x starlark.Value
		for i := 0; it.Next(&x); i++ {
			if x == starlark.None {
				continue
			}
			b.path = append(b.path, step{index: i})
			if err := r.flatten(x, st, b, emit); err != nil {
				return err
			}
			b.path = b.path[:len(b.path)-1]
		}
		return nil
	}
	m, ok := r.br.Unwrap(v)
	if !ok {
		return fmt.Errorf("%s returned %s, want Kubernetes objects (a service(), an object, or a list of them)", b.what(), v.Type())
	}
	if b.objects++; b.objects > b.maxObjects {
		// Before converting it: converting a million objects is the
		// work the limit is for.
		return &boundError{fmt.Sprintf("main() returned more than %d objects", b.maxObjects), moreObjects}
	}
	if b.own != nil {
		if obj, ok := r.messageObject(m, b.own); ok {
			emit(m, obj)
			return nil
		}
	}
	obj, err := r.reg.ToObject(m)
	if err != nil {
		return fmt.Errorf("%s: %w", b.what(), err)
	}
	acc, err := meta.Accessor(obj)
	if err != nil {
		return fmt.Errorf("%s: %w", b.what(), err)
	}
	if acc.GetName() == "" {
		return fmt.Errorf("%s: %s has no metadata.name; give it metadata = k8s.meta.ObjectMeta(name = ...)", b.what(), obj.GetObjectKind().GroupVersionKind().Kind)
	}
	emit(m, manifest.Object{Obj: obj})
	return nil
}

// ctxValue returns envValue(env), made once per environment of the
// render: it is frozen, so every service's main can have the same.
func (r *Renderer) ctxValue(env *config.Environment) starlark.Value {
	r.ctxOnce.Do(func() {
		r.ctxs = make(map[*config.Environment]starlark.Value, len(r.envs))
		for _, e := range r.envs {
			r.ctxs[e] = envValue(e)
		}
	})
	if v, ok := r.ctxs[env]; ok {
		return v
	}
	return envValue(env)
}

// envValue is the ctx a service's main receives.
func envValue(env *config.Environment) starlark.Value {
	vars := starlark.NewDict(len(env.Vars))
	keys := make([]string, 0, len(env.Vars))
	for k := range env.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vars.SetKey(starlark.String(k), starlark.String(env.Vars[k]))
	}
	s := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{
		"env":       starlark.String(env.Name),
		"vars":      vars,
		"cluster":   starlark.String(env.Cluster),
		"region":    starlark.String(env.Region),
		"namespace": starlark.String(env.Namespace),
	})
	s.Freeze()
	return s
}

// checkUnique reports two objects of one environment with the same
// identity: one diagnostic for each pair of files, naming the objects
// they share.
func checkUnique(objs []manifest.Object) []*lang.Diagnostic {
	type (
		pair     struct{ file, prev string }
		identity struct{ env, group, kind, namespace, name string }
	)
	var (
		diags  []*lang.Diagnostic
		pairs  []pair
		shared = map[pair][]string{}
		listed = map[string]bool{}
		seen   = make(map[identity]int, len(objs)) // → index in objs
	)
	for i, o := range objs {
		gvk := o.Obj.GetObjectKind().GroupVersionKind()
		acc, _ := meta.Accessor(o.Obj)
		key := identity{o.Env, gvk.Group, gvk.Kind, acc.GetNamespace(), acc.GetName()}
		j, dup := seen[key]
		if !dup {
			seen[key] = i
			continue
		}
		prev := objs[j]
		p := pair{o.Source, prev.Source}
		if _, ok := shared[p]; !ok {
			pairs = append(pairs, p)
		}
		what := gvk.Kind + " " + acc.GetName()
		if ns := acc.GetNamespace(); ns != "" {
			what = gvk.Kind + " " + ns + "/" + acc.GetName()
		}
		if k := p.file + "\x00" + p.prev + "\x00" + what; !listed[k] {
			listed[k] = true
			shared[p] = append(shared[p], what)
		}
	}
	for _, p := range pairs {
		diags = append(diags, &lang.Diagnostic{
			Severity: lang.Error, Pos: lang.Pos{File: p.file},
			Message: fmt.Sprintf("%s renders objects that %s renders too: %s", p.file, p.prev, strings.Join(shared[p], ", ")),
			Hint:    "two services may not render the same object; give one of them another name",
		})
	}
	return diags
}

// dedupe drops repeated diagnostics: a broken library file fails every
// service and environment that loads it, but is one mistake.
func dedupe(diags []*lang.Diagnostic) []*lang.Diagnostic {
	seen := map[string]bool{}
	out := diags[:0]
	for _, d := range diags {
		key := d.Pos.String() + "\x00" + d.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

var missingKey = regexp.MustCompile(`^key "(.*)" not in dict$`)

// varsHint adds a hint to a failed lookup in ctx.vars: the variable
// nearest in spelling, or the ones the environment has.
func varsHint(d *lang.Diagnostic, env *config.Environment, src []byte) {
	m := missingKey.FindStringSubmatch(d.Message)
	if m == nil || d.Hint != "" || !d.Pos.IsValid() {
		return
	}
	lines := strings.Split(string(src), "\n")
	if d.Pos.Line > len(lines) || !strings.Contains(lines[d.Pos.Line-1], "vars[") {
		return
	}
	names := make([]string, 0, len(env.Vars))
	for k := range env.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	where := "environment " + env.Name
	if env.Name == "" {
		where = "the defaults"
	}
	d.Message = fmt.Sprintf("ctx.vars has no %q in %s", m[1], where)
	switch n := spell.Nearest(m[1], names); {
	case n != "":
		d.Hint = fmt.Sprintf("did you mean %q?", n)
	case len(names) > 0:
		d.Hint = "the vars are " + strings.Join(names, ", ") + "; add it to skyc.yaml, or use ctx.vars.get(name, default)"
	default:
		d.Hint = "skyc.yaml sets no vars; add it there, or use ctx.vars.get(name, default)"
	}
}
