package render

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/bits"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"go.starlark.net/syntax"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/rendercache"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
)

// CacheOptions turn on incremental rendering (Options.Cache): the result
// of rendering a service file for an environment is kept on disk under a
// hash of its inputs, and a later render with the same inputs reuses it.
//
// The inputs are Salt, skyc.yaml and the files it names (crds), the
// environment with the --var values, the evaluation limits, and the label
// and content of every file in the service's load graph (the standard
// library is part of the binary, which Salt identifies). Whatever else a
// render comes to depend on must be added to the key (envKey).
//
// Only evaluations that succeed without diagnostics, print() output or
// AWS documents are kept. Objects served from the cache carry their
// encoded document (manifest.Object.Encoded) and their identity only (a
// *metav1.PartialObjectMetadata): the cache serves what skyc render
// writes, not callers that inspect the objects.
type CacheOptions struct {
	// Dir is the cache directory, shared by every repository.
	Dir string
	// Salt identifies the skyc binary (its version and build ID), so that
	// another build never reuses this one's results.
	Salt string
}

// cacheVersion changes whenever the meaning of the key or the payload
// changes.
const cacheVersion = "skyc render cache 4"

// cacheState is a Renderer's view of the cache. What it learns of the
// files is reset by every Render and Affected (forget), so that a
// Renderer used twice sees files that changed in between.
type cacheState struct {
	c      *rendercache.Cache
	root   string // absolute
	salt   string
	config []byte // skyc.yaml as read, and hashes of the files it names

	mu       sync.Mutex
	graph    map[string]*fileNode // label → node of the load graph
	dirs     map[string]bool      // directory label → no symbolic link on the way from the root
	srcHash  map[string]sourceID  // label → the text the runtime evaluated, and its hash
	envKeys  map[*config.Environment]rendercache.Key
	disabled bool // print() was called: results may miss output

	// While the lookup walks the load graphs (keep), node keeps what it
	// read and parsed of each file, for the runtime to evaluate (source)
	// instead of reading and parsing it again: the text evaluated is then
	// the text hashed. The syntax trees, tens of times the size of their
	// text, are kept for the first maxKeptTrees bytes of text only.
	keep      bool
	kept      map[string]keptSource
	keptTrees int // bytes of text whose trees are kept

	// deferred are the files whose loads node does not find by parsing
	// them when the cache does not know them (deferLoads): the files of
	// the render's jobs. A job whose file is one of them is evaluated
	// at once, and keyed afterwards by what its evaluation used
	// (keyEvaluated). Parsing each file only to find its loads was an
	// eighth of the CPU time of a render with an empty cache, and the
	// evaluation parsed most files again. The set is made from
	// deferJobs when node first needs it: a warm render never does.
	deferred  map[string]bool
	deferJobs []job
	parsed    atomic.Int64 // files parsed to find their loads, for tests
}

// maxKeptTrees bounds the text, in bytes, whose syntax trees a render
// keeps between finding a file's loads and evaluating it. Keeping the
// trees of all 3000 services of the benchmark fleet (2.9 MB of text)
// raised the peak RSS of an empty-cache render from 150 to 220 MB, and
// the collector's work with it, for no less CPU time than keeping the
// first megabyte's (+10 MB); the files past it are parsed again. (The
// files of a render's jobs are no longer parsed before their evaluation
// at all, see deferred: what is parsed now is libraries whose loads the
// cache does not know, a changed one's.)
const maxKeptTrees = 1 << 20

// keptSource is a file as node read it: its text, hash and syntax tree
// (nil if not kept, or the loads were known without parsing).
type keptSource struct {
	src  []byte
	tree *syntax.File
	hash rendercache.Key
}

// sourceID identifies a text the runtime holds (Runtime.Source) by its
// address and length, with its hash: texts are never modified, and a file
// the runtime reads again gets a new one.
type sourceID struct {
	data *byte
	n    int
	hash rendercache.Key
}

// fileNode is a file of the load graph, as far as it is known.
type fileNode struct {
	once  sync.Once
	hash  rendercache.Key
	loads []string // repository labels loaded directly
	err   error
	// deferred: the cache does not know the file's loads, and it is one
	// of cacheState.deferred, so it was not parsed to find them.
	deferred bool
}

func openCache(opts *CacheOptions, root string, cfg *config.Config) *cacheState {
	c, err := rendercache.Open(opts.Dir, root)
	if err != nil {
		return nil // no cache: render everything
	}
	// skyc.yaml, and the files it names, as they are now.
	inputs, _ := os.ReadFile(filepath.Join(root, config.FileName))
	if cfg != nil {
		for _, p := range cfg.CRDPaths() {
			data, err := os.ReadFile(p)
			sum := sha256.Sum256(data)
			inputs = fmt.Appendf(inputs, "\x00%s\x00%x\x00%v", p, sum, err != nil)
		}
	}
	return &cacheState{
		c: c, root: root, salt: opts.Salt, config: inputs,
		graph: map[string]*fileNode{}, dirs: map[string]bool{},
		srcHash: map[string]sourceID{}, envKeys: map[*config.Environment]rendercache.Key{},
		kept: map[string]keptSource{},
	}
}

