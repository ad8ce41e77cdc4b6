package lang

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/diagnostics")

// port is a Go builtin whose argument errors name the parameter, as the
// standard library's builtins' do.
var port = starlark.NewBuiltin("port", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var number int
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name, "number", &number); err != nil {
		return nil, err
	}
	return starlark.MakeInt(number), nil
})

// diagCases are evaluated by TestDiagnose and rendered by TestRender.
// main.sky is loaded, then main() called if it defines one.
var diagCases = map[string]struct {
	files map[string]string
	// Expected diagnostic.
	pos, msg, hint string
	stack          []string // "func@pos", outermost first
	folded         int
}{
	// Starlark puts most syntax errors just after the token it did not
	// want.
	"syntax_error": {
		files: map[string]string{"main.sky": "x = [1, 2\ny = 3\n"},
		pos:   "main.sky:2:2", msg: "got identifier, want ']'",
	},
	"syntax_error_at_end_of_line": {
		files: map[string]string{"main.sky": "replicas = 2 *\nport = 80\n"},
		pos:   "main.sky:1:15", msg: "got newline, want primary expression",
	},
	"syntax_error_in_a_loaded_file": {
		files: map[string]string{
			"main.sky":     "load(\"lib/util.sky\", \"x\")\n",
			"lib/util.sky": "x = {\"a\": 1,,}\n",
		},
		pos: "lib/util.sky:1:13", msg: "got ',', want primary expression",
		stack: []string{"<toplevel>@main.sky:1:1"},
	},
	"undefined_name": {
		files: map[string]string{"main.sky": "def main():\n    return lenn([1, 2])\n"},
		pos:   "main.sky:2:12", msg: "undefined: lenn", hint: "did you mean len?",
	},
	"fail": {
		files: map[string]string{"main.sky": "def main():\n    fail(\"replicas must be positive, got\", -1)\n"},
		pos:   "main.sky:2:9", msg: "replicas must be positive, got -1",
		stack:  []string{"main@main.sky:2:9"},
		folded: 1,
	},
	"error_in_stdlib_called_from_user_file": {
		files: map[string]string{"main.sky": "load(\"@skyc//checks.sky\", \"check\")\n\ndef main():\n    n = -1\n    return check(n)\n"},
		pos:   "main.sky:5:17", msg: "replicas must not be negative, got -1",
		stack:  []string{"main@main.sky:5:17"},
		folded: 3,
	},
	"error_in_predeclared_stdlib_function": {
		files: map[string]string{"main.sky": "def helper(n):\n    return check(n)\n\ndef main():\n    return helper(-2)\n"},
		pos:   "main.sky:2:17", msg: "replicas must not be negative, got -2",
		stack:  []string{"main@main.sky:5:18", "helper@main.sky:2:17"},
		folded: 3,
	},
	"unexpected_keyword_argument": {
		files: map[string]string{"main.sky": "def main():\n    return service(\n        name = \"api\",\n        tem = \"web\",\n    )\n"},
		pos:   "main.sky:4:9", msg: "service() has no parameter tem", hint: "did you mean team?",
		stack: []string{"main@main.sky:2:19"},
	},
	"unexpected_keyword_argument_far_from_any": {
		files: map[string]string{"main.sky": "def main():\n    return service(name = \"api\", team = \"web\", colour = \"red\")\n"},
		pos:   "main.sky:2:48", msg: "service() has no parameter colour", hint: "service() takes name, team, replicas",
		stack: []string{"main@main.sky:2:19"},
	},
	"unexpected_keyword_argument_to_user_function": {
		files: map[string]string{"main.sky": "def web(name, replicas = 1):\n    return name\n\ndef main():\n    return web(name = \"api\", replica = 2)\n"},
		pos:   "main.sky:5:30", msg: "web() has no parameter replica",
		stack: []string{"main@main.sky:5:15"},
	},
	"missing_argument_to_user_function": {
		files: map[string]string{"main.sky": "def web(name, team):\n    return name\n\ndef main():\n    return web(name = \"api\")\n"},
		pos:   "main.sky:5:15", msg: "function web missing 1 argument (team)",
		stack: []string{"main@main.sky:5:15"},
	},
	"builtin_argument_error": {
		files: map[string]string{"main.sky": "def main():\n    return port(name = \"http\", number = \"80\")\n"},
		pos:   "main.sky:2:32", msg: `port: for parameter "number": got string, want int`,
		stack:  []string{"main@main.sky:2:16"},
		folded: 1,
	},
	"error_in_a_loaded_user_file": {
		files: map[string]string{
			"main.sky":     "load(\"lib/util.sky\", \"double\")\n\ndef main():\n    return double(\"2\")\n",
			"lib/util.sky": "def double(n):\n    return n * 2 + 1\n",
		},
		pos: "lib/util.sky:2:18", msg: "unknown binary op: string + int",
		stack: []string{"main@main.sky:4:18", "double@lib/util.sky:2:18"},
	},
	"missing_file": {
		files: map[string]string{
			"main.sky":         "load(\"//lib/defualts.sky\", \"replicas\")\n",
			"lib/defaults.sky": "replicas = 3\n",
		},
		pos: "main.sky:1:1", msg: "no such file: lib/defualts.sky", hint: `did you mean "lib/defaults.sky"?`,
		stack: []string{"<toplevel>@main.sky:1:1"},
	},
	"tab_indented_line": {
		files: map[string]string{"main.sky": "def main():\n\treturn {\"a\": 1}[\"b\"]\n"},
		pos:   "main.sky:2:17", msg: `key "b" not in dict`,
		stack: []string{"main@main.sky:2:17"},
	},
	"non_ascii_line": {
		files: map[string]string{"main.sky": "def main():\n    return {\"é→ü\": \"ß\" + 1}\n"},
		pos:   "main.sky:2:24", msg: "unknown binary op: string + int",
		stack: []string{"main@main.sky:2:24"},
	},
	"step_limit": {
		files: map[string]string{"main.sky": spin + "\ndef main():\n    spin()\n"},
		pos:   "main.sky:2:5", msg: "evaluation of main.sky stopped: execution step limit of 10000 reached",
		hint:  "is there a loop that never ends? Large but finite work can raise the budget with --max-steps",
		stack: []string{"main@main.sky:6:9", "spin@main.sky:2:5"},
	},
}

