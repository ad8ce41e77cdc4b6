package skyfmt

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestFormat shows what the formatter changes, and what it leaves alone
// that buildifier would change in a BUILD file.
func TestFormat(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"spacing and quotes": {
			in:   "x=f( 1,y = 'a' )\n",
			want: "x = f(1, y = \"a\")\n",
		},
		"indentation": {
			in:   "def main(ctx):\n  if ctx:\n        return 1\n  return 2\n",
			want: "def main(ctx):\n    if ctx:\n        return 1\n    return 2\n",
		},
		"a split call gets one argument a line": {
			in:   "x = service(name = \"api\",\n  team = \"web\")\n",
			want: "x = service(\n    name = \"api\",\n    team = \"web\",\n)\n",
		},
		"a call on one line stays on one line": {
			in:   "x = service(name = \"payments-api\", team = \"payments\", image = \"registry.example.com/payments/api:1.0\")\n",
			want: "x = service(name = \"payments-api\", team = \"payments\", image = \"registry.example.com/payments/api:1.0\")\n",
		},
		"keyword arguments keep their order": {
			in:   "x = service(team = \"t\", name = \"n\")\n",
			want: "x = service(team = \"t\", name = \"n\")\n",
		},
		"string lists keep their order": {
			in:   "x = service(name = \"n\", srcs = [\"b\", \"a\"], deps = [\"z\", \"y\"])\n",
			want: "x = service(name = \"n\", srcs = [\"b\", \"a\"], deps = [\"z\", \"y\"])\n",
		},
		"labels are not rewritten": {
			in:   "x = [\"//lib:defaults\", \"@repo//:x\"]\n",
			want: "x = [\"//lib:defaults\", \"@repo//:x\"]\n",
		},
		"parentheses kept": {
			in:   "x = (1 + 2) * 3\ny = (a)\n",
			want: "x = (1 + 2) * 3\ny = (a)\n",
		},
		"loads first, merged and sorted": {
			in:   "\"\"\"Doc.\"\"\"\n\nload(\"b.sky\", \"y\")\nload(\"a.sky\", \"x\")\nload(\"b.sky\", \"w\")\n",
			want: "\"\"\"Doc.\"\"\"\n\nload(\"a.sky\", \"x\")\nload(\"b.sky\", \"w\", \"y\")\n",
		},
		"comments kept": {
			in:   "# leading\nx = 1  # trailing\n\n# before\ndef f():\n    # inside\n    return x\n",
			want: "# leading\nx = 1  # trailing\n\n# before\ndef f():\n    # inside\n    return x\n",
		},
		"docstring indented with its function": {
			in:   "def f():\n  \"\"\"Summary.\n\n  More.\n  \"\"\"\n  return 1\n",
			want: "def f():\n    \"\"\"Summary.\n\n    More.\n    \"\"\"\n    return 1\n",
		},
		"numbers": {
			in:   "x = [.5, 1.5E+09, 017]\n",
			want: "x = [0.5, 1.5e9, 0o17]\n",
		},
		"empty call collapsed": {
			in:   "x = f(\n)\n",
			want: "x = f()\n",
		},
		"blank lines collapsed": {
			in:   "x = 1\n\n\n\ny = 2\n",
			want: "x = 1\n\ny = 2\n",
		},
		"trailing newline added": {
			in:   "x = 1",
			want: "x = 1\n",
		},
		"empty file": {in: "", want: ""},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Format("x.sky", []byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("Format(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			again, err := Format("x.sky", got)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(got) {
				t.Errorf("not idempotent: %q formats to %q", got, again)
			}
		})
	}
}

func TestFormatSyntaxError(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"unclosed call":  {in: "x = f(\n", want: "bad.sky:2:1: got end of file, want ')'"},
		"bad indent":     {in: "def f():\nreturn 1\n", want: "bad.sky:2:7: got return, want indent"},
		"stray operator": {in: "x = = 1\n", want: "bad.sky:1:5: got '=', want primary expression"},
		"outside the dialect": {
			in:   "def f():\n    while True:\n        pass\n",
			want: "bad.sky:2:5: this Starlark dialect does not support while loops",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Format("bad.sky", []byte(c.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Format(%q) error = %v, want an *Error", c.in, err)
			}
			if err.Error() != c.want {
				t.Errorf("Format(%q) error = %q, want %q", c.in, err, c.want)
			}
		})
	}
}

// TestIdempotentOverRepository formats every .sky file of the repository
// (examples, the standard library, every testdata file and every .sky
// file inside a txtar archive) twice: the second pass must change
// nothing. Files with deliberate syntax errors are skipped.
func TestIdempotentOverRepository(t *testing.T) {
	n := 0
	check := func(name string, src []byte) {
		n++
		once, err := Format(name, src)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return // a deliberately broken file
			}
			t.Errorf("%s: %v", name, err)
			return
		}
		twice, err := Format(name, once)
		if err != nil {
			t.Errorf("%s: formatted output does not parse: %v", name, err)
			return
		}
		if string(once) != string(twice) {
			t.Errorf("%s: formatting is not idempotent:\nonce:\n%s\ntwice:\n%s", name, once, twice)
		}
	}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".sky"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			check(path, src)
		case strings.HasSuffix(path, ".txtar"):
			a, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range a.Files {
				if strings.HasSuffix(f.Name, ".sky") {
					check(path+":"+f.Name, f.Data)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("checked only %d files: is the walk rooted at the repository?", n)
	}
}

// TestRepositoryFormatted: the examples and the standard library are in
// canonical form, as service owners will see them.
func TestRepositoryFormatted(t *testing.T) {
	for _, dir := range []string{"examples", "stdlib"} {
		err := filepath.WalkDir(filepath.Join("..", "..", dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sky") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			ok, err := IsFormatted(path, src)
			if err != nil {
				return err
			}
			if !ok {
				t.Errorf("%s is not formatted: run skyc fmt %s", path, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
