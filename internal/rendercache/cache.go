package rendercache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Key identifies content: a SHA-256 hash.
type Key [sha256.Size]byte

// String returns the key in hexadecimal.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Tuning.
const (
	// maxChain is the most packs a chain may have before Flush compacts.
	// A small pack costs a warm render tens of microseconds to open;
	// compacting rewrites every record (tens of megabytes for thousands
	// of services), so a chain of small packs is let grow this long.
	maxChain = 32
	// maxTail: Flush also compacts once the packs after the first hold
	// more than 1/maxTail of its bytes (records they override are
	// dead weight in it).
	maxTail = 4
	// racyWindow: a file modified this recently when it is hashed may
	// change again without its stat data changing, so its stat is not
	// recorded.
	racyWindow = 2 * time.Second
	// orphanAge: packs no head names are removed once this old (they may
	// belong to a run that has not written its head yet).
	orphanAge = 10 * time.Minute
)

// Cache is the render cache of one repository. Its methods are safe for
// concurrent use.
type Cache struct {
	root     string // the repository root, absolute
	headPath string
	packDir  string
	secret   []byte // the key of Keyed, shared by the directory's caches
	now      func() time.Time
	dirs     dirs // of the files Hash stats

	mu       sync.Mutex
	chain    []string // pack file names, oldest first
	sizes    []int64  // their sizes in bytes
	jobs     map[string]jobRecord
	loads    map[string]loadsRecord
	stats    map[string]statRecord
	dirty    map[recordID]bool
	loadErrs int // packs that could not be read at Open
}

type recordID struct {
	table byte // 'J', 'L' or 'S'
	name  string
}

type jobRecord struct {
	key     Key
	payload []byte
}

type loadsRecord struct {
	hash   Key
	labels []string
}

type statRecord struct {
	id   statID
	hash Key
}

// Open opens the cache of the repository at root (an absolute path) in
// the cache directory dir, creating directories as needed. A missing or
// unreadable cache is an empty one: Open fails only if dir cannot be
// created, or the directory's secret key (see Keyed) can be neither read
// nor created.
func Open(dir, root string) (*Cache, error) {
	sum := sha256.Sum256([]byte(root))
	id := hex.EncodeToString(sum[:12])
	c := &Cache{
		root:     root,
		headPath: filepath.Join(dir, "heads", id),
		packDir:  filepath.Join(dir, "packs", id),
		now:      time.Now,
		jobs:     map[string]jobRecord{},
		loads:    map[string]loadsRecord{},
		stats:    map[string]statRecord{},
		dirty:    map[recordID]bool{},
	}
	for _, d := range []string{filepath.Dir(c.headPath), c.packDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("render cache: %w", err)
		}
	}
	secret, err := loadSecret(dir)
	if err != nil {
		return nil, err
	}
	c.secret = secret
	head, err := os.ReadFile(c.headPath)
	if err != nil {
		return c, nil
	}
	chain := strings.Fields(string(head))
	sizes := make([]int64, len(chain))
	for i, name := range chain {
		data, err := readPack(filepath.Join(c.packDir, name))
		if err == nil {
			err = c.decodePack(data)
		}
		sizes[i] = int64(len(data))
		if err != nil {
			// A pack removed by a concurrent compaction, or corrupt: start
			// afresh rather than use part of a chain.
			c.jobs, c.loads, c.stats = map[string]jobRecord{}, map[string]loadsRecord{}, map[string]statRecord{}
			c.loadErrs++
			return c, nil
		}
	}
	c.chain, c.sizes = chain, sizes
	return c, nil
}

// Job returns the payload stored for slot if it was stored under key.
// It does not keep slot, which may be a transient string.
// The payload is never modified, by the cache or its callers: they may
// alias it (e.g. with unsafe.String) for as long as they keep it.
func (c *Cache) Job(slot string, key Key) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	j, ok := c.jobs[slot]
	if !ok || j.key != key {
		return nil, false
	}
	return j.payload, true
}

// SetJob stores payload for slot under key, replacing what the slot held.
// The cache keeps payload; the caller must not change it.
func (c *Cache) SetJob(slot string, key Key, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobs[slot] = jobRecord{key: key, payload: payload}
	c.dirty[recordID{'J', slot}] = true
}

// Loads returns the labels that the file label loads, if recorded for the
// content hash.
func (c *Cache) Loads(label string, hash Key) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.loads[label]
	if !ok || l.hash != hash {
		return nil, false
	}
	return l.labels, true
}

// SetLoads records the labels that the file label loads when its content
// has the given hash.
func (c *Cache) SetLoads(label string, hash Key, labels []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loads[label] = loadsRecord{hash: hash, labels: labels}
	c.dirty[recordID{'L', label}] = true
}

// ErrNotRegular is the error of Hash and Read for a path that is not a
// regular file, or whose directories under the root include a symbolic
// link: what such a path refers to is left to the evaluator to judge.
var ErrNotRegular = errors.New("not a regular file")

// Hash returns the content hash of the repository file with the given
// label, at path. If the file's stat data are those recorded for the hash,
// it is not read.
//
// Hash keeps the directories of the files it stats open, to stat the
// other files of each relative to it, until CloseDirs.
func (c *Cache) Hash(label, path string) (Key, error) {
	h, _, err := c.HashRead(label, path)
	return h, err
}

