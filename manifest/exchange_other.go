//go:build !linux

package manifest

// exchange is not available here; WriteTree falls back to two renames.
func exchange(a, b string) error { return errNoExchange }
