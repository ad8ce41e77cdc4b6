package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli/handoff"
)

// TestMainForwards: for a forwarded command, Main hands the forwarder all
// of skyc's arguments, for running it and for its help alike, and returns
// its exit code; skyc help still lists it.
func TestMainForwards(t *testing.T) {
	var got [][]string
	fwd := &Command{Name: "check", Summary: "checks", Forward: func(env *Env, args []string) int {
		got = append(got, args)
		return 7
	}}
	cmds := Commands(fwd, Forwarded("diff", DiffSummary))
	for _, args := range [][]string{{"check", "-x", "a"}, {"help", "check"}, {"-h", "check"}, {"check"}} {
		got = nil
		var out bytes.Buffer
		if code := Main(cmds, args, &out, &out); code != 7 || len(got) != 1 || strings.Join(got[0], " ") != strings.Join(args, " ") {
			t.Errorf("Main(%q) = %d, forwarded %q; want 7 and the arguments as given", args, code, got)
		}
		if out.Len() > 0 {
			t.Errorf("Main(%q) printed %q itself", args, &out)
		}
	}
	got = nil
	var out bytes.Buffer
	if code := Main(cmds, []string{"help"}, &out, &out); code != ExitOK || !strings.Contains(out.String(), "\tcheck      checks\n") || !strings.Contains(out.String(), "\tdiff       "+DiffSummary+"\n") {
		t.Errorf("skyc help: exit %d\n%s", code, &out)
	}
	if len(got) != 0 {
		t.Errorf("skyc help forwarded %q", got)
	}
}

// TestForwardRuns: with streams that are not the process's own (as here),
// the light skyc runs skyc-full as a child and waits: the child gets the
// arguments, the environment with the marker, and its exit code is
// skyc's. A second hop is refused.
func TestForwardRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as skyc-full")
	}
	script := filepath.Join(t.TempDir(), "fake-full")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"args: $*\"\necho \"marker: $SKYC_FORWARDED\"\necho \"user: $SKYC_TEST_VAR\"\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(FullEnv, script)
	t.Setenv("SKYC_TEST_VAR", "kept")
	var stdout, stderr bytes.Buffer
	code := Main(LightCommands(), []string{"check", "--format", "json", "a b"}, &stdout, &stderr)
	want := "args: check --format json a b\nmarker: " + script + "\nuser: kept\n"
	if code != 3 || stdout.String() != want || stderr.Len() > 0 {
		t.Errorf("forwarded check: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 3, stdout:\n%s", code, &stdout, &stderr, want)
	}

	t.Setenv(forwardedEnv, "/some/skyc-full")
	stdout.Reset()
	stderr.Reset()
	code = Main(LightCommands(), []string{"diff", "x"}, &stdout, &stderr)
	if code != ExitError || stdout.Len() > 0 || !strings.Contains(stderr.String(), "/some/skyc-full was run as skyc-full, but it is the light skyc, which has no diff command") {
		t.Errorf("forwarded twice: exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
}

// TestFindFull: $SKYC_FULL, when set, is the only place looked at, and a
// file there that is not an executable is refused with the reason.
func TestFindFull(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "skyc-full")
	if err := os.WriteFile(notExec, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ env, want string }{
		{filepath.Join(dir, "missing"), "$SKYC_FULL=" + filepath.Join(dir, "missing") + ": "},
		{dir, "$SKYC_FULL=" + dir + ": not an executable file"},
	} {
		t.Setenv(FullEnv, tt.env)
		path, tried := findFull()
		if path != "" || len(tried) != 1 || !strings.HasPrefix(tried[0], tt.want) {
			t.Errorf("SKYC_FULL=%s: found %q, tried %q; want nothing and %q", tt.env, path, tried, tt.want)
		}
	}
	if runtime.GOOS != "windows" {
		t.Setenv(FullEnv, notExec)
		if path, tried := findFull(); path != "" || len(tried) != 1 || !strings.HasSuffix(tried[0], "not an executable file") {
			t.Errorf("SKYC_FULL=%s (mode 644): found %q, tried %q", notExec, path, tried)
		}
		if err := os.Chmod(notExec, 0o755); err != nil {
			t.Fatal(err)
		}
		if path, tried := findFull(); path != notExec {
			t.Errorf("SKYC_FULL=%s (mode 755): found %q, tried %q", notExec, path, tried)
		}
	}
}

// TestForwardedCommandsAreHandedOver: the commands the light binary lists
// as skyc-full's are the ones package early hands over before skyc
// initialises, and no other.
func TestForwardedCommandsAreHandedOver(t *testing.T) {
	var forwarded []string
	for _, c := range LightCommands() {
		if c.Forward != nil {
			forwarded = append(forwarded, c.Name)
		}
	}
	if !slices.Equal(forwarded, handoff.Commands) {
		t.Errorf("light commands forwarded to skyc-full: %q; handoff.Commands: %q", forwarded, handoff.Commands)
	}
	for _, args := range [][]string{{"check"}, {"diff", "-h"}, {"help", "check"}, {"-h", "diff"}} {
		if !handoff.Forwards(args) {
			t.Errorf("handoff.Forwards(%q) = false", args)
		}
	}
	for _, args := range [][]string{{}, {"render", "check"}, {"help"}, {"version"}} {
		if handoff.Forwards(args) {
			t.Errorf("handoff.Forwards(%q) = true", args)
		}
	}
}
