package main

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
	exitOK       = 0
	exitFindings = 1 // render: unused; check: findings; diff: changes
	exitError    = 2 // usage or evaluation error
)

// command is one skyc subcommand.
type command struct {
	name    string
	summary string
	usage   string // the argument synopsis
	help    string // the long description
	// flags returns the command's flag set, bound to fresh values; nil for
	// a command without flags.
	flags func() *flag.FlagSet
	run   func(env *cmdEnv, args []string) int
}

// cmdEnv is what a command may touch: its streams.
type cmdEnv struct {
	stdout, stderr io.Writer
}

func (e *cmdEnv) errorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "skyc: "+format+"\n", args...)
	return exitError
}

func commands() []*command {
	return []*command{
		renderCommand(),
		checkCommand(),
		fmtCommand(),
		lintCommand(),
		diffCommand(),
		newCommand(),
		explainCommand(),
		docCommand(),
		importCommand(),
		testCommand(),
		versionCommand(),
	}
}

// Main runs skyc with args (without the program name) and returns the
// exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	env := &cmdEnv{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			for _, c := range commands() {
				if c.name == rest[0] {
					c.printHelp(stdout, nil)
					return exitOK
				}
			}
			return env.errorf("unknown command %q; run 'skyc help'", rest[0])
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(env, rest)
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return env.errorf("unknown command %q; commands are %s (run 'skyc help')", name, strings.Join(names, ", "))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `skyc compiles typed Starlark service definitions (.sky) into validated
Kubernetes manifests.

Usage:

	skyc <command> [flags] [arguments]

Commands:

`)
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'skyc help <command>' for a command's flags.
`)
}

func (c *command) printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: skyc %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(c.help))
	if fs == nil && c.flags != nil {
		fs = c.flags()
	}
	if fs != nil {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// parseFlags parses a command's flags; a usage error prints the help.
func parseFlags(env *cmdEnv, c *command, fs *flag.FlagSet, args []string) (ok bool, code int) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printHelp(env.stdout, fs)
			return false, exitOK
		}
		fmt.Fprintf(env.stderr, "skyc %s: %v\n", c.name, err)
		fmt.Fprintf(env.stderr, "Run 'skyc help %s' for usage.\n", c.name)
		return false, exitError
	}
	return true, 0
}

// profiles starts CPU profiling and arranges a heap profile, for users
// reporting slowness. The returned function stops them.
func profiles(env *cmdEnv, cpu, mem string) (stop func(), ok bool) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			env.errorf("cpu profile: %v", err)
			return nil, false
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			env.errorf("cpu profile: %v", err)
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
				env.errorf("memory profile: %v", err)
				return
			}
			defer f.Close()
			if err := pprof.WriteHeapProfile(f); err != nil {
				env.errorf("memory profile: %v", err)
			}
		}
	}, true
}

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print skyc's version",
		usage:   "",
		help:    "Version prints the skyc version and the Kubernetes API version it knows.",
		run: func(env *cmdEnv, args []string) int {
			fmt.Fprintf(env.stdout, "skyc %s (k8s.io/api %s)\n", version, k8sAPIVersion)
			return exitOK
		},
	}
}

// Set at release time with -ldflags "-X main.version=...".
var version = "devel"

const k8sAPIVersion = "v0.37.2"