func evalCase(t *testing.T, files map[string]string) (*Runtime, error) {
	t.Helper()
	rt := newRuntime(t, Options{
		Root:        writeRepo(t, files),
		Stdlib:      testStdlib,
		Predeclared: starlark.StringDict{"service": stdlibExports(t, "service.sky")["service"], "check": stdlibExports(t, "checks.sky")["check"], "port": port},
		MaxSteps:    10_000,
	})
	ctx := context.Background()
	g, err := rt.Load(ctx, "main.sky")
	if err != nil {
		return rt, err
	}
	main, ok := g["main"]
	if !ok {
		t.Fatal("main.sky loaded without error and has no main")
	}
	_, err = rt.Call(ctx, "main.sky", main, nil, nil)
	if err == nil {
		t.Fatal("main() succeeded, want an error")
	}
	return rt, err
}

func TestDiagnose(t *testing.T) {
	for name, tt := range diagCases {
		t.Run(name, func(t *testing.T) {
			rt, err := evalCase(t, tt.files)
			d := rt.Diagnose(err, "main.sky")
			if d.Severity != Error {
				t.Errorf("severity %s, want error", d.Severity)
			}
			if got := d.Pos.String(); got != tt.pos {
				t.Errorf("position %s, want %s", got, tt.pos)
			}
			if d.Message != tt.msg {
				t.Errorf("message %q, want %q", d.Message, tt.msg)
			}
			if d.Hint != tt.hint {
				t.Errorf("hint %q, want %q", d.Hint, tt.hint)
			}
			var stack []string
			for _, f := range d.Stack {
				stack = append(stack, f.Func+"@"+f.Pos.String())
				if IsStdlib(f.Pos.File) {
					t.Errorf("standard library frame %s in the stack", f.Pos)
				}
			}
			if strings.Join(stack, " ") != strings.Join(tt.stack, " ") {
				t.Errorf("stack %q, want %q", stack, tt.stack)
			}
			if d.Folded != tt.folded {
				t.Errorf("folded %d frames, want %d", d.Folded, tt.folded)
			}
		})
	}
}

