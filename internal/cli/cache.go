package cli

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/skyc-dev/skyc/render"
)

// renderCache returns where skyc render keeps its cache and what
// identifies this binary, or nil if there is no cache directory or
// SKYC_CACHE is "off".
func renderCache() *render.CacheOptions {
	dir := os.Getenv("SKYC_CACHE")
	if dir == "off" {
		return nil
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(base, "skyc")
	}
	return &render.CacheOptions{Dir: filepath.Join(dir, "render"), Salt: "skyc " + Version + " " + binaryID()}
}

// binaryID identifies the running executable, so that results cached by
// another build (another version, or a rebuild with local changes) are
// never reused: the Go build ID, a hash of everything that went into the
// build, which the linker writes into an ELF note. Elsewhere, or without
// a build ID, it is a hash of the executable's path, size and time.
func binaryID() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if data, err := s.Data(); err == nil {
				if i := bytes.Index(data, []byte("Go\x00\x00")); i >= 0 && len(data) > i+4 {
					if id := strings.TrimRight(string(data[i+4:]), "\x00"); id != "" {
						return id
					}
				}
			}
		}
	}
	info, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", exe, info.Size(), info.ModTime().UnixNano()))
	return hex.EncodeToString(sum[:])
}

// changedSince returns the files whose load graph includes a file that
// git reports as changed since rev in the repository root, or untracked.
func changedSince(r *render.Renderer, files []string, rev string) ([]string, error) {
	root := r.Root()
	var changed []string
	for _, args := range [][]string{
		{"diff", "--name-only", "--relative", "--no-renames", rev, "--"},
		{"ls-files", "--others", "--exclude-standard"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return nil, fmt.Errorf("git %s: %s", args[0], msg)
			}
			return nil, fmt.Errorf("git %s: %v", args[0], err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				changed = append(changed, line)
			}
		}
	}
	return r.Affected(files, changed)
}
