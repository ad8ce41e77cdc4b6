package cli

import (
	"path/filepath"

	"github.com/skyc-dev/skyc/render"
)

// CheckCache returns where skyc check keeps its findings cache ("check"
// beside the render cache's directory, so that a check and a render never
// replace each other's entries) and what identifies this binary, or nil
// if there is no cache directory or SKYC_CACHE is "off".
func CheckCache() *render.CacheOptions {
	c := renderCache()
	if c == nil {
		return nil
	}
	c.Dir = filepath.Join(filepath.Dir(c.Dir), "check")
	return c
}
