// Command skyc compiles typed Starlark service definitions (.sky files)
// into validated Kubernetes manifests.
//
// Run "skyc help" for the commands.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
