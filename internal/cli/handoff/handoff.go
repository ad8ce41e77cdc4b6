package handoff

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// FullBinary is the name of the binary that has every command, check and
// diff too (cmd/skyc-full).
const FullBinary = "skyc-full"

// FullEnv names the environment variable that says where skyc-full is,
// ahead of the directory of skyc and $PATH.
const FullEnv = "SKYC_FULL"

// ForwardedEnv is set, to the path it runs, in the environment of the
// skyc-full that the light skyc hands a command to. A light skyc that
// finds it set was itself run as skyc-full (say $SKYC_FULL names skyc), so
// it stops there rather than run itself again and again. skyc-full
// removes it so that what it runs does not inherit it.
const ForwardedEnv = "SKYC_FORWARDED"

// Commands are the commands that live in skyc-full only.
var Commands = []string{"check", "diff"}

// CommandOf returns the command that args run: "check" of both "check
// ..." and "help check".
func CommandOf(args []string) string {
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return args[1]
		}
	}
	return args[0]
}

// Forwards reports whether the light skyc hands args to skyc-full: they
// run, or ask for the help of, one of Commands.
func Forwards(args []string) bool {
	return len(args) > 0 && slices.Contains(Commands, CommandOf(args))
}

// Environ is skyc's environment for the skyc-full at path: the user's,
// with ForwardedEnv set to path.
func Environ(path string) []string {
	environ := []string{ForwardedEnv + "=" + path}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, ForwardedEnv+"=") {
			environ = append(environ, kv)
		}
	}
	return environ
}

// Find looks for skyc-full: only at $SKYC_FULL when that is set, else
// next to this executable (its symbolic links resolved), else on $PATH.
// Without one it returns "" and where it looked, and why each place did
// not do.
func Find() (path string, tried []string) {
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
