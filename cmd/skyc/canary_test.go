package main

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/cli"
	"github.com/skyc-dev/skyc/internal/cli/full"
)

// Canaries: values standing for secrets, one for each place a secret can
// come from in a render, each unlike anything else in the output.
const (
	canaryYAML    = "canary-skyc-yaml-var-5f2b0c"  // ctx.vars, from skyc.yaml
	canaryFlag    = "canary-var-flag-9c1d4e"       // ctx.vars, from --var
	canaryLiteral = "canary-sky-literal-3e7a11"    // a constant in the .sky file
	canaryBytes   = "canary-secret-bytes-77b0d2"   // Secret.data, as bytes
	canaryShown   = "canary-configmap-shown-0aa1f" // control: a ConfigMap's value, which is no secret
)

// secretCanaries are the canaries that may appear only where the user put
// them: in the Secret objects the render outputs.
var secretCanaries = []string{canaryYAML, canaryFlag, canaryLiteral, canaryBytes}

const canaryConfig = `environments:
  staging:
    vars:
      db_password: ` + canaryYAML + `
      log_level: debug
`

// canaryService renders every kind of secret: Secrets with stringData
// from ctx.vars and a constant and data from bytes, an env var from a
// secret_env() reference (whose value skyc never sees), and the control.
// SECRET is replaced by the test variants' Secret.
const canaryService = `PASSWORD = "` + canaryLiteral + `"

def with_type(secret, value):
    secret.type = value
    secret.immutable = value
    return secret

def main(ctx):
    api = service(
        name = "api",
        team = "web",
        image = "registry.example.com/api:1.0.0",
        env = {
            "DB_PASSWORD": secret_env("api-db", "password"),
            "LOG_LEVEL": ctx.vars["log_level"],
        },
    )
    return [
        api,
        SECRET,
        k8s.core.Secret(
            metadata = k8s.meta.ObjectMeta(name = "api-bytes"),
            data = {"key": b"` + canaryBytes + `"},
        ),
        k8s.core.ConfigMap(
            metadata = k8s.meta.ObjectMeta(name = "api-config"),
            data = {"shown": "` + canaryShown + `"},
        ),
    ]
`

// goodSecret is the Secret of a render that succeeds.
const goodSecret = `k8s.core.Secret(
            metadata = k8s.meta.ObjectMeta(name = "api-db"),
            stringData = {
                "password": ctx.vars["db_password"],
                "token": ctx.vars["api_token"],
                "constant": PASSWORD,
            },
        )`

// canaryRepo writes the repository with secret as the Secret and returns
// the path of the service file.
func canaryRepo(t *testing.T, secret string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "skyc.yaml"), canaryConfig)
	svc := filepath.Join(dir, "services", "api.sky")
	writeFile(t, svc, strings.Replace(canaryService, "SECRET", secret, 1))
	return svc
}

