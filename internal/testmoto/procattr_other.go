//go:build !linux

package testmoto

import "os/exec"

// dieWithParent does nothing where the kernel has no parent-death signal
// (Pdeathsig is Linux's): a test binary that dies without calling Stop
// leaves moto_server running there.
func dieWithParent(cmd *exec.Cmd) {}
