//go:build !linux

package manifest

import "os"

// syncTree makes the files and directories of the tree at root durable: a
// fsync of every file, then of every directory, deepest first.
func syncTree(root string, files, dirs []string) error {
	for _, p := range files {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}
