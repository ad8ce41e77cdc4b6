package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/fleet"
)

// TestDeterminism renders the examples and a generated fleet of 1000
// services through the CLI, serially (--parallel 1) and with far more
// evaluations at once than CPUs (--parallel 64), as a stream and as an -o
// tree, and from a cold and a warm render cache, and expects the same
// bytes every time: the output may depend on nothing but the input.
func TestDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a 1000-service fleet several times; skipped in -short mode")
	}
	fleetRoot := t.TempDir()
	f := fleet.Generate(fleet.Options{N: 1000, Seed: 8, Shape: fleet.Mixed, Envs: []string{"staging", "production"}})
	if err := f.Write(fleetRoot); err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		paths []string
		// treeEnv limits the tree comparison to one environment, to keep
		// the number of files written in bounds.
		treeEnv string
	}{
		"examples": {paths: []string{examples + "/..."}},
		"fleet":    {paths: []string{filepath.Join(fleetRoot, "services") + "/..."}, treeEnv: "staging"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			render := func(args ...string) string {
				t.Helper()
				code, stdout, stderr := skyc(append(append([]string{"render"}, args...), tt.paths...)...)
				if code != cli.ExitOK {
					t.Fatalf("skyc render %s: exit %d\n%s", strings.Join(args, " "), code, clip(stderr))
				}
				return stdout
			}
			serial := render("--parallel", "1")
			if len(serial) == 0 {
				t.Fatal("the render is empty")
			}
			if got := render("--parallel", "64"); got != serial {
				t.Errorf("the parallel stream differs from the serial one:\n%s", firstDifference(serial, got))
			}

			// Trees.
			var treeArgs []string
			if tt.treeEnv != "" {
				treeArgs = []string{"--env", tt.treeEnv}
			}
			dir := t.TempDir()
			serialTree, parallelTree := filepath.Join(dir, "serial"), filepath.Join(dir, "parallel")
			render(append(treeArgs, "--parallel", "1", "-o", serialTree)...)
			render(append(treeArgs, "--parallel", "64", "-o", parallelTree)...)
			want := readTree(t, serialTree)
			if len(want) == 0 {
				t.Fatal("the tree is empty")
			}
			compareTrees(t, "the parallel tree", want, readTree(t, parallelTree))

			// A cache filled by one render and read by the next.
			t.Setenv("SKYC_CACHE", t.TempDir())
			if got := render("--parallel", "64"); got != serial {
				t.Errorf("the render that filled the cache differs from the serial one:\n%s", firstDifference(serial, got))
			}
			if got := render("--parallel", "64"); got != serial {
				t.Errorf("the render from the cache differs from the serial one:\n%s", firstDifference(serial, got))
			}
		})
	}
}

// readTree returns the files below dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compareTrees reports the files that got lacks, adds or holds otherwise
// than want.
func compareTrees(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	var diffs []string
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range []map[string][]byte{want, got} {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}) {
		w, inWant := want[name]
		g, inGot := got[name]
		switch {
		case !inGot:
			diffs = append(diffs, "missing "+name)
		case !inWant:
			diffs = append(diffs, "extra "+name)
		case !bytes.Equal(w, g):
			diffs = append(diffs, fmt.Sprintf("%s differs:\n%s", name, firstDifference(string(w), string(g))))
		}
	}
	if len(diffs) > 0 {
		if len(diffs) > 10 {
			diffs = append(diffs[:10], fmt.Sprintf("... and %d more", len(diffs)-10))
		}
		t.Errorf("%s differs from the serial one:\n%s", what, strings.Join(diffs, "\n"))
	}
}

// firstDifference shows the first line where a and b differ, with the
// lines before it.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			from := max(0, i-3)
			return fmt.Sprintf("line %d:\n  %s\n- %s\n+ %s", i+1, strings.Join(al[from:i], "\n  "), al[i], bl[i])
		}
	}
	return fmt.Sprintf("one is a prefix of the other: %d and %d lines", len(al), len(bl))
}
