//go:build unix

package handoff

import "syscall"

// CanReplace says that Replace can run skyc-full in skyc's place.
const CanReplace = true

// Replace replaces the process with the program at path, run with args
// and the environment environ; it returns only if that fails. The
// program keeps skyc's process ID and open standard streams, so the
// shell, CI system or pre-commit sees it as skyc itself.
func Replace(path string, args, environ []string) error {
	return syscall.Exec(path, append([]string{path}, args...), environ)
}
