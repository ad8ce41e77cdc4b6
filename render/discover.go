package render

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Discover expands command-line paths into .sky files: a file names
// itself; a directory names the .sky files directly in it; "dir/..." names
// every .sky file below dir. Test files (*_test.sky) and hidden
// directories are skipped. explicit reports the files named directly,
// which must be service files.
func Discover(paths []string) (files []string, explicit map[string]bool, err error) {
	explicit = map[string]bool{}
	seen := map[string]bool{}
	add := func(f string) {
		f = filepath.Clean(f)
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		recursive := false
		if rest, ok := strings.CutSuffix(p, "..."); ok {
			recursive = true
			p = strings.TrimSuffix(rest, "/")
			if p == "" {
				p = "."
			}
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, unwrap(err))
		}
		if !info.IsDir() {
			if recursive {
				return nil, nil, fmt.Errorf("%s...: %s is a file, not a directory", p, p)
			}
			if !strings.HasSuffix(p, ".sky") {
				return nil, nil, fmt.Errorf("%s: not a .sky file", p)
			}
			add(p)
			explicit[filepath.Clean(p)] = true
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (strings.HasPrefix(d.Name(), ".") || !recursive) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".sky") && !strings.HasSuffix(path, "_test.sky") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return files, explicit, nil
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
