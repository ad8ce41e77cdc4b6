//go:build !unix

package lang

// readRegularFile is the fast way to read a file where there is one (see
// readfile_unix.go); here there is none, and ok is always false.
func readRegularFile(path string, max int64) (data []byte, ok bool) { return nil, false }
