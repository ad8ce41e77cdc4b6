package stdlib

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/skyc-dev/skyc/lang"
)

// PoliciesDir is the directory of the library that holds the platform
// policies: every file in it whose name does not start with "_" defines
// POLICIES, a list of policy(...) values (see policies/_lib.sky).
const PoliciesDir = "policies"

// Policy is one platform policy: a rule skyc check applies to what a
// service renders, written in Starlark in the library's policies
// directory.
type Policy struct {
	// ID names the policy in findings, in waive(...), in skyc.yaml and as
	// the anchor of its documentation.
	ID string
	// Severity is the severity of its findings unless skyc.yaml says
	// otherwise.
	Severity lang.Severity
	// Summary says in a few words what the policy requires.
	Summary string
	// Check is the policy's check(ctx), returning a list of findings.
	Check starlark.Callable
	// File is the label of the file defining it, e.g.
	// "@skyc//policies/probes.sky".
	File string
}

// policyID is the form of a policy's ID.
//
// Compiled on first use: package initialisation runs in every skyc
// process, whatever the command.
var policyID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`) })

// LoadPolicies evaluates the library's policy files with rt, whose
// standard library must be this package's Sources with Library.Builtins
// predeclared, and returns their policies sorted by ID.
func LoadPolicies(ctx context.Context, rt *lang.Runtime) ([]*Policy, error) {
	files, err := fs.Glob(sources, PoliciesDir+"/*.sky")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*Policy
	seen := map[string]string{}
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			continue
		}
		label := lang.StdlibPrefix + f
		globals, err := rt.Load(ctx, label)
		if err != nil {
			d := lang.ToDiagnostic(err, label)
			return nil, fmt.Errorf("standard library: %s", d.Error())
		}
		list, ok := globals["POLICIES"].(*starlark.List)
		if !ok {
			return nil, fmt.Errorf("standard library: %s defines no POLICIES list", label)
		}
		for i := 0; i < list.Len(); i++ {
			p, err := policyOf(list.Index(i))
			if err != nil {
				return nil, fmt.Errorf("standard library: %s: POLICIES[%d]: %w", label, i, err)
			}
			if prev, dup := seen[p.ID]; dup {
				return nil, fmt.Errorf("standard library: policy %s is defined by both %s and %s", p.ID, prev, label)
			}
			seen[p.ID] = label
			p.File = label
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Policy) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// policyOf reads a policy(...) struct.
func policyOf(v starlark.Value) (*Policy, error) {
	s, ok := v.(*starlarkstruct.Struct)
	if !ok {
		return nil, fmt.Errorf("got %s, want policy(...)", v.Type())
	}
	str := func(name string) (string, error) {
		x, err := s.Attr(name)
		if err != nil {
			return "", fmt.Errorf("no %s: want policy(id, severity, summary, check)", name)
		}
		sv, ok := x.(starlark.String)
		if !ok {
			return "", fmt.Errorf("%s: got %s, want a string", name, x.Type())
		}
		return string(sv), nil
	}
	id, err := str("id")
	if err != nil {
		return nil, err
	}
	if !policyID().MatchString(id) {
		return nil, fmt.Errorf("id %q: want lower-case words joined by '-'", id)
	}
	sev, err := str("severity")
	if err != nil {
		return nil, err
	}
	summary, err := str("summary")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(summary) == "" {
		return nil, fmt.Errorf("policy %s has no summary", id)
	}
	p := &Policy{ID: id, Summary: summary}
	switch sev {
	case "error":
		p.Severity = lang.Error
	case "warning":
		p.Severity = lang.Warning
	case "info":
		p.Severity = lang.Info
	default:
		return nil, fmt.Errorf("policy %s: severity %q: want error, warning or info", id, sev)
	}
	check, err := s.Attr("check")
	if err != nil {
		return nil, fmt.Errorf("policy %s has no check function", id)
	}
	fn, ok := check.(*starlark.Function)
	if !ok || fn.NumParams() != 1 {
		return nil, fmt.Errorf("policy %s: check must be a function of one parameter, ctx", id)
	}
	p.Check = fn
	return p, nil
}