// forget drops what was learned of the repository's files.
func (cs *cacheState) forget() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.graph = map[string]*fileNode{}
	cs.dirs = map[string]bool{}
	cs.srcHash = map[string]sourceID{}
	cs.keep, cs.kept, cs.keptTrees = false, map[string]keptSource{}, 0
	cs.deferred, cs.deferJobs = nil, nil
}

// deferLoads has node leave unparsed, until forget, the files of jobs
// whose loads the cache does not know.
func (cs *cacheState) deferLoads(jobs []job) {
	cs.mu.Lock()
	cs.deferred, cs.deferJobs = nil, jobs
	cs.mu.Unlock()
}

// isDeferred reports whether label is one of cs.deferred.
func (cs *cacheState) isDeferred(label string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.deferred == nil && cs.deferJobs != nil {
		cs.deferred = make(map[string]bool, len(cs.deferJobs))
		for _, j := range cs.deferJobs {
			cs.deferred[j.label] = true
		}
	}
	return cs.deferred[label]
}

// keepSources makes node keep what it reads, until forget.
func (cs *cacheState) keepSources() {
	cs.mu.Lock()
	cs.keep = true
	cs.mu.Unlock()
}

// keepSource keeps a file node read (src, nil if it did not) and parsed
// (tree, or nil) for the runtime.
func (cs *cacheState) keepSource(label string, hash rendercache.Key, src []byte, tree *syntax.File) {
	if src == nil {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if !cs.keep {
		return
	}
	if tree != nil {
		if cs.keptTrees+len(src) > maxKeptTrees {
			tree = nil
		} else {
			cs.keptTrees += len(src)
		}
	}
	cs.kept[label] = keptSource{src: src, tree: tree, hash: hash}
}

// source is the runtime's lang.Options.Source: it hands over, once, the
// text and tree node kept of a file, and notes the text's hash for
// sourceHash.
func (cs *cacheState) source(label string) ([]byte, *syntax.File, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	k, ok := cs.kept[label]
	if !ok {
		return nil, nil, false
	}
	delete(cs.kept, label)
	if k.tree != nil {
		cs.keptTrees -= len(k.src)
	}
	cs.srcHash[label] = sourceID{unsafe.SliceData(k.src), len(k.src), k.hash}
	return k.src, k.tree, true
}

// dropKept drops what node kept of the files that no job in need lists.
func (cs *cacheState) dropKept(need func(label string) bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for label, k := range cs.kept {
		if !need(label) {
			if k.tree != nil {
				cs.keptTrees -= len(k.src)
			}
			delete(cs.kept, label)
		}
	}
}

// node returns the load-graph node of a repository file, hashing it (the
// stat cache spares reading unchanged files) and finding its loads (from
// the cache, else by parsing it, unless the file is one of cs.deferred:
// the node is then deferred, and what node read of the file is kept for
// the evaluation).
func (cs *cacheState) node(label string) *fileNode {
	cs.mu.Lock()
	n, ok := cs.graph[label]
	if !ok {
		n = &fileNode{}
		cs.graph[label] = n
	}
	cs.mu.Unlock()
	n.once.Do(func() {
		if !cs.plainDir(path.Dir(label)) {
			n.err = rendercache.ErrNotRegular
			return
		}
		p := filepath.Join(cs.root, filepath.FromSlash(label))
		var src []byte // nil if the stat cache spared reading it
		n.hash, src, n.err = cs.c.HashRead(label, p)
		if n.err != nil {
			return
		}
		loads, ok := cs.c.Loads(label, n.hash)
		var tree *syntax.File
		if !ok {
			if cs.isDeferred(label) {
				// Its job is evaluated, and keyed after (keyEvaluated):
				// the runtime reads the file if node did not.
				n.deferred = true
				cs.keepSource(label, n.hash, src, nil)
				return
			}
			if src == nil {
				if n.hash, src, n.err = cs.c.Read(label, p); n.err != nil {
					return
				}
			}
			if len(src) > lang.DefaultMaxFileSize {
				// Not parsed outside the evaluation's limits: the
				// evaluation refuses it.
				n.err = errTooLarge
				return
			}
			cs.parsed.Add(1)
			if tree, loads, n.err = lang.ParseLoads(label, src); n.err != nil {
				return
			}
			cs.c.SetLoads(label, n.hash, loads)
		}
		cs.keepSource(label, n.hash, src, tree)
		for _, l := range loads {
			if !lang.IsStdlib(l) {
				n.loads = append(n.loads, l)
			}
		}
	})
	return n
}

// errTooLarge is the error of a node over lang's limit on a file's size.
var errTooLarge = errors.New("file too large")

// plainDir reports whether the directory with the given label, and every
// directory above it up to the root, is a directory and not a symbolic
// link: only then is a file's label the file the evaluator reads.
func (cs *cacheState) plainDir(dir string) bool {
	if dir == "." {
		return true
	}
	cs.mu.Lock()
	ok, known := cs.dirs[dir]
	cs.mu.Unlock()
	if known {
		return ok
	}
	ok = cs.plainDir(path.Dir(dir))
	if ok {
		info, err := os.Lstat(filepath.Join(cs.root, filepath.FromSlash(dir)))
		ok = err == nil && info.IsDir()
	}
	cs.mu.Lock()
	cs.dirs[dir] = ok
	cs.mu.Unlock()
	return ok
}

// fileHash is a repository file of a load graph and its content hash.
type fileHash struct {
	label string
	hash  rendercache.Key
}

// closure returns the labels and content hashes of label and every
// repository file it loads, directly or not, sorted by label. ok is false
// if any of them cannot be read, parsed or trusted, or they load each
// other in a cycle: such a file is evaluated, never served from the cache.
//
// It runs for every job of a warm render: a service's graph is a few
// files, kept in one slice (searched linearly while short).
func (cs *cacheState) closure(label string) (files []fileHash, ok bool) {
	files, ok, _ = cs.lookupClosure(label)
	return files, ok
}

// lookupClosure is closure, which also reports whether it failed only
// because a file's loads were deferred (see cacheState.deferred).
func (cs *cacheState) lookupClosure(label string) (files []fileHash, ok, deferred bool) {
	w := closureWalk{cs: cs, files: make([]fileHash, 0, 4)}
	if !w.visit(label, 0) {
		return nil, false, w.deferred
	}
	slices.SortFunc(w.files, func(a, b fileHash) int { return strings.Compare(a.label, b.label) })
	return w.files, true, false
}

// closureWalk is the state of closure.
type closureWalk struct {
	cs       *cacheState
	files    []fileHash
	index    map[string]bool // the labels of files, once there are many
	deferred bool            // a deferred node stopped the walk
}

func (w *closureWalk) seen(l string) bool {
	if w.index != nil {
		return w.index[l]
	}
	for i := range w.files {
		if w.files[i].label == l {
			return true
		}
	}
	return false
}

func (w *closureWalk) visit(l string, depth int) bool {
	if w.seen(l) {
		return true
	}
	if depth > 256 {
		return false
	}
	n := w.cs.node(l)
	if n.err != nil {
		return false
	}
	if n.deferred {
		w.deferred = true
		return false
	}
	w.files = append(w.files, fileHash{l, n.hash})
	if w.index != nil {
		w.index[l] = true
	} else if len(w.files) > 16 {
		w.index = make(map[string]bool, 2*len(w.files))
		for _, f := range w.files {
			w.index[f.label] = true
		}
	}
	for _, d := range n.loads {
		if !w.visit(d, depth+1) {
			return false
		}
	}
	return true
}

// envKey hashes what a job's result depends on besides its files. It is
// a keyed hash (rendercache.Cache.Keyed), since it covers the --var
// values: a key computed from them in the open would let whoever reads the
// cache directory try guesses of a short secret passed with --var against
// it. Every key derived from it is keyed in turn.
func (cs *cacheState) envKey(env *config.Environment, opts *Options) rendercache.Key {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if k, ok := cs.envKeys[env]; ok {
		return k
	}
	h := cs.c.Keyed()
	cs.writeEnv(h, env, opts)
	k := rendercache.Key(h.Sum(nil))
	cs.envKeys[env] = k
	return k
}

// writeEnv writes the inputs of envKey to h, each framed by its length.
func (cs *cacheState) writeEnv(h hash.Hash, env *config.Environment, opts *Options) {
	field := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(cacheVersion)
	field(cs.salt)
	field(string(cs.config))
	field(env.Name)
	keys := make([]string, 0, len(env.Vars))
	for k := range env.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field(k)
		field(env.Vars[k])
	}
	field(strconv.FormatUint(opts.MaxSteps, 10))
	field(opts.Timeout.String())
	field(strconv.FormatUint(opts.MaxMemory, 10))
	field(strconv.Itoa(opts.maxObjects())) // the limit in force: 0 and the default are one
	if opts.VisitCache != nil {
		field(opts.VisitCache.Salt)
	}
}

