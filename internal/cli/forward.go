package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/skyc-dev/skyc/internal/cli/handoff"
)

// FullBinary is the name of the binary that has every command, check and
// diff too (cmd/skyc-full).
const FullBinary = handoff.FullBinary

// FullEnv names the environment variable that says where skyc-full is,
// ahead of the directory of skyc and $PATH.
const FullEnv = handoff.FullEnv

// forwardedEnv marks the environment of a skyc-full run by the light skyc
// (handoff.ForwardedEnv); skyc-full removes it (Unforward).
const forwardedEnv = handoff.ForwardedEnv

// Forwarded returns a command that lives in skyc-full, for the light
// binary: skyc help lists its name and summary, and running it, or asking
// for its help, hands all of skyc's arguments to skyc-full, which replaces
// the process where the system can (unix) and is otherwise run and waited
// for, its exit code becoming skyc's.
func Forwarded(name, summary string) *Command {
	return &Command{Name: name, Summary: summary, Forward: forwardToFull}
}

// Unforward removes the marker the light skyc leaves in the environment of
// the skyc-full it runs, so that skyc-full's environment is the user's.
// skyc-full's main calls it first.
func Unforward() { os.Unsetenv(forwardedEnv) }

func forwardToFull(env *Env, args []string) int {
	if p := os.Getenv(forwardedEnv); p != "" {
		return env.Errorf("%s was run as %s, but it is the light skyc, which has no %s command; "+
			"point $%s at skyc-full, or unset it to use the skyc-full next to skyc or on $PATH", p, FullBinary, commandOf(args), FullEnv)
	}
	path, tried := findFull()
	if path == "" {
		fmt.Fprintf(env.Stderr, "skyc: %s is a command of %s, the second skyc binary, which was not found:\n", commandOf(args), FullBinary)
		for _, t := range tried {
			fmt.Fprintf(env.Stderr, "\t%s\n", t)
		}
		fmt.Fprintf(env.Stderr, `%s holds check and diff, which link the Kubernetes API server's
validation and the cloud SDKs; apart, they do not slow down the start of
every other command. Install both binaries with
	go install github.com/skyc-dev/skyc/cmd/...@latest
or build both into bin/ with make build. Under go run, run
	go run ./cmd/skyc-full %s
`, FullBinary, strings.Join(args, " "))
		return ExitError
	}
	environ := handoff.Environ(path)
	if handoff.CanReplace && env.Stdout == os.Stdout && env.Stderr == os.Stderr {
		if err := handoff.Replace(path, args, environ); err != nil {
			return env.Errorf("running %s: %v", path, err)
		}
	}
	return runFull(env, path, args, environ)
}

// commandOf returns the command that args run.
func commandOf(args []string) string { return handoff.CommandOf(args) }

// runFull runs skyc-full as a child with skyc's stdin and env's streams,
// waits for it and returns its exit code. An interrupt reaches the child
// too (it is in the same process group, or console); skyc catches it and
// waits for the child to finish as it chooses. (Catching, not ignoring:
// an ignored signal would stay ignored in the child.)
func runFull(env *Env, path string, args, environ []string) int {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, env.Stdout, env.Stderr
	cmd.Env = environ
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	case errors.As(err, &ee): // killed by a signal
		return env.Errorf("%s: %v", path, err)
	default:
		return env.Errorf("running %s: %v", path, err)
	}
}

// findFull looks for skyc-full (handoff.Find).
func findFull() (path string, tried []string) { return handoff.Find() }
