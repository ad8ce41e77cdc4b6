// Package handoff finds skyc-full, the binary with every command, and
// hands a command to it, for the light skyc, which does not link check
// and diff. It imports only the standard library, so that the light
// binary can hand over from a package initialised before the rest of it
// (package early) as well as from its command table (package cli).
package handoff
