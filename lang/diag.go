package lang

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Severity orders diagnostics.
type Severity int

// Severities, from least to most severe.
const (
	Info Severity = iota
	Warning
	Error
)

// MarshalText writes a severity as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	}
	return "error"
}

// Pos is a position in a .sky file: a root-relative label, a 1-based line
// and column. The zero Pos means "no position".
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return p.File
	}
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

func posOf(p syntax.Position) Pos {
	return Pos{File: p.Filename(), Line: int(p.Line), Col: int(p.Col)}
}

// Frame is one call in the user's part of a Starlark call stack.
type Frame struct {
	Func string `json:"func"`
	Pos  Pos    `json:"pos"`
}

// Diagnostic is one problem to show the user: where, what, and what to
// do about it. It renders as text (Render) and marshals as JSON.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Pos      Pos      `json:"pos"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	// Rule, when set, names the rule a diagnostic reports a finding of
	// (e.g. iam-no-wildcard-action), for tools that collect findings by
	// rule; the message says it too.
	Rule string `json:"rule,omitempty"`
	// Stack holds the user's frames, outermost first, ending at Pos.
	Stack []Frame `json:"stack,omitempty"`
	// Folded counts the standard-library frames left out of Stack.
	Folded int `json:"folded,omitempty"`
	// StdlibFrames are those frames, outermost first, shown only in
	// verbose output.
	StdlibFrames []Frame `json:"stdlibFrames,omitempty"`
}

func (d *Diagnostic) Error() string {
	if d.Pos.IsValid() || d.Pos.File != "" {
		return d.Pos.String() + ": " + d.Message
	}
	return d.Message
}

// IsStdlib reports whether a file label belongs to the embedded standard
// library (or is a builtin pseudo-file).
func IsStdlib(file string) bool {
	return strings.HasPrefix(file, StdlibPrefix) || file == "<builtin>" || file == ""
}

// entryError matches Starlark's errors in entering a function (binding
// its arguments, refusing recursion), raised with the callee's frame on
// the stack at its first instruction.
var entryError = lazyRegexp(`^function (\S+) (?:called recursively|got |missing |accepts )`)

var didYouMean = lazyRegexp(` ?\(did you mean ([^)]*)\?\)`)

// ToDiagnostic converts an error from loading or evaluating a .sky file
// into a diagnostic pointing at the innermost frame of the user's own
// files. file is the service file being evaluated, used when the error
// carries no position.
func ToDiagnostic(err error, file string) *Diagnostic {
	var d *Diagnostic
	if errors.As(err, &d) {
		return d
	}
	d = &Diagnostic{Severity: Error, Pos: Pos{File: file}}

	// The innermost EvalError has the stack of the frame that failed; outer
	// ones belong to files whose load() of it failed.
	var inner *starlark.EvalError
	walkErrors(err, func(e error) {
		if ee, ok := e.(*starlark.EvalError); ok {
			inner = ee
		}
	})
	d.Message = rootMessage(err, inner)
	if inner != nil {
		stack := inner.CallStack
		if m := entryError().FindStringSubmatch(inner.Msg); m != nil && len(stack) > 1 && stack[len(stack)-1].Name == m[1] {
			// The callee has not run: the error belongs to the call.
			stack = stack[:len(stack)-1]
		}
		d.Pos, d.Stack, d.StdlibFrames, d.Folded = userFrames(stack, file)
	}
	var se syntax.Error
	if errors.As(err, &se) {
		d.Pos = posOf(se.Pos)
		d.Message = se.Msg
	}
	var ee resolve.ErrorList
	if errors.As(err, &ee) && len(ee) > 0 {
		d.Pos = posOf(ee[0].Pos)
		d.Message = ee[0].Msg
	}
	var le *LabelError
	if errors.As(err, &le) && le.Hint != "" {
		d.Hint = le.Hint
	}
	var lim *LimitError
	if errors.As(err, &lim) {
		d.Hint = limitHint(lim)
	}
	var internal *InternalError
	if errors.As(err, &internal) {
		d.Message = internal.Error()
		d.Hint = "this is a bug in skyc, not in your file: please report it, with the file"
	}
	if m := didYouMean().FindStringSubmatch(d.Message); m != nil {
		d.Message = strings.TrimSpace(didYouMean().ReplaceAllString(d.Message, ""))
		d.Hint = "did you mean " + m[1] + "?"
	}
	d.Message = tidyMessage(d.Message)
	return d
}

