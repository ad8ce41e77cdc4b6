package skytest

import (
	"fmt"
	"regexp"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/internal/textdiff"
)

// maxInline is the length up to which got and want are shown inline in
// a failure message; longer values are shown as a diff.
const maxInline = 60

// failure is the error an assertion fails with. Detail, if set, is shown
// below the diagnostic (a diff).
type failure struct {
	msg    string
	detail string
}

func (f *failure) Error() string { return f.msg }

// newAssert returns the assert module. pretty formats values for diffs.
func newAssert(r *Runner) *starlarkstruct.Module {
	b := func(name string, fn func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)) *starlark.Builtin {
		return starlark.NewBuiltin("assert."+name, fn)
	}
	m := &starlarkstruct.Module{
		Name: "assert",
		Members: starlark.StringDict{
			"eq":       b("eq", r.assertEq),
			"ne":       b("ne", r.assertNe),
			"true":     b("true", assertTruth(true)),
			"false":    b("false", assertTruth(false)),
			"contains": b("contains", r.assertContains),
			"fails":    b("fails", assertFails),
			"fail":     b("fail", assertFail),
			"snapshot": b("snapshot", r.assertSnapshot),
		},
	}
	m.Freeze()
	return m
}

// fail records detail for the runner and returns the assertion's error.
func fail(thread *starlark.Thread, fn *starlark.Builtin, msg starlark.String, format string, args ...any) error {
	text := fn.Name() + ": " + fmt.Sprintf(format, args...)
	if msg != "" {
		text += ": " + string(msg)
	}
	return &failure{msg: text}
}

func (r *Runner) assertEq(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	var msg starlark.String
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "got", &got, "want", &want, "msg?", &msg); err != nil {
		return nil, err
	}
	eq, err := starlark.Equal(got, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if eq {
		return starlark.None, nil
	}
	g, w := r.pretty(thread, got), r.pretty(thread, want)
	gs, ok1 := got.(starlark.String)
	ws, ok2 := want.(starlark.String)
	texts := ok1 && ok2 && strings.Contains(string(gs+ws), "\n")
	if !texts && len(g) <= maxInline && len(w) <= maxInline && !strings.Contains(g+w, "\n") {
		return nil, fail(thread, fn, msg, "got %s, want %s", g, w)
	}
	if texts {
		g, w = strings.TrimSuffix(string(gs), "\n"), strings.TrimSuffix(string(ws), "\n")
	}
	f := fail(thread, fn, msg, "got and want differ (- want, + got)").(*failure)
	f.detail = textdiff.Unified("want", "got", w+"\n", g+"\n")
	return nil, f
}

func (r *Runner) assertNe(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	var msg starlark.String
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "got", &got, "unwanted", &want, "msg?", &msg); err != nil {
		return nil, err
	}
	eq, err := starlark.Equal(got, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if eq {
		return nil, fail(thread, fn, msg, "got %s, want anything else", short(r.pretty(thread, got)))
	}
	return starlark.None, nil
}

func assertTruth(want bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x starlark.Value
		var msg starlark.String
		if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "x", &x, "msg?", &msg); err != nil {
			return nil, err
		}
		if bool(x.Truth()) != want {
			return nil, fail(thread, fn, msg, "got %s, want a %s value", short(x.String()), map[bool]string{true: "true", false: "false"}[want])
		}
		return starlark.None, nil
	}
}

func (r *Runner) assertContains(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var container, x starlark.Value
	var msg starlark.String
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "container", &container, "x", &x, "msg?", &msg); err != nil {
		return nil, err
	}
	in, err := starlark.Binary(syntax.IN, x, container)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if !in.Truth() {
		return nil, fail(thread, fn, msg, "%s is not in %s", short(r.pretty(thread, x)), short(r.pretty(thread, container)))
	}
	return starlark.None, nil
}

