package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

// hook is an entry of .pre-commit-hooks.yaml, as pre-commit reads it.
type hook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Language      string `yaml:"language"`
	Entry         string `yaml:"entry"`
	Files         string `yaml:"files"`
	RequireSerial bool   `yaml:"require_serial"`
}

// TestPreCommitHooks: the repository's pre-commit hooks are the ones the
// README documents, build skyc with Go, pass only the files they concern,
// and their entries work as pre-commit runs them: the command, then the
// changed files that match.
func TestPreCommitHooks(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []hook
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&hooks); err != nil {
		t.Fatal(err)
	}
	byID := map[string]hook{}
	for _, h := range hooks {
		if h.Language != "golang" || h.Name == "" || h.Description == "" {
			t.Errorf("hook %s: want language golang, a name and a description: %+v", h.ID, h)
		}
		byID[h.ID] = h
	}

	dir := t.TempDir()
	files := map[string]string{
		"skyc.yaml":        "environments:\n  staging: {}\n",
		"lib/defaults.sky": "TEAM = \"web\"\n",
		"svc/api.sky":      "load(\"//lib/defaults.sky\", \"TEAM\")\n\ndef main(ctx):\n    return service(name = \"api\", team = TEAM, image = \"registry.example.com/api:1.0.0\")\n",
		"svc/bad.sky":      "load(\"//lib/defaults.sky\", \"TEAM\")\n\ndef main(ctx):\n    w = worker(name = \"bad\", team = TEAM, image = \"registry.example.com/bad:1.0.0\")\n    w.deployment.spec.template.spec.hostNetwork = True\n    return w\n",
		"svc/ugly.sky":     "def main(ctx):\n  return service(name='ugly',team='web',image='registry.example.com/ugly:1.0.0')\n",
		"svc/clean.sky":    "def main(ctx):\n    return service(name = \"clean\", team = \"web\", image = \"registry.example.com/clean:1.0.0\")\n",
		".github/ci.yaml":  "on: push\n",
		"cmd/tool/main.go": "package main\n",
		"docs/README.md":   "docs\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	cases := []struct {
		hook    string
		changed []string
		want    int    // exit status
		out     string // in stdout
		notOut  string
	}{
		{"skyc-fmt", []string{"svc/clean.sky", "svc/api.sky"}, cli.ExitOK, "", "svc/"},
		{"skyc-fmt", []string{"svc/ugly.sky", "svc/clean.sky"}, cli.ExitFindings, "svc/ugly.sky", "clean"},
		{"skyc-check", []string{"svc/clean.sky"}, cli.ExitOK, "0 errors", ""},
		{"skyc-check", []string{"svc/clean.sky", "svc/bad.sky"}, cli.ExitFindings, "[host-network]", ""},
		// A library: the services that load it, not the others.
		{"skyc-check", []string{"lib/defaults.sky"}, cli.ExitFindings, "Deployment web/bad", "clean"},
		{"skyc-check", []string{".github/ci.yaml", "cmd/tool/main.go", "docs/README.md"}, cli.ExitOK, "no services are affected", ""},
		// Every service: the three services and the worker.
		{"skyc-check", []string{"skyc.yaml"}, cli.ExitFindings, "1 error, 0 warnings in 14 objects", ""},
	}
	for _, c := range cases {
		h, ok := byID[c.hook]
		if !ok {
			t.Fatalf("no hook %s in .pre-commit-hooks.yaml", c.hook)
		}
		files := regexp.MustCompile(h.Files)
		var args []string
		for _, f := range c.changed {
			if files.MatchString(f) {
				args = append(args, f)
			}
		}
		entry := strings.Fields(h.Entry)
		if entry[0] != "skyc" {
			t.Fatalf("hook %s runs %s, want skyc", h.ID, entry[0])
		}
		if len(args) == 0 {
			// pre-commit skips a hook without files.
			if c.want != cli.ExitOK {
				t.Errorf("%s %q: no file matches %s, want exit %d", h.ID, c.changed, h.Files, c.want)
			}
			continue
		}
		var stdout, stderr bytes.Buffer
		code := full.Main(append(entry[1:], args...), &stdout, &stderr)
		if code != c.want || !strings.Contains(stdout.String(), c.out) || (c.notOut != "" && strings.Contains(stdout.String(), c.notOut)) {
			t.Errorf("%s %s: exit %d, want %d; stdout (want %q, not %q):\n%s\nstderr:\n%s", h.Entry, strings.Join(args, " "), code, c.want, c.out, c.notOut, &stdout, &stderr)
		}
	}
}