// TestRender compares the text rendering of every diagnostic case with
// testdata/diagnostics/<case>.golden. Refresh with go test -update and
// read the diff.
func TestRender(t *testing.T) {
	for name, tt := range diagCases {
		t.Run(name, func(t *testing.T) {
			rt, err := evalCase(t, tt.files)
			var buf bytes.Buffer
			Render(&buf, rt.Diagnose(err, "main.sky"), rt.Source, true)
			golden(t, filepath.Join("testdata", "diagnostics", name+".golden"), buf.Bytes())

			// Rendering is deterministic.
			var again bytes.Buffer
			Render(&again, rt.Diagnose(err, "main.sky"), rt.Source, true)
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("second rendering differs:\n%s\nvs\n%s", buf.Bytes(), again.Bytes())
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and read the diff)\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestRenderEdges(t *testing.T) {
	src := map[string][]byte{
		"a.sky": []byte("x = 1\n\ty = lenn(x)\r\n" + strings.Repeat("z", 200) + "\n"),
		// Trojan Source: the comment's right-to-left override would show
		// the check as commented out.
		"t.sky": []byte("ok = \"user\u202e \u2066# admin\u2069 \u2066\" == role\n" + strings.Repeat("é", 100) + "\n"),
	}
	source := func(f string) []byte { return src[f] }
	tests := map[string]struct {
		d       Diagnostic
		verbose bool
		want    string
	}{
		"no position": {
			d:    Diagnostic{Severity: Error, Message: "no services found", Hint: "add a .sky file"},
			want: ": error: no services found\n  hint: add a .sky file\n",
		},
		"file only": {
			d:    Diagnostic{Severity: Warning, Pos: Pos{File: "a.sky"}, Message: "unused file"},
			want: "a.sky: warning: unused file\n",
		},
		"line without column": {
			d:    Diagnostic{Severity: Info, Pos: Pos{File: "a.sky", Line: 1}, Message: "note"},
			want: "a.sky:1: info: note\n   |\n 1 | x = 1\n",
		},
		"tab and CRLF": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "a.sky", Line: 2, Col: 6}, Message: "undefined: lenn"},
			want: "a.sky:2:6: error: undefined: lenn\n   |\n 2 |     y = lenn(x)\n   |         ^\n",
		},
		"line past the end": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "a.sky", Line: 9, Col: 1}, Message: "m"},
			want: "a.sky:9:1: error: m\n",
		},
		"unknown source": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "b.sky", Line: 1, Col: 1}, Message: "m"},
			want: "b.sky:1:1: error: m\n",
		},
		"long line": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "a.sky", Line: 3, Col: 2}, Message: "m"},
			want: "a.sky:3:2: error: m\n   |\n 3 | " + strings.Repeat("z", 160) + "…\n   |  ^\n",
		},
		"stack and folded frames": {
			d: Diagnostic{Severity: Error, Pos: Pos{File: "a.sky", Line: 1, Col: 5}, Message: "m",
				Stack: []Frame{
					{Func: "main", Pos: Pos{File: "a.sky", Line: 9, Col: 3}},
					{Func: "helper", Pos: Pos{File: "a.sky", Line: 5, Col: 7}},
					{Func: "f", Pos: Pos{File: "a.sky", Line: 1, Col: 5}},
				},
				Folded: 2},
			verbose: true,
			want: "a.sky:1:5: error: m\n   |\n 1 | x = 1\n   |     ^\n" +
				"  called from:\n    a.sky:5:7 in helper\n    a.sky:9:3 in main\n  (2 standard library frames not shown)\n",
		},
		"standard-library frames in verbose output": {
			d: Diagnostic{Severity: Error, Pos: Pos{File: "b.sky"}, Message: "m", Folded: 2,
				StdlibFrames: []Frame{
					{Func: "service", Pos: Pos{File: "@skyc//service.sky", Line: 40, Col: 5}},
					{Func: "check_name", Pos: Pos{File: "@skyc//_platform.sky", Line: 12, Col: 9}},
				}},
			verbose: true,
			want:    "b.sky: error: m\n  in the standard library:\n    @skyc//_platform.sky:12:9 in check_name\n    @skyc//service.sky:40:5 in service\n",
		},
		"terminal escapes and bidirectional controls": {
			d: Diagnostic{Severity: Error, Pos: Pos{File: "t.sky", Line: 1, Col: 24}, Message: "no such file: lib/\u202egnp.sky\x1b[2J.sky",
				Hint:  "did you mean \"\u009b31m\"?\nor this",
				Stack: []Frame{{Func: "main", Pos: Pos{File: "\x1b]0;x\x07.sky", Line: 3, Col: 1}}, {Func: "f", Pos: Pos{File: "t.sky", Line: 1, Col: 24}}}},
			want: "t.sky:1:24: error: no such file: lib/\\u202egnp.sky\\x1b[2J.sky\n   |\n" +
				" 1 | ok = \"user\\u202e \\u2066# admin\\u2069 \\u2066\" == role\n" +
				"   | " + strings.Repeat(" ", len(`ok = "user\u202e \u2066# admin\u2069 \u2066`)) + "^\n" +
				"  hint: did you mean \"\\u009b31m\"?\nor this\n" +
				"  called from:\n    \\x1b]0;x\\x07.sky:3:1 in main\n",
		},
		"bytes that are not UTF-8": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "a.sky"}, Message: "got \"M\xfcnchen\""},
			want: "a.sky: error: got \"M\\xfcnchen\"\n",
		},
		"long line cut between characters": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "t.sky", Line: 2, Col: 1}, Message: "m"},
			want: "t.sky:2:1: error: m\n   |\n 2 | " + strings.Repeat("é", 80) + "…\n   | ^\n",
		},
		"folded frames hidden unless verbose": {
			d:    Diagnostic{Severity: Error, Pos: Pos{File: "a.sky"}, Message: "m", Folded: 2},
			want: "a.sky: error: m\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			Render(&buf, &tt.d, source, tt.verbose)
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

func TestToDiagnostic(t *testing.T) {
	d := &Diagnostic{Severity: Warning, Message: "kept"}
	tests := map[string]struct {
		err      error
		pos, msg string
		hint     string
	}{
		"a diagnostic passes through": {err: fmt.Errorf("wrapped: %w", d), msg: "kept"},
		"plain error":                 {err: errors.New("boom."), pos: "svc.sky", msg: "boom"},
		"class prefix":                {err: errors.New("TypeError: got int, want string"), pos: "svc.sky", msg: "got int, want string"},
		"cancelled":                   {err: context.Canceled, pos: "svc.sky", msg: "evaluation cancelled"},
		"limit":                       {err: &LimitError{Limit: "timeout", File: "svc.sky", Value: "1s"}, pos: "svc.sky", msg: "evaluation of svc.sky stopped: time limit of 1s reached", hint: "is there a loop that never ends? Slow but finite work can raise the limit with --timeout"},
		"cycle":                       {err: &CycleError{Cycle: []string{"a.sky", "a.sky"}}, pos: "svc.sky", msg: "load cycle: a.sky → a.sky"},
		"label":                       {err: &LoadError{Label: "x", Err: &LabelError{Label: "x", Msg: "bad label", Hint: "fix it"}}, pos: "svc.sky", msg: "bad label", hint: "fix it"},
		"did you mean in the message": {err: errors.New("no field nme (did you mean name?)"), pos: "svc.sky", msg: "no field nme", hint: "did you mean name?"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := ToDiagnostic(tt.err, "svc.sky")
			if got.Pos.String() != tt.pos || got.Message != tt.msg || got.Hint != tt.hint {
				t.Errorf("ToDiagnostic = %s | %q | %q\n         want %s | %q | %q", got.Pos, got.Message, got.Hint, tt.pos, tt.msg, tt.hint)
			}
		})
	}

	// fail()'s prefix is Diagnose's to drop, ToDiagnostic keeps it.
	rt, err := evalCase(t, diagCases["fail"].files)
	if got := ToDiagnostic(err, "main.sky").Message; got != "fail: replicas must be positive, got -1" {
		t.Errorf("ToDiagnostic of fail() = %q", got)
	}
	if got := rt.Diagnose(err, "main.sky").Message; got != "replicas must be positive, got -1" {
		t.Errorf("Diagnose of fail() = %q", got)
	}
}

