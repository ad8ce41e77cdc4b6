package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
)

// Exit codes shared by every command.
const (
	ExitOK       = 0
	ExitFindings = 1 // render: unused; check: findings; diff: changes
	ExitError    = 2 // usage or evaluation error
)

// Command is one skyc subcommand.
type Command struct {
	Name    string
	Summary string // one line, for skyc help
	Usage   string // the argument synopsis
	Help    string // the long description
	// Flags returns the command's flag set, bound to fresh values; nil for
	// a command without flags.
	Flags func() *flag.FlagSet
	// Run runs the command with the arguments after its name and returns
	// the exit code.
	Run func(env *Env, args []string) int
	// Forward, when set, makes this a command of another binary (see
	// Forwarded): for "skyc NAME ..." and "skyc help NAME" alike, Main
	// calls it with all of skyc's arguments instead of Run or printing the
	// help, and returns what it returns.
	Forward func(env *Env, args []string) int
}

// Env is what a command may touch: its streams.
type Env struct {
	Stdout, Stderr io.Writer
}

// Errorf prints "skyc: " and the message on stderr and returns ExitError,
// for a command to return.
func (e *Env) Errorf(format string, args ...any) int {
	fmt.Fprintf(e.Stderr, "skyc: "+format+"\n", args...)
	return ExitError
}

// The summaries of the commands of skyc-full, here so that skyc help
// lists them in both binaries alike.
const (
	CheckSummary = "validate rendered objects and manifests as the API server would"
	DiffSummary  = "show what applying the render would change in the live clusters"
)

// Commands returns skyc's commands in the order skyc help lists them:
// this package's, and check and diff as given: the commands themselves
// (package full), or in the light binary Forwarded ones.
func Commands(check, diff *Command) []*Command {
	return []*Command{
		renderCommand(),
		check,
		fmtCommand(),
		lintCommand(),
		diff,
		newCommand(),
		explainCommand(),
		docCommand(),
		importCommand(),
		testCommand(),
		versionCommand(),
	}
}

// LightCommands returns the commands of the light binary, skyc: check
// and diff run skyc-full.
func LightCommands() []*Command {
	return Commands(Forwarded("check", CheckSummary), Forwarded("diff", DiffSummary))
}

// Main runs skyc's commands cmds with args (without the program name) and
// returns the exit code.
func Main(cmds []*Command, args []string, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr}
	if len(args) == 0 {
		usage(stderr, cmds)
		return ExitError
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			for _, c := range cmds {
				if c.Name == rest[0] {
					if c.Forward != nil {
						return c.Forward(env, args)
					}
					c.printHelp(stdout, nil)
					return ExitOK
				}
			}
			return env.Errorf("unknown command %q; run 'skyc help'", rest[0])
		}
		usage(stdout, cmds)
		return ExitOK
	}
	for _, c := range cmds {
		if c.Name == name {
			if c.Forward != nil {
				return c.Forward(env, args)
			}
			return c.Run(env, rest)
		}
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return env.Errorf("unknown command %q; commands are %s (run 'skyc help')", name, strings.Join(names, ", "))
}

func usage(w io.Writer, cmds []*Command) {
	fmt.Fprint(w, `skyc compiles typed Starlark service definitions (.sky) into validated
Kubernetes manifests.

Usage:

	skyc <command> [flags] [arguments]

Commands:

`)
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%-10s %s\n", c.Name, c.Summary)
	}
	fmt.Fprint(w, `
Run 'skyc help <command>' for a command's flags.
`)
}

func (c *Command) printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: skyc %s %s\n\n%s\n", c.Name, c.Usage, strings.TrimSpace(c.Help))
	if fs == nil && c.Flags != nil {
		fs = c.Flags()
	}
	if fs != nil {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// ParseFlags parses a command's flags into fs. It reports !ok, with the
// exit code to return, for -h (having printed the help) and for a usage
// error (having printed it).
func ParseFlags(env *Env, c *Command, fs *flag.FlagSet, args []string) (ok bool, code int) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printHelp(env.Stdout, fs)
			return false, ExitOK
		}
		fmt.Fprintf(env.Stderr, "skyc %s: %v\n", c.Name, err)
		fmt.Fprintf(env.Stderr, "Run 'skyc help %s' for usage.\n", c.Name)
		return false, ExitError
	}
	return true, 0
}

// Profiles starts CPU profiling into the file cpu and arranges a heap
// profile into mem (either may be ""), for users reporting slowness. The
// returned function stops them. On an error it prints it and reports
// !ok.
func Profiles(env *Env, cpu, mem string) (stop func(), ok bool) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			env.Errorf("cpu profile: %v", err)
			return nil, false
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			env.Errorf("cpu profile: %v", err)
			return nil, false
		}
		cpuFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err != nil {
				env.Errorf("memory profile: %v", err)
				return
			}
			defer f.Close()
			if err := pprof.WriteHeapProfile(f); err != nil {
				env.Errorf("memory profile: %v", err)
			}
		}
	}, true
}

func versionCommand() *Command {
	return &Command{
		Name:    "version",
		Summary: "print skyc's version",
		Usage:   "",
		Help:    "Version prints the skyc version and the Kubernetes API version it knows.",
		Run: func(env *Env, args []string) int {
			fmt.Fprintf(env.Stdout, "skyc %s (k8s.io/api %s)\n", Version, k8sAPIVersion)
			return ExitOK
		},
	}
}

// Version is skyc's version, "devel" unless set at release time with
// -ldflags "-X github.com/skyc-dev/skyc/internal/cli.Version=...", for
// both binaries alike.
var Version = "devel"

const k8sAPIVersion = "v0.37.2"
