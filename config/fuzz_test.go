package config

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// FuzzParse parses arbitrary bytes as skyc.yaml. Whatever they are, Parse
// returns a config or an error, never both and never a panic, and the same
// one each time (the error too: it is what CI prints). A config it returns
// has only valid environment names, each of which Env resolves, and
// reads back as itself once written as YAML.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"defaults:\n  vars:\n    log_level: info\nenvironments:\n  staging:\n    cluster: eu-staging\n    region: eu-central-1\n    vars: {log_level: debug}\n  production:\n    cluster: eu-prod\n",
		"environments:\n  prod:\n    clusters: [b, a]\n    kubeconfig: ~/k.yaml\n    aws:\n      account_id: \"123456789012\"\n      oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/X\n",
		"cost_allocation:\n  team:\n    key: Team\n    required: true\n    allowed: [web, data]\n  cost_centre:\n    key: CostCentre\n    pattern: '^cc-[0-9]+$'\n",
		"environments:\n  Prod: {}\n  Stage: {}\n  QA: {}\n",
		"environments:\n  a:\n    aws: {account_id: 12}\n  b:\n    aws: {account_id: 34}\n",
		"environments: {prod: null}\n",
		"defaults: &d {region: x}\nenvironments: {a: *d, b: *d}\n",
		"unknown: 1\n",
		"- a\n- b\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer time.AfterFunc(10*time.Second, func() {
			// A hang is a finding too: crash, so the fuzzer keeps the input.
			panic(fmt.Sprintf("still parsing after 10s: %q", data))
		}).Stop()
		c, err := Parse("skyc.yaml", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", c, err)
		}
		again, errAgain := Parse("skyc.yaml", data)
		if !reflect.DeepEqual(c, again) || errText(err) != errText(errAgain) {
			t.Fatalf("two parses differ:\n%v / %v\n%v / %v", c, err, again, errAgain)
		}
		if err != nil {
			return
		}
		names := c.Names()
		if !slices.IsSorted(names) {
			t.Errorf("Names() = %q, not sorted", names)
		}
		for _, name := range names {
			if !envName.MatchString(name) {
				t.Errorf("environment name %q accepted", name)
			}
			env, err := c.Env(name)
			if err != nil {
				t.Errorf("Env(%q): %v", name, err)
			} else if env.Name != name {
				t.Errorf("Env(%q).Name = %q", name, env.Name)
			}
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("writing the config back: %v", err)
		}
		back, err := Parse("skyc.yaml", out)
		if err != nil {
			t.Fatalf("the config written back does not parse: %v\n%s", err, out)
		}
		if out2, err := yaml.Marshal(back); err != nil || string(out2) != string(out) {
			t.Fatalf("the config written back reads differently:\n%s\n---\n%s", out, out2)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
