//go:build !linux

package testcluster

import "os/exec"

// setParentDeathSignal does nothing where the kernel has no parent-death
// signal; a test binary that dies without calling Stop leaves its servers
// running there.
func setParentDeathSignal(*exec.Cmd) {}