func limitHint(l *LimitError) string {
	if l.Limit == "stack" {
		// Deep recursion in a built-in or in the user's calls alike.
		return "is a value nested millions deep (str, hash and == walk it recursively), or a chain of calls that deep?"
	}
	if l.InBuiltin {
		return "it was stopped inside one long operation: a built-in function (such as str, hash or sorted) on a value too large or too deeply nested for it, or a list or string grown too large in one step"
	}
	switch l.Limit {
	case "steps":
		return "is there a loop that never ends? Large but finite work can raise the budget with --max-steps"
	case "timeout":
		return "is there a loop that never ends? Slow but finite work can raise the limit with --timeout"
	case "memory":
		return "is a list or string growing without bound? Genuinely large work can raise the limit with --max-memory"
	}
	return ""
}

// walkErrors calls f for err and every error it wraps, outermost first.
func walkErrors(err error, f func(error)) {
	for err != nil {
		f(err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walkErrors(e, f)
			}
			return
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return
		}
	}
}

// rootMessage finds the most specific message: a load, label, cycle or
// limit error's own text rather than Starlark's "cannot load x: ..."
// prefixes.
func rootMessage(err error, inner *starlark.EvalError) string {
	var lim *LimitError
	if errors.As(err, &lim) {
		return lim.Error()
	}
	var cyc *CycleError
	if errors.As(err, &cyc) {
		return cyc.Error()
	}
	var lab *LabelError
	if errors.As(err, &lab) {
		return lab.Msg
	}
	if errors.Is(err, context.Canceled) {
		return "evaluation cancelled"
	}
	if inner != nil {
		msg := inner.Msg
		// Drop "cannot load x: " prefixes of nested loads.
		for strings.HasPrefix(msg, "cannot load ") {
			_, rest, ok := strings.Cut(msg, ": ")
			if !ok {
				break
			}
			msg = rest
		}
		return msg
	}
	return err.Error()
}

// skycfg and Starlark prefix some messages with a Python-style class name;
// the prefix tells a service owner nothing.
var errClassPrefix = lazyRegexp(`^(TypeError|ValueError|AttributeError|KeyError): `)

func tidyMessage(msg string) string {
	msg = errClassPrefix().ReplaceAllString(msg, "")
	msg = strings.TrimSuffix(msg, ".")
	return msg
}

// userFrames returns the innermost user position, the user's frames and
// the folded standard-library frames (those with a place in a .sky file)
// and how many frames were folded.
func userFrames(stack starlark.CallStack, file string) (Pos, []Frame, []Frame, int) {
	var frames, folded []Frame
	n := 0
	for _, fr := range stack {
		if IsStdlib(fr.Pos.Filename()) {
			n++
			if fr.Pos.Filename() != "<builtin>" { // Go builtins have no place to show
				folded = append(folded, Frame{Func: fr.Name, Pos: posOf(fr.Pos)})
			}
			continue
		}
		frames = append(frames, Frame{Func: fr.Name, Pos: posOf(fr.Pos)})
	}
	if len(frames) == 0 {
		return Pos{File: file}, nil, folded, n
	}
	return frames[len(frames)-1].Pos, frames, folded, n
}

