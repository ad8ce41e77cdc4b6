package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Allowlist names the destructive changes a person has allowed, as given
// to skyc diff --allow-destructive.
type Allowlist struct {
	all     bool
	entries []allowEntry
}

type allowEntry struct {
	text, env, kind, rest string
}

var envPrefix = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// ParseAllowlist reads comma-separated entries, each "all" or
// [ENV:]KIND/NAMESPACE/NAME ([ENV:]KIND/NAME for cluster-scoped objects).
// Kinds match case-insensitively; without ENV an entry matches in every
// environment.
func ParseAllowlist(specs ...string) (Allowlist, error) {
	var a Allowlist
	for _, spec := range specs {
		for _, e := range strings.Split(spec, ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if e == "all" {
				a.all = true
				continue
			}
			ent := allowEntry{text: e}
			addr := e
			// An environment name is lower case; a kind like AWS::S3::Bucket
			// has colons of its own.
			if env, rest, ok := strings.Cut(e, ":"); ok && envPrefix.MatchString(env) && !strings.HasPrefix(rest, ":") {
				ent.env, addr = env, rest
			}
			kind, rest, ok := strings.Cut(addr, "/")
			parts := strings.Split(rest, "/")
			if !ok || kind == "" || len(parts) > 2 || slices.Contains(parts, "") {
				return Allowlist{}, fmt.Errorf("--allow-destructive %q: want KIND/NAMESPACE/NAME, KIND/NAME, ENV:KIND/NAMESPACE/NAME or all", e)
			}
			ent.kind, ent.rest = kind, rest
			a.entries = append(a.entries, ent)
		}
	}
	return a, nil
}

func (e allowEntry) matches(c *Change) bool {
	if e.env != "" && e.env != c.Env {
		return false
	}
	kind, rest, _ := strings.Cut(c.Address(), "/")
	return strings.EqualFold(e.kind, kind) && e.rest == rest
}

// Allow marks p's destructive changes that a names as allowed, and
// returns the entries of a that matched none (probably mistyped).
func (p *Plan) Allow(a Allowlist) (unused []string) {
	used := make([]bool, len(a.entries))
	for _, c := range p.Changes {
		if c.Destructive == "" {
			continue
		}
		if a.all {
			c.Allowed = true
		}
		for i, e := range a.entries {
			if e.matches(c) {
				c.Allowed = true
				used[i] = true
			}
		}
	}
	for i, e := range a.entries {
		if !used[i] {
			unused = append(unused, e.text)
		}
	}
	return unused
}
