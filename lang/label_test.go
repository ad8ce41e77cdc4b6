package lang

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

func TestResolveLabel(t *testing.T) {
	longest := strings.Repeat("d/", 509) + "xy.sky" // 1024 bytes
	over := strings.Repeat("d/", 509) + "xyz.sky"   // 1025 bytes
	tests := map[string]struct {
		label, from string
		want        string // canonical label, when the label is valid
		err, hint   string // the LabelError's Msg and Hint, when not
	}{
		"relative":                {label: "b.sky", from: "a.sky", want: "b.sky"},
		"relative in a directory": {label: "c.sky", from: "lib/a.sky", want: "lib/c.sky"},
		"relative up, inside":     {label: "../x.sky", from: "lib/a.sky", want: "x.sky"},
		"dot segments cleaned":    {label: "./lib/../b.sky", from: "a.sky", want: "b.sky"},
		"root-relative":           {label: "//lib/b.sky", from: "svc/a/main.sky", want: "lib/b.sky"},
		"stdlib":                  {label: "@skyc//service.sky", from: "a.sky", want: "@skyc//service.sky"},
		"stdlib in a directory":   {label: "@skyc//k8s/pod.sky", from: "lib/a.sky", want: "@skyc//k8s/pod.sky"},
		"relative inside stdlib":  {label: "labels.sky", from: "@skyc//k8s/pod.sky", want: "@skyc//k8s/labels.sky"},
		"longest label":           {label: longest, from: "a.sky", want: longest},

		"empty": {label: "", from: "a.sky",
			err:  "empty load label",
			hint: `write a path such as "lib/defaults.sky" or "//lib/defaults.sky"`},
		"dot-dot escapes the root": {label: "../x.sky", from: "a.sky",
			err:  `load label "../x.sky" escapes the repository root`,
			hint: "loads stay inside the repository, which is the directory holding skyc.yaml"},
		"dot-dot escapes from a directory": {label: "lib/../../x.sky", from: "a.sky",
			err:  `load label "lib/../../x.sky" escapes the repository root`,
			hint: "loads stay inside the repository, which is the directory holding skyc.yaml"},
		"root-relative dot-dot": {label: "//../etc/x.sky", from: "lib/a.sky",
			err:  `load label "//../etc/x.sky" escapes the repository root`,
			hint: "loads stay inside the repository, which is the directory holding skyc.yaml"},
		"absolute path": {label: "/etc/passwd.sky", from: "a.sky",
			err:  `load of absolute path "/etc/passwd.sky"`,
			hint: `loads stay inside the repository: write "//path/file.sky" for a path from the repository root`},
		"NUL byte": {label: "lib/x\x00.sky", from: "a.sky",
			err: `load label "lib/x\x00.sky" contains a NUL byte`},
		"backslash": {label: `lib\x.sky`, from: "a.sky",
			err: `load label "lib\\x.sky" contains a backslash`, hint: "labels use forward slashes"},
		"over-long": {label: over, from: "a.sky",
			err: "load label is 1025 bytes long, over the limit of 1024"},
		"not a .sky file": {label: "lib/data.json", from: "a.sky",
			err: `load label "lib/data.json" does not name a .sky file`},
		"no extension": {label: "//lib/defaults", from: "a.sky",
			err: `load label "//lib/defaults" does not name a .sky file`},
		"unknown repository": {label: "@rules_go//go.sky", from: "a.sky",
			err:  `unknown repository "@rules_go" in load label "@rules_go//go.sky"`,
			hint: `the standard library is "@skyc//"; files of this repository are "//path/file.sky"`},
		"stdlib dot-dot": {label: "@skyc//../a.sky", from: "a.sky",
			err: `invalid standard library label "@skyc//../a.sky"`},
		"stdlib unclean": {label: "@skyc//./service.sky", from: "a.sky",
			err: `invalid standard library label "@skyc//./service.sky"`},
		"stdlib empty": {label: "@skyc//", from: "a.sky",
			err: `invalid standard library label "@skyc//"`},
		"relative escapes stdlib": {label: "../x.sky", from: "@skyc//service.sky",
			err: `load label "../x.sky" escapes the standard library`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := resolveLabel(tt.label, tt.from)
			if tt.err == "" {
				if err != nil || got != tt.want {
					t.Fatalf("resolveLabel(%q, %q) = %q, %v; want %q", tt.label, tt.from, got, err, tt.want)
				}
				return
			}
			var le *LabelError
			if !errors.As(err, &le) {
				t.Fatalf("resolveLabel(%q, %q) = %q, %v; want a *LabelError", tt.label, tt.from, got, err)
			}
			if le.Msg != tt.err || le.Hint != tt.hint || le.Label != tt.label {
				t.Errorf("resolveLabel(%q, %q) error\n got msg %q hint %q label %q\nwant msg %q hint %q",
					tt.label, tt.from, le.Msg, le.Hint, le.Label, tt.err, tt.hint)
			}
		})
	}
}

