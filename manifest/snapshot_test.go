package manifest

import (
	"io/fs"
	"os"
	"testing"
)

// These helpers read a written tree back. They are not unix-only, as the
// tests of WriteTree's swap are: stream_test.go uses them on every system.

// readTree returns the files under dir by relative path.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	files, ok, err := snapshot(dir)
	if err != nil || !ok {
		t.Fatalf("reading tree %s: %v (consistent: %v)", dir, err, ok)
	}
	return files
}

// snapshot reads the tree at dir through one directory handle. ok is false
// if dir was replaced while it was being read, so that the files may belong
// to a tree that was being deleted.
func snapshot(dir string) (files map[string]string, ok bool, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, false, err
	}
	defer root.Close()
	before, err := root.Stat(".")
	if err != nil {
		return nil, false, err
	}
	files = map[string]string{}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root.FS(), p)
		files[p] = string(b)
		return err
	})
	after, serr := os.Stat(dir)
	if serr != nil || !os.SameFile(before, after) {
		return files, false, nil
	}
	return files, true, err
}
