package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// today is the date waivers are checked against in these tests.
var today = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const oneEnv = "environments:\n  staging: {}\n"

// checked is what checking a repository found.
type checked struct {
	findings []check.Finding
	diags    []*lang.Diagnostic // the render's
}

// lines returns "LINE:COL rule" for the findings of the given rules, in
// order.
func (c checked) lines(rules ...string) []string {
	var out []string
	for _, f := range c.findings {
		if slices.Contains(rules, f.Rule) {
			_, line, col := check.SplitSource(f.Source)
			out = append(out, fmt.Sprintf("%d:%d %s", line, col, f.Rule))
		}
	}
	return out
}

// checkRepo writes files (skyc.yaml and svc.sky at least) to a new
// directory, renders svc.sky as skyc check does and runs the policies
// over the objects, with the waivers.
func checkRepo(t *testing.T, files map[string]string) checked {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	r, err := render.New(ctx, render.Options{Root: dir, Now: today, FieldOrigins: true}, dir)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Render(ctx, []string{filepath.Join(dir, "svc.sky")}, map[string]bool{filepath.Join(dir, "svc.sky"): true})
	var out checked
	for _, d := range res.Diagnostics {
		if d.Severity == lang.Error && d.Rule == "" {
			t.Fatalf("render: %v", d)
		}
		out.diags = append(out.diags, d)
	}
	var waivers []Waiver
	for _, w := range res.Waivers {
		pw := Waiver{Rule: w.Rule, Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Expired: w.Expired,
			Source: w.File, Env: w.Env, Pos: w.Pos.String()}
		if w.Object != nil {
			ref := check.Ref(w.Object)
			pw.Object = &ref
		}
		waivers = append(waivers, pw)
	}
	e, err := New(Options{Runtime: r.Runtime(), Policies: r.Policies(), Registry: r.Registry(), Bridge: r.Bridge(), Config: r.Config(), Waivers: waivers})
	if err != nil {
		t.Fatal(err)
	}
	locate := func(o manifest.Object, field string) string {
		if p, ok := res.Locate(o.Obj, field); ok {
			return p.String()
		}
		return ""
	}
	out.findings, err = check.Run(ctx, res.Objects, check.Options{Checkers: []check.Checker{e}, Locate: locate})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waiverOf is a current waiver of rule, as a line of main.
func waiverOf(rule string) string {
	return fmt.Sprintf("    waive(%q, reason = \"r\", owner = \"o\", expires = \"2030-01-01\")\n", rule)
}

// TestPolicies: each policy fires at the line that made the offending
// value (the override, or the call that made the object), and a waiver
// of it silences it without being reported as unused.
func TestPolicies(t *testing.T) {
	costs := oneEnv + "cost_allocation:\n  cost_centre: {required: true}\n"
	cases := map[string]struct {
		rule, config, main string
		want               []string // LINE:COL rule, without a waiver
	}{
		"no-resources: limits cleared": {"no-resources", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.containers[0].resources.limits = {}
`, []string{"3:60 no-resources"}},
		"unpinned-image: latest in service()": {"unpinned-image", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:latest")
`, []string{"2:15 unpinned-image"}},
		"unpinned-image: tag removed; a digest is a pin": {"unpinned-image", oneEnv, `
    w = [worker(name = "w", team = "web", image = "r/w:1")]
    w[0].deployment.spec.template.spec.containers[0].image = "r/w"
    w.append(k8s.core.Pod(
        metadata = k8s.meta.ObjectMeta(name = "p", namespace = "web", labels = {"app.kubernetes.io/name": "p", "team": "web"}),
        spec = k8s.core.PodSpec(containers = [k8s.core.Container(name = "c", image = "r/p@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", resources = k8s.core.ResourceRequirements(requests = {"cpu": "1", "memory": "1Gi"}, limits = {"cpu": "1", "memory": "1Gi"}), securityContext = k8s.core.SecurityContext(runAsNonRoot = True))]),
    ))
`, []string{"3:53 unpinned-image"}},
		"no-probes: probe removed": {"no-probes", oneEnv, `
    w = service(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.containers[0].readinessProbe = None
`, []string{"3:50 no-probes"}},
		"no-pdb: replicas raised": {"no-pdb", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.replicas = 3
`, []string{"3:22 no-pdb"}},
		"no-pdb: budget selects other pods": {"no-pdb", oneEnv, `
    w = service(name = "w", team = "web", image = "r/w:1", autoscale = autoscale(min = 2, max = 4))
    w.pod_disruption_budget.spec.selector.matchLabels["app.kubernetes.io/name"] = "other"
`, []string{"2:16 no-pdb"}},
		"runs-as-root": {"runs-as-root", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.containers[0].securityContext.runAsNonRoot = False
`, []string{"3:66 runs-as-root"}},
		"privileged": {"privileged", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.containers[0].securityContext.privileged = True
`, []string{"3:66 privileged"}},
		"host-network": {"host-network", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.hostNetwork = True
`, []string{"3:36 host-network"}},
		"host-path": {"host-path", oneEnv, `
    w = worker(name = "w", team = "web", image = "r/w:1")
    pod = w.deployment.spec.template.spec
    pod.volumes.append(k8s.core.Volume(
        name = "docker",
        volumeSource = k8s.core.VolumeSource(hostPath = k8s.core.HostPathVolumeSource(path = "/var/run/docker.sock")),
    ))
`, []string{"6:86 host-path"}},
		"missing-labels: raw object": {"missing-labels", oneEnv, `
    w = [worker(name = "w", team = "web", image = "r/w:1")]
    w.append(k8s.core.ConfigMap(metadata = k8s.meta.ObjectMeta(name = "c", namespace = "web")))
`, []string{"3:63 missing-labels"}},
		"missing-labels: configured label removed": {"missing-labels", oneEnv + "defaults:\n  policies:\n    required_labels: [tier]\n", `
    w = worker(name = "w", team = "web", image = "r/w:1", labels = {"tier": "backend"})
    w.service_account.metadata.labels["tier"] = None
`, []string{"3:38 missing-labels"}},
		"missing-cost-labels": {"missing-cost-labels", costs, `
    w = worker(name = "w", team = "web", image = "r/w:1", cost_centre = "cc-1")
    w.deployment.spec.template.metadata.labels["cost-centre"] = None
`, []string{"3:47 missing-cost-labels"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := "def main(ctx):" + c.main + "    return w\n"
			got := checkRepo(t, map[string]string{"skyc.yaml": c.config, "svc.sky": src}).lines(c.rule, RuleWaiverUnused)
			if !slices.Equal(got, c.want) {
				t.Errorf("findings %q, want %q\n%s", got, c.want, src)
			}
			// The same with a waiver: silenced, and the waiver is used.
			src = "def main(ctx):" + c.main + waiverOf(c.rule) + "    return w\n"
			if got := checkRepo(t, map[string]string{"skyc.yaml": c.config, "svc.sky": src}).lines(c.rule, RuleWaiverUnused); len(got) > 0 {
				t.Errorf("with a waiver: findings %q, want none", got)
			}
		})
	}
}

// TestCleanDefaults: what service(), worker() and cron_job() make with
// their defaults breaks no policy, with cost allocation configured too.
func TestCleanDefaults(t *testing.T) {
	src := `def main(ctx):
    return [
        service(name = "api", team = "web", image = "r/api:1", cost_centre = "cc-1"),
        service(name = "scaled", team = "web", image = "r/api:1", cost_centre = "cc-1", autoscale = autoscale(min = 2, max = 5), block_egress = True, ingress_host = "x.example.com"),
        worker(name = "w", team = "web", image = "r/w:1", replicas = 3, cost_centre = "cc-1"),
        cron_job(name = "c", team = "web", image = "r/c:1", schedule = "0 3 * * *", cost_centre = "cc-1"),
    ]
`
	got := checkRepo(t, map[string]string{"skyc.yaml": oneEnv + "cost_allocation:\n  team: {allowed: [web]}\n", "svc.sky": src})
	if len(got.findings) > 0 {
		t.Errorf("findings on the defaults: %v", got.findings)
	}
}

// TestWaivers: a waiver past its date silences nothing and fails; one
// limited to an object covers only it; one that silences nothing is a
// warning at its line.
func TestWaivers(t *testing.T) {
	head := `def main(ctx):
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.hostNetwork = True
`
	cases := map[string]struct {
		main     string
		findings []string // LINE:COL rule
		diags    []string // LINE:COL rule of the render's findings
	}{
		"expired": {
			`    waive("host-network", reason = "r", owner = "o", expires = "2026-05-31")
`, []string{"3:36 host-network"}, []string{"4:10 waiver-expired"}},
		"last day": {
			`    waive("host-network", reason = "r", owner = "o", expires = "2026-06-01")
`, nil, nil},
		"limited to the object": {
			`    waive("host-network", reason = "r", owner = "o", expires = "2030-01-01", object = w.deployment)
`, nil, nil},
		"limited to another object": {
			`    waive("host-network", reason = "r", owner = "o", expires = "2030-01-01", object = w.service_account)
`, []string{"3:36 host-network", "4:10 waiver-unused"}, nil},
		"limited to an object main does not return": {
			`    waive("host-network", reason = "r", owner = "o", expires = "2030-01-01", object = k8s.core.ConfigMap())
`, []string{"3:36 host-network"}, []string{"4:10 waiver-unused"}},
		"unused": {
			`    waive("privileged", reason = "r", owner = "o", expires = "2030-01-01")
`, []string{"3:36 host-network", "4:10 waiver-unused"}, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := checkRepo(t, map[string]string{"skyc.yaml": oneEnv, "svc.sky": head + c.main + "    return w\n"})
			if lines := got.lines("host-network", RuleWaiverUnused); !slices.Equal(lines, c.findings) {
				t.Errorf("findings %q, want %q", lines, c.findings)
			}
			var diags []string
			for _, d := range got.diags {
				diags = append(diags, fmt.Sprintf("%d:%d %s", d.Pos.Line, d.Pos.Col, d.Rule))
			}
			if !slices.Equal(diags, c.diags) {
				t.Errorf("render findings %q, want %q", diags, c.diags)
			}
		})
	}
}

