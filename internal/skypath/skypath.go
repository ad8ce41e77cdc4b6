// Package skypath expands the PATH arguments of skyc's source commands
// (fmt, lint) into .sky files.
//
// The patterns are render's: a file names itself, a directory names the
// .sky files directly in it, and "dir/..." names every .sky file below
// dir. Unlike render, test files (*_test.sky) and library files are
// included: they are source like any other.
package skypath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Expand returns the .sky files that paths name, each once, in the order
// of paths and sorted within a directory. Hidden directories (".git") are
// skipped. A path that does not exist, a file named with "..." or a named
// file without the .sky extension is an error.
func Expand(paths []string) ([]string, error) {
	var files []string
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
			return nil, fmt.Errorf("%s: %w", p, unwrap(err))
		}
		if !info.IsDir() {
			if recursive {
				return nil, fmt.Errorf("%s...: %s is a file, not a directory", p, p)
			}
			if !strings.HasSuffix(p, ".sky") {
				return nil, fmt.Errorf("%s: not a .sky file", p)
			}
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (!recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".sky") && d.Type().IsRegular() {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return files, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
