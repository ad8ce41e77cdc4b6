// Package skypath expands the PATH arguments of skyc's source commands
// (render, fmt, lint, ...) into .sky files.
//
// A file names itself, a directory names the .sky files directly in it,
// and "dir/..." names every .sky file below dir. Which of the files a
// command uses is its own business: render drops test files it was not
// given by name; fmt and lint take every file.
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

// Match is one .sky file a path argument names.
type Match struct {
	Path string
	// Explicit is set when the file was named itself, not found in a
	// directory.
	Explicit bool
}

// Expand returns the .sky files that paths name, each once, in the order
// of paths and sorted within a directory. Hidden directories (".git") are
// skipped. A path that does not exist, a file named with "..." or a named
// file without the .sky extension is an error.
func Expand(paths []string) ([]string, error) {
	ms, err := Matches(paths)
	if err != nil {
		return nil, err
	}
	files := make([]string, len(ms))
	for i, m := range ms {
		files[i] = m.Path
	}
	return files, nil
}

// Matches is Expand, telling the files named directly from those found.
func Matches(paths []string) ([]Match, error) {
	var files []Match
	seen := map[string]int{}
	add := func(f string, explicit bool) {
		f = filepath.Clean(f)
		if i, ok := seen[f]; ok {
			files[i].Explicit = files[i].Explicit || explicit
			return
		}
		seen[f] = len(files)
		files = append(files, Match{Path: f, Explicit: explicit})
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
			add(p, true)
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
			add(f, false)
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
