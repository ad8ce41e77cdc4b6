//go:build linux

package rendercache

import (
	"io/fs"
	"syscall"
	"time"
)

// statID is what the cache compares to decide that a file is unchanged
// without reading it: size, modification and change times, inode and
// device. The change time moves on every write, and also when a file is
// replaced by a rename.
type statID struct {
	size, mtime, ctime int64
	ino, dev           uint64
}

func statOf(info fs.FileInfo) (statID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return statID{}, false
	}
	return statID{
		size:  info.Size(),
		mtime: info.ModTime().UnixNano(),
		ctime: time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)).UnixNano(),
		ino:   uint64(st.Ino),
		dev:   uint64(st.Dev),
	}, true
}

// changed is the later of the modification and change times.
func (s statID) changed() time.Time {
	return time.Unix(0, max(s.mtime, s.ctime))
}
