//go:build !unix

package handoff

import "errors"

// CanReplace says that a process cannot replace itself with another
// program here: skyc runs skyc-full as a child and waits for it.
const CanReplace = false

// Replace is not possible on this system.
func Replace(path string, args, environ []string) error {
	return errors.New("cannot replace the process on this system")
}
