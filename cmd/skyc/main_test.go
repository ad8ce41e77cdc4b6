package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/skyc-dev/skyc/internal/cli/full"
)

// TestMain registers skyc as a command of the CLI scripts, run in-process.
// Tests that run skyc as a process leave the user's render cache alone
// (SKYC_CACHE=off) unless they set SKYC_CACHE, as a script can.
func TestMain(m *testing.M) {
	if os.Getenv("SKYC_CACHE") == "" {
		os.Setenv("SKYC_CACHE", "off")
	}
	testscript.Main(removeBinaries{m}, map[string]func(){
		"skyc": func() { os.Exit(full.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each reads like a
// terminal session, success and failure alike.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

// removeBinaries runs the tests, then removes what binaries built.
type removeBinaries struct{ m *testing.M }

func (r removeBinaries) Run() int {
	code := r.m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
}
