package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/skyc-dev/skyc/internal/skylint"
	"github.com/skyc-dev/skyc/internal/skypath"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

// lintCommand is skyc lint: Starlark hygiene checks.
func lintCommand() *Command {
	c := &Command{
		Name:    "lint",
		Summary: "check .sky files for unused names, unreachable code and other slips",
		Usage:   "PATH...",
		Help: `
Lint checks .sky files for mistakes that evaluate without error but are
almost always wrong, and prints one line per finding:

	FILE:LINE:COL: CATEGORY: MESSAGE

PATH is a .sky file, a directory (its .sky files) or DIR/... (every .sky
file below DIR). Test files and libraries are checked too.

To silence a finding, add a comment on its line, or alone on the line
above it, naming the category ("all" silences every category):

	replicas = total / 2  # skyc: disable=integer-division

buildifier's "# buildifier: disable=CATEGORY" works too.

Exit status: 0 when there is nothing to report, 1 when there are
findings, 2 on a usage error or a file that does not parse.

Categories:

` + lintCategories(),
	}
	c.Run = func(env *Env, args []string) int { return runLint(env, c, args) }
	c.Flags = func() *flag.FlagSet { return flag.NewFlagSet("lint", flag.ContinueOnError) }
	return c
}

// lintCategories lists the categories for the help text.
func lintCategories() string {
	var b strings.Builder
	for _, cat := range skylint.Categories() {
		fmt.Fprintf(&b, "\t%-19s %s\n", cat.Name, cat.Summary)
	}
	return b.String()
}

func runLint(env *Env, c *Command, args []string) int {
	fs := c.Flags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc lint: no paths given\nRun 'skyc help lint' for usage.\n")
		return ExitError
	}
	files, err := skypath.Expand(fs.Args())
	if err != nil {
		return env.Errorf("lint: %v", err)
	}
	predeclared, err := stdlibNames(context.Background())
	if err != nil {
		return env.Errorf("lint: %v", err)
	}
	code, n := ExitOK, 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			code = env.Errorf("lint: %v", err)
			continue
		}
		findings, err := skylint.File(file, src, skylint.Options{Predeclared: predeclared})
		if err != nil {
			printSourceError(env, err, src)
			code = ExitError
			continue
		}
		for _, f := range findings {
			fmt.Fprintln(env.Stdout, f)
		}
		n += len(findings)
	}
	if n > 0 {
		noun := "findings"
		if n == 1 {
			noun = "finding"
		}
		fmt.Fprintf(env.Stderr, "skyc lint: %d %s; 'skyc help lint' explains the categories\n", n, noun)
		if code == ExitOK {
			code = ExitFindings
		}
	}
	return code
}

// stdlibNames returns the names the standard library predeclares in
// every .sky file, sorted.
func stdlibNames(ctx context.Context) ([]string, error) {
	lib, err := loadStdlib(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for name := range lib.Exports {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// loadStdlib evaluates the standard library over the default registry.
func loadStdlib(ctx context.Context) (*stdlib.Library, error) {
	reg, err := schemas.Default()
	if err != nil {
		return nil, err
	}
	return stdlib.Load(ctx, reg, lang.NewBridge(reg.Types()))
}