// jobKey is the cache key of a job: its environment's key, whether the
// file was named on the command line (a library named so is an error) and
// its files. The input is gathered in a buffer on the stack: the key is
// computed for every job of every render.
func jobKey(envKey rendercache.Key, j job, files []fileHash) rendercache.Key {
	var buf [512]byte
	b := append(buf[:0], envKey[:]...)
	b = append(b, j.label...)
	if j.explicit {
		b = append(b, 0, 1)
	} else {
		b = append(b, 0, 0)
	}
	for _, f := range files {
		b = append(b, f.label...)
		b = append(b, 0)
		b = append(b, f.hash[:]...)
	}
	return rendercache.Key(sha256.Sum256(b))
}

// slot names the cache entry of a job; a new result for the same file and
// environment replaces the old one.
func slot(j job) string { return j.label + "\x00" + j.env.Name }

// appendSlot appends the slot of j to b.
func appendSlot(b []byte, j job) []byte {
	b = append(b, j.label...)
	b = append(b, 0)
	return append(b, j.env.Name...)
}

// cachedJob is what the cache knows of one job before evaluating it.
type cachedJob struct {
	ok    bool // the key is valid
	key   rendercache.Key
	files []fileHash
	// deferred: the job's file, or one it loads, was not parsed to find
	// its loads (see cacheState.deferred); the key is computed after the
	// evaluation, from what it used (keyEvaluated), and ok set then.
	deferred bool
}

