package lang

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// FuzzLoad evaluates arbitrary source as a user file, main.sky, under
// small limits. Whatever the source, Load must not panic, must return
// globals or an error that Diagnose can describe, and must do the same in
// a fresh Runtime: evaluation is deterministic.
//
// The seeds are the .sky files in testdata/fuzz/FuzzLoad/seeds (a
// directory, which go test skips when reading the fuzzer's own corpus
// files beside it).
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzLoad", "seeds", "*.sky"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, s := range seeds {
		src, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}

	root := f.TempDir()
	writeFiles(f, root, map[string]string{
		"lib.sky": "names = [\"api\", \"web\"]\n\ndef double(x):\n    return x * 2\n",
	})
	predeclared := starlark.StringDict{
		"service": stdlibExports(f, "service.sky")["service"],
		"check":   stdlibExports(f, "checks.sky")["check"],
		"port":    port,
	}
	main := filepath.Join(root, "main.sky")

	f.Fuzz(func(t *testing.T, src string) {
		if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		first := fuzzEval(t, root, predeclared)
		second := fuzzEval(t, root, predeclared)
		if first.timedOut || second.timedOut {
			return // wall-clock time is the one thing allowed to differ
		}
		if first.text != second.text {
			t.Errorf("two evaluations of the same source differ:\n%s\n---\n%s", first.text, second.text)
		}
	})
}

type fuzzOutcome struct {
	text     string // globals and prints, or the rendered diagnostic
	timedOut bool
}

func fuzzEval(t *testing.T, root string, predeclared starlark.StringDict) fuzzOutcome {
	var prints strings.Builder
	rt := newRuntime(t, Options{
		Root:        root,
		Stdlib:      testStdlib,
		Predeclared: predeclared,
		MaxSteps:    100_000,
		Timeout:     time.Second,
		MaxFileSize: 1 << 20,
		Print:       func(pos, msg string) { prints.WriteString(pos + ": " + msg + "\n") },
	})
	globals, err := rt.Load(context.Background(), "main.sky")
	if err != nil {
		if globals != nil {
			t.Errorf("Load returned globals and the error %v", err)
		}
		d := rt.Diagnose(err, "main.sky")
		if d.Message == "" {
			t.Errorf("empty diagnostic message for %#v", err)
		}
		if d.Pos.File == "" {
			t.Errorf("diagnostic without a file for %v", err)
		}
		var buf bytes.Buffer
		Render(&buf, d, rt.Source, true)
		var le *LimitError
		return fuzzOutcome{text: buf.String(), timedOut: errors.As(err, &le) && le.Limit == "timeout"}
	}
	if globals == nil {
		t.Fatal("Load returned neither globals nor an error")
	}
	names := make([]string, 0, len(globals))
	for name := range globals {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		v := globals[name]
		s := v.String()
		if len(s) > 1<<16 {
			s = s[:1<<16]
		}
		b.WriteString(name + " = " + s + "\n")
	}
	b.WriteString(prints.String())
	return fuzzOutcome{text: b.String()}
}