// sandboxRepo builds a repository with files to load, a directory outside
// it, and symbolic links leading inside and outside. It returns the root.
func sandboxRepo(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{
		"secret.sky":      "secret = \"s3cr3t\"\n",
		"lib/secrets.sky": "secret = \"s3cr3t\"\n",
	})
	root := writeRepo(t, map[string]string{
		"lib/defaults.sky": "replicas = 3\n",
		"lib/helper.sky":   "x = 1\n",
		"svc/api/util.sky": "port = 8080\n",
		"big.sky":          "x = 1\n" + strings.Repeat("# padding\n", 300),
		"notes.txt":        "not starlark\n",
		"latin1.sky":       "x = \"caf\xe9\"\n",
	})
	if err := os.Mkdir(filepath.Join(root, "dir.sky"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(outside, "secret.sky"), filepath.Join(root, "leak.sky"))
	symlink(t, filepath.Join(outside, "lib"), filepath.Join(root, "ext"))
	symlink(t, "defaults.sky", filepath.Join(root, "lib/alias.sky"))
	symlink(t, "../lib", filepath.Join(root, "svc/lib"))
	symlink(t, "loop-b.sky", filepath.Join(root, "loop-a.sky"))
	symlink(t, "loop-a.sky", filepath.Join(root, "loop-b.sky"))
	return root
}

