package testcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// BinEnv is the environment variable naming the directory that holds the
// etcd and kube-apiserver binaries; it overrides the build cache.
const BinEnv = "SKYC_KUBE_BIN"

// Names of the binaries looked up in the bin directory.
const (
	etcdBinary      = "etcd"
	apiserverBinary = "kube-apiserver"
)

// DefaultBinDir returns the directory hack/build-kube.sh builds into:
// $SKYC_CACHE/bin, else $XDG_CACHE_HOME/skyc/bin, else ~/.cache/skyc/bin.
func DefaultBinDir() (string, error) {
	if d := os.Getenv("SKYC_CACHE"); d != "" {
		return filepath.Join(d, "bin"), nil
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "skyc", "bin"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locating the skyc cache: %w", err)
	}
	return filepath.Join(home, ".cache", "skyc", "bin"), nil
}

// FindBinDir returns the directory holding executable etcd and
// kube-apiserver binaries: $SKYC_KUBE_BIN if set, else [DefaultBinDir]. The
// error for a missing binary says how to build it.
func FindBinDir() (string, error) {
	dir, from := os.Getenv(BinEnv), "$"+BinEnv
	if dir == "" {
		d, err := DefaultBinDir()
		if err != nil {
			return "", err
		}
		dir, from = d, "the skyc cache"
	}
	for _, name := range []string{etcdBinary, apiserverBinary} {
		if err := checkExecutable(filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("%s not usable in %s (%s): %w; "+
				"build the test cluster binaries with `make e2e-deps` "+
				"(or hack/build-kube.sh), or point $%s at a directory holding etcd and kube-apiserver",
				name, dir, from, err, BinEnv)
		}
	}
	return dir, nil
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("file not found")
	}
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}
