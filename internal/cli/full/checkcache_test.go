package full

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/fleet"
)

// policyRepo is a repository where policies fire, with a waiver that
// expires on 2027-03-01 and one that waives nothing, in two environments.
var policyRepo = map[string]string{
	"skyc.yaml": `defaults:
  policies:
    severity: {no-pdb: warning}
environments:
  staging:
    policies:
      severity: {no-pdb: "off"}
  production: {}
`,
	"svc/api.sky": `def main(ctx):
    api = service(name = "api", team = "web", image = "registry.example.com/api:latest")
    pod = api.deployment.spec.template.spec
    pod.hostNetwork = True
    pod.containers[0].livenessProbe = None
    return api
`,
	"svc/replicas.sky": `def main(ctx):
    w = worker(name = "replicas", team = "web", image = "registry.example.com/agent:1.4.0")
    w.deployment.spec.replicas = 2
    return w
`,
	"svc/unused.sky": `def main(ctx):
    w = worker(name = "unused", team = "web", image = "registry.example.com/agent:1.4.0")
    waive("no-pdb", reason = "a single replica", owner = "payments", expires = "2030-01-01")
    return w
`,
	"svc/waived.sky": `def main(ctx):
    w = worker(name = "waived", team = "web", image = "registry.example.com/agent:1.4.0")
    w.deployment.spec.template.spec.hostNetwork = True
    waive("host-network", reason = "the legacy agent needs the node's network until 2.0", owner = "payments", expires = "2027-03-01")
    return w
`,
	"svc/limited.sky": `def main(ctx):
    w = worker(name = "limited", team = "web", image = "registry.example.com/agent:1.4.0")
    w.deployment.spec.template.spec.hostNetwork = True
    waive("host-network", reason = "the legacy agent", owner = "payments", expires = "2030-01-01", object = w.deployment)
    waive("no-pdb", reason = "one replica", owner = "payments", expires = "2030-01-01", object = w.deployment)
    return w
`,
	"svc/ok.sky": `def main(ctx):
    return worker(name = "ok", team = "web", image = "registry.example.com/agent:1.4.0")
`,
	"lib/common.sky": `x = 1
`,
	"deploy/privileged.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: registry.example.com/agent:1.4.0
        securityContext:
          privileged: true
`,
}

// writeRepo writes files into a new directory and returns it.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkRun is one run of skyc check.
type checkRun struct {
	stdout, stderr string
	code           int
	checked        int64 // groups validated rather than served from the cache
}

func runCheckArgs(t *testing.T, args ...string) checkRun {
	t.Helper()
	var out, errb bytes.Buffer
	before := checkedGroups.Load()
	code := Main(append([]string{"check"}, args...), &out, &errb)
	return checkRun{out.String(), errb.String(), code, checkedGroups.Load() - before}
}

// withCache runs the test in dir with a findings cache of its own.
func withCache(t *testing.T, dir string) {
	t.Helper()
	t.Setenv("SKYC_CACHE", t.TempDir())
	t.Chdir(dir)
}

var checkFormatNames = []string{"text", "json", "sarif", "github"}

// TestCheckCacheSameOutput checks that a warm check, served from the
// cache, writes exactly what a cold one and one with --no-cache write, in
// every format, and validates nothing it has validated before.
func TestCheckCacheSameOutput(t *testing.T) {
	repos := map[string]struct {
		dir   string
		paths []string
	}{
		"policies": {writeRepo(t, policyRepo), []string{"--today", "2027-03-01", "svc/...", "deploy/privileged.yaml"}},
		"examples": {mustAbs(t, "../../../examples"), []string{"./..."}},
	}
	for name, repo := range repos {
		t.Run(name, func(t *testing.T) {
			withCache(t, repo.dir)
			for _, format := range checkFormatNames {
				args := append([]string{"--format", format}, repo.paths...)
				fresh := runCheckArgs(t, append([]string{"--no-cache"}, args...)...)
				cold := runCheckArgs(t, args...)
				warm := runCheckArgs(t, args...)
				if cold.stdout != fresh.stdout || cold.stderr != fresh.stderr || cold.code != fresh.code {
					t.Errorf("%s: cold check differs from --no-cache:\n%s\n%s\nwant\n%s\n%s", format, cold.stdout, cold.stderr, fresh.stdout, fresh.stderr)
				}
				if warm.stdout != cold.stdout || warm.stderr != cold.stderr || warm.code != cold.code {
					t.Errorf("%s: warm check differs from cold:\n%s\n%s\nwant\n%s\n%s", format, warm.stdout, warm.stderr, cold.stdout, cold.stderr)
				}
				if format == "text" && cold.checked == 0 {
					t.Errorf("the first check validated nothing")
				}
				if warm.checked != 0 {
					t.Errorf("%s: warm check validated %d services, want 0", format, warm.checked)
				}
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestCheckCacheEdit checks that editing one service file checks that
// file again, in each environment, and nothing else.
func TestCheckCacheEdit(t *testing.T) {
	dir := writeRepo(t, policyRepo)
	withCache(t, dir)
	args := []string{"--today", "2027-03-01", "svc/..."}
	runCheckArgs(t, args...)
	if r := runCheckArgs(t, args...); r.checked != 0 {
		t.Fatalf("warm check validated %d services, want 0", r.checked)
	}
	edited := strings.Replace(policyRepo["svc/ok.sky"], "1.4.0", "latest", 1)
	if err := os.WriteFile(filepath.Join(dir, "svc/ok.sky"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	warm := runCheckArgs(t, args...)
	if warm.checked != 2 {
		t.Errorf("after editing one service, validated %d services, want 2 (its two environments)", warm.checked)
	}
	fresh := runCheckArgs(t, append([]string{"--no-cache"}, args...)...)
	if warm.stdout != fresh.stdout {
		t.Errorf("after an edit:\n%s\nwant\n%s", warm.stdout, fresh.stdout)
	}
	if !strings.Contains(warm.stdout, `svc/ok.sky`) || !strings.Contains(warm.stdout, "[unpinned-image]") {
		t.Errorf("the edit's finding is missing:\n%s", warm.stdout)
	}
	if fresh.checked != 12 {
		t.Errorf("--no-cache validated %d services, want all 12", fresh.checked)
	}
}

// TestCheckCacheToday checks that a waiver found unexpired is not served
// from the cache once --today is past its expiry, nor the other way.
func TestCheckCacheToday(t *testing.T) {
	dir := writeRepo(t, policyRepo)
	withCache(t, dir)
	before := runCheckArgs(t, "--today", "2027-03-01", "svc/...")
	if before.code != 1 || strings.Contains(before.stdout, "waiver-expired") {
		t.Fatalf("on its last day, the waiver holds:\n%s", before.stdout)
	}
	after := runCheckArgs(t, "--today", "2027-03-02", "svc/...")
	if !strings.Contains(after.stdout, "[waiver-expired]") || !strings.Contains(after.stdout, "Deployment web/waived (staging): spec.template.spec.hostNetwork") {
		t.Errorf("the day after, the waiver has expired:\n%s", after.stdout)
	}
	if fresh := runCheckArgs(t, "--no-cache", "--today", "2027-03-02", "svc/..."); after.stdout != fresh.stdout {
		t.Errorf("the day after:\n%s\nwant\n%s", after.stdout, fresh.stdout)
	}
	// The services without waivers do not depend on the date.
	if after.checked != 2 {
		t.Errorf("the day after, validated %d services, want 2 (the waived one's environments)", after.checked)
	}
	again := runCheckArgs(t, "--today", "2027-03-01", "svc/...")
	if again.stdout != before.stdout {
		t.Errorf("back on the last day:\n%s\nwant\n%s", again.stdout, before.stdout)
	}
}

// TestCheckCacheConfig checks that a change of a policy's severity in
// skyc.yaml, or --no-policies, is not served what was found before.
func TestCheckCacheConfig(t *testing.T) {
	dir := writeRepo(t, policyRepo)
	withCache(t, dir)
	args := []string{"--today", "2027-03-01", "--env", "production", "svc/replicas.sky"}
	before := runCheckArgs(t, args...)
	if !strings.Contains(before.stdout, "warning: Deployment web/replicas (production): spec.replicas") {
		t.Fatalf("no no-pdb warning:\n%s", before.stdout)
	}
	noPolicies := runCheckArgs(t, append([]string{"--no-policies"}, args...)...)
	if strings.Contains(noPolicies.stdout, "no-pdb") || noPolicies.checked != 1 {
		t.Errorf("--no-policies after a check with policies (validated %d):\n%s", noPolicies.checked, noPolicies.stdout)
	}
	cfg := strings.Replace(policyRepo["skyc.yaml"], "{no-pdb: warning}", "{no-pdb: error}", 1)
	if err := os.WriteFile(filepath.Join(dir, "skyc.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	after := runCheckArgs(t, args...)
	if !strings.Contains(after.stdout, "error: Deployment web/replicas (production): spec.replicas") || after.code != 1 {
		t.Errorf("no-pdb is an error now:\n%s", after.stdout)
	}
	if after.checked != 1 {
		t.Errorf("after a change of skyc.yaml, validated %d services, want 1", after.checked)
	}
}

// TestCheckCacheAWS checks that a service with AWS resources, whose
// waivers of the IAM rules the render applies itself, is served from the
// cache only on the day it was checked: the day after its waiver expires,
// the finding is back.
func TestCheckCacheAWS(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"skyc.yaml": `defaults:
  region: eu-central-1
  aws:
    account_id: "111122223333"
    oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/ABC
environments:
  staging: {}
`,
		"svc/iam.sky": `def main(ctx):
    q = aws.queue("jobs")
    w = worker(name = "iam", team = "web", image = "registry.example.com/iam:1.0.0", cost_centre = "cc-1", aws = [q])
    iam.grant(w, ["sqs:SendMessage"], ["*"], sid = "Send")
    q.grant_consume(w)
    waive("iam-no-wildcard-resource", reason = "the queue is created by another team", owner = "web", expires = "2030-01-01")
    return w
`,
	})
	withCache(t, dir)
	cold := runCheckArgs(t, "--today", "2029-12-31", "svc/...")
	warm := runCheckArgs(t, "--today", "2029-12-31", "svc/...")
	if cold.code != 0 || warm.stdout != cold.stdout || warm.checked != 0 {
		t.Errorf("warm check (validated %d, exit %d):\n%s\nwant (exit 0)\n%s", warm.checked, warm.code, warm.stdout, cold.stdout)
	}
	after := runCheckArgs(t, "--today", "2030-01-02", "svc/...")
	if after.checked != 1 || !strings.Contains(after.stdout, "[iam-no-wildcard-resource]") || !strings.Contains(after.stdout, "[waiver-expired]") {
		t.Errorf("after the waiver's expiry (validated %d):\n%s", after.checked, after.stdout)
	}
}

// TestCheckCacheNotKept checks what is computed across services or not
// kept: two services rendering the same object are reported by a warm
// check too, a service that prints prints again, and one that renders a
// Secret (whose values findings may quote) is checked every time, its
// findings never written to the cache.
func TestCheckCacheNotKept(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"skyc.yaml": "environments:\n  staging: {}\n",
		"svc/a.sky": `def main(ctx):
    return worker(name = "same", team = "web", image = "registry.example.com/a:1.0.0")
`,
		"svc/b.sky": `def main(ctx):
    return worker(name = "same", team = "web", image = "registry.example.com/a:1.0.0")
`,
		"other/printing.sky": `def main(ctx):
    print("hello from", ctx.env)
    return worker(name = "printing", team = "web", image = "registry.example.com/p:1.0.0")
`,
		"other/secret.sky": `core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return core.Secret(metadata = meta.ObjectMeta(name = "Bad_Name", namespace = "web"), stringData = {"password": "hunter2-in-a-finding"})
`,
	})
	withCache(t, dir)
	for _, args := range [][]string{{"svc/..."}, {"other/printing.sky"}, {"other/secret.sky"}} {
		cold := runCheckArgs(t, args...)
		warm := runCheckArgs(t, args...)
		if warm.stdout != cold.stdout || warm.stderr != cold.stderr || warm.code != cold.code {
			t.Errorf("%s: warm check:\n%s\n%s\nwant\n%s\n%s", args, warm.stdout, warm.stderr, cold.stdout, cold.stderr)
		}
		switch args[0] {
		case "svc/...":
			if cold.code != 2 || !strings.Contains(warm.stderr, "renders objects that") {
				t.Errorf("two services render the same object: exit %d\n%s", warm.code, warm.stderr)
			}
			if warm.checked != 0 {
				t.Errorf("%s: warm check validated %d services, want 0", args, warm.checked)
			}
		case "other/printing.sky":
			if !strings.Contains(warm.stderr, "hello from staging") || warm.checked != 1 {
				t.Errorf("a service that prints (validated %d):\n%s", warm.checked, warm.stderr)
			}
		case "other/secret.sky":
			if warm.checked != 1 || !strings.Contains(warm.stdout, "Bad_Name") {
				t.Errorf("a Secret (validated %d):\n%s", warm.checked, warm.stdout)
			}
		}
	}
	// Nothing in the cache quotes the Secret.
	err := filepath.WalkDir(os.Getenv("SKYC_CACHE"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && bytes.Contains(data, []byte("Bad_Name")) {
			t.Errorf("%s holds the Secret's findings", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckCacheElsewhere checks that findings kept by a check run at the
// repository root name their files relative to the working directory of
// a later run, that --affected is served as a check of the paths it
// finds, and that --no-cache writes nothing.
func TestCheckCacheElsewhere(t *testing.T) {
	dir := writeRepo(t, policyRepo)
	withCache(t, dir)
	runCheckArgs(t, "--today", "2027-03-01", "svc/...")

	t.Chdir(filepath.Join(dir, "svc"))
	warm := runCheckArgs(t, "--today", "2027-03-01", "./...")
	fresh := runCheckArgs(t, "--no-cache", "--today", "2027-03-01", "./...")
	if warm.stdout != fresh.stdout || warm.checked != 0 {
		t.Errorf("in svc/ (validated %d):\n%s\nwant\n%s", warm.checked, warm.stdout, fresh.stdout)
	}
	if !strings.HasPrefix(warm.stdout, "api.sky\n") {
		t.Errorf("in svc/, the files are not named relative to it:\n%s", warm.stdout)
	}

	t.Chdir(dir)
	for _, format := range checkFormatNames {
		args := []string{"--format", format, "--today", "2027-03-01", "--affected", "lib/common.sky", "svc/api.sky", "svc/waived.sky"}
		warm := runCheckArgs(t, args...)
		fresh := runCheckArgs(t, append([]string{"--no-cache"}, args...)...)
		if warm.stdout != fresh.stdout || warm.code != fresh.code || warm.checked != 0 {
			t.Errorf("--affected, %s (validated %d):\n%s\nwant\n%s", format, warm.checked, warm.stdout, fresh.stdout)
		}
	}

	// A library, kept as rendering nothing, is an error when named.
	if r := runCheckArgs(t, "--today", "2027-03-01", "./..."); r.code != 1 {
		t.Fatalf("./...: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCheckArgs(t, "lib/common.sky"); r.code != 2 || !strings.Contains(r.stderr, "no main function") {
		t.Errorf("a library named on the command line: exit %d\n%s", r.code, r.stderr)
	}

	t.Setenv("SKYC_CACHE", t.TempDir())
	runCheckArgs(t, "--no-cache", "svc/...")
	if entries, err := os.ReadDir(os.Getenv("SKYC_CACHE")); err != nil || len(entries) != 0 {
		t.Errorf("--no-cache wrote %v (%v)", entries, err)
	}
}

// TestCheckCacheFleet checks a generated fleet with findings of every
// kind, in two environments whose policy settings differ: a warm check
// writes what a check without the cache writes, in every format, and
// validates only what the cache may not keep.
func TestCheckCacheFleet(t *testing.T) {
	dir := t.TempDir()
	if err := fleet.Generate(fleet.Options{N: 60, Seed: 5, Shape: fleet.Mixed, Findings: true}).Write(dir); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "skyc.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	extra := "  staging:\n    cluster: staging\n    policies:\n      severity: {no-pdb: \"off\", no-probes: warning}\ncost_allocation:\n  cost_centre: {key: cost-centre}\n"
	if err := os.WriteFile(cfg, append(data, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	withCache(t, dir)
	for _, format := range checkFormatNames {
		args := []string{"--format", format, "--today", "2026-06-01", "services/..."}
		fresh := runCheckArgs(t, append([]string{"--no-cache"}, args...)...)
		cold := runCheckArgs(t, args...)
		warm := runCheckArgs(t, args...)
		if fresh.code != 1 || !strings.Contains(fresh.stdout, "no-probes") {
			t.Fatalf("%s: the fleet has no findings (exit %d):\n%s\n%s", format, fresh.code, fresh.stdout, fresh.stderr)
		}
		for name, r := range map[string]checkRun{"cold": cold, "warm": warm} {
			if r.stdout != fresh.stdout || r.stderr != fresh.stderr || r.code != fresh.code {
				t.Errorf("%s: %s check differs from --no-cache", format, name)
			}
		}
		if warm.checked*10 > fresh.checked {
			t.Errorf("%s: warm check validated %d of %d services", format, warm.checked, fresh.checked)
		}
	}
}

// TestCheckCacheLazySetUp checks that a warm check whose services are all
// served from the cache with nothing found does not set the checkers up
// (the standard library, the policies), and writes what a cold check
// writes; and that one which has something to report with them does.
func TestCheckCacheLazySetUp(t *testing.T) {
	clean := map[string]string{
		"skyc.yaml":              policyRepo["skyc.yaml"],
		"svc/ok.sky":             policyRepo["svc/ok.sky"],
		"svc/ok2.sky":            strings.ReplaceAll(policyRepo["svc/ok.sky"], `"ok"`, `"ok2"`),
		"deploy/privileged.yaml": policyRepo["deploy/privileged.yaml"],
	}
	setUps := func(args ...string) (checkRun, int64) {
		before := checkerSetUps.Load()
		r := runCheckArgs(t, args...)
		return r, checkerSetUps.Load() - before
	}
	withCache(t, writeRepo(t, clean))
	for _, format := range checkFormatNames {
		args := []string{"--format", format, "svc/..."}
		cold, coldSetUps := setUps(args...)
		warm, warmSetUps := setUps(args...)
		if warm.stdout != cold.stdout || warm.stderr != cold.stderr || warm.code != cold.code {
			t.Errorf("%s: warm check differs from cold:\n%s\n%s\nwant\n%s\n%s", format, warm.stdout, warm.stderr, cold.stdout, cold.stderr)
		}
		if format == "text" && (cold.checked != 4 || coldSetUps != 1) {
			t.Errorf("cold check validated %d services with %d set-ups, want 4 with 1", cold.checked, coldSetUps)
		}
		// SARIF lists every rule, the policies' among them.
		want := int64(0)
		if format == "sarif" {
			want = 1
		}
		if warm.checked != 0 || warmSetUps != want {
			t.Errorf("%s: warm check validated %d services with %d set-ups, want 0 with %d", format, warm.checked, warmSetUps, want)
		}
	}
	// A plain manifest, waivers or findings need the checkers.
	if r, n := setUps("svc/...", "deploy/privileged.yaml"); n != 1 || !strings.Contains(r.stdout, "privileged") {
		t.Errorf("warm check with a manifest: %d set-ups, want 1; output:\n%s", n, r.stdout)
	}
	dir := writeRepo(t, policyRepo)
	withCache(t, dir)
	args := []string{"--today", "2027-03-01", "svc/..."}
	cold := runCheckArgs(t, args...)
	warm, n := setUps(args...)
	if n != 1 || warm.checked != 0 || warm.stdout != cold.stdout || warm.code != cold.code {
		t.Errorf("warm check with findings: %d set-ups, %d validated, want 1, 0; output:\n%s\nwant\n%s", n, warm.checked, warm.stdout, cold.stdout)
	}
}
