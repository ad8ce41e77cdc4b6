package rendercache

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture is a repository root and a cache directory.
type fixture struct {
	t          *testing.T
	root, dir  string
	clockAhead time.Duration
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, root: t.TempDir(), dir: t.TempDir(), clockAhead: time.Hour}
}

// open opens the cache with a clock far enough ahead that no file is
// racily clean.
func (f *fixture) open() *Cache {
	f.t.Helper()
	c, err := Open(f.dir, f.root)
	if err != nil {
		f.t.Fatal(err)
	}
	c.now = func() time.Time { return time.Now().Add(f.clockAhead) }
	return c
}

func (f *fixture) write(label, text string) string {
	f.t.Helper()
	p := filepath.Join(f.root, filepath.FromSlash(label))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func key(s string) Key { return Key(sha256.Sum256([]byte(s))) }

func flush(t *testing.T, c *Cache) {
	t.Helper()
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	f := newFixture(t)
	p := f.write("lib/a.sky", "a = 1\n")
	f.write("svc.sky", "svc\n")
	c := f.open()
	h, err := c.Hash("lib/a.sky", p)
	if err != nil || h != key("a = 1\n") {
		t.Fatalf("Hash = %v, %v", h, err)
	}
	c.SetJob("svc.sky\x00prod", key("inputs"), []byte("objects"))
	c.SetLoads("svc.sky", key("svc"), []string{"lib/a.sky", "@skyc//service.sky"})
	flush(t, c)

	c = f.open()
	if got, ok := c.Job("svc.sky\x00prod", key("inputs")); !ok || string(got) != "objects" {
		t.Errorf("Job = %q, %v", got, ok)
	}
	if _, ok := c.Job("svc.sky\x00prod", key("other inputs")); ok {
		t.Error("Job under another key: hit")
	}
	if got, ok := c.Loads("svc.sky", key("svc")); !ok || !reflect.DeepEqual(got, []string{"lib/a.sky", "@skyc//service.sky"}) {
		t.Errorf("Loads = %q, %v", got, ok)
	}
	if _, ok := c.Loads("svc.sky", key("changed svc")); ok {
		t.Error("Loads for other content: hit")
	}
	if _, ok := c.stats["lib/a.sky"]; !ok {
		t.Fatal("the stat of lib/a.sky was not kept")
	}
	if h, err := c.Hash("lib/a.sky", p); err != nil || h != key("a = 1\n") {
		t.Errorf("Hash after reopening = %v, %v", h, err)
	}
}

// TestHashSeesChanges changes a file in ways that keep some of its stat
// data: same size, modification time put back.
func TestHashSeesChanges(t *testing.T) {
	f := newFixture(t)
	p := f.write("a.sky", "x = 1\n")
	c := f.open()
	if _, err := c.Hash("a.sky", p); err != nil {
		t.Fatal(err)
	}
	flush(t, c)
	info, _ := os.Stat(p)
	f.write("a.sky", "x = 2\n")
	if err := os.Chtimes(p, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	c = f.open()
	if h, err := c.Hash("a.sky", p); err != nil || h != key("x = 2\n") {
		t.Errorf("Hash after an edit of the same size and time = %v, %v, want the new content's", h, err)
	}
	// Replaced by a rename, as editors save.
	tmp := filepath.Join(f.root, "a.sky.tmp")
	os.WriteFile(tmp, []byte("x = 3\n"), 0o644)
	os.Chtimes(tmp, info.ModTime(), info.ModTime())
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if h, err := c.Hash("a.sky", p); err != nil || h != key("x = 3\n") {
		t.Errorf("Hash after a rename = %v, %v, want the new content's", h, err)
	}
}

// TestRacyFiles: a file hashed right after it was written is read again
// next time, because it could change without its stat data changing.
func TestRacyFiles(t *testing.T) {
	f := newFixture(t)
	f.clockAhead = 0
	p := f.write("a.sky", "x = 1\n")
	c := f.open()
	if _, err := c.Hash("a.sky", p); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.stats["a.sky"]; ok {
		t.Fatal("the stat of a file written just now was recorded")
	}
	f.clockAhead = time.Hour
	if _, err := c.Hash("a.sky", p); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.stats["a.sky"]; !ok {
		t.Fatal("the stat of an old file was not recorded")
	}
}

func TestNotRegular(t *testing.T) {
	f := newFixture(t)
	p := f.write("a.sky", "x = 1\n")
	link := filepath.Join(f.root, "b.sky")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	c := f.open()
	if _, err := c.Hash("b.sky", link); err != ErrNotRegular {
		t.Errorf("Hash of a symbolic link: %v, want ErrNotRegular", err)
	}
	if _, _, err := c.Read("b.sky", link); err != ErrNotRegular {
		t.Errorf("Read of a symbolic link: %v, want ErrNotRegular", err)
	}
}

// TestChain flushes small changes into a chain of packs and checks that
// it is compacted before it grows long, leaving one pack on disk.
func TestChain(t *testing.T) {
	f := newFixture(t)
	c := f.open()
	for i := range 100 {
		c.SetJob(fmt.Sprintf("s%03d.sky\x00prod", i), key("v0"), []byte("v0"))
	}
	flush(t, c)
	for round := 1; round <= 3*maxChain; round++ {
		c = f.open()
		c.SetJob(fmt.Sprintf("s%03d.sky\x00prod", round), key(fmt.Sprint("v", round)), []byte(fmt.Sprint("v", round)))
		flush(t, c)
		if len(c.chain) > maxChain {
			t.Fatalf("round %d: chain of %d packs", round, len(c.chain))
		}
		packs, _ := filepath.Glob(filepath.Join(c.packDir, "*.pack"))
		if len(packs) != len(c.chain) {
			t.Fatalf("round %d: %d pack files for a chain of %d", round, len(packs), len(c.chain))
		}
	}
	c = f.open()
	for i := range 100 {
		want := "v0"
		if i >= 1 && i <= 3*maxChain {
			want = fmt.Sprint("v", i)
		}
		if got, ok := c.Job(fmt.Sprintf("s%03d.sky\x00prod", i), key(want)); !ok || string(got) != want {
			t.Errorf("job %d = %q, %v, want %q", i, got, ok, want)
		}
	}
}

// TestChainTail: a change of one record appends a pack of about that
// record's size, and the chain is compacted once the packs after the
// first hold more than a quarter of its bytes, however short the chain.
func TestChainTail(t *testing.T) {
	f := newFixture(t)
	c := f.open()
	big := strings.Repeat("x", 1000)
	for i := range 100 {
		c.SetJob(fmt.Sprintf("s%03d.sky\x00prod", i), key("v0"), []byte(big))
	}
	flush(t, c)
	base := c.sizes[0]
	compacted := false
	for round := 1; round <= 10; round++ {
		c = f.open()
		c.SetJob(fmt.Sprintf("s%03d.sky\x00prod", round), key(fmt.Sprint("v", round)), []byte(strings.Repeat("y", 5000)))
		chain := len(c.chain)
		flush(t, c)
		if len(c.chain) == 1 {
			compacted = true
			if round < 3 {
				t.Errorf("round %d: compacted with %d bytes after a pack of %d", round, 5000*(round-1), base)
			}
			break
		}
		if len(c.chain) != chain+1 {
			t.Fatalf("round %d: chain of %d after %d", round, len(c.chain), chain)
		}
		if n := c.sizes[len(c.sizes)-1]; n > 5200 {
			t.Errorf("round %d: a pack of %d bytes for one record of 5000", round, n)
		}
		info, err := os.Stat(filepath.Join(c.packDir, c.chain[len(c.chain)-1]))
		if err != nil || info.Size() != c.sizes[len(c.sizes)-1] {
			t.Errorf("round %d: pack size %v (%v), recorded %d", round, info.Size(), err, c.sizes[len(c.sizes)-1])
		}
	}
	if !compacted {
		t.Error("a tail of 50,000 bytes after a pack of 100,000 not compacted")
	}
	c = f.open()
	if got, ok := c.Job("s001.sky\x00prod", key("v1")); !ok || len(got) != 5000 {
		t.Errorf("job 1 after compaction: %d bytes, %v", len(got), ok)
	}
	if got, ok := c.Job("s050.sky\x00prod", key("v0")); !ok || string(got) != big {
		t.Errorf("job 50 after compaction: %d bytes, %v", len(got), ok)
	}
}

// TestCorruptPack: a damaged or missing pack makes an empty cache, never
// wrong entries, and the next Flush starts a fresh chain.
func TestCorruptPack(t *testing.T) {
	for _, damage := range []string{"flip", "flip large", "flip large record", "truncate", "remove"} {
		t.Run(damage, func(t *testing.T) {
			f := newFixture(t)
			c := f.open()
			c.SetJob("a.sky\x00prod", key("in"), []byte(strings.Repeat("payload", 100)))
			if strings.HasPrefix(damage, "flip large") {
				// Over a megabyte: the checksum is computed while the
				// records are read.
				for i := range 300 {
					c.SetJob(fmt.Sprintf("z%03d.sky\x00prod", i), key("in"), []byte(strings.Repeat("payload", 1000)))
				}
			}
			flush(t, c)
			p := filepath.Join(c.packDir, c.chain[0])
			data, _ := os.ReadFile(p)
			if strings.HasPrefix(damage, "flip large") && len(data) < 1<<20 {
				t.Fatalf("a pack of %d bytes, want over a megabyte", len(data))
			}
			switch damage {
			case "flip", "flip large":
				data[len(data)/2] ^= 1
				os.WriteFile(p, data, 0o644)
			case "flip large record":
				// A length in the first record's header: reading the
				// records goes astray, not only a payload's byte.
				data[len(packMagic)+3+2] ^= 0x40
				os.WriteFile(p, data, 0o644)
			case "truncate":
				os.WriteFile(p, data[:len(data)-10], 0o644)
			case "remove":
				os.Remove(p)
			}
			c = f.open()
			if _, ok := c.Job("a.sky\x00prod", key("in")); ok {
				t.Fatal("job served from a damaged cache")
			}
			c.SetJob("b.sky\x00prod", key("in"), []byte("b"))
			flush(t, c)
			c = f.open()
			if len(c.chain) != 1 {
				t.Errorf("chain after a damaged one: %q, want one fresh pack", c.chain)
			}
			if _, ok := c.Job("b.sky\x00prod", key("in")); !ok {
				t.Error("job stored after the damage: missing")
			}
		})
	}
}

// TestPrune: compaction forgets files that are gone, with their jobs.
func TestPrune(t *testing.T) {
	f := newFixture(t)
	pa := f.write("a.sky", "a\n")
	pb := f.write("b.sky", "b\n")
	c := f.open()
	for _, l := range []struct{ label, path string }{{"a.sky", pa}, {"b.sky", pb}} {
		h, err := c.Hash(l.label, l.path)
		if err != nil {
			t.Fatal(err)
		}
		c.SetLoads(l.label, h, nil)
		c.SetJob(l.label+"\x00prod", h, []byte(l.label))
	}
	flush(t, c)
	os.Remove(pb)
	c = f.open()
	c.loadErrs = 1 // force a compaction
	c.SetJob("a.sky\x00prod", key("new"), []byte("a2"))
	flush(t, c)
	c = f.open()
	if _, ok := c.stats["b.sky"]; ok {
		t.Error("stat of a removed file kept")
	}
	if _, ok := c.jobs["b.sky\x00prod"]; ok {
		t.Error("job of a removed file kept")
	}
	if _, ok := c.stats["a.sky"]; !ok {
		t.Error("stat of a file still there dropped")
	}
}

// TestPruneRecent: compaction does not look again at the files recorded
// since the last Flush; one removed in between is dropped by the next.
func TestPruneRecent(t *testing.T) {
	f := newFixture(t)
	pa := f.write("a.sky", "a\n")
	c := f.open()
	h, err := c.Hash("a.sky", pa)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLoads("a.sky", h, nil)
	os.Remove(pa)
	c.loadErrs = 1 // force a compaction
	flush(t, c)
	c = f.open()
	if _, ok := c.loads["a.sky"]; !ok {
		t.Fatal("the loads of a file recorded in this run were pruned: prune looked at it again")
	}
	if _, err := c.Hash("a.sky", pa); err == nil {
		t.Fatal("Hash of a removed file succeeded")
	}
	c.loadErrs = 1
	c.SetJob("x\x00prod", key("x"), []byte("x"))
	flush(t, c)
	c = f.open()
	if _, ok := c.loads["a.sky"]; ok {
		t.Error("the next compaction kept the loads of the removed file")
	}
}

// TestConcurrentFlush has many caches of one repository flush at once,
// as concurrent skyc runs do: every run succeeds, and what is left is
// one run's complete state.
func TestConcurrentFlush(t *testing.T) {
	f := newFixture(t)
	const runs = 8
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	for r := range runs {
		wg.Go(func() {
			c, err := Open(f.dir, f.root)
			if err != nil {
				errs <- err
				return
			}
			for i := range 50 {
				c.SetJob(fmt.Sprintf("s%d.sky\x00prod", i), key(fmt.Sprint(r)), []byte(fmt.Sprint(r)))
				if i%10 == 0 {
					runtime.Gosched()
				}
			}
			errs <- c.Flush()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c := f.open()
	winner := ""
	for i := range 50 {
		j, ok := c.jobs[fmt.Sprintf("s%d.sky\x00prod", i)]
		if !ok {
			t.Fatalf("job %d missing", i)
		}
		if winner == "" {
			winner = string(j.payload)
		}
		if string(j.payload) != winner || j.key != key(winner) {
			t.Fatalf("job %d from run %s, job 0 from run %s: runs mixed", i, j.payload, winner)
		}
	}
}

// FuzzDecodePack: whatever the bytes after the magic, decoding a pack
// fails or succeeds without panicking (records are read before the
// checksum of a large pack is known).
func FuzzDecodePack(f *testing.F) {
	f.Add([]byte("\x01\x01\x01J\x05a.sky" + strings.Repeat("k", 32) + "\x02pl" + "L\x05a.sky" + strings.Repeat("h", 32) + "\x01\x05b.sky"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &Cache{jobs: map[string]jobRecord{}, loads: map[string]loadsRecord{}, stats: map[string]statRecord{}}
		c.decodeRecords(append([]byte(packMagic), body...))
	})
}

// TestHashDirs checks Hash's stat relative to the directories it keeps
// open: the files of one directory, a missing file, a directory and a
// symbolic link among them, and a directory replaced between two uses,
// seen once CloseDirs has closed the old one.
func TestHashDirs(t *testing.T) {
	f := newFixture(t)
	a := f.write("svc/a.sky", "x = 1\n")
	b := f.write("svc/b.sky", "x = 2\n")
	f.write("svc/sub/c.sky", "x = 3\n")
	if err := os.Symlink(a, filepath.Join(f.root, "svc", "link.sky")); err != nil {
		t.Fatal(err)
	}
	c := f.open()
	for i := range 2 { // the second time from the stats recorded
		if h, err := c.Hash("svc/a.sky", a); err != nil || h != key("x = 1\n") {
			t.Fatalf("%d: Hash(svc/a.sky) = %v, %v", i, h, err)
		}
		if h, err := c.Hash("svc/b.sky", b); err != nil || h != key("x = 2\n") {
			t.Fatalf("%d: Hash(svc/b.sky) = %v, %v", i, h, err)
		}
	}
	if _, err := c.Hash("svc/missing.sky", filepath.Join(f.root, "svc", "missing.sky")); !os.IsNotExist(err) {
		t.Errorf("Hash of a missing file: %v, want not-exist", err)
	}
	if _, err := c.Hash("svc/sub", filepath.Join(f.root, "svc", "sub")); err != ErrNotRegular {
		t.Errorf("Hash of a directory: %v, want ErrNotRegular", err)
	}
	if _, err := c.Hash("svc/link.sky", filepath.Join(f.root, "svc", "link.sky")); err != ErrNotRegular {
		t.Errorf("Hash of a symbolic link: %v, want ErrNotRegular", err)
	}
	// The directory replaced by another holding a new a.sky.
	old := filepath.Join(f.root, "svc.old")
	if err := os.Rename(filepath.Join(f.root, "svc"), old); err != nil {
		t.Fatal(err)
	}
	a2 := f.write("svc/a.sky", "x = 9\n")
	c.CloseDirs()
	if h, err := c.Hash("svc/a.sky", a2); err != nil || h != key("x = 9\n") {
		t.Errorf("Hash after the directory was replaced = %v, %v, want the new file's", h, err)
	}
	if _, err := c.Hash("svc/b.sky", b); !os.IsNotExist(err) {
		t.Errorf("Hash of a file of the replaced directory: %v, want not-exist", err)
	}
	c.CloseDirs()
	c.CloseDirs() // twice does no harm
}
