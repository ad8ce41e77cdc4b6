package skytest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/textdiff"
)

var update = flag.Bool("update", os.Getenv("SKYC_UPDATE") == "1", "rewrite the golden files in testdata/golden")

func run(t *testing.T, opts Options, files ...string) (*Runner, *Report) {
	t.Helper()
	r, err := New(context.Background(), opts, files[0])
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Run(context.Background(), files)
}

// golden compares got with testdata/golden/name, or writes it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := textdiff.Unified(path, "got", string(want), got); d != "" {
		t.Errorf("output differs from the golden file (run with -update if intended):\n%s", d)
	}
}

// TestGoldenReports runs the test files of testdata/repo and compares
// the text and JUnit reports with golden files.
func TestGoldenReports(t *testing.T) {
	tests := map[string]struct {
		files  []string
		run    string
		status int
	}{
		"passing":  {files: []string{"web_test.sky"}, status: 0},
		"failing":  {files: []string{"failing_test.sky", "web_test.sky"}, status: 1},
		"broken":   {files: []string{"broken_test.sky", "web_test.sky"}, status: 2},
		"selected": {files: []string{"failing_test.sky"}, run: "^test_(passes|short_values)$", status: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var files []string
			for _, f := range tc.files {
				files = append(files, filepath.Join("testdata", "repo", "services", f))
			}
			opts := Options{}
			if tc.run != "" {
				opts.Run = regexp.MustCompile(tc.run)
			}
			r, rep := run(t, opts, files...)
			if got := rep.Status(); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
			var text, junit bytes.Buffer
			WriteText(&text, rep, TextOptions{Source: r.Runtime().Source})
			if err := WriteJUnit(&junit, rep, JUnitOptions{Source: r.Runtime().Source}); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".txt", text.String())
			golden(t, name+".xml", junit.String())
		})
	}
}

// TestFailuresFitOnAScreen keeps each failure short enough to read
// without scrolling, diffs aside.
func TestFailuresFitOnAScreen(t *testing.T) {
	r, rep := run(t, Options{}, filepath.Join("testdata", "repo", "services", "failing_test.sky"))
	for _, f := range rep.Files {
		for _, tr := range f.Tests {
			if !tr.Failed() {
				continue
			}
			var b bytes.Buffer
			WriteText(&b, &Report{Files: []*FileResult{{File: f.File, Label: f.Label, Tests: []*Result{{Name: tr.Name, Failure: tr.Failure}}}}}, TextOptions{Source: r.Runtime().Source})
			if n := strings.Count(b.String(), "\n"); n > 25 {
				t.Errorf("%s: failure takes %d lines:\n%s", tr.Name, n, b.String())
			}
		}
	}
}

// TestUpdateWritesSnapshots runs a test with a missing snapshot with
// Update, then without: the first writes it, the second passes.
func TestUpdateWritesSnapshots(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "skyc.yaml"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "def test_s():\n    assert.snapshot(\"hello\\n\", \"greeting\")\n"
	file := filepath.Join(dir, "s_test.sky")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, rep := run(t, Options{}, file); rep.Status() != 1 {
		t.Fatalf("missing snapshot: status %d, want 1", rep.Status())
	}
	_, rep := run(t, Options{Update: true}, file)
	if rep.Status() != 0 || len(rep.Files[0].Tests[0].Updated) != 1 {
		t.Fatalf("update: status %d, updated %v", rep.Status(), rep.Files[0].Tests[0].Updated)
	}
	data, err := os.ReadFile(filepath.Join(dir, "__snapshots__", "greeting.yaml"))
	if err != nil || string(data) != "hello\n" {
		t.Fatalf("snapshot: %q, %v", data, err)
	}
	if _, rep := run(t, Options{}, file); rep.Status() != 0 {
		t.Fatalf("after update: status %d, want 0", rep.Status())
	}
}

func TestDiscover(t *testing.T) {
	files, err := Discover([]string{"testdata/repo/..."})
	if err != nil {
		t.Fatal(err)
	}
	want := "testdata/repo/services/broken_test.sky testdata/repo/services/failing_test.sky testdata/repo/services/web_test.sky"
	if got := strings.Join(files, " "); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := Discover([]string{"testdata/repo/services/web.sky"}); err == nil || !strings.Contains(err.Error(), "not a test file") {
		t.Errorf("naming a service file: got %v", err)
	}
}
