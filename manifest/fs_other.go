//go:build !unix

package manifest

import "context"

// lockDir does nothing where flock is not available: concurrent WriteTree
// calls for one directory are not serialized there.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}

// syncDir does nothing where directories cannot be synced.
func syncDir(dir string) error { return nil }
