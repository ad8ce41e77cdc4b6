//go:build !unix

package cli

import "errors"

// canReplace says that a process cannot replace itself with another
// program here: skyc runs skyc-full as a child and waits for it.
const canReplace = false

// replace is not possible on this system.
func replace(path string, args, environ []string) error {
	return errors.New("cannot replace the process on this system")
}
