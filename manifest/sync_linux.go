package manifest

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes the files and directories of the tree at root durable. On
// Linux one syncfs of root's file system does that for all of them at once,
// far faster than a fsync per file for trees of thousands of files.
func syncTree(root string, files, dirs []string) error {
	f, err := os.Open(root)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: root, Err: err}
	}
	return nil
}
