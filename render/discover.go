package render

import (
	"strings"

	"github.com/skyc-dev/skyc/internal/skypath"
)

// Discover expands command-line paths into .sky files (see
// internal/skypath: a file, a directory, or "dir/..."). Test files
// (*_test.sky) found in directories are skipped. explicit reports the
// files named directly, which must be service files.
func Discover(paths []string) (files []string, explicit map[string]bool, err error) {
	matches, err := skypath.Matches(paths)
	if err != nil {
		return nil, nil, err
	}
	explicit = map[string]bool{}
	for _, m := range matches {
		if m.Explicit {
			explicit[m.Path] = true
		} else if strings.HasSuffix(m.Path, "_test.sky") {
			continue
		}
		files = append(files, m.Path)
	}
	return files, explicit, nil
}
