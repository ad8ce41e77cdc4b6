package importer

import (
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// eval evaluates a Starlark expression with the default dialect.
func eval(t testing.TB, expr string) starlark.Value {
	t.Helper()
	v, err := starlark.EvalOptions(&syntax.FileOptions{}, &starlark.Thread{}, "quote", expr, nil)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func TestQuote(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"plain":          {in: "web", want: `"web"`},
		"empty":          {in: "", want: `""`},
		"quotes":         {in: `say "hi"`, want: `"say \"hi\""`},
		"backslash":      {in: `C:\dir`, want: `"C:\\dir"`},
		"one newline":    {in: "a\nb", want: `"a\nb"`},
		"control":        {in: "bell\x07", want: `"bell\x07"`},
		"unicode":        {in: "Grüße 🚀", want: `"Grüße 🚀"`},
		"non-printable":  {in: "a\u2028b\ufeff", want: `"a\u2028b\ufeff"`},
		"multi-line":     {in: "one\ntwo\nthree\nfour\n", want: "\"\"\"one\ntwo\nthree\nfour\n\"\"\""},
		"trailing quote": {in: "1\n2\n3\n4 \"", want: "\"\"\"1\n2\n3\n4 \\\"\"\"\""},
		"triple quotes":  {in: "1\n2\n3\n\"\"\"", want: "\"\"\"1\n2\n3\n\\\"\\\"\\\"\"\"\""},
		"crlf":           {in: "a\r\nb\r\nc\r\nd\r\n", want: "\"\"\"a\\r\nb\\r\nc\\r\nd\\r\n\"\"\""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := quote(tc.in)
			if got != tc.want {
				t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.want)
			}
			if v := eval(t, got); v != starlark.String(tc.in) {
				t.Errorf("%s reads back as %q, want %q", got, v, tc.in)
			}
		})
	}
}

func TestQuoteBytes(t *testing.T) {
	in := []byte("\x00\x1f\x8b\"\\\n\tok\xff")
	got := quoteBytes(in)
	if want := `b"\x00\x1f\x8b\"\\\n\tok\xff"`; got != want {
		t.Errorf("quoteBytes = %s, want %s", got, want)
	}
	if v := eval(t, got); v != starlark.Bytes(in) {
		t.Errorf("%s reads back as %q", got, v)
	}
}

// FuzzQuote checks that every quoted string reads back as itself.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a\nb\nc\nd", `"""`, "x\"", "\\", "\r\n", "\x00", "🚀", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if canString([]byte(s)) {
			if v := eval(t, quote(s)); v != starlark.String(s) {
				t.Errorf("quote(%q) = %s reads back as %q", s, quote(s), v)
			}
		}
		if v := eval(t, quoteBytes([]byte(s))); v != starlark.Bytes(s) {
			t.Errorf("quoteBytes(%q) reads back as %q", s, v)
		}
	})
}
