// Command skyc compiles typed Starlark service definitions (.sky files)
// into validated Kubernetes manifests.
//
// Run "skyc help" for the commands.
//
// This is the light binary: it runs render, fmt, lint, new, explain, doc,
// import, test and version itself, and hands check and diff, with all of
// its arguments, to skyc-full (cmd/skyc-full), which replaces it. Those
// two link the Kubernetes API server's validation and the cloud clients,
// whose package initialisation would otherwise slow down the start of
// every skyc process. skyc-full is looked for at $SKYC_FULL, else next to
// skyc, else on $PATH.
package main

import (
	"os"

	"github.com/skyc-dev/skyc/internal/cli"
	// Hands check and diff to skyc-full before the rest of skyc initialises.
	_ "github.com/skyc-dev/skyc/internal/cli/handoff/early"
)

func main() { os.Exit(cli.Main(cli.LightCommands(), os.Args[1:], os.Stdout, os.Stderr)) }
