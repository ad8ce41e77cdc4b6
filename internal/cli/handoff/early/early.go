// Package early hands check and diff to skyc-full while the light skyc
// is still starting: its init runs before that of most other packages,
// since it imports only the standard library and package handoff (Go
// initialises, of the packages whose imports are ready, the first by
// import path, and github.com/skyc-dev sorts before go.starlark.net,
// google.golang.org and k8s.io). The rest of the light binary then never
// initialises, which is most of its start.
//
// Only cmd/skyc imports it. When it cannot hand over (no skyc-full, a
// light skyc run as skyc-full, a system without exec), it does nothing,
// and skyc's command table forwards the command as usual, reporting why.
package early

import (
	"os"

	"github.com/skyc-dev/skyc/internal/cli/handoff"
)

func init() {
	args := os.Args[1:]
	if !handoff.CanReplace || !handoff.Forwards(args) || os.Getenv(handoff.ForwardedEnv) != "" {
		return
	}
	if path, _ := handoff.Find(); path != "" {
		handoff.Replace(path, args, handoff.Environ(path)) // returns only if it failed
	}
}