// lookup computes the keys of jobs, on all CPUs, and fills in the results
// of those the cache holds. It returns the keys and which jobs it served.
// A job whose file's loads the cache does not know (a new or changed
// file, every file of a render with an empty cache) gets no key: it is
// deferred, to be keyed after its evaluation (keyEvaluated).
//
// At the first job the cache does not hold, it starts building the
// evaluator (registry, standard library) in the background, so that this
// overlaps with looking up the rest, and evaluates the first few such
// jobs there too (earlyEvaluator): those are reported as served, with
// their results in results and the payloads to store in stored.
//
// before is Options.BeforeEvaluate, made to run once: the lookup calls it
// when it has found more jobs to evaluate than it evaluates.
func (r *Renderer) lookup(ctx context.Context, jobs []job, results []jobResult, stored [][]byte, before func()) ([]cachedJob, []bool) {
	if r.opts.VisitCache != nil {
		return r.lookupVisited(ctx, jobs, results)
	}
	cs := r.cache
	cs.forget()
	cs.keepSources()
	cs.deferLoads(jobs)
	keys := make([]cachedJob, len(jobs))
	hit := make([]bool, len(jobs))
	early := newEarlyEvaluator(ctx, r, jobs, results, keys, stored, before)
	miss := early.miss
	payloads := make([][]byte, len(jobs))
	parallel(len(jobs), func(i int) {
		j := jobs[i]
		files, ok, deferred := cs.lookupClosure(j.label)
		if !ok {
			// Not in the cache, or no key before evaluating it.
			keys[i].deferred = deferred
			miss(i)
			return
		}
		k := jobKey(cs.envKey(j.env, &r.opts), j, files)
		keys[i] = cachedJob{ok: true, key: k, files: files}
		var buf [256]byte
		b := appendSlot(buf[:0], j)
		payload, ok := cs.c.Job(unsafe.String(&b[0], len(b)), k) // Job keeps no slot
		if !ok {
			miss(i)
			return
		}
		payloads[i] = payload
	})
	cs.c.CloseDirs()
	// The objects of all the payloads are decoded into one slab of each
	// kind: per job, the identities (a few hundred bytes each, with
	// pointers) cost more to allocate one by one than to decode.
	offsets := make([]int, len(jobs)+1)
	total := 0
	for i, p := range payloads {
		offsets[i] = total
		if p != nil {
			n, w := binary.Uvarint(p)
			if w <= 0 || n > uint64(len(p)) {
				payloads[i] = nil
				miss(i)
				continue
			}
			total += int(n)
		}
	}
	offsets[len(jobs)] = total
	s := newDecodeSlab(total, !r.opts.NoOrigins)
	parallel(len(jobs), func(i int) {
		if payloads[i] == nil {
			return
		}
		jr, err := decodeJobInto(payloads[i], jobs[i], s.part(offsets[i], offsets[i+1]))
		if err != nil {
			miss(i)
			return
		}
		results[i], hit[i] = jr, true
	})
	early.wait(hit)
	// What node kept of files that only served jobs load is not needed.
	need := map[string]bool{}
	for i := range jobs {
		if !hit[i] {
			need[jobs[i].label] = true // a deferred job's file
			for _, f := range keys[i].files {
				need[f.label] = true
			}
		}
	}
	cs.dropKept(func(label string) bool { return need[label] })
	return keys, hit
}

