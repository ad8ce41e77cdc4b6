package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/skyc-dev/skyc/internal/cli"
)

// The limits every hostile case runs under; a case's own args come after
// them and may override them.
var hostileLimits = []string{"--max-steps", "1000000", "--timeout", "10s", "--max-memory", "256Mi", "--parallel", "2"}

const (
	// hostileDeadline is when a case counts as hung and is killed: far
	// beyond every limit above, so that only a limit that failed to stop
	// the evaluation reaches it.
	hostileDeadline = 2 * time.Minute
	// hostileMaxRSS bounds the resident memory of a case. The watchdog
	// stops an evaluation once the memory in use passes the limit above
	// (256 MiB), but the allocation that passes it may be as large again,
	// and the garbage collector's headroom, the runtime and the type
	// registry come on top; on a loaded machine (CI runs the e2e tests
	// and their API server alongside) the watchdog may act one doubling
	// later, at 2 GiB. A memory bomb the watchdog missed goes far past
	// it: a list of 2³⁰ elements is 16 GiB.
	hostileMaxRSS = 4 << 30
)

// hostileSetup prepares the cases that cannot be written as text in git:
// symbolic links, generated files, bytes that are not UTF-8. Each runs in
// the case's directory after its txtar files are written.
var hostileSetup = map[string]func(t *testing.T, dir string){
	"load_symlink_file": func(t *testing.T, dir string) {
		outside := writeOutside(t, "secret.sky", "password = \"hunter2\"\n")
		symlink(t, outside, filepath.Join(dir, "lib", "secret.sky"))
	},
	"load_symlink_dir": func(t *testing.T, dir string) {
		outside := filepath.Dir(writeOutside(t, "secret.sky", "password = \"hunter2\"\n"))
		symlink(t, outside, filepath.Join(dir, "vendor"))
	},
	"load_symlink_device": func(t *testing.T, dir string) {
		symlink(t, "/dev/zero", filepath.Join(dir, "zero.sky"))
	},
	"load_symlink_loop": func(t *testing.T, dir string) {
		symlink(t, "b.sky", filepath.Join(dir, "a.sky"))
		symlink(t, "a.sky", filepath.Join(dir, "b.sky"))
	},
	"load_fifo": func(t *testing.T, dir string) {
		if err := mkfifo(filepath.Join(dir, "pipe.sky")); errors.Is(err, errors.ErrUnsupported) {
			t.Skip("no named pipes on this system")
		} else if err != nil {
			t.Fatalf("mkfifo: %v", err)
		}
	},
	"non_utf8": func(t *testing.T, dir string) {
		src := "def main(ctx):\n    return k8s.core.ConfigMap(\n        metadata = k8s.meta.ObjectMeta(name = \"latin1\"),\n        data = {\"city\": \"M\xfcnchen\"},\n    )\n"
		writeFile(t, filepath.Join(dir, "main.sky"), src)
	},
	"huge_file": func(t *testing.T, dir string) {
		// 50 MB of plausible source: a list literal, one short line
		// each.
		var b bytes.Buffer
		b.WriteString("NAMES = [\n")
		for b.Len() < 50<<20 {
			b.WriteString("    \"service-name-that-is-quite-long\",\n")
		}
		b.WriteString("]\n\ndef main(ctx):\n    return []\n")
		writeFile(t, filepath.Join(dir, "main.sky"), b.String())
	},
	"deep_call_chain": func(t *testing.T, dir string) {
		// 100,000 distinct functions, each calling the next: no
		// recursion, but a Starlark stack as deep as the file allows.
		var b strings.Builder
		const n = 100_000
		b.WriteString("def f0():\n    return 0\n")
		for i := 1; i <= n; i++ {
			b.WriteString("def f" + strconv.Itoa(i) + "():\n    return f" + strconv.Itoa(i-1) + "()\n")
		}
		b.WriteString("def main(ctx):\n    f" + strconv.Itoa(n) + "()\n    return []\n")
		writeFile(t, filepath.Join(dir, "main.sky"), b.String())
	},
}