// FuzzPrintable: whatever a message holds, what Render writes of it is
// UTF-8 without control characters (but tab and newline) or
// bidirectional formatting characters, escaping is stable, and the
// caret line is as wide as the printed line up to the column.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{
		"plain", "no such file: lib/\u202egnp.sky\x1b[2J.sky", "M\xfcnchen", "\t tab\nnewline", "\u009b31m",
		"\u2066# admin\u2069", "é", "\xff\xfe", "\\x1b", "",
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, col int) {
		p := printable(s)
		if !utf8.ValidString(p) {
			t.Fatalf("printable(%q) = %q, not UTF-8", s, p)
		}
		for _, r := range p {
			if r != '\t' && r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x061c || r == 0x200e || r == 0x200f ||
				r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("printable(%q) = %q holds %U", s, p, r)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return escapeRune(r, string(r)) != string(r) }) && p != s {
			t.Fatalf("printable(%q) = %q changed a printable string", s, p)
		}
		if pp := printable(p); pp != p {
			t.Fatalf("printable is not stable: %q, then %q", p, pp)
		}
		line := strings.ReplaceAll(s, "\n", " ")
		if col < 1 || col > utf8.RuneCountInString(line)+1 {
			return
		}
		// The caret goes under the character at col as printed.
		prefix := line
		for i := range line {
			if col--; col == 0 {
				prefix = line[:i]
				break
			}
		}
		if want := utf8.RuneCountInString(printable(expandTabs(prefix))); len(caretIndent(line, utf8.RuneCountInString(prefix)+1)) != want {
			t.Fatalf("caret indent %d for %q, want %d", len(caretIndent(line, utf8.RuneCountInString(prefix)+1)), prefix, want)
		}
	})
}
