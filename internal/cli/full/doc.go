// Package full owns the commands of skyc that link the Kubernetes API
// server's validation and the cloud clients: check (with its output
// formats) and diff. Only the full binary, skyc-full, links this package;
// the light skyc hands these commands to it (see package cli for why).
//
// Commands is the full command table, the light commands of package cli
// with these two in their places, and Main runs it.
package full
