package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
)

// FullBinary is the name of the binary that has every command, check and
// diff too (cmd/skyc-full).
const FullBinary = "skyc-full"

// FullEnv names the environment variable that says where skyc-full is,
// ahead of the directory of skyc and $PATH.
const FullEnv = "SKYC_FULL"

// forwardedEnv is set, to the path it runs, in the environment of the
// skyc-full that the light skyc hands a command to. A light skyc that
// finds it set was itself run as skyc-full (say $SKYC_FULL names skyc), so
// it stops there rather than run itself again and again. skyc-full
// removes it (Unforward) so that what it runs does not inherit it.
const forwardedEnv = "SKYC_FORWARDED"

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
	environ := []string{forwardedEnv + "=" + path}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, forwardedEnv+"=") {
			environ = append(environ, kv)
		}
	}
	if canReplace && env.Stdout == os.Stdout && env.Stderr == os.Stderr {
		if err := replace(path, args, environ); err != nil {
			return env.Errorf("running %s: %v", path, err)
		}
	}
	return runFull(env, path, args, environ)
}

// commandOf returns the command that args run: "check" of both "check
// ..." and "help check".
func commandOf(args []string) string {
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return args[1]
		}
	}
	return args[0]
}

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

// findFull looks for skyc-full: only at $SKYC_FULL when that is set, else
// next to this executable (its symbolic links resolved), else on $PATH.
// Without one it returns "" and where it looked, and why each place did
// not do.
func findFull() (path string, tried []string) {
	name := FullBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	self, selfErr := os.Executable()
	if selfErr == nil {
		if p, err := filepath.EvalSymlinks(self); err == nil {
			self = p
		}
	}
	if p := os.Getenv(FullEnv); p != "" {
		if err := usable(p, self); err != nil {
			return "", []string{fmt.Sprintf("$%s=%s: %v", FullEnv, p, err)}
		}
		return p, nil
	}
	if selfErr != nil {
		tried = append(tried, fmt.Sprintf("next to skyc: %v", selfErr))
	} else {
		p := filepath.Join(filepath.Dir(self), name)
		err := usable(p, self)
		if err == nil {
			return p, nil
		}
		tried = append(tried, fmt.Sprintf("next to skyc: %s: %v", p, err))
	}
	p, err := exec.LookPath(name)
	switch {
	case err != nil:
		tried = append(tried, "on $PATH: not found")
	case usable(p, self) != nil:
		tried = append(tried, fmt.Sprintf("on $PATH: %s: %v", p, usable(p, self)))
	default:
		return p, nil
	}
	return "", tried
}

// usable reports why the file at path cannot be skyc-full: it is missing,
// not an executable file, or this very skyc.
func usable(path, self string) error {
	info, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	if !info.Mode().IsRegular() || (runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0) {
		return errors.New("not an executable file")
	}
	if self != "" {
		if selfInfo, err := os.Stat(self); err == nil && os.SameFile(info, selfInfo) {
			return fmt.Errorf("is this skyc, not %s", FullBinary)
		}
	}
	return nil
}
