package full

import (
	"io"

	"github.com/skyc-dev/skyc/internal/cli"
)

// Commands returns every command of skyc, check and diff included, in
// the order skyc help lists them.
func Commands() []*cli.Command {
	return cli.Commands(checkCommand(), diffCommand())
}

// Main runs skyc with every command, with args (without the program name),
// and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return cli.Main(Commands(), args, stdout, stderr)
}