// parallel calls f(0) … f(n-1) on GOMAXPROCS goroutines, the calling one
// among them. The goroutines take the next index from a counter, not a
// channel: f is a few microseconds for most jobs of a warm render.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			f(i)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// store encodes the objects of an evaluated job, so that the output
// writer need not, and leaves them with their identity only, as the cache
// gives them out (the documents are all a render with a cache writes).
// If the result may be cached it returns the payload, which holds the
// documents the objects' Encoded share, to be stored under k.key. The
// evaluation must have read exactly the files the key was computed from:
// a file changed in between makes the result uncacheable. A deferred
// job's key is computed here, from what its evaluation used.
func (r *Renderer) store(j job, k *cachedJob, jr *jobResult) ([]byte, bool) {
	payload, ok := encodeJob(jr)
	if !ok {
		return nil, false // an object does not encode: WriteStream reports it
	}
	// A job with waivers is not cached either: whether they have expired
	// depends on the day, which the key does not hold.
	if len(jr.diags) != 0 || len(jr.docs) != 0 || len(jr.waivers) != 0 || holdsSecret(jr) {
		return nil, false
	}
	if k.deferred {
		if !r.keyEvaluated(j, k) {
			return nil, false
		}
	} else if !k.ok || !r.evaluatedFrom(j.label, *k) {
		return nil, false
	}
	return payload, true
}

// keyEvaluated computes the key of a deferred job from what its
// evaluation used (lang.Runtime.Evaluated): the job's file and the
// repository files it loads, directly or not, as closure would find them,
// with the hashes of the texts evaluated. So the key is of the texts the
// result was rendered from, whatever changed on disk meanwhile: a lookup
// computes it again only from files with those contents. It records the
// loads of each file for its text's hash, so that the next lookup finds
// the closure without parsing. It sets k.ok, k.key and k.files, and
// reports false if the evaluation cannot be keyed.
func (r *Renderer) keyEvaluated(j job, k *cachedJob) bool {
	cs := r.cache
	evaluated, ok := r.rt.Evaluated(j.label)
	if !ok {
		return false
	}
	find := func(label string) *lang.EvaluatedFile {
		for i := range evaluated {
			if evaluated[i].Label == label {
				return &evaluated[i]
			}
		}
		return nil
	}
	// The walk of closure, over the loads the evaluation ran: the
	// repository files reachable from the job's file through repository
	// files.
	files := make([]fileHash, 0, len(evaluated))
	used := make([]*lang.EvaluatedFile, 0, len(evaluated))
	queue := []string{j.label}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		if slices.ContainsFunc(files, func(f fileHash) bool { return f.label == l }) {
			continue
		}
		f := find(l)
		if f == nil {
			return false
		}
		files = append(files, fileHash{l, cs.textHash(l, f.Source)})
		used = append(used, f)
		for _, d := range f.Loads {
			if !lang.IsStdlib(d) {
				queue = append(queue, d)
			}
		}
	}
	for i, f := range used {
		if _, known := cs.c.Loads(f.Label, files[i].hash); !known {
			cs.c.SetLoads(f.Label, files[i].hash, f.Loads)
		}
	}
	slices.SortFunc(files, func(a, b fileHash) int { return strings.Compare(a.label, b.label) })
	k.ok, k.key, k.files = true, jobKey(cs.envKey(j.env, &r.opts), j, files), files
	return true
}

// holdsSecret reports whether a job rendered a Secret. Its data is the
// user's to write into the output, not into a cache that CI systems keep
// between the runs of every branch: such a job is evaluated every time.
func holdsSecret(jr *jobResult) bool {
	for _, o := range jr.objects {
		if gvk := o.Obj.GetObjectKind().GroupVersionKind(); gvk.Group == "" && gvk.Kind == "Secret" {
			return true
		}
	}
	return false
}

// evaluatedFrom reports whether the runtime evaluated label from exactly
// the files and contents in k.
func (r *Renderer) evaluatedFrom(label string, k cachedJob) bool {
	files := []string{label}
	for _, d := range r.rt.Dependencies(label) {
		if !lang.IsStdlib(d) && d != label {
			files = append(files, d)
		}
	}
	slices.Sort(files)
	if len(files) != len(k.files) {
		return false
	}
	for i, f := range files {
		if f != k.files[i].label || r.cache.sourceHash(r.rt, f) != k.files[i].hash {
			return false
		}
	}
	return true
}

// sourceHash is the hash of the text the runtime evaluated for label.
// It is remembered with the text's identity, not the label's alone: a
// module released (a service another file loads too) and evaluated again
// is read again, and its text may have changed in between.
func (cs *cacheState) sourceHash(rt *lang.Runtime, label string) rendercache.Key {
	src := rt.Source(label)
	if src == nil {
		return rendercache.Key{}
	}
	return cs.textHash(label, src)
}

// textHash is the hash of src, a text the runtime holds for label,
// remembered by the text's identity (see sourceHash).
func (cs *cacheState) textHash(label string, src []byte) rendercache.Key {
	cs.mu.Lock()
	id, ok := cs.srcHash[label]
	cs.mu.Unlock()
	if ok && id.data == unsafe.SliceData(src) && id.n == len(src) {
		return id.hash
	}
	h := rendercache.Key(sha256.Sum256(src))
	cs.mu.Lock()
	cs.srcHash[label] = sourceID{unsafe.SliceData(src), len(src), h}
	cs.mu.Unlock()
	return h
}

