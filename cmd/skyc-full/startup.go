package main

import "github.com/skyc-dev/skyc/internal/startup"

// The collector is off while packages are initialised (package startup);
// main's init runs after all of theirs.
func init() { startup.Done() }
