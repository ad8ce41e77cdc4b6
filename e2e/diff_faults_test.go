package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skyc-dev/skyc/internal/faultproxy"
	"github.com/skyc-dev/skyc/internal/testcluster"
)

// The fault tests run skyc diff, the binary, through internal/faultproxy:
// a loopback proxy in front of the real kube-apiserver (or moto_server)
// that delays requests, resets connections, cuts answers short and
// answers 429, 500, 503, 403 or AWS throttling errors, for requests the
// test selects by resource or AWS action. Whatever happens, skyc diff
// must end in bounded time, retry what is transient, and never report "no
// changes" for a plan it could not complete.

// hangGuard bounds every skyc diff of these tests: far above what a
// bounded retry policy needs, far below a hang.
const hangGuard = 3 * time.Minute

// faultContext is the kubeconfig context that reaches the cluster through
// the proxy.
const faultContext = "faulty"

// kubeProxy starts a fault proxy in front of c's API server and adds the
// context "faulty" to r's kubeconfig, which reaches c through it.
func kubeProxy(t *testing.T, r *diffRepo, c *testcluster.Cluster) *faultproxy.Proxy {
	t.Helper()
	cfg := c.RESTConfig()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cfg.TLSClientConfig.CAData) {
		t.Fatal("the cluster's CA has no certificate")
	}
	p, err := faultproxy.Start(faultproxy.Options{
		Target:    cfg.Host,
		TLS:       true,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ca := filepath.Join(t.TempDir(), "proxy-ca.pem")
	if err := os.WriteFile(ca, p.CACert, 0o600); err != nil {
		t.Fatal(err)
	}
	r.kubectl("", "config", "set-cluster", faultContext, "--server="+p.URL, "--certificate-authority="+ca, "--embed-certs")
	r.kubectl("", "config", "set-credentials", faultContext, "--token="+cfg.BearerToken)
	r.kubectl("", "config", "set-context", faultContext, "--cluster="+faultContext, "--user="+faultContext)
	return p
}

// faultRun is the outcome of one skyc diff.
type faultRun struct {
	out, errOut string
	code        int
	took        time.Duration
	plan        planJSON
}

// diffWithin runs skyc diff --format json and fails the test when it
// does not end within hangGuard.
func (r *diffRepo) diffWithin(t *testing.T, args ...string) *faultRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, skycBinary(t), append(append([]string{"diff", "--format", "json"}, r.flags...), args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	run := &faultRun{out: o.String(), errOut: e.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("skyc diff %s hung: killed after %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), hangGuard, run.out, run.errOut)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		run.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if err := json.Unmarshal(o.Bytes(), &run.plan); err != nil {
		t.Fatalf("skyc diff: exit %d, no JSON plan (%v)\nstdout:\n%s\nstderr:\n%s", run.code, err, run.out, run.errOut)
	}
	return run
}

// problems returns the plan's problems and target errors, one a line.
func (f *faultRun) problems() string {
	var b strings.Builder
	for _, tg := range f.plan.Targets {
		if tg.Error != nil {
			fmt.Fprintf(&b, "target %s: %s\n", tg.Name, *tg.Error)
		}
	}
	for _, p := range f.plan.Problems {
		fmt.Fprintf(&b, "%s: %s\n", p.Address, p.Message)
	}
	return b.String()
}

// changed returns the addresses of the plan's changes.
func (f *faultRun) changed() []string {
	var out []string
	for _, c := range f.plan.Changes {
		out = append(out, c.Action+" "+c.Address)
	}
	return out
}

// TestDiffKubeFaults: the staging examples applied, one image changed; a
// diff through a misbehaving API server either retries its way to the
// right plan (exit 1, the one update) or reports what it could not compare
// (exit 2, status incomplete, the rest of the plan still there) — never
// "no changes", never a hang.
func TestDiffKubeFaults(t *testing.T) {
	r := newDiffRepo(t, "faults", false)
	r.apply()
	r.edit("services/payments-api.sky", `"1.42.0"`, `"1.43.0"`)
	p := kubeProxy(t, r, cluster.Get(t))
	ns := r.ns["staging"]
	update := "update Deployment/" + ns + "/payments-api"
	netpol := "NetworkPolicy/" + ns + "/payments-api-egress"

	for _, tc := range []struct {
		name  string
		rules []faultproxy.Rule
		args  []string
		// wantCode is the exit status; for 1 the plan must be exactly the
		// update.
		wantCode int
		// minHits is how often the rule "fault" must have fired at least.
		minHits int
		// For exit 2: problems must each appear in the problems or target
		// errors, changes are the changes still found, and at least
		// minUnchanged objects must have been compared as unchanged.
		problems     []string
		changes      []string
		minUnchanged int
		// check judges the rest.
		check func(t *testing.T, f *faultRun)
	}{{
		name:     "429 with Retry-After on deployments, twice",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "deployments"}, Fault: faultproxy.TooManyRequests(time.Second), Times: 2}},
		wantCode: 1, minHits: 2,
	}, {
		// Waiting for the hour, or until the request timeout of a minute,
		// would take longer than the hang guard allows here.
		name:     "429 asking for an hour, once: the wait is capped",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "deployments"}, Fault: faultproxy.TooManyRequests(time.Hour), Times: 1}},
		args:     []string{"--request-timeout=1m"},
		wantCode: 1, minHits: 1,
		check: func(t *testing.T, f *faultRun) {
			if f.took >= 50*time.Second {
				t.Errorf("took %v: Retry-After was not capped", f.took)
			}
		},
	}, {
		name:     "500 on the first two requests of all",
		rules:    []faultproxy.Rule{{Name: "fault", Fault: faultproxy.Status(500), Times: 2}},
		wantCode: 1, minHits: 2,
	}, {
		name:     "503 on API discovery, once",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Path: "/apis"}, Fault: faultproxy.Status(503), Times: 1}},
		wantCode: 1, minHits: 1,
	}, {
		name:     "connection reset mid-request on the dry-run applies, twice",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Method: "PATCH"}, Fault: faultproxy.Reset(), Times: 2}},
		wantCode: 1, minHits: 2,
	}, {
		name:     "connection dropped mid-response on reads, twice",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Method: "GET", Resource: "services"}, Fault: faultproxy.Truncate(), Times: 2}},
		wantCode: 1, minHits: 2,
	}, {
		name:     "persistent 500 on NetworkPolicies",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "networkpolicies"}, Fault: faultproxy.Status(500)}},
		wantCode: 2, minHits: 2,
		problems: []string{
			netpol + ": reading the live object: get NetworkPolicy " + ns + "/payments-api-egress from " + p.URL + " (3 attempts): faultproxy: injected 500",
			": listing NetworkPolicy objects to find deletions: list networkpolicies in " + ns + " from " + p.URL + " (3 attempts): faultproxy: injected 500",
		},
		changes: []string{update}, minUnchanged: 5,
		check: func(t *testing.T, f *faultRun) {
			// One read of the object and one list, three attempts each.
			if n := p.Hits("fault"); n != 6 {
				t.Errorf("%d requests for NetworkPolicies, want 6", n)
			}
		},
	}, {
		name:     "persistent 429 with Retry-After on NetworkPolicies: bounded",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "networkpolicies"}, Fault: faultproxy.TooManyRequests(time.Second)}},
		wantCode: 2, minHits: 6,
		problems: []string{netpol + ": reading the live object: get NetworkPolicy " + ns + "/payments-api-egress from " + p.URL + " (3 attempts): "},
		changes:  []string{update}, minUnchanged: 5,
		check: func(t *testing.T, f *faultRun) {
			if n := p.Hits("fault"); n != 6 {
				t.Errorf("%d requests for NetworkPolicies, want 6: 2 requests, 3 attempts each", n)
			}
		},
	}, {
		name:     "403 on NetworkPolicies: not retried",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "networkpolicies"}, Fault: faultproxy.Status(403)}},
		wantCode: 2, minHits: 2,
		problems: []string{netpol + ": reading the live object: faultproxy: injected 403 Forbidden", ": listing NetworkPolicy objects to find deletions: faultproxy: injected 403 Forbidden"},
		changes:  []string{update}, minUnchanged: 5,
		check: func(t *testing.T, f *faultRun) {
			// One read of the object and one list for pruning; a refusal
			// is final.
			if n := p.Hits("fault"); n != 2 {
				t.Errorf("%d requests for NetworkPolicies, want 2: a 403 was retried", n)
			}
		},
	}, {
		name:     "deployments slower than the request timeout",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Resource: "deployments"}, Fault: faultproxy.Delay(time.Hour)}},
		args:     []string{"--request-timeout=2s"},
		wantCode: 2, minHits: 3,
		problems: []string{
			"Deployment/" + ns + "/payments-api: reading the live object: cannot reach " + p.URL + " (get Deployment " + ns + "/payments-api, 3 attempts): timed out after 2s",
			": listing Deployment objects to find deletions: cannot reach " + p.URL + " (list deployments in " + ns + ", 3 attempts): timed out after 2s",
		},
		minUnchanged: 5,
	}, {
		name:     "the whole server slower than the request timeout",
		rules:    []faultproxy.Rule{{Name: "fault", Fault: faultproxy.Delay(time.Hour)}},
		args:     []string{"--request-timeout=2s"},
		wantCode: 2, minHits: 3,
		problems: []string{"target staging/" + faultContext + ": cannot reach " + p.URL + " (reading API discovery, 3 attempts): timed out after 2s"},
	}, {
		// client-go makes "unknown" of this answer; the error must say
		// what the server said.
		name:     "403 on API discovery",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Path: "/api"}, Fault: faultproxy.Status(403)}},
		wantCode: 2, minHits: 1,
		problems: []string{"target staging/" + faultContext + ": reading API discovery from " + p.URL + ": the server answered 403 Forbidden"},
		check: func(t *testing.T, f *faultRun) {
			if n := p.Hits("fault"); n != 1 {
				t.Errorf("%d requests for /api, want 1: a 403 was retried", n)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p.SetRules(tc.rules...)
			defer p.SetRules()
			f := r.diffWithin(t, append([]string{"--context=" + faultContext}, append(tc.args, "./...")...)...)
			if f.code != tc.wantCode {
				t.Errorf("exit %d, want %d; problems:\n%s", f.code, tc.wantCode, f.problems())
			}
			if n := p.Hits("fault"); n < tc.minHits {
				t.Errorf("the fault fired %d times, want at least %d", n, tc.minHits)
			}
			if tc.wantCode == 1 {
				if fmt.Sprint(f.changed()) != "["+update+"]" || f.plan.Status != "changes" || len(f.plan.Problems) != 0 {
					t.Errorf("status %s, changes %v, problems:\n%s", f.plan.Status, f.changed(), f.problems())
				}
			} else {
				if f.plan.Status != "incomplete" {
					t.Errorf("status %s, want incomplete", f.plan.Status)
				}
				problems := f.problems()
				for _, want := range tc.problems {
					if !strings.Contains(problems, want) {
						t.Errorf("problems lack %q:\n%s", want, problems)
					}
				}
				// What could be compared still is.
				if fmt.Sprint(f.changed()) != fmt.Sprint(tc.changes) || f.plan.Summary["unchanged"] < tc.minUnchanged {
					t.Errorf("changes %v, want %v; %d unchanged, want at least %d", f.changed(), tc.changes, f.plan.Summary["unchanged"], tc.minUnchanged)
				}
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// TestDiffAPIServerLostMidRun: the API server of a cluster of the test's
// own is killed while skyc diff is comparing (when the first request for
// a Deployment arrives). The diff ends in bounded time with errors that
// name the server, exit 2, and never says "no changes".
func TestDiffAPIServerLostMidRun(t *testing.T) {
	r := newDiffRepo(t, "lost", false)
	c := testcluster.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	installExampleCRDs(t, ctx, c)
	p := kubeProxy(t, r, c)
	p.SetRules(faultproxy.Rule{
		Name: "kill", Match: faultproxy.Match{Resource: "deployments"}, Fault: faultproxy.Pass(), Times: 1,
		Then: func(int) { c.KillAPIServer() },
	})
	f := r.diffWithin(t, "--context="+faultContext, "./...")
	t.Logf("skyc diff ended %v after it started, exit %d:\n%s", f.took, f.code, f.problems())
	if p.Hits("kill") != 1 {
		t.Fatalf("no request for a Deployment arrived: the server was never killed")
	}
	if f.code != 2 || f.plan.Status != "incomplete" {
		t.Fatalf("exit %d, status %s, want 2 and incomplete:\n%s", f.code, f.plan.Status, f.out)
	}
	// Once a few requests in a row cannot connect, the server is given
	// up: one error for the target instead of one per object.
	var targetErr string
	for _, tg := range f.plan.Targets {
		if tg.Error != nil {
			targetErr = *tg.Error
		}
	}
	if want := "cannot reach " + p.URL + ": gave up after 3 requests in a row failed"; !strings.Contains(targetErr, want) || !strings.Contains(targetErr, "objects not compared") {
		t.Errorf("target error %q, want it to say %q and how many objects were not compared\n%s", targetErr, want, f.problems())
	}
	for _, pr := range f.plan.Problems {
		if strings.Contains(pr.Message, "cannot reach") {
			t.Errorf("problem %s: %q: a lost server should be one error of the target", pr.Address, pr.Message)
		}
	}
	// The text report says so too, against the dead server.
	out, _, code := r.run(skycBinary(t), "diff", "--aws=false", "--context="+faultContext, "./...")
	if code != 2 || strings.Contains(out, "No changes") || !strings.Contains(out, "error: cannot reach "+p.URL+" (reading API discovery, 3 attempts)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// awsFaultRepo is a repository with one service that renders a bucket, its
// stack and its runtime role, deployed on a moto_server; its diffs compare
// only AWS, through a fault proxy in front of moto.
func awsFaultRepo(t *testing.T) (*diffRepo, *faultproxy.Proxy) {
	t.Helper()
	endpoint := startMoto(t)
	r := newDiffRepo(t, "awsfaults", false)
	if err := r.write("skyc.yaml", fmt.Sprintf(`defaults:
  kubeconfig: %s
environments:
  staging:
    cluster: skyc-test
    namespace: %s
    region: eu-central-1
    aws:
      account_id: "123456789012"
      oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/ABC
`, r.kubeconfig, r.ns["staging"])); err != nil {
		t.Fatal(err)
	}
	r.onlyBucketService(t)
	if _, errOut, code := r.run(skycBinary(t), "render", "-o", "out", "./..."); code != 0 {
		t.Fatalf("skyc render -o: %s", errOut)
	}
	body, err := os.ReadFile(filepath.Join(r.dir, "out/staging/api/cloudformation/api-staging.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	deployStack(t, endpoint, "api-staging", string(body))
	p, err := faultproxy.Start(faultproxy.Options{Target: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r.flags = []string{"--kubernetes=false", "--aws-endpoint=" + p.URL}
	return r, p
}

// TestDiffAWSFaults: the stack and role deployed as rendered; a diff
// through a throttling, slow or connection-dropping AWS endpoint retries
// what is transient to the right answer (no changes, exit 0) or reports
// per target and object what it could not compare (exit 2).
func TestDiffAWSFaults(t *testing.T) {
	r, p := awsFaultRepo(t)
	const target = "staging/aws:123456789012/eu-central-1"
	throttle := func(action string, times int) []faultproxy.Rule {
		return []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Action: action}, Fault: faultproxy.AWSThrottle(), Times: times}}
	}
	for _, tc := range []struct {
		name     string
		rules    []faultproxy.Rule
		args     []string
		wantCode int
		// hits is how often the rule "fault" must have fired; 0: at least once.
		hits int
		// For exit 2: problems must each appear in the problems or target
		// errors, and at least minUnchanged objects were still compared.
		problems     []string
		minUnchanged int
	}{{
		name:     "throttled reading the role, twice",
		rules:    throttle("GetRole", 2),
		wantCode: 0, hits: 2,
	}, {
		name:     "throttled checking the credentials, twice",
		rules:    throttle("GetCallerIdentity", 2),
		wantCode: 0, hits: 2,
	}, {
		name: "connection reset and an answer cut short",
		rules: []faultproxy.Rule{
			{Name: "fault", Match: faultproxy.Match{Action: "DescribeStacks"}, Fault: faultproxy.Reset(), Times: 1},
			{Name: "fault", Match: faultproxy.Match{Action: "GetTemplate"}, Fault: faultproxy.Truncate(), Times: 1},
		},
		wantCode: 0, hits: 2,
	}, {
		name:     "503 creating the change set, once",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Action: "CreateChangeSet"}, Fault: faultproxy.AWSError(503, "ServiceUnavailable", "Service is unavailable"), Times: 1}},
		wantCode: 0, hits: 1,
	}, {
		name:     "throttled reading the role, always",
		rules:    throttle("GetRole", 0),
		wantCode: 2, hits: 3,
		problems: []string{"IAMRole/api-staging: reading role api-staging: operation error IAM: GetRole, exceeded maximum number of attempts, 3", "Throttling: Rate exceeded"},
		// The stack.
		minUnchanged: 1,
	}, {
		name:     "throttled checking the credentials, always",
		rules:    throttle("GetCallerIdentity", 0),
		wantCode: 2, hits: 3,
		problems: []string{"target " + target + ": cannot reach " + p.URL + " as the configured credentials (3 attempts)", "Throttling: Rate exceeded"},
	}, {
		name:     "reading stacks slower than the request timeout",
		rules:    []faultproxy.Rule{{Name: "fault", Match: faultproxy.Match{Action: "DescribeStacks"}, Fault: faultproxy.Delay(time.Hour)}},
		args:     []string{"--request-timeout=2s"},
		wantCode: 2, hits: 3,
		problems: []string{"AWS::CloudFormation::Stack/api-staging: describing stack api-staging: timed out (2s per attempt, 3 attempts): operation error CloudFormation: DescribeStacks, exceeded maximum number of attempts, 3"},
		// The role.
		minUnchanged: 1,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p.SetRules(tc.rules...)
			defer p.SetRules()
			f := r.diffWithin(t, append(tc.args, "./...")...)
			if f.code != tc.wantCode {
				t.Errorf("exit %d, want %d; problems:\n%s", f.code, tc.wantCode, f.problems())
			}
			if n := p.Hits("fault"); tc.hits > 0 && n != tc.hits || n == 0 {
				t.Errorf("the fault fired %d times, want %d", n, tc.hits)
			}
			if tc.wantCode == 0 {
				if f.plan.Status != "no_changes" || f.plan.Summary["unchanged"] != 2 {
					t.Errorf("status %s, summary %v; want the stack and the role unchanged", f.plan.Status, f.plan.Summary)
				}
				return
			}
			if f.plan.Status != "incomplete" {
				t.Errorf("status %s, want incomplete", f.plan.Status)
			}
			problems := f.problems()
			for _, want := range tc.problems {
				if !strings.Contains(problems, want) {
					t.Errorf("problems lack %q:\n%s", want, problems)
				}
			}
			if f.plan.Summary["unchanged"] < tc.minUnchanged {
				t.Errorf("%d unchanged, want at least %d: the other objects were not compared", f.plan.Summary["unchanged"], tc.minUnchanged)
			}
		})
	}
}
