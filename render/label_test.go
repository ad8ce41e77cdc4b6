package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLabel checks the labels of files named on the command line, from
// working directories at, below and outside the repository root, against
// filepath.Rel of the file's absolute path.
func TestLabel(t *testing.T) {
	root := t.TempDir()
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "services", "team"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	files := []string{
		"a.sky", "team/b.sky", "services/team/c.sky", "./a.sky", "team//b.sky", "team/../a.sky",
		"../a.sky", "../../x.sky", "..", ".", "a.sky/", filepath.Join(root, "services", "d.sky"), "/elsewhere/e.sky",
	}
	for _, wd := range []string{root, filepath.Join(root, "services"), filepath.Join(root, "services", "team"), outside} {
		t.Run(strings.TrimPrefix(wd, root), func(t *testing.T) {
			t.Chdir(wd)
			r := &Renderer{root: root}
			for _, f := range files {
				got, gotErr := r.label(f)
				want, wantErr := relLabel(root, wd, f)
				if got != want || (gotErr == nil) != (wantErr == nil) {
					t.Errorf("label(%q) in %s = %q, %v; want %q, %v", f, wd, got, gotErr, want, wantErr)
				}
			}
		})
	}
}

// relLabel is the label of file, named in the working directory wd.
func relLabel(root, wd, file string) (string, error) {
	abs := file
	if !filepath.IsAbs(file) {
		abs = filepath.Join(wd, file)
	}
	rel, err := filepath.Rel(root, filepath.Clean(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("outside")
	}
	return filepath.ToSlash(rel), nil
}
