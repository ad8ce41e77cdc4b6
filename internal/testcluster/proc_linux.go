package testcluster

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the server when the test binary
// dies without calling Stop (a panic, a -timeout kill), so no etcd or
// kube-apiserver outlives the test run.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