// skyc runs the CLI in-process.
func skyc(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = full.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// noCanary fails the test for every secret canary in text, as it is or
// in base64.
func noCanary(t *testing.T, where, text string) {
	t.Helper()
	for _, c := range secretCanaries {
		if strings.Contains(text, c) || strings.Contains(text, base64.StdEncoding.EncodeToString([]byte(c))) {
			t.Errorf("%s shows the secret %s:\n%s", where, c, text)
		}
	}
}

// TestSecretCanaryRender: a render writes the user's Secrets as written,
// in the stream and the tree: they are the user's objects. Nothing else
// it prints, at any verbosity, holds a secret; an env var from a
// secret_env() reference holds only the reference.
func TestSecretCanaryRender(t *testing.T) {
	svc := canaryRepo(t, goodSecret)
	for _, verbose := range []string{"--verbose=false", "--verbose"} {
		code, stdout, stderr := skyc("render", verbose, "--var", "api_token="+canaryFlag, svc)
		if code != cli.ExitOK {
			t.Fatalf("render %s: exit %d\n%s", verbose, code, stderr)
		}
		for _, c := range []string{canaryYAML, canaryFlag, canaryLiteral, base64.StdEncoding.EncodeToString([]byte(canaryBytes)), canaryShown} {
			if !strings.Contains(stdout, c) {
				t.Errorf("render %s: the output lacks %s, which the user's objects hold", verbose, c)
			}
		}
		noCanary(t, "render "+verbose+" on stderr", stderr)
		if !strings.Contains(stdout, "secretKeyRef:\n") || !strings.Contains(stdout, "name: api-db\n") {
			t.Errorf("render %s: DB_PASSWORD is not a secretKeyRef to api-db:\n%s", verbose, stdout)
		}
	}

	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := skyc("render", "--verbose", "--var", "api_token="+canaryFlag, "-o", out, svc)
	if code != cli.ExitOK {
		t.Fatalf("render -o: exit %d\n%s", code, stderr)
	}
	noCanary(t, "render -o on stdout", stdout)
	noCanary(t, "render -o on stderr", stderr)
	found := map[string]string{}
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range append(secretCanaries, canaryShown) {
			if strings.Contains(string(data), c) || strings.Contains(string(data), base64.StdEncoding.EncodeToString([]byte(c))) {
				found[c] = filepath.Base(path)
			}
		}
		return nil
	})
	for _, c := range append(secretCanaries, canaryShown) {
		want := "secret-api-db.yaml"
		switch c {
		case canaryBytes:
			want = "secret-api-bytes.yaml"
		case canaryShown:
			want = "configmap-api-config.yaml"
		}
		if found[c] != want {
			t.Errorf("the tree has %s in %q, want it in %s only", c, found[c], want)
		}
	}
}

// TestSecretCanaryErrors: no mistake in or around a Secret, whichever
// way the secret came, makes a diagnostic quote it.
func TestSecretCanaryErrors(t *testing.T) {
	tests := map[string]struct {
		secret string
		want   string // a fragment of the diagnostic
	}{
		"stringData not a dict": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db"), stringData = ctx.vars["db_password"])`,
			want:   "Secret.stringData: got string",
		},
		"stringData value not a string": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db"), stringData = {"password": [ctx.vars["api_token"], PASSWORD]})`,
			want:   `Secret.stringData["password"]: got list, want string`,
		},
		"a secret in a field of another type": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db"), immutable = PASSWORD)`,
			want:   "Secret.immutable: got string",
		},
		"a secret for the metadata": {
			secret: `k8s.core.Secret(metadata = ctx.vars["api_token"], stringData = {"password": "x"})`,
			want:   "Secret.metadata: got string",
		},
		"a secret assigned to a field": {
			secret: `with_type(k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db")), ctx.vars["db_password"])`,
			want:   "Secret.immutable: got string",
		},
		"misspelled field": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db"), strngData = {"password": ctx.vars["db_password"]})`,
			want:   `Secret has no field "strngData"`,
		},
		"a duplicate Secret": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-bytes"), stringData = {"password": ctx.vars["db_password"]})`,
			want:   "api-bytes",
		},
		"a Secret without a name": {
			secret: `k8s.core.Secret(stringData = {"password": ctx.vars["db_password"], "token": PASSWORD})`,
			want:   "Secret has no metadata.name",
		},
		"a missing var": {
			secret: `k8s.core.Secret(metadata = k8s.meta.ObjectMeta(name = "api-db"), stringData = {"password": ctx.vars["db_pasword"]})`,
			want:   `ctx.vars has no "db_pasword"`,
		},
		"a secret as an env var of the wrong type": {
			secret: `service(name = "worker", team = "web", image = "registry.example.com/w:1.0.0", env = {"TOKEN": [ctx.vars["api_token"]], "PASSWORD": {"v": PASSWORD}})`,
			want:   `env["TOKEN"]: got list, want a string or secret_env(...)`,
		},
		"a secret as the whole env": {
			secret: `service(name = "worker", team = "web", image = "registry.example.com/w:1.0.0", env = ctx.vars["db_password"])`,
			want:   "env: got string, want dict",
		},
		"a secret returned where objects are wanted": {
			secret: `{"password": ctx.vars["db_password"], "token": PASSWORD}`,
			want:   "returned dict",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			svc := canaryRepo(t, tt.secret)
			for _, verbose := range []string{"--verbose=false", "--verbose"} {
				code, stdout, stderr := skyc("render", verbose, "--var", "api_token="+canaryFlag, svc)
				if code != cli.ExitError {
					t.Fatalf("render %s: exit %d, want %d\n%s", verbose, code, cli.ExitError, stderr)
				}
				if !strings.Contains(stderr, tt.want) {
					t.Errorf("render %s: the diagnostic lacks %q:\n%s", verbose, tt.want, stderr)
				}
				noCanary(t, "render "+verbose, stdout+stderr)
			}
		})
	}
}