// Render writes d as human text: the position, the message, the source
// line with a caret under the column, the hint and the user's call stack.
// source returns a file's text, or nil when it is not known.
//
// Everything is written through printable: a file name, a load label or
// a message of a hostile file cannot move the cursor, recolour the
// terminal or reorder the text the reader sees.
func Render(w io.Writer, d *Diagnostic, source func(file string) []byte, verbose bool) {
	fmt.Fprintf(w, "%s: %s\n", printable(d.Pos.String()), d.Severity.String()+": "+printable(d.Message))
	if d.Pos.IsValid() && source != nil {
		if line, ok := sourceLine(source(d.Pos.File), d.Pos.Line); ok {
			num := fmt.Sprintf("%d", d.Pos.Line)
			pad := strings.Repeat(" ", len(num))
			fmt.Fprintf(w, " %s |\n", pad)
			fmt.Fprintf(w, " %s | %s\n", num, printable(expandTabs(line)))
			if d.Pos.Col > 0 {
				fmt.Fprintf(w, " %s | %s^\n", pad, caretIndent(line, d.Pos.Col))
			}
		}
	}
	if d.Hint != "" {
		fmt.Fprintf(w, "  hint: %s\n", printable(d.Hint))
	}
	if len(d.Stack) > 1 {
		fmt.Fprintf(w, "  called from:\n")
		for i := len(d.Stack) - 2; i >= 0; i-- {
			fmt.Fprintf(w, "    %s in %s\n", printable(d.Stack[i].Pos.String()), printable(d.Stack[i].Func))
		}
	}
	if len(d.StdlibFrames) > 0 && verbose {
		fmt.Fprintf(w, "  in the standard library:\n")
		for i := len(d.StdlibFrames) - 1; i >= 0; i-- {
			fmt.Fprintf(w, "    %s in %s\n", printable(d.StdlibFrames[i].Pos.String()), printable(d.StdlibFrames[i].Func))
		}
	} else if d.Folded > 0 && verbose {
		frames := "frames"
		if d.Folded == 1 {
			frames = "frame"
		}
		fmt.Fprintf(w, "  (%d standard library %s not shown)\n", d.Folded, frames)
	}
}

func sourceLine(src []byte, line int) (string, bool) {
	if src == nil || line < 1 {
		return "", false
	}
	lines := strings.Split(string(src), "\n")
	if line > len(lines) {
		return "", false
	}
	l := strings.TrimRight(lines[line-1], "\r")
	const max = 160
	if len(l) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut-- // not inside a character
		}
		l = l[:cut] + "…"
	}
	return l, true
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// caretIndent returns the whitespace that puts a caret under column col
// (1-based, counted in runes as Starlark does) of line as printed: tabs
// expanded, escapes as wide as printable writes them.
func caretIndent(line string, col int) string {
	var b strings.Builder
	i := 1
	for j := 0; j < len(line) && i < col; i++ {
		r, size := utf8.DecodeRuneInString(line[j:])
		if r == '\t' {
			b.WriteString("    ")
		} else {
			b.WriteString(strings.Repeat(" ", utf8.RuneCountInString(escapeRune(r, line[j:j+size]))))
		}
		j += size
	}
	return b.String()
}

// printable returns s with what would act on a terminal rather than show
// written as escapes: control characters but tab and newline (\x1b),
// C1 controls and the bidirectional formatting characters of "Trojan
// Source" attacks (\u202e), and bytes that are not UTF-8 (\xfc).
func printable(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if raw := s[i : i+size]; escapeRune(r, raw) != raw {
			var b strings.Builder
			b.WriteString(s[:i])
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				b.WriteString(escapeRune(r, s[i:i+size]))
				i += size
			}
			return b.String()
		}
		i += size
	}
	return s
}

// escapeRune returns how printable writes r, whose encoding in the text
// is raw.
func escapeRune(r rune, raw string) string {
	switch {
	case r == utf8.RuneError && len(raw) == 1:
		return fmt.Sprintf(`\x%02x`, raw[0])
	case r == '\t' || r == '\n':
		return raw
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r < 0xa0, r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return raw
}
