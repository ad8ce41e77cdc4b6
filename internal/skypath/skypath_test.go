package skypath

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"a.sky", "b_test.sky", "notes.txt",
		"sub/c.sky", "sub/deep/d.sky", ".hidden/e.sky",
	} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	for name, c := range map[string]struct {
		paths []string
		want  []string
		err   string
	}{
		"file":             {paths: []string{"sub/c.sky"}, want: []string{"sub/c.sky"}},
		"directory":        {paths: []string{"."}, want: []string{"a.sky", "b_test.sky"}},
		"recursive":        {paths: []string{"./..."}, want: []string{"a.sky", "b_test.sky", "sub/c.sky", "sub/deep/d.sky"}},
		"recursive subdir": {paths: []string{"sub/..."}, want: []string{"sub/c.sky", "sub/deep/d.sky"}},
		"bare dots":        {paths: []string{"..."}, want: []string{"a.sky", "b_test.sky", "sub/c.sky", "sub/deep/d.sky"}},
		"each once":        {paths: []string{"sub/c.sky", "sub/...", "./sub/c.sky"}, want: []string{"sub/c.sky", "sub/deep/d.sky"}},
		"hidden named":     {paths: []string{".hidden"}, want: []string{".hidden/e.sky"}},
		"missing":          {paths: []string{"nope.sky"}, err: "nope.sky: no such file or directory"},
		"not sky":          {paths: []string{"notes.txt"}, err: "notes.txt: not a .sky file"},
		"file with dots":   {paths: []string{"a.sky/..."}, err: "a.sky...: a.sky is a file, not a directory"},
		"hidden recursive": {paths: []string{".hidden/..."}, want: []string{".hidden/e.sky"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Expand(c.paths)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Expand(%q) error = %v, want %q", c.paths, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Expand(%q) = %q, want %q", c.paths, got, c.want)
			}
		})
	}
}