func TestLoadSandbox(t *testing.T) {
	tests := map[string]struct {
		entry string // file holding src; main.sky when empty
		src   string
		want  string // the value of out, when loading succeeds
		// The diagnostic, when it fails.
		pos, msg, hint string
	}{
		"relative": {
			src:  "load(\"lib/defaults.sky\", \"replicas\")\nout = replicas\n",
			want: "3"},
		"relative from a directory": {entry: "svc/api/main.sky",
			src:  "load(\"util.sky\", \"port\")\nout = port\n",
			want: "8080"},
		"root-relative": {entry: "svc/api/main.sky",
			src:  "load(\"//lib/defaults.sky\", \"replicas\")\nout = replicas\n",
			want: "3"},
		"stdlib": {
			src:  "load(\"@skyc//k8s/pod.sky\", \"pod\")\nout = pod\n",
			want: `{"labels": {"app": "x"}}`},
		"symlinked file inside the root": {
			src:  "load(\"lib/alias.sky\", \"replicas\")\nout = replicas\n",
			want: "3"},
		"symlinked directory inside the root": {entry: "svc/main.sky",
			src:  "load(\"lib/helper.sky\", \"x\")\nout = x\n",
			want: "1"},

		"dot-dot escapes the root": {
			src: "\nload(\"../secret.sky\", \"secret\")\n",
			pos: "main.sky:2:1", msg: `load label "../secret.sky" escapes the repository root`,
			hint: "loads stay inside the repository, which is the directory holding skyc.yaml"},
		"absolute path": {
			src: "load(\"/etc/passwd.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: `load of absolute path "/etc/passwd.sky"`,
			hint: `loads stay inside the repository: write "//path/file.sky" for a path from the repository root`},
		"symlinked file outside": {
			src: "x = 1\nload(\"leak.sky\", \"secret\")\n",
			pos: "main.sky:2:1", msg: "leak.sky is a symbolic link that leads outside the repository root",
			hint: "loads stay inside the repository; copy the file in instead"},
		"symlinked directory outside": {
			src: "load(\"ext/secrets.sky\", \"secret\")\n",
			pos: "main.sky:1:1", msg: "ext/secrets.sky is a symbolic link that leads outside the repository root",
			hint: "loads stay inside the repository; copy the file in instead"},
		"symlinked directory outside, near name": {
			// The hint must not list the outside directory.
			src: "load(\"ext/secret.sky\", \"secret\")\n",
			pos: "main.sky:1:1", msg: "no such file: ext/secret.sky"},
		"NUL byte": {
			src: "load(\"lib/defaults.sky\\x00\", \"replicas\")\n",
			pos: "main.sky:1:1", msg: `load label "lib/defaults.sky\x00" contains a NUL byte`},
		"over-long label": {
			src: "load(\"" + strings.Repeat("a/", 600) + "x.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "load label is 1205 bytes long, over the limit of 1024"},
		"not a .sky file": {
			src: "load(\"notes.txt\", \"x\")\n",
			pos: "main.sky:1:1", msg: `load label "notes.txt" does not name a .sky file`},
		"unknown repository": {
			src: "load(\"@other//lib.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: `unknown repository "@other" in load label "@other//lib.sky"`,
			hint: `the standard library is "@skyc//"; files of this repository are "//path/file.sky"`},
		"missing file, near name": {
			src: "# defaults\n\nload(\"lib/helpr.sky\", \"x\")\n",
			pos: "main.sky:3:1", msg: "no such file: lib/helpr.sky", hint: `did you mean "lib/helper.sky"?`},
		"missing file, near name via an inside symlink": {entry: "svc/main.sky",
			src: "load(\"lib/helpr.sky\", \"x\")\n",
			pos: "svc/main.sky:1:1", msg: "no such file: svc/lib/helpr.sky", hint: `did you mean "svc/lib/helper.sky"?`},
		"missing file, nothing near": {
			src: "load(\"lib/networking.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "no such file: lib/networking.sky"},
		"missing stdlib file": {
			src: "load(\"@skyc//nope.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "no such standard library file: @skyc//nope.sky"},
		"directory": {
			src: "load(\"dir.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "dir.sky is not a regular file"},
		"over MaxFileSize": {
			src: "load(\"big.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "big.sky is 3006 bytes, over the limit of 2048 bytes for a .sky file"},
		"symbolic link loop": {
			src: "load(\"loop-a.sky\", \"x\")\n",
			pos: "main.sky:1:1", msg: "cannot read loop-a.sky: too many levels of symbolic links"},
		"not UTF-8": {
			src: "x = 1\ncity = \"M\xfcnchen\"\n",
			pos: "main.sky:2:10", msg: "the file is not UTF-8: byte 0xfc (save it as UTF-8)"},
		"loaded file not UTF-8": {
			src: "load(\"latin1.sky\", \"x\")\n",
			pos: "latin1.sky:1:9", msg: "the file is not UTF-8: byte 0xe9 (save it as UTF-8)"},
		"name not in module": {
			src: "load(\"lib/defaults.sky\", \"replica\")\n",
			pos: "main.sky:1:1", msg: "load: name replica not found in module lib/defaults.sky",
			hint: "did you mean replicas?"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			root := sandboxRepo(t)
			entry := tt.entry
			if entry == "" {
				entry = "main.sky"
			}
			writeFiles(t, root, map[string]string{entry: tt.src})
			rt := newRuntime(t, Options{Root: root, Stdlib: testStdlib, MaxFileSize: 2048})
			globals, err := rt.Load(context.Background(), entry)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := globals["out"].String(); got != tt.want {
					t.Errorf("out = %s, want %s", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want error %q", tt.msg)
			}
			d := rt.Diagnose(err, entry)
			if got := d.Pos.String(); got != tt.pos {
				t.Errorf("position %s, want %s", got, tt.pos)
			}
			if d.Message != tt.msg {
				t.Errorf("message %q, want %q", d.Message, tt.msg)
			}
			if d.Hint != tt.hint {
				t.Errorf("hint %q, want %q", d.Hint, tt.hint)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(d.Hint, "secret.sky") {
				t.Errorf("outside content leaked: %v / hint %q", err, d.Hint)
			}
		})
	}
}

// TestLoadTopLevelSandbox loads labels directly, as the command line does,
// rather than through load().
func TestLoadTopLevelSandbox(t *testing.T) {
	tests := map[string]struct {
		label string
		err   string
	}{
		"symlinked file outside":      {"leak.sky", "leak.sky is a symbolic link that leads outside the repository root"},
		"symlinked directory outside": {"ext/secrets.sky", "ext/secrets.sky is a symbolic link that leads outside the repository root"},
		"dot-dot":                     {"../secret.sky", "outside the repository root"},
		"missing":                     {"nope.sky", "no such file: nope.sky"},
		"too big":                     {"big.sky", "big.sky is 3006 bytes, over the limit of 2048 bytes for a .sky file"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			root := sandboxRepo(t)
			writeFiles(t, filepath.Dir(root), map[string]string{"secret.sky": "secret = \"s3cr3t\"\n"})
			rt := newRuntime(t, Options{Root: root, MaxFileSize: 2048})
			_, err := rt.Load(context.Background(), tt.label)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Load(%q) = %v, want an error containing %q", tt.label, err, tt.err)
			}
		})
	}
}

// TestSymlinkedRoot checks that a root reached through a symbolic link
// (as /tmp is on some systems) does not make every file look outside it.
func TestSymlinkedRoot(t *testing.T) {
	real := writeRepo(t, map[string]string{
		"main.sky":         "load(\"lib/defaults.sky\", \"replicas\")\nout = replicas\n",
		"lib/defaults.sky": "replicas = 3\n",
	})
	link := filepath.Join(t.TempDir(), "repo")
	symlink(t, real, link)
	rt := newRuntime(t, Options{Root: link})
	if rt.Root() != link {
		t.Errorf("Root() = %s, want %s", rt.Root(), link)
	}
	g, err := rt.Load(context.Background(), "main.sky")
	if err != nil {
		t.Fatal(err)
	}
	if g["out"] != starlark.MakeInt(3) {
		t.Errorf("out = %v, want 3", g["out"])
	}
}

func TestLabel(t *testing.T) {
	root := writeRepo(t, map[string]string{"svc/api/main.sky": ""})
	rt := newRuntime(t, Options{Root: root})
	tests := map[string]struct {
		file, want, err string
	}{
		"inside":  {file: filepath.Join(root, "svc", "api", "main.sky"), want: "svc/api/main.sky"},
		"root":    {file: filepath.Join(root, "x.sky"), want: "x.sky"},
		"outside": {file: filepath.Join(root, "..", "x.sky"), err: "is outside the repository root"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := rt.Label(tt.file)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Label(%s) = %q, %v; want error %q", tt.file, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Label(%s) = %q, %v; want %q", tt.file, got, err, tt.want)
			}
		})
	}
}

// FuzzResolveLabel resolves arbitrary labels written in arbitrary files.
// A label resolves to an error or to a canonical label: a clean slash path
// inside the repository naming a .sky file, or a clean standard-library
// label; and a canonical label resolves to itself.
func FuzzResolveLabel(f *testing.F) {
	for _, s := range [][2]string{
		{"lib/defaults.sky", "main.sky"},
		{"//lib/defaults.sky", "svc/api/main.sky"},
		{"../lib/x.sky", "svc/main.sky"},
		{"../../x.sky", "svc/main.sky"},
		{"@skyc//service.sky", "main.sky"},
		{"_platform.sky", "@skyc//service.sky"},
		{"../x.sky", "@skyc//k8s/pod.sky"},
		{"/etc/passwd.sky", "main.sky"},
		{"lib/x.sky\x00", "main.sky"},
		{"lib\\x.sky", "main.sky"},
		{"@other//x.sky", "main.sky"},
		{"//./a/../b/./c.sky", "main.sky"},
		{"a//b.sky", "main.sky"},
		{"", "main.sky"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, label, from string) {
		if !fs.ValidPath(strings.TrimPrefix(from, StdlibPrefix)) || strings.ContainsAny(from, "\x00\\") {
			return // from is a canonical label, of a file the runtime loaded
		}
		canon, err := resolveLabel(label, from)
		if err != nil {
			if canon != "" {
				t.Fatalf("resolveLabel(%q, %q) = %q and %v", label, from, canon, err)
			}
			var le *LabelError
			if !errors.As(err, &le) || le.Msg == "" {
				t.Fatalf("resolveLabel(%q, %q): error %v is not a LabelError with a message", label, from, err)
			}
			return
		}
		if rest, ok := strings.CutPrefix(canon, StdlibPrefix); ok {
			if !fs.ValidPath(rest) || rest == "." {
				t.Fatalf("resolveLabel(%q, %q) = %q: not a clean standard-library path", label, from, canon)
			}
		} else {
			if !fs.ValidPath(canon) || !strings.HasSuffix(canon, ".sky") {
				t.Fatalf("resolveLabel(%q, %q) = %q: not a clean path to a .sky file inside the repository", label, from, canon)
			}
			if strings.ContainsAny(canon, "\x00\\") {
				t.Fatalf("resolveLabel(%q, %q) = %q: holds a NUL byte or a backslash", label, from, canon)
			}
		}
		label2 := canon
		if !strings.HasPrefix(canon, StdlibPrefix) {
			label2 = "//" + canon
		}
		if again, err := resolveLabel(label2, from); err != nil || again != canon {
			t.Fatalf("the canonical label %q resolves to %q, %v", label2, again, err)
		}
	})
}