func assertFails(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var f starlark.Callable
	var pattern string
	var msg starlark.String
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "fn", &f, "pattern", &pattern, "msg?", &msg); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: pattern: %v", fn.Name(), err)
	}
	_, err = starlark.Call(thread, f, nil, nil)
	if err == nil {
		return nil, fail(thread, fn, msg, "%s succeeded, want an error matching %q", f.Name(), pattern)
	}
	text := err.Error()
	if ee, ok := err.(*starlark.EvalError); ok {
		text = ee.Msg
	}
	if !re.MatchString(text) {
		return nil, fail(thread, fn, msg, "the error %q does not match %q", short(text), pattern)
	}
	return starlark.String(text), nil
}

func assertFail(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "msg", &msg); err != nil {
		return nil, err
	}
	return nil, &failure{msg: fn.Name() + ": " + msg}
}

// short cuts a value's text for a one-line message.
func short(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > 2*maxInline {
		return s[:2*maxInline-3] + "..."
	}
	return s
}

// pretty formats v for a diff: one element or field a line, messages
// through proto.to_dict.
func (r *Runner) pretty(thread *starlark.Thread, v starlark.Value) string {
	var b strings.Builder
	r.writePretty(thread, &b, v, 0)
	return b.String()
}

func (r *Runner) writePretty(thread *starlark.Thread, b *strings.Builder, v starlark.Value, indent int) {
	pad := strings.Repeat("    ", indent+1)
	end := strings.Repeat("    ", indent)
	if _, ok := r.br.Unwrap(v); ok {
		d, err := starlark.Call(thread, r.toDict, starlark.Tuple{v}, nil)
		if err != nil {
			b.WriteString(v.String())
			return
		}
		b.WriteString(typeName(v))
		items := d.(starlark.IterableMapping).Items()
		if len(items) == 0 {
			b.WriteString("()")
			return
		}
		b.WriteString("(\n")
		for _, kv := range items {
			k, _ := starlark.AsString(kv[0])
			b.WriteString(pad + k + " = ")
			r.writePretty(thread, b, kv[1], indent+1)
			b.WriteString(",\n")
		}
		b.WriteString(end + ")")
		return
	}
	switch v := v.(type) {
	case starlark.String, starlark.Bytes:
		b.WriteString(v.String())
	case starlark.IterableMapping:
		items := v.Items()
		if len(items) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for _, kv := range items {
			b.WriteString(pad)
			b.WriteString(kv[0].String())
			b.WriteString(": ")
			r.writePretty(thread, b, kv[1], indent+1)
			b.WriteString(",\n")
		}
		b.WriteString(end + "}")
	case starlark.Indexable:
		open, close := "[", "]"
		if _, ok := v.(starlark.Tuple); ok {
			open, close = "(", ")"
		}
		seq := v
		if seq.Len() == 0 {
			b.WriteString(open + close)
			return
		}
		// A short list of scalars stays on one line.
		if s := flatList(seq, open, close); len(s) <= maxInline && isFlat(seq) {
			b.WriteString(s)
			return
		}
		b.WriteString(open + "\n")
		for i := 0; i < seq.Len(); i++ {
			b.WriteString(pad)
			r.writePretty(thread, b, seq.Index(i), indent+1)
			b.WriteString(",\n")
		}
		b.WriteString(end + close)
	default:
		b.WriteString(v.String())
	}
}

func isFlat(seq starlark.Indexable) bool {
	for i := 0; i < seq.Len(); i++ {
		switch seq.Index(i).(type) {
		case starlark.String, starlark.Int, starlark.Bool, starlark.Float, starlark.NoneType:
		default:
			return false
		}
	}
	return true
}

// typeName is a message's type as its str() shows it, without fields.
func typeName(v starlark.Value) string {
	s := v.String()
	if i := strings.IndexByte(s, '('); i > 0 {
		return s[:i]
	}
	return v.Type()
}

func flatList(seq starlark.Indexable, open, close string) string {
	var b strings.Builder
	b.WriteString(open)
	for i := 0; i < seq.Len(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(seq.Index(i).String())
	}
	b.WriteString(close)
	return b.String()
}