// TestHostile runs the hostile corpus, testdata/hostile/*.txtar, through
// skyc render as a user would: each case is a small repository whose
// render must fail with exit status 2 and the case's error, on stderr
// only, within the limits above, without a panic or a Go runtime crash.
//
// A case's txtar comment holds its description and lines
//
//	args: render arguments after the shared limits (default: main.sky)
//	want: a regexp that must match a line of stderr (repeatable)
//
// Each case runs in its own process (the test binary, re-executed as
// skyc), so a memory bomb is measured alone and a crash is seen as one.
func TestHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile corpus takes a while; skipped in -short mode")
	}
	skyc, err := exec.LookPath("skyc")
	if err != nil {
		t.Fatalf("skyc is not on PATH (TestMain registers it): %v", err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "hostile", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no hostile cases: %v", err)
	}
	names := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		names[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, skyc, file, name)
		})
	}
	for name := range hostileSetup {
		if !names[name] {
			t.Errorf("hostileSetup has %s, but there is no testdata/hostile/%s.txtar", name, name)
		}
	}
}

// hostileCase is one parsed case file.
type hostileCase struct {
	args  []string
	wants []*regexp.Regexp
}

func parseHostile(t *testing.T, ar *txtar.Archive) hostileCase {
	var c hostileCase
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		switch {
		case strings.HasPrefix(line, "args:"):
			c.args = strings.Fields(strings.TrimPrefix(line, "args:"))
		case strings.HasPrefix(line, "want:"):
			re, err := regexp.Compile("(?m)" + strings.TrimSpace(strings.TrimPrefix(line, "want:")))
			if err != nil {
				t.Fatalf("bad want: %v", err)
			}
			c.wants = append(c.wants, re)
		}
	}
	if len(c.args) == 0 {
		c.args = []string{"main.sky"}
	}
	if len(c.wants) == 0 {
		t.Fatal("the case has no want: line")
	}
	return c
}

// crash matches what the Go runtime prints when the process dies of a
// panic or a fatal error, rather than skyc reporting one.
var crash = regexp.MustCompile(`(?m)^(panic: |fatal error: |runtime: |goroutine \d+ \[)`)

func runHostile(t *testing.T, skyc, file, name string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := parseHostile(t, ar)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "skyc.yaml"), "")
	for _, f := range ar.Files {
		writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
	}
	if setup := hostileSetup[name]; setup != nil {
		setup(t, dir)
	}

	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	args := append(append([]string{"render"}, hostileLimits...), c.args...)
	cmd := exec.CommandContext(ctx, skyc, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("skyc %s: still running after %v: no limit stopped it\nstderr:\n%s", strings.Join(args, " "), hostileDeadline, clip(stderr.String()))
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		t.Errorf("skyc %s: succeeded, want exit status 2", strings.Join(args, " "))
	case errors.As(err, &exit):
		if code := exit.ExitCode(); code != cli.ExitError {
			t.Errorf("exit status %d, want %d", code, cli.ExitError)
		}
	default:
		t.Fatalf("running skyc: %v", err)
	}
	if crash.Match(stderr.Bytes()) {
		t.Errorf("the process crashed instead of reporting an error:\n%s", clip(stderr.String()))
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout is not empty:\n%s", clip(stdout.String()))
	}
	for _, re := range c.wants {
		if !re.Match(stderr.Bytes()) {
			t.Errorf("stderr does not match %q:\n%s", re, clip(stderr.String()))
		}
	}
	if rss, ok := peakRSS(cmd.ProcessState); ok && rss > hostileMaxRSS {
		t.Errorf("peak resident memory %d MiB, want at most %d MiB", rss>>20, hostileMaxRSS>>20)
	}
}

// clip shortens long output for a failure message, keeping its start
// (where a crash says what happened) and its end.
func clip(s string) string {
	const head, tail = 2000, 500
	if len(s) > head+tail {
		return s[:head] + "\n...\n" + s[len(s)-tail:]
	}
	return s
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeOutside writes a file in a directory outside every case's
// repository and returns its path.
func writeOutside(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outside", name)
	writeFile(t, path, data)
	return path
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatalf("symlink: %v", err)
	}
}
