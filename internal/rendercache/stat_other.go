//go:build !linux

package rendercache

import (
	"io/fs"
	"os"
	"time"
)

// statID is empty where the cache does not know enough about files to
// trust their stat data: every file is read and hashed.
type statID struct {
	size, mtime, ctime int64
	ino, dev           uint64
}

func statOf(fs.FileInfo) (statID, bool) { return statID{}, false }

// lstatID reports whether path is a regular file; there is no statID.
func lstatID(path string) (statID, bool, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return statID{}, false, err
	}
	if !info.Mode().IsRegular() {
		return statID{}, false, ErrNotRegular
	}
	return statID{}, false, nil
}

func (s statID) changed() time.Time { return time.Unix(0, max(s.mtime, s.ctime)) }

// dirs is where the Linux version keeps directory descriptors.
type dirs struct{}

func (*dirs) lstat(path string) (statID, bool, error) { return lstatID(path) }

func (*dirs) close() {}