// TestSecretCanaryDiff: skyc diff against a previous render shows that a
// Secret changed, never its values old or new, in every format; the
// control's change shows in full.
func TestSecretCanaryDiff(t *testing.T) {
	svc := canaryRepo(t, goodSecret)
	before := filepath.Join(t.TempDir(), "before")
	if code, _, stderr := skyc("render", "--var", "api_token=old-"+canaryFlag, "-o", before, svc); code != cli.ExitOK {
		t.Fatalf("render -o: exit %d\n%s", code, stderr)
	}
	src, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(canaryLiteral, "new-"+canaryLiteral, canaryBytes, "new-"+canaryBytes, canaryShown, "new-"+canaryShown).Replace(string(src))
	writeFile(t, svc, changed)
	for _, format := range []string{"text", "json", "markdown"} {
		code, stdout, stderr := skyc("diff", "--format", format, "--verbose", "--aws=false", "--against", before, "--var", "api_token="+canaryFlag, svc)
		if code == cli.ExitError {
			t.Fatalf("diff --format %s: exit %d\n%s%s", format, code, stdout, stderr)
		}
		if !strings.Contains(stdout, "new-"+canaryShown) {
			t.Errorf("diff --format %s does not show the ConfigMap's new value:\n%s", format, stdout)
		}
		if !strings.Contains(stdout, "api-db") || !strings.Contains(stdout, "api-bytes") {
			t.Errorf("diff --format %s does not list the changed Secrets:\n%s", format, stdout)
		}
		noCanary(t, "diff --format "+format, stdout+stderr)
	}
}

// TestSecretCanaryCheck: skyc check's findings about a render with
// Secrets quote none of their values.
func TestSecretCanaryCheck(t *testing.T) {
	svc := canaryRepo(t, `k8s.core.Secret(
            metadata = k8s.meta.ObjectMeta(name = "api-db"),
            type = "kubernetes.io/tls",
            stringData = {"tls.crt": ctx.vars["db_password"], "token": ctx.vars["api_token"], "constant": PASSWORD},
        )`)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		_, stdout, stderr := skyc("check", "--format", format, "--var", "api_token="+canaryFlag, svc)
		if format == "text" && !strings.Contains(stdout+stderr, "tls.key") {
			t.Errorf("check did not find the TLS Secret without tls.key:\n%s%s", stdout, stderr)
		}
		noCanary(t, "check --format "+format, stdout+stderr)
	}
}

// TestSecretCanaryCache: the render cache, which CI systems keep between
// runs of every branch, holds no secret.
func TestSecretCanaryCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("SKYC_CACHE", cache)
	svc := canaryRepo(t, goodSecret)
	for range 2 { // write the cache, then read it
		if code, _, stderr := skyc("render", "--var", "api_token="+canaryFlag, svc); code != cli.ExitOK {
			t.Fatalf("render: exit %d\n%s", code, stderr)
		}
	}
	filepath.WalkDir(cache, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		noCanary(t, "the cache file "+path, string(data))
		return nil
	})
}
