package rendercache

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// keyedSum hashes s with the cache's keyed hash.
func keyedSum(c *Cache, s string) []byte {
	h := c.Keyed()
	h.Write([]byte(s))
	return h.Sum(nil)
}

func TestSecret(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  []byte // the key file before Open; nil: none
		keepOld bool   // Open must keep before
	}{
		{name: "made on first use"},
		{name: "kept when valid", before: bytes.Repeat([]byte{7}, secretSize), keepOld: true},
		{name: "replaced when short", before: []byte("short")},
		{name: "replaced when empty", before: []byte{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := filepath.Join(f.dir, secretName)
			if tc.before != nil {
				if err := os.WriteFile(p, tc.before, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := f.open()
			key, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(key) != secretSize {
				t.Fatalf("key file of %d bytes, want %d", len(key), secretSize)
			}
			if tc.keepOld != bytes.Equal(key, tc.before) {
				t.Errorf("key file %x, before %x: want kept = %v", key, tc.before, tc.keepOld)
			}
			if !bytes.Equal(c.secret, key) {
				t.Error("the cache does not use the key in its directory")
			}
			info, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if perm := info.Mode().Perm(); perm != 0o600 && !tc.keepOld {
				t.Errorf("key file mode %v, want 0600", perm)
			}
			// Reopened, the cache hashes as before.
			if !bytes.Equal(keyedSum(f.open(), "v"), keyedSum(c, "v")) {
				t.Error("a reopened cache hashes differently")
			}
			if leftovers, _ := filepath.Glob(filepath.Join(f.dir, secretName+".tmp*")); len(leftovers) > 0 {
				t.Errorf("temporary key files left: %v", leftovers)
			}
		})
	}
}

// TestSecretPerDirectory: two cache directories hash differently, and
// neither hash is the plain SHA-256 of the input.
func TestSecretPerDirectory(t *testing.T) {
	a, b := newFixture(t).open(), newFixture(t).open()
	ha, hb := keyedSum(a, "hunter2"), keyedSum(b, "hunter2")
	if bytes.Equal(ha, hb) {
		t.Error("two cache directories share a key")
	}
	plain := key("hunter2")
	if bytes.Equal(ha, plain[:]) || bytes.Equal(hb, plain[:]) {
		t.Error("the keyed hash is the plain hash")
	}
}

// TestSecretConcurrentOpen: runs that make the key at the same time agree
// on one.
func TestSecretConcurrentOpen(t *testing.T) {
	f := newFixture(t)
	sums := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range sums {
		wg.Go(func() {
			c, err := Open(f.dir, f.root)
			if err != nil {
				t.Error(err)
				return
			}
			sums[i] = keyedSum(c, "v")
		})
	}
	wg.Wait()
	for i := range sums {
		if !bytes.Equal(sums[i], sums[0]) {
			t.Fatalf("run %d hashes with another key than run 0", i)
		}
	}
}

// TestSecretUnreadable: a key that cannot be read is no cache, never an
// unkeyed one.
func TestSecretUnreadable(t *testing.T) {
	f := newFixture(t)
	if err := os.Mkdir(filepath.Join(f.dir, secretName), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(f.dir, f.root); err == nil {
		t.Fatal("Open succeeded with a directory for a key file")
	}
}
