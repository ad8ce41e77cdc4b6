package config

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTargets: cluster and clusters give an environment's kubeconfig
// contexts; kubeconfig paths are resolved against skyc.yaml's directory.
func TestTargets(t *testing.T) {
	dir := t.TempDir()
	c, err := Parse(filepath.Join(dir, FileName), []byte(`
defaults:
  kubeconfig: kube/config
environments:
  staging:
    cluster: stage-a
  production:
    cluster: prod-a
    clusters: [prod-b, prod-a, prod-c]
    kubeconfig: /etc/prod.kubeconfig
  dev:
    kubeconfig: ~/dev.yaml
`))
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	for _, tc := range []struct {
		env        string
		contexts   []string
		kubeconfig string
	}{
		{"staging", []string{"stage-a"}, filepath.Join(dir, "kube/config")},
		{"production", []string{"prod-a", "prod-b", "prod-c"}, "/etc/prod.kubeconfig"},
		{"dev", nil, filepath.Join(home, "dev.yaml")},
	} {
		env, err := c.Env(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.Contexts(); !slices.Equal(got, tc.contexts) {
			t.Errorf("%s: Contexts() = %q, want %q", tc.env, got, tc.contexts)
		}
		if env.Kubeconfig != tc.kubeconfig {
			t.Errorf("%s: Kubeconfig = %q, want %q", tc.env, env.Kubeconfig, tc.kubeconfig)
		}
	}
}

// TestUnknownKey: a misspelt key is an error with its line.
func TestUnknownKey(t *testing.T) {
	_, err := Parse("skyc.yaml", []byte("environments:\n  staging:\n    kubconfig: x\n"))
	if err == nil {
		t.Fatal("no error for an unknown key")
	}
	if want := "skyc.yaml: unmarshal errors:\n  line 3: field kubconfig not found in type config.Settings"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestAWS: an environment's AWS settings override the defaults' field by
// field.
func TestAWS(t *testing.T) {
	c, err := Parse(FileName, []byte(`
defaults:
  aws:
    account_id: "111122223333"
    oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/DEFAULT
environments:
  staging: {}
  production:
    aws:
      account_id: "444455556666"
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ env, account, oidc string }{
		{"staging", "111122223333", "oidc.eks.eu-central-1.amazonaws.com/id/DEFAULT"},
		{"production", "444455556666", "oidc.eks.eu-central-1.amazonaws.com/id/DEFAULT"},
	} {
		env, err := c.Env(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if env.AWS.AccountID != tc.account || env.AWS.OIDCProvider != tc.oidc {
			t.Errorf("%s: aws = %+v, want account %s, provider %s", tc.env, env.AWS, tc.account, tc.oidc)
		}
	}
}

// TestCostAllocation parses the cost-allocation tag rules.
func TestCostAllocation(t *testing.T) {
	c, err := Parse(FileName, []byte(`
cost_allocation:
  team: {allowed: [payments, risk]}
  cost_centre: {key: CostCentre, pattern: "cc-[0-9]{4}", required: false}
`))
	if err != nil {
		t.Fatal(err)
	}
	tags := c.CostAllocation.Tags()
	if len(tags) != 2 || !slices.Equal(tags["team"].Allowed, []string{"payments", "risk"}) ||
		tags["cost_centre"].Key != "CostCentre" || *tags["cost_centre"].Required {
		t.Errorf("tags = %+v", tags)
	}
	if got := (*CostAllocation)(nil).Tags(); len(got) != 0 {
		t.Errorf("nil config has tags %v", got)
	}
}

// TestAWSErrors: bad AWS settings are errors naming the setting.
func TestAWSErrors(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"short account": {"defaults: {aws: {account_id: \"1234\"}}",
			`defaults.aws: account_id "1234": want twelve digits`},
		"scheme in provider": {"environments: {prod: {aws: {oidc_provider: \"https://oidc.example.com/id/1\"}}}",
			`environments.prod.aws: oidc_provider "https://oidc.example.com/id/1": leave out "https://"`},
		"unknown key":       {"defaults: {aws: {account: \"111122223333\"}}", "field account not found"},
		"aws tag key":       {"cost_allocation: {team: {key: \"aws:team\"}}", `cost_allocation.team: key "aws:team" is not an AWS tag key`},
		"bad pattern":       {"cost_allocation: {cost_centre: {pattern: \"cc-[\"}}", `cost_allocation.cost_centre: pattern "cc-["`},
		"unknown dimension": {"cost_allocation: {project: {}}", "field project not found"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(FileName, []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestPolicies: an environment's policy settings are laid over the
// defaults', and mistakes are errors naming the setting.
func TestPolicies(t *testing.T) {
	c, err := Parse("skyc.yaml", []byte(`
defaults:
  policies:
    severity: {no-pdb: warning, no-probes: error}
    required_labels: [team]
environments:
  staging:
    policies:
      severity: {no-pdb: "off"}
  production:
    policies:
      required_labels: [team, cost-centre]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env      string
		severity map[string]string
		labels   []string
	}{
		{"staging", map[string]string{"no-pdb": "off", "no-probes": "error"}, []string{"team"}},
		{"production", map[string]string{"no-pdb": "warning", "no-probes": "error"}, []string{"team", "cost-centre"}},
	} {
		env, err := c.Env(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(env.Policies.Severity, tc.severity) {
			t.Errorf("%s: severity %v, want %v", tc.env, env.Policies.Severity, tc.severity)
		}
		if !slices.Equal(env.Policies.RequiredLabels, tc.labels) {
			t.Errorf("%s: required labels %q, want %q", tc.env, env.Policies.RequiredLabels, tc.labels)
		}
	}
	if d := c.DefaultEnv(); d.Policies.Severity["no-pdb"] != "warning" {
		t.Errorf("DefaultEnv: severity %v, want the defaults'", d.Policies.Severity)
	}
	// The environments do not share the defaults' maps.
	staging, _ := c.Env("staging")
	staging.Policies.Severity["no-probes"] = "info"
	if production, _ := c.Env("production"); production.Policies.Severity["no-probes"] != "error" {
		t.Error("changing one environment's policies changed another's")
	}

	for name, tc := range map[string]struct{ yaml, want string }{
		"bad severity": {"defaults:\n  policies:\n    severity: {no-pdb: fatal}\n",
			`skyc.yaml: defaults.policies: severity of no-pdb: "fatal" is not a severity: want error, warning, info or off`},
		"bad severity in an environment": {"environments:\n  staging:\n    policies:\n      severity: {no-pdb: warn}\n",
			`skyc.yaml: environments.staging.policies: severity of no-pdb: "warn" is not a severity`},
		"empty label": {"defaults:\n  policies:\n    required_labels: [\"\"]\n",
			"skyc.yaml: defaults.policies: required_labels: an empty label key"},
		"crd outside the repository": {"crds: [../crds/x.yaml]\n",
			`skyc.yaml: crds: "../crds/x.yaml" is not a path inside the repository`},
		"absolute crd": {"crds: [/etc/crd.yaml]\n",
			`skyc.yaml: crds: "/etc/crd.yaml" is not a path inside the repository`},
	} {
		_, err := Parse("skyc.yaml", []byte(tc.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting %q", name, err, tc.want)
		}
	}
}

// TestCRDPaths: CRD files are relative to skyc.yaml.
func TestCRDPaths(t *testing.T) {
	dir := t.TempDir()
	c, err := Parse(filepath.Join(dir, FileName), []byte("crds: [crds/monitor.yaml, ./b.yaml]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "crds", "monitor.yaml"), filepath.Join(dir, "b.yaml")}
	if got := c.CRDPaths(); !slices.Equal(got, want) {
		t.Errorf("CRDPaths() = %q, want %q", got, want)
	}
}

func TestRoot(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Root("given", sub); got != "given" {
		t.Errorf("Root with a root = %q, want it unchanged", got)
	}
	if got := Root("", sub); got != dir {
		t.Errorf("Root from %s = %q, want %q (holds skyc.yaml)", sub, got, dir)
	}
	if got := Root("", t.TempDir()); got != "." {
		t.Errorf("Root without skyc.yaml = %q, want \".\"", got)
	}
}
