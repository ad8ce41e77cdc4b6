package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// The tests of skyc diff run the skyc binary, built once, against the
// shared cluster: each on a copy of the example repository whose
// environments render into namespaces of their own (diff-<test>-<env>), so
// that the tests don't see each other's objects.

var (
	skycOnce sync.Once
	skycBin  string
	skycErr  error
	skycDir  string
)

// skycBinary builds cmd/skyc once per test binary, and cmd/skyc-full
// next to it, which skyc runs for diff and check.
func skycBinary(t *testing.T) string {
	t.Helper()
	skycOnce.Do(func() {
		skycDir, skycErr = os.MkdirTemp("", "skyc-e2e-bin-")
		if skycErr != nil {
			return
		}
		skycBin = filepath.Join(skycDir, "skyc")
		out, err := exec.Command("go", "build", "-o", skycDir+string(filepath.Separator), "../cmd/skyc", "../cmd/skyc-full").CombinedOutput()
		if err != nil {
			skycErr = fmt.Errorf("go build ./cmd/skyc ./cmd/skyc-full: %v\n%s", err, out)
		}
	})
	if skycErr != nil {
		t.Fatal(skycErr)
	}
	return skycBin
}

// removeSkycBinary removes what skycBinary built; TestMain calls it.
func removeSkycBinary() {
	if skycDir != "" {
		os.RemoveAll(skycDir)
	}
}

// diffRepo is a copy of the example repository pointed at the test
// cluster.
type diffRepo struct {
	t          *testing.T
	dir        string
	kubeconfig string
	ns         map[string]string // environment → namespace
	flags      []string          // given to every skyc diff
}

