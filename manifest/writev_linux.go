//go:build linux

package manifest

import (
	"os"
	"runtime"
	"slices"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// canWriteVectored: WriteStream writes files with writeVectored.
const canWriteVectored = true

// writeVectored writes bufs to f in order with writev, up to maxIovecs
// buffers a call, so that documents already encoded (such as those of
// the render cache, mapped from its packs) go to the kernel without being
// copied into one buffer first. done is false if f cannot be written this
// way (it has no file descriptor); nothing has been written then.
func writeVectored(f *os.File, bufs [][]byte) (done bool, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, nil
	}
	bufs = slices.DeleteFunc(bufs, func(b []byte) bool { return len(b) == 0 })
	var werr error
	epipe := false
	// One array of iovecs for every call: unix.Writev would make one per
	// call, fresh memory for each of the 30 calls of a large stream.
	iovecs := make([]unix.Iovec, maxIovecs)
	cerr := rc.Write(func(fd uintptr) bool {
		for len(bufs) > 0 {
			batch := iovecs[:min(len(bufs), maxIovecs)]
			for i := range batch {
				batch[i].Base = &bufs[i][0]
				batch[i].SetLen(len(bufs[i]))
			}
			r, _, errno := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&batch[0])), uintptr(len(batch)))
			n := int(r)
			var err error
			if errno != 0 {
				err = errno
			}
			if err == unix.EINTR {
				continue
			}
			if err == unix.EAGAIN {
				return false // wait until f is writable
			}
			if err == unix.EPIPE {
				epipe = true
				return true
			}
			if err != nil {
				werr = &os.PathError{Op: "write", Path: f.Name(), Err: err}
				return true
			}
			if n == 0 {
				werr = &os.PathError{Op: "write", Path: f.Name(), Err: syscall.EIO}
				return true
			}
			bufs = advance(bufs, n)
		}
		return true
	})
	runtime.KeepAlive(bufs)
	if epipe {
		// The rest goes through f.Write, which fails the same way, but
		// as package os does: for standard output or error, with the
		// SIGPIPE that ends a program whose reader has gone (skyc render
		// | head), as any other write to them would.
		for _, b := range bufs {
			if _, err := f.Write(b); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	if werr == nil {
		werr = cerr
	}
	return true, werr
}

// maxIovecs is the most buffers one writev takes (IOV_MAX on Linux).
const maxIovecs = 1024

// advance drops the first n bytes from bufs.
func advance(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		if n < len(bufs[0]) {
			bufs[0] = bufs[0][n:]
			return bufs
		}
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs
}
