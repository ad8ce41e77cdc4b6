package rendercache

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
)

// secretName is the file, in the cache directory, that holds the key of
// the cache's keyed hashes (Cache.Keyed).
const secretName = "key"

// secretSize is the length of the key in bytes.
const secretSize = 32

// Keyed returns a new keyed hash (HMAC-SHA256) under the cache
// directory's secret key. Callers hash with it what must not be
// recoverable from what the cache stores: the values of --var, which may
// be short secrets that a plain hash in a key on disk would give away to
// a brute-force search.
func (c *Cache) Keyed() hash.Hash { return hmac.New(sha256.New, c.secret) }

// loadSecret returns the secret key of the cache directory dir, creating
// it (random, readable by its owner only) on first use. A key file of the
// wrong size is replaced: the keys made under the old one then match
// nothing, and the cache starts afresh.
func loadSecret(dir string) ([]byte, error) {
	p := filepath.Join(dir, secretName)
	if key, err := os.ReadFile(p); err == nil && len(key) == secretSize {
		return key, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("render cache key: %w", err)
	}
	key := make([]byte, secretSize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("render cache key: %w", err)
	}
	f, err := os.CreateTemp(dir, secretName+".tmp*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("render cache key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(key)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("render cache key: %w", err)
	}
	// A link never replaces a key that a concurrent run made first: the
	// loser reads the winner's.
	if err := os.Link(tmp, p); err == nil {
		return key, nil
	}
	if old, err := os.ReadFile(p); err == nil && len(old) == secretSize {
		return old, nil
	}
	// Still missing or of the wrong size: replace it.
	if err := os.Rename(tmp, p); err != nil {
		return nil, fmt.Errorf("render cache key: %w", err)
	}
	return key, nil
}
