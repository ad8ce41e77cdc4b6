package config

import (
	"os"
	"path/filepath"
	"slices"
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
