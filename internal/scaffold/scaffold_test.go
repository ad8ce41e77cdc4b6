package scaffold

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/skyfmt"
	"github.com/skyc-dev/skyc/internal/skylint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestCheckName(t *testing.T) {
	for name, c := range map[string]struct {
		kind, name, err string
	}{
		"simple":           {kind: "service", name: "payments-api"},
		"digits":           {kind: "worker", name: "ledger2"},
		"63 characters":    {kind: "service", name: "a" + strings.Repeat("b", 62)},
		"empty":            {kind: "service", name: "", err: `name is empty; want a DNS label`},
		"too long":         {kind: "service", name: strings.Repeat("a", 64), err: `is 64 characters long; a service name has at most 63`},
		"long cron":        {kind: "cron", name: strings.Repeat("a", 53), err: `is 53 characters long; a cron name has at most 52`},
		"upper case":       {kind: "service", name: "Payments", err: `name "Payments" starts with 'P'; want a DNS label`},
		"underscore":       {kind: "service", name: "payments_api", err: `name "payments_api" has '_' at position 9; want a DNS label: lower-case letters, digits and '-', starting with a letter (try "payments-api")`},
		"leading digit":    {kind: "service", name: "1api", err: `starts with '1'`},
		"trailing dash":    {kind: "service", name: "api-", err: `ends with '-'`},
		"path separator":   {kind: "service", name: "a/b", err: `has '/' at position 2`},
		"dots":             {kind: "service", name: "api.v2", err: `(try "api-v2")`},
		"space":            {kind: "service", name: "my api", err: `has ' ' at position 3`},
		"non-ascii":        {kind: "service", name: "café", err: `has 'é' at position 4`},
		"parent directory": {kind: "service", name: "..", err: `starts with '.'`},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckName(c.kind, c.name)
			if c.err == "" {
				if err != nil {
					t.Fatalf("CheckName(%q) = %v", c.name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("CheckName(%q) = %v, want %q", c.name, err, c.err)
			}
		})
	}
}

// TestFiles compares the scaffold of each kind with the golden files in
// testdata/KIND (refresh with -update), and checks that the .sky files
// are formatted and lint-clean as they are.
func TestFiles(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			files, err := Files(Options{Kind: kind, Name: "demo-" + kind, Team: "payments"})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 3 {
				t.Fatalf("got %d files, want 3", len(files))
			}
			for _, f := range files {
				golden := filepath.Join("testdata", kind, filepath.FromSlash(f.Path))
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if string(f.Data) != string(want) {
					t.Errorf("%s differs from %s (run with -update to refresh):\n%s", f.Path, golden, f.Data)
				}
				if !strings.HasSuffix(f.Path, ".sky") {
					continue
				}
				if ok, err := skyfmt.IsFormatted(f.Path, f.Data); err != nil || !ok {
					t.Errorf("%s is not formatted (%v)", f.Path, err)
				}
				findings, err := skylint.File(f.Path, f.Data, skylint.Options{Predeclared: []string{"service", "worker", "cron_job", "millicores", "megabytes"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, fd := range findings {
					t.Errorf("lint: %s", fd)
				}
			}
		})
	}
}

func TestFilesOptions(t *testing.T) {
	files, err := Files(Options{Kind: "cron", Name: "nightly", Image: `img:"1"`, Schedule: "*/5 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	sky := string(files[0].Data)
	for _, want := range []string{`team = "my-team"`, `image = "img:\"1\""`, `schedule = "*/5 * * * *"`} {
		if !strings.Contains(sky, want) {
			t.Errorf("nightly.sky lacks %s:\n%s", want, sky)
		}
	}
	for name, c := range map[string]struct {
		opts Options
		err  string
	}{
		"unknown kind": {Options{Kind: "daemon", Name: "x"}, `unknown kind "daemon"; want one of service, worker, cron`},
		"bad name":     {Options{Kind: "service", Name: "X"}, `name "X" starts with 'X'`},
		"bad team":     {Options{Kind: "service", Name: "x", Team: "Web Team"}, `team: name "Web Team" starts with 'W'`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Files(c.opts); err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Files(%+v) = %v, want %q", c.opts, err, c.err)
			}
		})
	}
}

func TestWriteRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Kind: "service", Name: "api"}
	paths, err := Write(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 {
		t.Fatalf("wrote %q, want 3 files", paths)
	}

	// A second scaffold of the same name writes nothing.
	readme := filepath.Join(dir, "api", "README.md")
	if err := os.WriteFile(readme, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, opts); err == nil || !strings.Contains(err.Error(), "api.sky already exists; not overwriting it") {
		t.Fatalf("second Write = %v, want an error", err)
	}
	if b, _ := os.ReadFile(readme); string(b) != "mine" {
		t.Errorf("README.md was overwritten: %q", b)
	}

	// One existing file is enough to stop it, and nothing else is written.
	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "api", "README.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(other, opts); err == nil {
		t.Fatal("Write over an existing README.md succeeded")
	}
	if _, err := os.Stat(filepath.Join(other, "api", "api.sky")); err == nil {
		t.Error("api.sky was written although README.md existed")
	}
}