// A job's payload is
//
//	n header*n document*n
//	header: apiVersion kind namespace name source originFile originLine originCol documentLength idHash
//
// strings as a uvarint length and bytes, numbers as uvarints, idHash (of
// the object's identity, see assemble) as 8 bytes little-endian,
// documents as bytes. The headers come together, before the documents: a warm
// render reads every header and no document (it copies them out whole),
// so that reading a service's headers touches a few cache lines of the
// mapped pack instead of one or two per object.

// encodeJob encodes the objects of jr and returns its payload. The
// objects are left with their identity (identityOf) and their Encoded
// document, a part of the payload; origins follow them. ok is false if an
// object does not encode; jr is then unchanged.
func encodeJob(jr *jobResult) (payload []byte, ok bool) {
	return encodeObjects(jr, true)
}

// encodeObjects is encodeJob, which makes the payload only if payload is
// set: without it, for a render without the cache, each object keeps the
// document it was encoded into, which spares copying every document
// into one more buffer.
func encodeObjects(jr *jobResult, payload bool) ([]byte, bool) {
	// The payload keeps the objects in canonical order, which spares
	// sorting them when they come out of the cache (see byService).
	manifest.Sort(jr.objects)
	docs := make([][]byte, len(jr.objects))
	for i, o := range jr.objects {
		b := o.Encoded // written from its message (see messageObject)
		if b == nil {
			var err error
			if b, err = manifest.Encode(o.Obj); err != nil {
				return nil, false
			}
		}
		docs[i] = b
	}
	if !payload {
		hashes := make([]uint64, len(jr.objects))
		for i := range jr.objects {
			o := &jr.objects[i]
			id := identityOf(o.Obj)
			hashes[i] = idHash(o.Env, id.APIVersion, id.Kind, id.Namespace, id.Name)
			if p, ok := jr.origins[o.Obj]; ok && id != o.Obj {
				delete(jr.origins, o.Obj)
				jr.origins[id] = p
			}
			o.Obj, o.Encoded = id, docs[i]
		}
		jr.sorted, jr.ids = true, hashes
		return nil, true
	}
	// The payload is allocated at its exact size: an estimate short of
	// it grew the buffer, copying every document once more (a fifth of
	// the CPU time of storing the jobs of a render with an empty cache).
	ids := make([]*metav1.PartialObjectMetadata, len(jr.objects))
	hashes := make([]uint64, len(jr.objects))
	size := uvarintLen(uint64(len(jr.objects)))
	strLen := func(s string) int { return uvarintLen(uint64(len(s))) + len(s) }
	for i, o := range jr.objects {
		id := identityOf(o.Obj)
		ids[i] = id
		hashes[i] = idHash(o.Env, id.APIVersion, id.Kind, id.Namespace, id.Name)
		p := jr.origins[o.Obj]
		size += strLen(id.APIVersion) + strLen(id.Kind) + strLen(id.Namespace) + strLen(id.Name) + strLen(o.Source) + strLen(p.File) +
			uvarintLen(uint64(p.Line)) + uvarintLen(uint64(p.Col)) + uvarintLen(uint64(len(docs[i]))) + 8 + len(docs[i])
	}
	b := make([]byte, 0, size)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	offsets := make([]int, len(jr.objects))
	b = binary.AppendUvarint(b, uint64(len(jr.objects)))
	for i, o := range jr.objects {
		id := ids[i]
		str(id.APIVersion)
		str(id.Kind)
		str(id.Namespace)
		str(id.Name)
		str(o.Source)
		p := jr.origins[o.Obj]
		str(p.File)
		b = binary.AppendUvarint(b, uint64(p.Line))
		b = binary.AppendUvarint(b, uint64(p.Col))
		b = binary.AppendUvarint(b, uint64(len(docs[i])))
		b = binary.LittleEndian.AppendUint64(b, hashes[i])
	}
	for i := range jr.objects {
		offsets[i] = len(b)
		b = append(b, docs[i]...)
	}
	for i := range jr.objects {
		o := &jr.objects[i]
		id := ids[i]
		if p, ok := jr.origins[o.Obj]; ok {
			delete(jr.origins, o.Obj)
			jr.origins[id] = p
		}
		o.Obj = id
		o.Encoded = b[offsets[i] : offsets[i]+len(docs[i]) : offsets[i]+len(docs[i])]
	}
	jr.sorted, jr.ids = true, hashes
	return b, true
}

// uvarintLen is the length of x encoded by binary.AppendUvarint.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// identityOf returns what the cache keeps of an object besides its
// document: apiVersion, kind, namespace and name.
func identityOf(obj kruntime.Object) *metav1.PartialObjectMetadata {
	if id, ok := obj.(*metav1.PartialObjectMetadata); ok {
		return id
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	id := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}}
	if m, ok := obj.(metav1.Object); ok {
		id.Namespace, id.Name = m.GetNamespace(), m.GetName()
	}
	return id
}

