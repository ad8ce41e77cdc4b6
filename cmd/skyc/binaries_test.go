package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

// heavyPackages are what the light skyc must not link: the packages whose
// initialisation made every skyc process start slowly. A pattern ending
// in "/" is a prefix. client-go's scheme, k8s.io/client-go/kubernetes/scheme,
// builds every built-in kind's scheme in its init (about 2.5 ms); the type
// registry and the importer use internal/kubescheme's, built on first use.
var heavyPackages = []string{
	"k8s.io/kubernetes/",
	"k8s.io/apiserver/",
	"k8s.io/client-go/kubernetes",
	"k8s.io/client-go/kubernetes/scheme",
	"k8s.io/client-go/kubernetes/typed/",
	"k8s.io/client-go/kubernetes/fake",
	"github.com/google/cel-go/",
	"github.com/prometheus/client_golang/",
	"github.com/aws/aws-sdk-go-v2/service/",
	"github.com/skyc-dev/skyc/check",
	"github.com/skyc-dev/skyc/check/policy",
	"github.com/skyc-dev/skyc/live",
	"github.com/skyc-dev/skyc/plan",
	"github.com/skyc-dev/skyc/plan/",
	"github.com/skyc-dev/skyc/internal/cli/full",
}

// heavy reports the heavy packages among deps.
func heavy(deps []string) []string {
	var found []string
	for _, d := range deps {
		for _, h := range heavyPackages {
			if d == h || (strings.HasSuffix(h, "/") && strings.HasPrefix(d, h)) {
				found = append(found, d)
				break
			}
		}
	}
	return found
}

