package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
	"github.com/skyc-dev/skyc/internal/textdiff"
)

var updateErrors = flag.Bool("update", os.Getenv("SKYC_UPDATE") == "1", "rewrite the golden stderr of testdata/errors/*.txtar")

// maxErrorLines is one screen: every message of the corpus must fit.
const maxErrorLines = 25

var (
	positioned = regexp.MustCompile(`^[\w./-]+\.sky:\d+:\d+: error: `)
	goStack    = regexp.MustCompile(`goroutine \d|\.go:\d+|panic:|runtime\.`)
)

// TestErrorCorpus runs the commands of testdata/errors/*.txtar, the
// mistakes service owners make most, and compares what skyc prints with
// the golden stderr section of each archive (-update rewrites it). Each
// archive's comment is a description line, the skyc command line, and
// optionally "# nopos: reason" for a mistake that has no line to point
// at. Every message must fit on one screen, name the place, show no Go
// stack and, without --verbose, no standard-library frames.
func TestErrorCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.txtar"))
	for i := range files {
		files[i], _ = filepath.Abs(files[i])
	}
	if err != nil || len(files) < 20 {
		t.Fatalf("want at least 20 cases in testdata/errors, have %d (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			nopos, verbose := false, false
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				switch {
				case strings.HasPrefix(line, "# nopos:"):
					nopos = true
				case strings.HasPrefix(line, "#"), strings.TrimSpace(line) == "":
				case args == nil:
					args = strings.Fields(line)
				}
			}
			if args == nil {
				t.Fatal("no command line in the archive's comment")
			}
			for _, a := range args {
				verbose = verbose || a == "--verbose"
			}
			dir := t.TempDir()
			var golden *txtar.File
			for i := range ar.Files {
				f := &ar.Files[i]
				if f.Name == "stderr" {
					golden = f
					continue
				}
				path := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			code := full.Main(args, &stdout, &stderr)
			got := stderr.String()

			if code != cli.ExitError {
				t.Errorf("exit status %d, want %d", code, cli.ExitError)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout is not empty:\n%s", stdout.String())
			}
			if n := strings.Count(got, "\n"); n > maxErrorLines {
				t.Errorf("the message takes %d lines, more than a screen (%d)", n, maxErrorLines)
			}
			if goStack.MatchString(got) {
				t.Errorf("the message shows Go internals:\n%s", got)
			}
			if !verbose && strings.Contains(got, "@skyc//") {
				t.Errorf("the message shows standard-library frames without --verbose:\n%s", got)
			}
			if !nopos && !positioned.MatchString(got) {
				t.Errorf("the message does not start with file:line:col: error:\n%s", got)
			}
			if !strings.Contains(got, "error: ") && !strings.HasPrefix(got, "skyc: ") {
				t.Errorf("the message says neither error: nor skyc:\n%s", got)
			}

			if *updateErrors {
				if golden == nil {
					ar.Files = append(ar.Files, txtar.File{Name: "stderr"})
					golden = &ar.Files[len(ar.Files)-1]
				}
				golden.Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if golden == nil {
				t.Fatalf("no stderr section (run with -update to write it); got:\n%s", got)
			}
			if d := textdiff.Unified("golden", "got", string(golden.Data), got); d != "" {
				t.Errorf("the message changed (run with -update if intended):\n%s", d)
			}
		})
	}
}