var errPayload = errors.New("malformed render cache payload")

func decodeJob(b []byte, j job) (jobResult, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) {
		return jobResult{}, errPayload
	}
	return decodeJobInto(b, j, newDecodeSlab(int(n), true).part(0, int(n)))
}

// decodeSlab is where decodeJobInto puts the objects it decodes.
type decodeSlab struct {
	objects []manifest.Object
	ids     []metav1.PartialObjectMetadata
	hashes  []uint64
	pos     []lang.Pos // nil with Options.NoOrigins
}

// newDecodeSlab returns a slab for n objects, with their origins or not
// (Options.NoOrigins).
func newDecodeSlab(n int, origins bool) decodeSlab {
	s := decodeSlab{
		objects: make([]manifest.Object, n),
		ids:     make([]metav1.PartialObjectMetadata, n),
		hashes:  make([]uint64, n),
	}
	if origins {
		s.pos = make([]lang.Pos, n)
	}
	return s
}

// part returns the slab of objects [i, j).
func (s decodeSlab) part(i, j int) decodeSlab {
	p := s
	p.objects, p.ids, p.hashes = s.objects[i:j:j], s.ids[i:j:j], s.hashes[i:j:j]
	if s.pos != nil {
		p.pos = s.pos[i:j:j]
	}
	return p
}

// decodeJobInto decodes a payload whose objects fill s exactly.
func decodeJobInto(b []byte, j job, s decodeSlab) (jobResult, error) {
	d := payloadReader{b: b}
	n := d.num()
	if d.fail || n != uint64(len(s.objects)) {
		return jobResult{}, errPayload
	}
	// The objects were stored in canonical order (encodeJob); their
	// origins go into a slice rather than a map per job, their identities
	// are hashed while they are at hand (see assemble).
	jr := jobResult{objects: s.objects, ids: s.hashes, sorted: true}
	ids := s.ids
	env, name := j.env.Name, ServiceName(j.label)
	var small [16]uint64 // the documents' lengths, on the stack for a service's few
	lengths := small[:0]
	if n > uint64(len(small)) {
		lengths = make([]uint64, 0, n)
	}
	for i := range n {
		apiVersion, kind, ns, objName, source := d.str(), d.str(), d.str(), d.str(), d.str()
		if source == j.label {
			// One string for the objects of a file: WriteStream then
			// sees that they share their header without comparing it.
			source = j.label
		}
		origin := lang.Pos{File: d.str()}
		origin.Line, origin.Col = int(d.num()), int(d.num())
		lengths = append(lengths, d.num())
		hash := d.uint64()
		if d.fail {
			return jobResult{}, errPayload
		}
		obj := &ids[i]
		obj.APIVersion, obj.Kind, obj.Namespace, obj.Name = apiVersion, kind, ns, objName
		jr.objects[i] = manifest.Object{Env: env, Service: name, Source: source, Obj: obj}
		jr.ids[i] = hash // idHash, computed by encodeJob
		if origin.IsValid() && s.pos != nil {
			jr.pos = s.pos
			jr.pos[i] = origin
		}
	}
	b = d.b
	for i, l := range lengths {
		if l > uint64(len(b)) {
			return jobResult{}, errPayload
		}
		jr.objects[i].Encoded = b[:l:l]
		b = b[l:]
	}
	if len(b) != 0 {
		return jobResult{}, errPayload
	}
	return jr, nil
}

// payloadReader reads the numbers and strings of a payload's headers.
// After an error (fail), it reads zeros and empty strings.
type payloadReader struct {
	b    []byte
	fail bool
}