// goDeps lists the packages pkg links, as go list -deps does.
func goDeps(t *testing.T, pkg string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", pkg).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestLightDependencies: the light skyc links none of the packages that
// only check and diff need (see package cli), while skyc-full links them
// all, which shows the patterns name real packages. check/awscheck, the
// render's offline IAM checks, is light and stays.
func TestLightDependencies(t *testing.T) {
	light := goDeps(t, ".")
	if found := heavy(light); len(found) > 0 {
		t.Errorf("cmd/skyc links %d heavy packages, which slow down the start of every skyc process; they belong in internal/cli/full:\n\t%s",
			len(found), strings.Join(found, "\n\t"))
	}
	if !slices.Contains(light, "github.com/skyc-dev/skyc/check/awscheck") {
		t.Errorf("cmd/skyc does not link check/awscheck; render's IAM checks use it")
	}
	fullDeps := goDeps(t, "../skyc-full")
	for _, h := range heavyPackages {
		if !slices.ContainsFunc(fullDeps, func(d string) bool {
			return d == h || (strings.HasSuffix(h, "/") && strings.HasPrefix(d, h))
		}) {
			t.Errorf("cmd/skyc-full does not link %s: is the pattern still right?", h)
		}
	}
	t.Logf("cmd/skyc links %d packages, cmd/skyc-full %d", len(light), len(fullDeps))
}

// TestHelpSame: both command tables list the same commands with the same
// summaries, check and diff included, so skyc help reads the same from
// either binary.
func TestHelpSame(t *testing.T) {
	var lightOut, fullOut bytes.Buffer
	if code := cli.Main(cli.LightCommands(), []string{"help"}, &lightOut, &lightOut); code != cli.ExitOK {
		t.Fatalf("light skyc help: exit %d\n%s", code, &lightOut)
	}
	if code := full.Main([]string{"help"}, &fullOut, &fullOut); code != cli.ExitOK {
		t.Fatalf("skyc-full help: exit %d\n%s", code, &fullOut)
	}
	if lightOut.String() != fullOut.String() {
		t.Errorf("skyc help differs:\nlight:\n%s\nfull:\n%s", &lightOut, &fullOut)
	}
	for _, want := range []string{"\tcheck      " + cli.CheckSummary + "\n", "\tdiff       " + cli.DiffSummary + "\n"} {
		if !strings.Contains(lightOut.String(), want) {
			t.Errorf("skyc help lacks %q:\n%s", want, &lightOut)
		}
	}
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// binaries builds skyc and skyc-full into a directory, once per test
// binary, and returns their paths.
func binaries(t *testing.T) (light, fullBin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds both binaries; skipped in -short mode")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "skyc-bin-")
		if binErr != nil {
			return
		}
		out, err := exec.Command(goCmd, "build", "-o", binDir+string(filepath.Separator), ".", "../skyc-full").CombinedOutput()
		if err != nil {
			binErr = errors.New("go build ./cmd/skyc ./cmd/skyc-full: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, exe("skyc")), filepath.Join(binDir, exe("skyc-full"))
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// result is what a skyc process did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a binary in dir with args and an environment of env on top of
// the test's, without SKYC_FULL or SKYC_FORWARDED unless env sets them.
func run(t *testing.T, dir, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKYC_FULL=") && !strings.HasPrefix(kv, "SKYC_FORWARDED=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// checkRepo writes a small repository with a service the API server would
// reject (host networking is a policy finding) and a manifest with an
// invalid object.
func checkRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"skyc.yaml":      "environments:\n  staging: {}\n  production: {}\n",
		"svc/bad.sky":    "def main(ctx):\n    w = worker(name = \"bad\", team = \"web\", image = \"registry.example.com/bad:1.0.0\")\n    w.deployment.spec.template.spec.hostNetwork = True\n    return w\n",
		"svc/clean.sky":  "def main(ctx):\n    return service(name = \"clean\", team = \"web\", image = \"registry.example.com/clean:1.0.0\")\n",
		"deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\ndata:\n  k: v\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestForwardToFull: check and diff run through the light skyc, which
// finds skyc-full next to itself and hands it the arguments, print and
// exit exactly as skyc-full does; the light commands and version are the
// same in both binaries.
func TestForwardToFull(t *testing.T) {
	light, fullBin := binaries(t)
	repo := checkRepo(t)
	noPath := []string{"PATH=" + t.TempDir(), "SKYC_CACHE=off"}
	if r := run(t, repo, fullBin, noPath, "render", "-o", "out", "svc/clean.sky"); r.code != cli.ExitOK {
		t.Fatalf("skyc-full render -o out: exit %d\n%s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"check", "svc/...", "deploy/cm.yaml"},
		{"check", "--format", "json", "--env", "staging", "svc/bad.sky"},
		{"check", "--no-policies", "svc/clean.sky"},
		{"check", "--bogus"},
		{"check", "-h"},
		{"help", "check"},
		{"-h", "diff"},
		{"diff", "--against", "nowhere", "svc/clean.sky"},
		{"diff", "--against", "out", "svc/..."},
		{"help"},
		{"version"},
		{"render", "--env", "staging", "svc/clean.sky"},
	} {
		want := run(t, repo, fullBin, noPath, args...)
		got := run(t, repo, light, noPath, args...)
		if got != want {
			t.Errorf("skyc %s differs from skyc-full's:\nlight: exit %d\nstdout:\n%s\nstderr:\n%s\nfull: exit %d\nstdout:\n%s\nstderr:\n%s",
				strings.Join(args, " "), got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
		if args[0] != "check" && args[0] != "diff" || args[len(args)-1] != "svc/..." {
			continue
		}
		// Both have something to report: exit 1.
		if want.code != cli.ExitFindings || !strings.Contains(want.stdout, "bad") {
			t.Errorf("skyc-full %s: exit %d, want %d, about the bad service\n%s%s", strings.Join(args, " "), want.code, cli.ExitFindings, want.stdout, want.stderr)
		}
	}
}

// TestForwardThroughSymlink: a light skyc reached through a symbolic
// link (as package managers install it) finds the skyc-full next to the
// file the link points to, and $SKYC_FULL wins over that.
func TestForwardThroughSymlink(t *testing.T) {
	light, fullBin := binaries(t)
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	repo := checkRepo(t)
	link := filepath.Join(t.TempDir(), "skyc")
	if err := os.Symlink(light, link); err != nil {
		t.Fatal(err)
	}
	want := run(t, repo, fullBin, nil, "check", "svc/bad.sky")
	if got := run(t, repo, link, []string{"PATH=" + t.TempDir()}, "check", "svc/bad.sky"); got != want {
		t.Errorf("through a link: exit %d\n%s%s\nwant exit %d\n%s%s", got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
	}
	// A copy of skyc-full elsewhere, named by SKYC_FULL, is used even with
	// the sibling present: the copy's own name shows it ran.
	other := filepath.Join(t.TempDir(), "my-skyc-full")
	copyFile(t, fullBin, other)
	if got := run(t, repo, light, []string{"SKYC_FULL=" + other}, "check", "svc/bad.sky"); got != want {
		t.Errorf("SKYC_FULL=%s: exit %d\n%s%s\nwant exit %d\n%s%s", other, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
	}
	os.Remove(other)
	got := run(t, repo, light, []string{"SKYC_FULL=" + other}, "check", "svc/bad.sky")
	if got.code != cli.ExitError || !strings.Contains(got.stderr, "$SKYC_FULL="+other) || strings.Contains(got.stderr, "next to skyc") {
		t.Errorf("SKYC_FULL=%s (removed): exit %d, want %d naming $SKYC_FULL alone\n%s", other, got.code, cli.ExitError, got.stderr)
	}
}

// TestFullMissing: a light skyc with no skyc-full anywhere it looks fails
// check and diff with exit 2 and says where it looked and how to get
// skyc-full; its own commands still work.
func TestFullMissing(t *testing.T) {
	light, _ := binaries(t)
	repo := checkRepo(t)
	alone := filepath.Join(t.TempDir(), exe("skyc"))
	copyFile(t, light, alone)
	emptyPath := "PATH=" + t.TempDir()
	missing := filepath.Join(t.TempDir(), "skyc-full")
	for _, tt := range []struct {
		env  []string
		args []string
		want []string
	}{
		{[]string{emptyPath, "SKYC_FULL=" + missing}, []string{"check", "svc/..."},
			[]string{"skyc: check is a command of skyc-full", "$SKYC_FULL=" + missing + ": no such file or directory"}},
		{[]string{emptyPath}, []string{"check", "svc/..."},
			[]string{"next to skyc: " + filepath.Join(filepath.Dir(alone), "skyc-full") + ": no such file or directory", "on $PATH: not found",
				"go run ./cmd/skyc-full check svc/..."}},
		{[]string{emptyPath}, []string{"help", "diff"}, []string{"skyc: diff is a command of skyc-full"}},
	} {
		got := run(t, repo, alone, tt.env, tt.args...)
		if got.code != cli.ExitError || got.stdout != "" {
			t.Errorf("skyc %s with %q: exit %d, stdout %q; want exit %d, no output", strings.Join(tt.args, " "), tt.env, got.code, got.stdout, cli.ExitError)
		}
		for _, w := range append(tt.want, "go install github.com/skyc-dev/skyc/cmd/...@latest", "make build") {
			if !strings.Contains(got.stderr, w) {
				t.Errorf("skyc %s with %q: stderr lacks %q:\n%s", strings.Join(tt.args, " "), tt.env, w, got.stderr)
			}
		}
	}
	if got := run(t, repo, alone, []string{emptyPath}, "render", "--env", "staging", "svc/clean.sky"); got.code != cli.ExitOK || !strings.Contains(got.stdout, "kind: Deployment") {
		t.Errorf("skyc render without skyc-full: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
}

// TestForwardNoLoop: SKYC_FULL naming the light skyc, itself or a copy
// called skyc-full, is an error at once, not an endless chain of skyc
// replacing itself.
func TestForwardNoLoop(t *testing.T) {
	light, _ := binaries(t)
	repo := checkRepo(t)
	impostor := filepath.Join(t.TempDir(), exe("skyc-full"))
	copyFile(t, light, impostor)
	for _, tt := range []struct {
		full, want string
	}{
		{light, "$SKYC_FULL=" + light + ": is this skyc, not skyc-full"},
		{impostor, impostor + " was run as skyc-full, but it is the light skyc, which has no check command"},
	} {
		got := run(t, repo, light, []string{"SKYC_FULL=" + tt.full}, "check", "svc/...")
		if got.code != cli.ExitError || !strings.Contains(got.stderr, tt.want) {
			t.Errorf("SKYC_FULL=%s skyc check: exit %d, want %d and %q\n%s", tt.full, got.code, cli.ExitError, tt.want, got.stderr)
		}
		if n := strings.Count("\n"+got.stderr, "\nskyc: "); n != 1 {
			t.Errorf("SKYC_FULL=%s skyc check: %d messages, want 1\n%s", tt.full, n, got.stderr)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestForwardReplacesProcess: on unix the light skyc replaces itself with
// skyc-full (here a script standing in for it): same process ID, the same
// arguments, environment (plus the marker) and standard streams, and its
// exit code.
func TestForwardReplacesProcess(t *testing.T) {
	light, _ := binaries(t)
	if runtime.GOOS == "windows" {
		t.Skip("Windows runs skyc-full as a child")
	}
	script := filepath.Join(t.TempDir(), "fake-skyc-full")
	src := "#!/bin/sh\necho \"pid $$\"\necho \"args $*\"\necho \"var $SKYC_TEST_VAR\"\necho \"marker $SKYC_FORWARDED\"\nread line\necho \"stdin $line\"\necho oops >&2\nexit 5\n"
	if err := os.WriteFile(script, []byte(src), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(light, "check", "--format", "json", "a b.sky")
	cmd.Env = append(os.Environ(), "SKYC_FULL="+script, "SKYC_TEST_VAR=kept")
	cmd.Stdin = strings.NewReader("hello\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 5 {
		t.Fatalf("skyc check via the script: %v, want exit 5\n%s%s", err, &stdout, &stderr)
	}
	want := "pid " + strconv.Itoa(cmd.Process.Pid) + "\nargs check --format json a b.sky\nvar kept\nmarker " + script + "\nstdin hello\n"
	if stdout.String() != want || stderr.String() != "oops\n" {
		t.Errorf("skyc check via the script printed\n%s(stderr %q)\nwant\n%s(stderr \"oops\\n\")", &stdout, &stderr, want)
	}
}
