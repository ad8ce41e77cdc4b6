//go:build !unix

package main

import (
	"errors"
	"os"
)

// mkfifo fails where there are no named pipes in the file system.
func mkfifo(path string) error { return errors.ErrUnsupported }

// peakRSS reports nothing where the system has no getrusage.
func peakRSS(ps *os.ProcessState) (int64, bool) { return 0, false }
