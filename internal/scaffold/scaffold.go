// Package scaffold writes the starting files of a new service, worker or
// cron job: a .sky file that renders as it is, a test file and a README.
package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"go.starlark.net/syntax"
)

// Kinds are the kinds of workload New scaffolds.
var kinds = []string{"service", "worker", "cron"}

// Kinds returns the kinds of workload New scaffolds.
func Kinds() []string { return slices.Clone(kinds) }

// Options describes the workload to scaffold. Name and Kind are required;
// the rest have defaults.
type Options struct {
	Kind string // "service", "worker" or "cron"
	Name string // a DNS label: the directory, file and workload name
	// Team owns the workload; default "my-team".
	Team string
	// Image is the container image; default
	// "registry.example.com/NAME:0.1.0".
	Image string
	// Schedule is a cron job's schedule; default "0 3 * * *".
	Schedule string
}

// File is one scaffolded file.
type File struct {
	Path string // slash-separated, relative to the parent directory: NAME/...
	Data []byte
}

// CheckName reports whether name can name a workload of kind: a DNS-1035
// label (lower-case letters, digits and '-', starting with a letter, not
// ending with '-') of at most 63 characters, 52 for a cron job (whose
// Jobs append a suffix). The error says what is wrong.
func CheckName(kind, name string) error {
	limit := 63
	if kind == "cron" {
		limit = 52
	}
	const want = "want a DNS label: lower-case letters, digits and '-', starting with a letter"
	switch {
	case name == "":
		return fmt.Errorf("name is empty; %s", want)
	case len(name) > limit:
		return fmt.Errorf("name %q is %d characters long; a %s name has at most %d", name, len(name), kind, limit)
	case name[0] < 'a' || name[0] > 'z':
		return fmt.Errorf("name %q starts with %q; %s", name, []rune(name)[0], want)
	case name[len(name)-1] == '-':
		return fmt.Errorf("name %q ends with '-'; %s and not ending with '-'", name, want)
	}
	for i, c := range []rune(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			hint := ""
			if c >= 'A' && c <= 'Z' || c == '_' || c == '.' {
				hint = fmt.Sprintf(" (try %q)", strings.Map(suggest, name))
			}
			return fmt.Errorf("name %q has %q at position %d; %s%s", name, c, i+1, want, hint)
		}
	}
	return nil
}

func suggest(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r == '_' || r == '.':
		return '-'
	}
	return r
}

// Files returns the scaffolded files for opts, without writing them.
func Files(opts Options) ([]File, error) {
	if !slices.Contains(kinds, opts.Kind) {
		return nil, fmt.Errorf("unknown kind %q; want one of %s", opts.Kind, strings.Join(kinds, ", "))
	}
	if err := CheckName(opts.Kind, opts.Name); err != nil {
		return nil, err
	}
	if opts.Team == "" {
		opts.Team = "my-team"
	}
	if err := CheckName("team", opts.Team); err != nil {
		return nil, fmt.Errorf("team: %w", err)
	}
	if opts.Image == "" {
		opts.Image = "registry.example.com/" + opts.Name + ":0.1.0"
	}
	if opts.Schedule == "" {
		opts.Schedule = "0 3 * * *"
	}
	data := struct {
		Options
		What, Func string
		Quoted     map[string]string
	}{opts, what[opts.Kind], funcs[opts.Kind], map[string]string{
		"Name":     syntax.Quote(opts.Name, false),
		"Team":     syntax.Quote(opts.Team, false),
		"Image":    syntax.Quote(opts.Image, false),
		"Schedule": syntax.Quote(opts.Schedule, false),
	}}
	var files []File
	for _, t := range []struct{ path, tmpl string }{
		{opts.Name + ".sky", skyTemplates[opts.Kind]},
		{opts.Name + "_test.sky", testTemplate},
		{"README.md", readmeTemplate},
	} {
		var b bytes.Buffer
		if err := template.Must(template.New(t.path).Parse(t.tmpl)).Execute(&b, data); err != nil {
			return nil, err
		}
		files = append(files, File{Path: opts.Name + "/" + t.path, Data: b.Bytes()})
	}
	return files, nil
}

// Write writes the scaffolded files under dir (dir/NAME/...) and returns
// their paths. It overwrites nothing: if any of the files exists, it
// writes none and says which.
func Write(dir string, opts Options) ([]string, error) {
	files, err := Files(opts)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("%s already exists; not overwriting it", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		paths = append(paths, p)
	}
	if err := os.MkdirAll(filepath.Join(dir, opts.Name), 0o755); err != nil {
		return nil, err
	}
	for i, f := range files {
		if err := writeNew(paths[i], f.Data); err != nil {
			for _, p := range paths[:i] {
				os.Remove(p)
			}
			return nil, err
		}
	}
	return paths, nil
}

// writeNew creates the file at path with data; it fails if the file
// exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
