package skypath

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzMatches expands arbitrary path arguments (one per line, at most
// four) inside a fixed tree. Whatever they are, Matches returns matches or
// an error, the same each time; every match is a .sky file, once; a file
// found rather than named is a regular file below an argument's directory,
// outside hidden directories; and "dir/..." finds every such file below
// dir.
func FuzzMatches(f *testing.F) {
	for _, s := range []string{
		"...", "./...", "a.sky", "lib", "lib/...", "lib/deep/...", "a.sky\na.sky\n./a.sky",
		".hidden/...", ".hidden/z.sky", "dir.sky", "dir.sky/...", "link.sky", "sp ace/...",
		"lib/.../...", "lib//deep/", "b.txt", "a.sky/...", "missing/...", "lib/..../x",
	} {
		f.Add(s)
	}
	root := f.TempDir()
	for _, name := range []string{
		"a.sky", "b.txt", "lib/x.sky", "lib/x_test.sky", "lib/deep/y.sky", ".hidden/z.sky",
		"lib/.git/w.sky", "dir.sky/q.sky", "sp ace/é.sky",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("a.sky", filepath.Join(root, "link.sky")); err != nil {
		f.Skipf("symlink: %v", err)
	}
	f.Chdir(root)

	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\n")
		if len(args) > 4 {
			return
		}
		for _, a := range args {
			if c := path.Clean(a); path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || strings.ContainsRune(a, 0) {
				return // stay inside the tree
			}
		}
		ms, err := Matches(args)
		again, errAgain := Matches(args)
		if !reflect.DeepEqual(ms, again) || (err == nil) != (errAgain == nil) {
			t.Fatalf("Matches(%q) differs between two calls: %v %v / %v %v", args, ms, err, again, errAgain)
		}
		if err != nil {
			if ms != nil {
				t.Fatalf("Matches(%q) returned matches and %v", args, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if seen[m.Path] {
				t.Errorf("Matches(%q): %s twice", args, m.Path)
			}
			seen[m.Path] = true
			if !strings.HasSuffix(m.Path, ".sky") || m.Path != filepath.Clean(m.Path) {
				t.Errorf("Matches(%q): %q is not a clean path to a .sky file", args, m.Path)
			}
			if m.Explicit {
				continue
			}
			if info, err := os.Lstat(m.Path); err != nil || !info.Mode().IsRegular() {
				t.Errorf("Matches(%q) found %s, which is not a regular file", args, m.Path)
			}
			if !foundBelow(args, m.Path) {
				t.Errorf("Matches(%q) found %s, outside every argument's directory or in a hidden one", args, m.Path)
			}
		}
		for _, a := range args {
			dir, ok := strings.CutSuffix(a, "...")
			if !ok {
				continue
			}
			dir = strings.TrimSuffix(dir, "/")
			if dir == "" {
				dir = "."
			}
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if d.Type().IsRegular() && strings.HasSuffix(p, ".sky") && !seen[filepath.Clean(p)] {
					t.Errorf("Matches(%q) misses %s", args, p)
				}
				return nil
			})
		}
	})
}

// foundBelow reports whether file lies below the directory of one of
// args, with no hidden directory between.
func foundBelow(args []string, file string) bool {
	for _, a := range args {
		dir := filepath.Clean(strings.TrimSuffix(a, "..."))
		rel, err := filepath.Rel(dir, file)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			continue
		}
		hidden := false
		for _, part := range strings.Split(filepath.Dir(rel), "/") {
			if strings.HasPrefix(part, ".") && part != "." {
				hidden = true
			}
		}
		if !hidden {
			return true
		}
	}
	return false
}