// newDiffRepo copies examples/ with a skyc.yaml whose environments
// (staging, and production when both is set) use the test cluster, each
// in its own namespace; production also has prodClusters. Its diffs leave
// AWS out (--aws=false) unless the test clears r.flags.
func newDiffRepo(t *testing.T, name string, both bool, prodClusters ...string) *diffRepo {
	t.Helper()
	c := cluster.Get(t)
	// The payments API's ServiceMonitor needs its CRD served.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	installExampleCRDs(t, ctx, c)
	r := &diffRepo{t: t, dir: t.TempDir(), kubeconfig: filepath.Join(t.TempDir(), "kubeconfig"), ns: map[string]string{}, flags: []string{"--aws=false"}}
	if err := c.WriteKubeconfig(r.kubeconfig); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir("../examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../examples", p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return r.write(rel, string(data))
	})
	if err != nil {
		t.Fatal(err)
	}
	// The examples' own skyc.yaml (vars, AWS accounts, cost allocation),
	// pointed at the test cluster, one namespace per environment.
	data, err := os.ReadFile("../examples/skyc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	defaults, _ := cfg["defaults"].(map[string]any)
	if defaults == nil {
		defaults = map[string]any{}
		cfg["defaults"] = defaults
	}
	defaults["kubeconfig"] = r.kubeconfig
	envs, _ := cfg["environments"].(map[string]any)
	for env, v := range envs {
		settings, _ := v.(map[string]any)
		if settings == nil || env != "staging" && !(both && env == "production") {
			delete(envs, env)
			continue
		}
		r.ns[env] = "diff-" + name + "-" + env
		settings["cluster"] = "skyc-test"
		settings["namespace"] = r.ns[env]
		delete(settings, "clusters")
		if env == "production" && len(prodClusters) > 0 {
			settings["clusters"] = prodClusters
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.write("skyc.yaml", string(out)); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *diffRepo) write(rel, text string) error {
	p := filepath.Join(r.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(text), 0o644)
}

// edit replaces old by new in a file of the repository.
func (r *diffRepo) edit(rel, old, new string) {
	r.t.Helper()
	p := filepath.Join(r.dir, rel)
	data, err := os.ReadFile(p)
	if err != nil {
		r.t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		r.t.Fatalf("%s has no %q", rel, old)
	}
	if err := os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// run runs a program in the repository and returns its output and exit
// status.
func (r *diffRepo) run(name string, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		r.t.Fatalf("%s: %v", name, err)
	}
	return o.String(), e.String(), code
}

// diff runs skyc diff and checks its exit status.
func (r *diffRepo) diff(want int, args ...string) string {
	r.t.Helper()
	out, errOut, code := r.run(skycBinary(r.t), append(append([]string{"diff"}, r.flags...), args...)...)
	if code != want {
		r.t.Fatalf("skyc diff %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out
}

// jsonPlan runs skyc diff --format json and decodes the plan.
func (r *diffRepo) jsonPlan(want int, args ...string) *planJSON {
	r.t.Helper()
	out := r.diff(want, append([]string{"--format", "json"}, args...)...)
	var p planJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		r.t.Fatalf("decoding the plan: %v\n%s", err, out)
	}
	return &p
}

// planJSON is the part of the JSON plan the tests read.
type planJSON struct {
	FormatVersion string         `json:"format_version"`
	Status        string         `json:"status"`
	Summary       map[string]int `json:"summary"`
	Targets       []struct {
		Name  string  `json:"name"`
		Error *string `json:"error"`
	} `json:"targets"`
	Changes []struct {
		Target      string `json:"target"`
		Address     string `json:"address"`
		Action      string `json:"action"`
		Destructive *struct {
			Reason  string `json:"reason"`
			AllowAs string `json:"allow_as"`
		} `json:"destructive"`
		Fields []struct {
			Path     string   `json:"path"`
			Class    string   `json:"class"`
			Before   any      `json:"before"`
			After    any      `json:"after"`
			Managers []string `json:"managers"`
		} `json:"fields"`
	} `json:"changes"`
	Problems []struct {
		Address, Message string
	} `json:"problems"`
}

// kubectl runs kubectl against the test cluster; stdin, if not empty, is
// its input.
func (r *diffRepo) kubectl(stdin string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", r.kubeconfig}, args...)...)
	cmd.Dir = r.dir
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// apply renders the repository and applies it as skyc would: kubectl
// apply --server-side with field manager skyc, after creating the
// namespaces.
func (r *diffRepo) apply(extra ...string) {
	r.t.Helper()
	for _, ns := range r.ns {
		if out, err := exec.Command("kubectl", "--kubeconfig", r.kubeconfig, "create", "namespace", ns).CombinedOutput(); err != nil && !strings.Contains(string(out), "AlreadyExists") {
			r.t.Fatalf("kubectl create namespace %s: %v\n%s", ns, err, out)
		}
	}
	out, errOut, code := r.run(skycBinary(r.t), append([]string{"render"}, append(extra, "./...")...)...)
	if code != 0 {
		r.t.Fatalf("skyc render: exit %d\n%s", code, errOut)
	}
	r.kubectl(kubernetesDocuments(out), "apply", "--server-side", "--field-manager=skyc", "-f", "-")
}

// kubernetesDocuments drops the AWS documents (marked "# File: ...") from
// a rendered stream, leaving what kubectl applies.
func kubernetesDocuments(stream string) string {
	var keep []string
	for _, doc := range strings.Split(stream, "\n---\n") {
		if !strings.Contains("\n"+doc, "\n# File: ") {
			keep = append(keep, doc)
		}
	}
	return strings.Join(keep, "\n---\n")
}

func (p *planJSON) count(action string) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

// TestDiffFirstDeploy: against an empty namespace everything is an
// addition, and nothing else.
func TestDiffFirstDeploy(t *testing.T) {
	r := newDiffRepo(t, "first", false)
	out := r.diff(1, "./...")
	if !strings.Contains(out, "Plan: 13 to add, 0 to change, 0 to delete, 0 destructive.") {
		t.Errorf("want 13 additions:\n%s", out)
	}
	p := r.jsonPlan(1, "./...")
	if got := p.count("create"); got != 13 || len(p.Changes) != 13 || len(p.Problems) != 0 {
		t.Errorf("%d creations of %d changes, %d problems; want 13, 13, 0: %+v", got, len(p.Changes), len(p.Problems), p)
	}
}

// TestDiffNoChangesAfterApply: right after applying the rendered examples
// (both environments) with server-side apply, skyc diff reports no changes
// at all: server defaults, managedFields, resourceVersion and status are
// not changes.
func TestDiffNoChangesAfterApply(t *testing.T) {
	r := newDiffRepo(t, "noop", true)
	r.apply()
	out := r.diff(0, "./...")
	if !strings.Contains(out, "No changes: 27 objects are up to date.") {
		t.Errorf("want 27 objects up to date:\n%s", out)
	}
	for _, format := range []string{"json", "markdown"} {
		r.diff(0, "--format", format, "./...")
	}
	if p := r.jsonPlan(0, "./..."); p.Status != "no_changes" || p.Summary["unchanged"] != 27 {
		t.Errorf("status %s, summary %v", p.Status, p.Summary)
	}
}

// TestDiffFieldChange: a new image tag is one changed field, classified as
// skyc's configuration.
func TestDiffFieldChange(t *testing.T) {
	r := newDiffRepo(t, "field", false)
	r.apply()
	r.edit("services/payments-api.sky", `"1.42.0"`, `"1.43.0"`)
	out := r.diff(1, "./...")
	for _, want := range []string{
		"~ update Deployment/" + r.ns["staging"] + "/payments-api  (payments-api, services/payments-api.sky)",
		"-        image: registry.example.com/payments/api:1.42.0",
		"+        image: registry.example.com/payments/api:1.43.0",
		"Plan: 0 to add, 1 to change, 0 to delete, 0 destructive.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p := r.jsonPlan(1, "./...")
	if len(p.Changes) != 1 || len(p.Changes[0].Fields) != 1 {
		t.Fatalf("want one change of one field: %+v", p.Changes)
	}
	f := p.Changes[0].Fields[0]
	if f.Path != "spec.template.spec.containers[name=payments-api].image" || f.Class != "config" || f.After != "registry.example.com/payments/api:1.43.0" {
		t.Errorf("field %+v", f)
	}
}

// TestDiffDrift: a change applied by another field manager (kubectl) is
// drift, named with its manager; fields skyc does not set (an annotation
// someone added) are not changes.
func TestDiffDrift(t *testing.T) {
	r := newDiffRepo(t, "drift", false)
	r.apply()
	ns := r.ns["staging"]
	r.kubectl(fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger-worker, namespace: %s}
spec: {replicas: 4}
`, ns), "apply", "--server-side", "--field-manager=kubectl", "--force-conflicts", "-f", "-")
	r.kubectl("", "-n", ns, "annotate", "deployment", "ledger-worker", "oncall=alice")
	r.kubectl("", "-n", ns, "patch", "deployment", "payments-api", "--type=merge", "-p", `{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":5}}}}`)
	out := r.diff(1, "./...")
	for _, want := range []string{
		"drift: spec.replicas: 4 → 1 (live value set by kubectl; applying resets it)",
		"drift: spec.template.spec.terminationGracePeriodSeconds: 5 → 60 (live value set by kubectl-patch; applying resets it)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "oncall") {
		t.Errorf("an annotation skyc does not set shows as a change:\n%s", out)
	}
	p := r.jsonPlan(1, "./...")
	drift := map[string]string{}
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			drift[c.Address+" "+f.Path] = f.Class + " " + strings.Join(f.Managers, ",")
		}
	}
	want := map[string]string{
		"Deployment/" + ns + "/ledger-worker spec.replicas":                                   "drift kubectl",
		"Deployment/" + ns + "/payments-api spec.template.spec.terminationGracePeriodSeconds": "drift kubectl-patch",
	}
	if fmt.Sprint(drift) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", drift, want)
	}
}

// TestDiffImmutable: changing a Deployment's selector can't be applied in
// place: a destructive recreate, exit 3 until allowed by name.
func TestDiffImmutable(t *testing.T) {
	r := newDiffRepo(t, "immutable", false)
	r.apply()
	r.edit("services/payments-api.sky", "    return [api, monitor]", `    api.deployment.spec.selector.matchLabels["tier"] = "web"
    api.deployment.spec.template.metadata.labels["tier"] = "web"
    return [api, monitor]`)
	addr := "Deployment/" + r.ns["staging"] + "/payments-api"
	out := r.diff(3, "./...")
	for _, want := range []string{
		"-/+ recreate " + addr,
		"immutable: spec.selector.matchLabels.tier: (none) → web (forces delete and create)",
		"field is immutable",
		"BLOCKED staging/skyc-test " + addr + ": recreate: immutable field spec.selector.matchLabels.tier can't change in place",
		"--allow-destructive=staging:" + addr,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p := r.jsonPlan(3, "./...")
	if len(p.Changes) != 1 || p.Changes[0].Action != "recreate" || p.Changes[0].Destructive == nil || p.Changes[0].Destructive.AllowAs != "staging:"+addr {
		t.Errorf("changes %+v", p.Changes)
	}
	r.diff(1, "--allow-destructive=staging:"+addr, "./...")
	r.diff(3, "--allow-destructive=production:"+addr, "./...")
}

// TestDiffPrune: a service removed from the repository leaves objects
// labelled as its own; they are deletions, but only when the whole
// repository is diffed.
func TestDiffPrune(t *testing.T) {
	r := newDiffRepo(t, "prune", false)
	r.apply()
	if err := os.Remove(filepath.Join(r.dir, "services/nightly-report.sky")); err != nil {
		t.Fatal(err)
	}
	ns := r.ns["staging"]
	p := r.jsonPlan(3, "./...")
	var deleted []string
	for _, c := range p.Changes {
		if c.Action == "delete" && c.Destructive != nil {
			deleted = append(deleted, c.Address)
		}
	}
	want := []string{"CronJob/" + ns + "/nightly-report", "ConfigMap/" + ns + "/nightly-report", "ServiceAccount/" + ns + "/nightly-report"}
	if fmt.Sprint(deleted) != fmt.Sprint(want) || len(p.Changes) != 3 {
		t.Errorf("deleted %v of %d changes, want %v", deleted, len(p.Changes), want)
	}
	// Another service alone: nothing of nightly-report's is touched.
	r.diff(0, "services/payments-api.sky")
	r.diff(1, "--allow-destructive=all", "./...")
}

// TestDiffSecretNeverShown: a changed Secret value appears in no output
// format, neither the old nor the new value nor their base64, while the
// change itself is reported.
func TestDiffSecretNeverShown(t *testing.T) {
	r := newDiffRepo(t, "secret", false)
	const oldValue, newValue = "canary-0ld-Va1ue-7c1f", "canary-n3w-Va1ue-9e2d"
	if err := r.write("services/creds.sky", `core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return core.Secret(
        metadata = meta.ObjectMeta(name = "creds", namespace = ctx.namespace),
        stringData = {"password": ctx.vars["pw"], "user": "payments"},
    )
`); err != nil {
		t.Fatal(err)
	}
	leaks := func(out string) []string {
		var found []string
		for _, v := range []string{oldValue, newValue, "canary", base64.StdEncoding.EncodeToString([]byte(oldValue)), base64.StdEncoding.EncodeToString([]byte(newValue))} {
			if strings.Contains(out, v) {
				found = append(found, v)
			}
		}
		return found
	}
	// Creation: the value is hidden in the added object too.
	for _, format := range []string{"text", "json", "markdown"} {
		out, errOut, _ := r.run(skycBinary(t), "diff", "--aws=false", "--format", format, "--var", "pw="+oldValue, "./...")
		if l := leaks(out + errOut); len(l) > 0 {
			t.Errorf("%s output of a creation shows %q:\n%s%s", format, l, out, errOut)
		}
	}
	r.apply("--var", "pw="+oldValue)
	r.diff(0, "--var", "pw="+oldValue, "./...")
	for _, format := range []string{"text", "json", "markdown"} {
		out, errOut, code := r.run(skycBinary(t), "diff", "--aws=false", "--format", format, "--var", "pw="+newValue, "./...")
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s%s", format, code, out, errOut)
		}
		if l := leaks(out + errOut); len(l) > 0 {
			t.Errorf("%s output shows %q:\n%s%s", format, l, out, errOut)
		}
		if format != "json" && !strings.Contains(out, "data.password: (sensitive value changed) sha256:") {
			t.Errorf("%s output does not report the change:\n%s", format, out)
		}
		if format == "json" && !strings.Contains(out, `"sensitive": true`) {
			t.Errorf("json output does not mark the field sensitive:\n%s", out)
		}
	}
}

// TestDiffUnreachableTarget: production is spread over two clusters, one
// of them on a closed loopback port. Its failure is reported with the
// address; the other targets' changes are still shown; the plan is
// incomplete (exit 2), never "no changes".
func TestDiffUnreachableTarget(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	r := newDiffRepo(t, "unreachable", true, "dead")
	r.apply()
	r.kubectl("", "config", "set-cluster", "dead", "--server=https://"+dead)
	r.kubectl("", "config", "set-context", "dead", "--cluster=dead", "--user=admin")
	r.edit("services/ledger-worker.sky", `"2.7.1"`, `"2.7.2"`)
	out := r.diff(2, "--request-timeout=3s", "./...")
	for _, want := range []string{
		"── production/dead  https://" + dead,
		"error: cannot reach https://" + dead + " (reading API discovery, 3 attempts)",
		"connection refused",
		"~ update Deployment/" + r.ns["production"] + "/ledger-worker",
		"~ update Deployment/" + r.ns["staging"] + "/ledger-worker",
		"Plan incomplete: 1 target or object could not be compared; 0 to add, 2 to change",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p := r.jsonPlan(2, "./...")
	if p.Status != "incomplete" || len(p.Targets) != 3 || p.Targets[0].Name != "production/dead" || p.Targets[0].Error == nil || len(p.Changes) != 2 {
		t.Errorf("plan %+v", p)
	}
	// Without the dead cluster the same change is exit 1.
	r.diff(1, "--env", "staging", "./...")
}
