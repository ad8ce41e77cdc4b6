package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/scaffold"
)

// newFlags are the flags of skyc new.
type newFlags struct {
	dir, team, image, schedule string
}

func newNewFlags() (*flag.FlagSet, *newFlags) {
	f := &newFlags{}
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	fs.StringVar(&f.dir, "dir", ".", "create the `DIR`/NAME directory")
	fs.StringVar(&f.team, "team", "my-team", "the owning `team`, a DNS label")
	fs.StringVar(&f.image, "image", "", "the container `image` (default registry.example.com/NAME:0.1.0)")
	fs.StringVar(&f.schedule, "schedule", "0 3 * * *", "a cron job's `schedule`, in cron syntax")
	return fs, f
}

// newCommand is skyc new: scaffolding for a new workload.
func newCommand() *Command {
	c := &Command{
		Name:    "new",
		Summary: "scaffold a new service, worker or cron job",
		Usage:   "[flags] service|worker|cron NAME",
		Help: `
New creates DIR/NAME/ with three files:

	NAME.sky        the workload: main(ctx) returning service(), worker()
	                or cron_job() with the platform's defaults
	NAME_test.sky   its tests, for skyc test
	README.md       how to render, test and look up the arguments

The files render, test, format and lint cleanly as they are; edit them
from there. NAME names the directory, the files and the workload, so it
must be a DNS label: lower-case letters, digits and '-', starting with a
letter, at most 63 characters (52 for a cron job).

New never overwrites: if any of the files exists, it writes nothing.

Exit status: 0 on success, 2 on a usage error or an existing file.

Examples:

	skyc new service payments-api --team payments
	skyc new cron nightly-report --dir services --schedule "0 2 * * *"`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newNewFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runNew(env, c, args) }
	return c
}

func runNew(env *Env, c *Command, args []string) int {
	fs, f := newNewFlags()
	// Flags may follow the arguments: skyc new service api --team web.
	var positional []string
	for {
		if ok, code := ParseFlags(env, c, fs, args); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 2 {
		fmt.Fprintf(env.Stderr, "skyc new: want a kind (%s) and a name, got %d arguments\nRun 'skyc help new' for usage.\n",
			strings.Join(scaffold.Kinds(), ", "), len(positional))
		return ExitError
	}
	kind, name := positional[0], positional[1]
	if !slices.Contains(scaffold.Kinds(), kind) {
		return env.Errorf("new: unknown kind %q; want one of %s", kind, strings.Join(scaffold.Kinds(), ", "))
	}
	paths, err := scaffold.Write(f.dir, scaffold.Options{
		Kind:     kind,
		Name:     name,
		Team:     f.team,
		Image:    f.image,
		Schedule: f.schedule,
	})
	if err != nil {
		return env.Errorf("new: %v", err)
	}
	for _, p := range paths {
		fmt.Fprintf(env.Stderr, "created %s\n", p)
	}
	if _, ok := config.FindRoot(f.dir); !ok {
		fmt.Fprintf(env.Stderr, "note: no skyc.yaml in %s or above it; skyc render needs one at the repository root\n", f.dir)
	}
	fmt.Fprintf(env.Stderr, "next: skyc render %s\n", filepath.Join(f.dir, name, name+".sky"))
	return ExitOK
}
