package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain registers skyc as a command of the CLI scripts, run in-process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"skyc": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script: each reads like a
// terminal session, success and failure alike.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
