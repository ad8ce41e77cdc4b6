package testcluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinDirExplainsMissingBinaries(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(BinEnv, empty)
	_, err := FindBinDir()
	if err == nil {
		t.Fatal("no error for a directory without binaries")
	}
	for _, want := range []string{"etcd", empty, "make e2e-deps", "hack/build-kube.sh", BinEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := Start(t.Context()); err == nil || !strings.Contains(err.Error(), "make e2e-deps") {
		t.Errorf("Start without binaries: err = %v, want the build hint", err)
	}
}

func TestFindBinDirRejectsNonExecutable(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{etcdBinary, apiserverBinary} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(BinEnv, dir)
	if _, err := FindBinDir(); err == nil || !strings.Contains(err.Error(), "not an executable") {
		t.Errorf("err = %v, want it to say the file is not executable", err)
	}
}

func TestDefaultBinDir(t *testing.T) {
	for name, tc := range map[string]struct {
		cache, xdg, home string
		want             string
	}{
		"skyc cache": {cache: "/c", xdg: "/x", home: "/h", want: "/c/bin"},
		"xdg cache":  {xdg: "/x", home: "/h", want: "/x/skyc/bin"},
		"home cache": {home: "/h", want: "/h/.cache/skyc/bin"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SKYC_CACHE", tc.cache)
			t.Setenv("XDG_CACHE_HOME", tc.xdg)
			t.Setenv("HOME", tc.home)
			got, err := DefaultBinDir()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("DefaultBinDir() = %q, want %q", got, tc.want)
			}
		})
	}
}
