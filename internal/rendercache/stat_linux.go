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

// lstatID returns the statID of the file at path, without following a
// symbolic link, and ErrNotRegular if it is not a regular file. It asks
// the system directly rather than through os.Lstat, which allocates a
// FileInfo: a warm render stats every file of the repository.
func lstatID(path string) (statID, bool, error) {
	var st syscall.Stat_t
	if err := ignoringEINTR(func() error { return syscall.Lstat(path, &st) }); err != nil {
		return statID{}, false, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return statID{}, false, ErrNotRegular
	}
	return statID{
		size:  st.Size,
		mtime: time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)).UnixNano(),
		ctime: time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)).UnixNano(),
		ino:   uint64(st.Ino),
		dev:   uint64(st.Dev),
	}, true, nil
}

// ignoringEINTR retries f while it is interrupted, as package os does.
func ignoringEINTR(f func() error) error {
	for {
		if err := f(); err != syscall.EINTR {
			return err
		}
	}
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
