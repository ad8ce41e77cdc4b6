//go:build !linux

package manifest

import "os"

// canWriteVectored: WriteStream writes files the ordinary way.
const canWriteVectored = false

// writeVectored reports that f is written the ordinary way (see the Linux
// version).
func writeVectored(f *os.File, bufs [][]byte) (done bool, err error) { return false, nil }
