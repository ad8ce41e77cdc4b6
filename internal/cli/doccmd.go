package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skyc-dev/skyc/internal/apidoc"
)

// docCommand is skyc doc: the standard-library reference as Markdown.
func docCommand() *Command {
	c := &Command{
		Name:    "doc",
		Summary: "write the standard-library reference as Markdown",
		Usage:   "[-o DIR]",
		Help: `
Doc writes a Markdown reference of the whole standard library: every
predeclared name with its signature and documentation, the same text
skyc explain prints. With -o DIR it writes DIR/stdlib.md (replacing it
atomically); without, it prints to stdout.

The repository keeps the reference in docs/stdlib.md; a test fails when
it is stale, and "make docs" regenerates it.

Exit status: 0 on success, 2 on an error.`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newDocFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runDoc(env, c, args) }
	return c
}

func newDocFlags() (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("doc", flag.ContinueOnError)
	out := fs.String("o", "-", "write `DIR`/stdlib.md, or \"-\" for stdout")
	return fs, out
}

func runDoc(env *Env, c *Command, args []string) int {
	fs, out := newDocFlags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "skyc doc: unexpected argument %q\nRun 'skyc help doc' for usage.\n", fs.Arg(0))
		return ExitError
	}
	lib, err := loadStdlib(context.Background())
	if err != nil {
		return env.Errorf("doc: %v", err)
	}
	md := apidoc.Markdown(apidoc.Stdlib(lib))
	if *out == "-" {
		env.Stdout.Write(md)
		return ExitOK
	}
	path := filepath.Join(*out, "stdlib.md")
	if err := writeFileAtomic(path, md); err != nil {
		return env.Errorf("doc: %v", err)
	}
	fmt.Fprintf(env.Stderr, "wrote %s\n", path)
	return ExitOK
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, creating path's directory if needed.
func writeFileAtomic(path string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".skyc-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
