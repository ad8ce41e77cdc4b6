package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain registers skyc as a command of the CLI scripts, run in-process.
// Tests that run skyc as a process leave the user's render cache alone
// (SKYC_CACHE=off) unless they set SKYC_CACHE, as a script can.
func TestMain(m *testing.M) {
	if os.Getenv("SKYC_CACHE") == "" {
		os.Setenv("SKYC_CACHE", "off")
	}
	testscript.Main(m, map[string]func(){
		"skyc": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each reads like a
// terminal session, success and failure alike.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
