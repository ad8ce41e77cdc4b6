package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/skyc-dev/skyc/internal/skyfmt"
	"github.com/skyc-dev/skyc/internal/skypath"
	"github.com/skyc-dev/skyc/lang"
)

// fmtFlags are the flags of skyc fmt.
type fmtFlags struct {
	check bool
	diff  bool
}

func newFmtFlags() (*flag.FlagSet, *fmtFlags) {
	f := &fmtFlags{}
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.BoolVar(&f.check, "check", false, "write nothing; list the files that are not formatted and exit 1 if there are any")
	fs.BoolVar(&f.diff, "diff", false, "write nothing; print the changes formatting would make as a unified diff")
	return fs, f
}

// fmtCommand is skyc fmt: canonical formatting of .sky files.
func fmtCommand() *Command {
	c := &Command{
		Name:    "fmt",
		Summary: "format .sky files canonically",
		Usage:   "[--check] [--diff] PATH...",
		Help: `
Fmt rewrites .sky files in their canonical form: four-space indentation,
double-quoted strings, spaces around "=" in keyword arguments, one argument
a line in a call that spans lines, loads first and sorted. It is the
formatter of buildifier in its mode for plain Starlark files: nothing
Bazel-specific is reordered or rewritten. Formatting twice changes nothing.

PATH is a .sky file, a directory (its .sky files) or DIR/... (every .sky
file below DIR). Test files and libraries are formatted too.

Files are replaced atomically and keep their permissions; a file that is
already formatted is not touched.

With --check nothing is written: the files that are not formatted are
listed, one a line, for CI and pre-commit hooks. With --diff nothing is
written and the changes are printed as a unified diff.

Exit status: 0 on success; 1 with --check when a file is not formatted;
2 on a usage error or a file that does not parse.

Examples:

	skyc fmt services/...
	skyc fmt --check --diff ./...`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newFmtFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runFmt(env, c, args) }
	return c
}

func runFmt(env *Env, c *Command, args []string) int {
	fs, f := newFmtFlags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc fmt: no paths given\nRun 'skyc help fmt' for usage.\n")
		return ExitError
	}
	files, err := skypath.Expand(fs.Args())
	if err != nil {
		return env.Errorf("fmt: %v", err)
	}
	code, unformatted := ExitOK, 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			code = env.Errorf("fmt: %v", err)
			continue
		}
		out, err := skyfmt.Format(file, src)
		if err != nil {
			printSourceError(env, err, src)
			code = ExitError
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted++
		if f.check {
			fmt.Fprintln(env.Stdout, file)
		}
		if f.diff {
			env.Stdout.Write(diff.Diff("a/"+file, src, "b/"+file, out))
		}
		if f.check || f.diff {
			continue
		}
		if err := skyfmt.ReplaceFile(file, out); err != nil {
			code = env.Errorf("fmt: %v", err)
		}
	}
	if f.check && unformatted > 0 {
		noun := "files are"
		if unformatted == 1 {
			noun = "file is"
		}
		fmt.Fprintf(env.Stderr, "skyc fmt: %d %s not formatted; run 'skyc fmt' on them\n", unformatted, noun)
		if code == ExitOK {
			code = ExitFindings
		}
	}
	return code
}

// printSourceError prints a file's syntax error as render prints its
// errors: position, message, the line and a caret under the column.
func printSourceError(env *Env, err error, src []byte) {
	var se *skyfmt.Error
	if !errors.As(err, &se) {
		env.Errorf("%v", err)
		return
	}
	d := &lang.Diagnostic{
		Severity: lang.Error,
		Pos:      lang.Pos{File: se.Filename, Line: se.Line, Col: se.Column},
		Message:  se.Msg,
	}
	lang.Render(env.Stderr, d, func(string) []byte { return src }, false)
}
