//go:build linux

package rendercache

import (
	"os"
	"syscall"
)

// readPack returns the contents of a pack file, mapped into memory rather
// than copied: a warm render reads tens of megabytes of packs, and a copy
// costs a page fault per 4 KiB of fresh heap on top of the copying.
//
// The mapping is never removed: payloads (and the documents that a render
// writes out of them) alias it for as long as they live. Packs are written
// once, under a temporary name, and renamed into place; they are never
// changed in place, and removing one leaves a mapping of it intact.
func readPack(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	if size <= 0 || size != int64(int(size)) || !info.Mode().IsRegular() {
		return os.ReadFile(path) // let decodePack judge an empty or odd file
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return os.ReadFile(path)
	}
	return data, nil
}