// HashRead is Hash, and also returns the content if it had to read the
// file (nil if its stat data spared it): the hash is of that content.
func (c *Cache) HashRead(label, path string) (Key, []byte, error) {
	id, ok, err := c.dirs.lstat(path)
	if err != nil {
		return Key{}, nil, err
	}
	if ok {
		c.mu.Lock()
		s, found := c.stats[label]
		c.mu.Unlock()
		if found && s.id == id {
			return s.hash, nil, nil
		}
	}
	return c.read(label, path, id, ok)
}

// CloseDirs closes the directories that Hash keeps open. A caller closes
// them once it has hashed the files it needed,
// so that directories replaced in between are seen (Hash opens them
// again as it needs them).
func (c *Cache) CloseDirs() { c.dirs.close() }

// Read returns the content hash and the content of the repository file
// with the given label, at path.
func (c *Cache) Read(label, path string) (Key, []byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return Key{}, nil, err
	}
	if !info.Mode().IsRegular() {
		return Key{}, nil, ErrNotRegular
	}
	id, ok := statOf(info)
	return c.read(label, path, id, ok)
}

// read reads and hashes a file whose stat before reading was id, and
// records the stat unless the file may have changed since.
func (c *Cache) read(label, path string, id statID, haveStat bool) (Key, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, nil, err
	}
	h := Key(sha256.Sum256(data))
	if !haveStat {
		return h, data, nil
	}
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return h, data, nil
	}
	after, ok := statOf(info)
	now := c.now()
	if ok && after == id && now.Sub(id.changed()) > racyWindow {
		c.mu.Lock()
		if s, found := c.stats[label]; !found || s.id != id || s.hash != h {
			c.stats[label] = statRecord{id: id, hash: h}
			c.dirty[recordID{'S', label}] = true
		}
		c.mu.Unlock()
	}
	return h, data, nil
}

// Flush writes what changed since Open (or the last Flush) to disk: a new
// pack at the end of the repository's chain, or the whole cache as one
// pack when the chain is long or most of it changed. Errors leave the
// previous state of the cache on disk intact.
func (c *Cache) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.dirty) == 0 {
		return nil
	}
	total := len(c.jobs) + len(c.loads) + len(c.stats)
	var tail int64
	for _, n := range c.sizes[min(1, len(c.sizes)):] {
		tail += n
	}
	compact := len(c.chain) >= maxChain || 4*len(c.dirty) > total || c.loadErrs > 0 ||
		len(c.sizes) > 0 && maxTail*tail > c.sizes[0]
	if compact {
		c.prune()
	}
	f, err := os.CreateTemp(c.packDir, "*.pack")
	if err != nil {
		return err
	}
	name := filepath.Base(f.Name())
	size := &countingWriter{w: f}
	err = c.encodePack(size, compact)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	chain := append(c.chain[:len(c.chain):len(c.chain)], name)
	sizes := append(c.sizes[:len(c.sizes):len(c.sizes)], size.n)
	if compact {
		chain, sizes = []string{name}, []int64{size.n}
	}
	if err := c.writeHead(chain); err != nil {
		os.Remove(f.Name())
		return err
	}
	old := c.chain
	c.chain, c.sizes = chain, sizes
	c.dirty = map[recordID]bool{}
	c.loadErrs = 0
	if compact {
		for _, p := range old {
			os.Remove(filepath.Join(c.packDir, p))
		}
		c.sweep()
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	return n, err
}

// writeHead replaces the head file with chain, atomically.
func (c *Cache) writeHead(chain []string) error {
	f, err := os.CreateTemp(filepath.Dir(c.headPath), filepath.Base(c.headPath)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.Join(chain, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), c.headPath)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// prune drops the records of files that no longer exist, with the jobs
// of those files. It runs only when Flush compacts, so it looks at every
// file again rather than have every Hash note the files it saw; but not
// at the files recorded since the last Flush, which were there a moment
// ago (it was half the cost of writing the cache after a render with
// an empty one). A record of a file removed since is unused, as Hash
// fails for the file, and the next compaction drops it.
func (c *Cache) prune() {
	gone := map[string]bool{}
	recent := func(label string) bool { return c.dirty[recordID{'S', label}] || c.dirty[recordID{'L', label}] }
	for label := range c.stats {
		if !recent(label) && missing(filepath.Join(c.root, filepath.FromSlash(label))) {
			gone[label] = true
		}
	}
	for label := range c.loads {
		if _, stat := c.stats[label]; !stat && !recent(label) && missing(filepath.Join(c.root, filepath.FromSlash(label))) {
			gone[label] = true
		}
	}
	if len(gone) == 0 {
		return
	}
	for label := range gone {
		delete(c.stats, label)
		delete(c.loads, label)
	}
	for slot := range c.jobs {
		if label, _, _ := strings.Cut(slot, "\x00"); gone[label] {
			delete(c.jobs, slot)
		}
	}
}

func missing(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// sweep removes packs and temporary files of this repository that no head
// names and that are old enough not to belong to a run still writing.
func (c *Cache) sweep() {
	keep := map[string]bool{}
	for _, p := range c.chain {
		keep[p] = true
	}
	entries, err := os.ReadDir(c.packDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if keep[e.Name()] {
			continue
		}
		if info, err := e.Info(); err == nil && c.now().Sub(info.ModTime()) > orphanAge {
			os.Remove(filepath.Join(c.packDir, e.Name()))
		}
	}
}
