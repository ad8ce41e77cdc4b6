//go:build !linux

package rendercache

import "os"

// readPack returns the contents of a pack file.
func readPack(path string) ([]byte, error) { return os.ReadFile(path) }