// num reads a uvarint; most are one byte.
func (d *payloadReader) num() uint64 {
	if len(d.b) > 0 && d.b[0] < 0x80 {
		v := uint64(d.b[0])
		d.b = d.b[1:]
		return v
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// uint64 reads a number of 8 bytes, little-endian.
func (d *payloadReader) uint64() uint64 {
	if d.fail || len(d.b) < 8 {
		d.fail = true
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// str reads a string, which aliases the payload: it is never modified
// (see rendercache.Cache.Job), and 15,000 objects would otherwise cost
// 90,000 small allocations on every warm render.
func (d *payloadReader) str() string {
	n := d.num()
	if d.fail || n > uint64(len(d.b)) {
		d.fail = true
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&d.b[0], n)
	d.b = d.b[n:]
	return s
}

// Affected returns the files (as Discover returns them) whose load graph
// includes one of changed, root-relative slash paths of changed files; a
// change of skyc.yaml or of a CRD file it names affects every file. A file whose load graph cannot
// be found (it does not parse, it loads a missing file) is affected too:
// rendering it reports the problem.
func (r *Renderer) Affected(files []string, changed []string) ([]string, error) {
	set := map[string]bool{}
	for _, c := range changed {
		set[path.Clean(filepath.ToSlash(c))] = true
	}
	if set[config.FileName] {
		return files, nil
	}
	for _, p := range r.cfg.CRDs {
		if set[path.Clean(p)] {
			return files, nil
		}
	}
	cs := r.cache
	if cs != nil {
		cs.forget()
	}
	if cs == nil {
		// Without a cache, a throwaway one in memory: hash and parse.
		dir, err := os.MkdirTemp("", "skyc-affected-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cs = openCache(&CacheOptions{Dir: dir}, r.root, nil)
		if cs == nil {
			return nil, fmt.Errorf("finding the load graph: cannot create %s", dir)
		}
	}
	affected := make([]bool, len(files))
	var labelErr error
	var mu sync.Mutex
	parallel(len(files), func(i int) {
		label, err := r.label(files[i])
		if err != nil {
			mu.Lock()
			labelErr = err
			mu.Unlock()
			return
		}
		deps, ok := cs.closure(label)
		if !ok {
			affected[i] = true
			return
		}
		for _, d := range deps {
			if set[d.label] {
				affected[i] = true
				return
			}
		}
	})
	cs.c.CloseDirs()
	if labelErr != nil {
		return nil, labelErr
	}
	var out []string
	for i, f := range files {
		if affected[i] {
			out = append(out, f)
		}
	}
	if r.cache != nil {
		r.cache.c.Flush() // keep what was learned of the load graph
	}
	return out, nil
}

// label returns the canonical label of a file named on the command line,
// as lang.Runtime.Label does.
//
// A clean relative path (as Discover returns them) below a working
// directory inside the root is the working directory's label joined with
// it, without asking filepath.Rel for every file of a render.
func (r *Renderer) label(file string) (string, error) {
	if prefix, ok := r.cwd.label(r.root); ok && filepath.Separator == '/' &&
		file != "" && file != "." && file[0] != '/' && file != ".." && !strings.HasPrefix(file, "../") &&
		filepath.Clean(file) == file {
		return prefix + file, nil
	}
	abs := filepath.Clean(file)
	if !filepath.IsAbs(file) {
		wd, err := r.cwd.get()
		if err != nil {
			return "", err
		}
		abs = filepath.Join(wd, file)
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s is outside the repository root %s", file, r.root)
	}
	return filepath.ToSlash(rel), nil
}

// workDir is the working directory, looked up once: filepath.Abs asks
// the system for it (and stats "." and $PWD) at every call, three times a
// file for a render of thousands of files.
type workDir struct {
	once sync.Once
	dir  string
	err  error

	labelOnce sync.Once
	prefix    string // the label of dir and a slash, "" at the root
	inside    bool   // dir is the root or below it
}

func (w *workDir) get() (string, error) {
	w.once.Do(func() { w.dir, w.err = os.Getwd() })
	return w.dir, w.err
}

// label returns the prefix that makes a clean relative path the label of
// a file, if the working directory is inside root.
func (w *workDir) label(root string) (prefix string, ok bool) {
	w.labelOnce.Do(func() {
		wd, err := w.get()
		if err != nil {
			return
		}
		rel, err := filepath.Rel(root, wd)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			return
		}
		w.inside = true
		if rel != "." {
			w.prefix = filepath.ToSlash(rel) + "/"
		}
	})
	return w.prefix, w.inside
}

// save stores the payloads of the jobs evaluated in this render and
// writes the cache. It stores nothing if print() was called.
func (cs *cacheState) save(jobs []job, keys []cachedJob, payloads [][]byte) {
	cs.mu.Lock()
	disabled := cs.disabled
	cs.mu.Unlock()
	if !disabled {
		for i, p := range payloads {
			if p != nil {
				cs.c.SetJob(slot(jobs[i]), keys[i].key, p)
			}
		}
		cs.hashUnseen(keys, payloads)
	}
	cs.c.Flush() // best effort: a cache that cannot be written is only slower
}

// hashUnseen hashes the files of the deferred jobs stored that the lookup
// did not hash (the libraries they load, which the runtime read), so that
// the cache records their stat data: the next lookup then need not read
// them to hash them. The hashes are of the files as they are now, and are
// not used here.
func (cs *cacheState) hashUnseen(keys []cachedJob, payloads [][]byte) {
	done := map[string]bool{}
	for i, p := range payloads {
		if p == nil || !keys[i].deferred {
			continue
		}
		for _, f := range keys[i].files {
			if done[f.label] {
				continue
			}
			done[f.label] = true
			cs.mu.Lock()
			_, hashed := cs.graph[f.label]
			cs.mu.Unlock()
			if !hashed {
				cs.c.Hash(f.label, filepath.Join(cs.root, filepath.FromSlash(f.label)))
			}
		}
	}
	cs.c.CloseDirs()
}
