//go:build unix

package lang

import "golang.org/x/sys/unix"

// readRegularFile reads the regular file at path, which must not be a
// symbolic link, with one open, fstat, read and close: os.ReadFile and
// the Lstat before it take six system calls, which is a tenth of a
// millisecond per hundred files where system calls are slow. ok is false
// if the file is a symbolic link, not a regular file, larger than max
// bytes, or anything fails; the caller then takes the portable way,
// which also words the error. O_NONBLOCK keeps the open of a FIFO from
// waiting for a writer; it means nothing for a regular file.
func readRegularFile(path string, max int64) (data []byte, ok bool) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > max || st.Size < 0 {
		return nil, false
	}
	// One byte more than the size: a read that fills exactly the size
	// has reached the end of a file that did not grow; one that fills
	// more reads on, to the end or past max.
	buf := make([]byte, 0, st.Size+1)
	for {
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err != nil || n < 0 {
			return nil, false
		}
		buf = buf[:len(buf)+n]
		if n == 0 || int64(len(buf)) == st.Size {
			return buf, true
		}
		if int64(len(buf)) > max {
			return nil, false
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
