//go:build !linux

package rendercache

import (
	"io/fs"
	"time"
)

// statID is empty where the cache does not know enough about files to
// trust their stat data: every file is read and hashed.
type statID struct {
	size, mtime, ctime int64
	ino, dev           uint64
}

func statOf(fs.FileInfo) (statID, bool) { return statID{}, false }

func (s statID) changed() time.Time { return time.Unix(0, max(s.mtime, s.ctime)) }