// TestWaiverPerEnvironment: a waiver made in one environment's render
// covers that environment only, and is not unused when it is used there.
func TestWaiverPerEnvironment(t *testing.T) {
	src := `def main(ctx):
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.hostNetwork = True
    if ctx.env == "staging":
        waive("host-network", reason = "r", owner = "o", expires = "2030-01-01")
    return w
`
	got := checkRepo(t, map[string]string{"skyc.yaml": "environments:\n  staging: {}\n  production: {}\n", "svc.sky": src})
	var envs []string
	for _, f := range got.findings {
		envs = append(envs, f.Env+" "+f.Rule)
	}
	if want := []string{"production host-network"}; !slices.Equal(envs, want) {
		t.Errorf("findings %q, want %q", envs, want)
	}
}

// TestConfig: skyc.yaml turns policies off or changes their severity per
// environment, and naming a policy that does not exist is an error.
func TestConfig(t *testing.T) {
	src := `def main(ctx):
    w = worker(name = "w", team = "web", image = "r/w:1")
    w.deployment.spec.template.spec.hostNetwork = True
    return w
`
	cfg := `defaults:
  policies:
    severity: {host-network: warning}
environments:
  staging:
    policies:
      severity: {host-network: "off"}
  production: {}
  qa:
    policies:
      severity: {host-network: info}
`
	got := checkRepo(t, map[string]string{"skyc.yaml": cfg, "svc.sky": src})
	var sev []string
	for _, f := range got.findings {
		sev = append(sev, f.Env+" "+f.Severity.String())
	}
	if want := []string{"production warning", "qa info"}; !slices.Equal(sev, want) {
		t.Errorf("findings %q, want %q", sev, want)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "skyc.yaml"), []byte("environments:\n  staging:\n    policies:\n      severity: {host-netwrk: \"off\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := render.New(context.Background(), render.Options{Root: dir}, dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Runtime: r.Runtime(), Policies: r.Policies(), Registry: r.Registry(), Bridge: r.Bridge(), Config: r.Config()})
	want := `environments.staging.policies.severity: unknown policy "host-netwrk" (did you mean host-network?)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
}
