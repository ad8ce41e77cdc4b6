//go:build linux

package rendercache

import (
	"io/fs"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Lstat(path, &st) }); err != nil {
		return statID{}, false, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	return idOf(&st)
}

// idOf is the statID of what st describes, or ErrNotRegular if it is not
// a regular file.
func idOf(st *unix.Stat_t) (statID, bool, error) {
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
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

// dirs holds open descriptors of the directories of the files Hash has
// stat'ed, so that the files of a directory are stat'ed relative to it:
// looking up a full path walks each of its components again, which was
// most of the system time of a warm render stat'ing thousands of files a
// few directories deep. A descriptor is of the directory as it was when
// opened, as a stat of the full path then would have found it.
type dirs struct {
	// mu is held for reading while a descriptor is in use, for writing
	// to close them: a descriptor closed and its number reused would
	// stat files in another directory.
	mu  sync.RWMutex
	fds map[string]int // directory → descriptor, or -1 if it cannot be opened
}

// lstat is lstatID(path), relative to a descriptor of path's directory.
func (d *dirs) lstat(path string) (statID, bool, error) {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 || i == len(path)-1 {
		return lstatID(path)
	}
	dir, name := path[:i], path[i+1:]
	d.mu.RLock()
	fd, ok := d.fds[dir]
	if !ok {
		d.mu.RUnlock()
		d.mu.Lock()
		if fd, ok = d.fds[dir]; !ok {
			fd = openDir(dir)
			if d.fds == nil {
				d.fds = map[string]int{}
			}
			d.fds[dir] = fd
		}
		d.mu.Unlock()
		d.mu.RLock()
		if fd, ok = d.fds[dir]; !ok {
			fd = -1 // closed meanwhile
		}
	}
	defer d.mu.RUnlock()
	if fd < 0 {
		return lstatID(path)
	}
	var st unix.Stat_t
	err := ignoringEINTR(func() error { return unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
	if err == unix.EBADF {
		return lstatID(path) // a kernel without fstatat on O_PATH descriptors
	}
	if err != nil {
		return statID{}, false, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	return idOf(&st)
}

// openDir opens dir to stat files in it, or returns -1.
func openDir(dir string) int {
	var fd int
	err := ignoringEINTR(func() (err error) {
		fd, err = unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return -1
	}
	return fd
}

// close closes the descriptors.
func (d *dirs) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, fd := range d.fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	d.fds = nil
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
