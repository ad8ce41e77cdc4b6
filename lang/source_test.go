package lang

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"go.starlark.net/syntax"
)

// servedSources is an Options.Source that serves texts, with their trees
// if parse, once each, and records which labels it was asked for.
type servedSources struct {
	mu    sync.Mutex
	texts map[string]string
	parse bool
	asked []string
}

func (s *servedSources) source(label string) ([]byte, *syntax.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, label)
	text, ok := s.texts[label]
	if !ok {
		return nil, nil, false
	}
	delete(s.texts, label)
	src := []byte(text)
	if !s.parse {
		return src, nil, true
	}
	f, _, err := ParseLoads(label, src)
	if err != nil {
		panic(err)
	}
	return src, f, true
}

// The runtime evaluates what Source serves, not the file on disk, with or
// without a tree; files it does not serve are read.
func TestSourceServed(t *testing.T) {
	for _, parse := range []bool{false, true} {
		root := writeRepo(t, map[string]string{
			"main.sky": "load(\"lib.sky\", \"y\")\nx = 1\n",
			"lib.sky":  "y = 2\n",
		})
		s := &servedSources{texts: map[string]string{"main.sky": "load(\"lib.sky\", \"y\")\nx = y + 40\n"}, parse: parse}
		rt := newRuntime(t, Options{Root: root, Source: s.source})
		g, err := rt.Load(context.Background(), "main.sky")
		if err != nil {
			t.Fatal(err)
		}
		if got := g["x"].String(); got != "42" {
			t.Errorf("parse=%v: x = %s, want 42 (the served text, not the file's)", parse, got)
		}
		if got := string(rt.Source("main.sky")); !strings.Contains(got, "y + 40") {
			t.Errorf("parse=%v: Source = %q, want the served text", parse, got)
		}
		if got := strings.Join(s.asked, " "); got != "main.sky lib.sky" {
			t.Errorf("parse=%v: asked for %s", parse, got)
		}
	}
}

// A served tree is resolved and run under the limits, and its errors
// point into the served text.
func TestSourceServedErrorsAndLimits(t *testing.T) {
	root := writeRepo(t, map[string]string{"a.sky": "\n", "b.sky": "\n", "c.sky": "\n"})
	s := &servedSources{parse: true, texts: map[string]string{
		"a.sky": "x = 1\n\nz = undefined_name\n",
		"b.sky": spin + "spin()\n",
		"c.sky": "x = 1\ny = x + \"s\"\n",
	}}
	rt := newRuntime(t, Options{Root: root, Source: s.source, MaxSteps: 10_000})
	ctx := context.Background()

	_, err := rt.Load(ctx, "a.sky")
	if err == nil || !strings.Contains(err.Error(), "a.sky:3:5: undefined: undefined_name") {
		t.Errorf("resolve error = %v, want it at a.sky:3:5", err)
	}
	_, err = rt.Load(ctx, "b.sky")
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "steps" {
		t.Errorf("spinning served file: %v, want the step limit", err)
	}
	_, err = rt.Load(ctx, "c.sky")
	if d := rt.Diagnose(err, "c.sky"); d.Pos.String() != "c.sky:2:7" {
		t.Errorf("runtime error at %s, want c.sky:2:7 (%v)", d.Pos, err)
	}
}

// The size and encoding checks apply to a served text as to a file read.
func TestSourceServedChecks(t *testing.T) {
	root := writeRepo(t, map[string]string{"big.sky": "\n", "latin.sky": "\n"})
	s := &servedSources{texts: map[string]string{
		"big.sky":   "x = \"" + strings.Repeat("a", 100) + "\"\n",
		"latin.sky": "x = \"caf\xe9\"\n",
	}}
	rt := newRuntime(t, Options{Root: root, Source: s.source, MaxFileSize: 50})
	ctx := context.Background()
	if _, err := rt.Load(ctx, "big.sky"); err == nil || !strings.Contains(err.Error(), "over the limit of 50 bytes") {
		t.Errorf("big served text: %v", err)
	}
	if _, err := rt.Load(ctx, "latin.sky"); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("Latin-1 served text: %v", err)
	}
}
