package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/internal/apidoc"
	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

// explainCommand is skyc explain: documentation at the terminal.
func explainCommand() *Command {
	c := &Command{
		Name:    "explain",
		Summary: "document a standard-library function or a Kubernetes type or field",
		Usage:   "NAME | GROUP/VERSION KIND [FIELD.PATH]",
		Help: `
Explain prints documentation at the terminal.

For a name of the standard library (service, autoscale, cores, k8s, ...)
it prints the signature and the docstring.

For a Kubernetes type it prints the type's description and its fields,
each with its type and the first sentence of its documentation, taken
from the k8s.io/api types. Field names are those .sky constructors take.
Name the type by API version and kind, optionally with a field path
below it; list fields are followed into their elements:

	skyc explain apps/v1 Deployment
	skyc explain apps/v1 Deployment spec.strategy
	skyc explain v1 Pod spec.containers.readinessProbe
	skyc explain Deployment spec.replicas      (the GA version is assumed)
	skyc explain k8s.apps.DeploymentStrategy   (as a .sky file writes it)

Exit status: 0 on success, 2 when nothing of that name exists (with the
nearest spelling as a hint).`,
	}
	c.Flags = func() *flag.FlagSet { return flag.NewFlagSet("explain", flag.ContinueOnError) }
	c.Run = func(env *Env, args []string) int { return runExplain(env, c, args) }
	return c
}

func runExplain(env *Env, c *Command, args []string) int {
	fs := c.Flags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	args = fs.Args()
	if len(args) == 0 || len(args) > 3 {
		fmt.Fprintf(env.Stderr, "skyc explain: want NAME, or GROUP/VERSION KIND [FIELD.PATH]\nRun 'skyc help explain' for usage.\n")
		return ExitError
	}
	lib, err := loadStdlib(context.Background())
	if err != nil {
		return env.Errorf("explain: %v", err)
	}
	reg, err := schemas.Default()
	if err != nil {
		return env.Errorf("explain: %v", err)
	}
	x := &explainer{lib: lib, entries: apidoc.Stdlib(lib), index: apidoc.NewIndex(reg)}
	if err := x.explain(env, args); err != nil {
		return env.Errorf("explain: %v", err)
	}
	return ExitOK
}

// explainer resolves the names skyc explain is given.
type explainer struct {
	lib     *stdlib.Library
	entries []apidoc.Entry
	index   *apidoc.Index
}

func (x *explainer) explain(env *Env, args []string) error {
	first := args[0]
	if len(args) == 1 {
		for _, e := range x.entries {
			if e.Name == first {
				apidoc.WriteEntry(env.Stdout, e)
				return nil
			}
		}
		if head, rest, ok := strings.Cut(first, "."); ok {
			if v, ok := x.lib.Exports[head]; ok {
				return x.explainAttr(env, head, v, rest)
			}
		}
	}
	if strings.Contains(first, "/") || slices.Contains(x.index.APIVersions(), first) {
		if len(args) < 2 {
			return fmt.Errorf("%s is an API version; name a kind too, e.g. skyc explain %s %s", first, first, x.exampleKind(first))
		}
		path := ""
		if len(args) == 3 {
			path = args[2]
		}
		return x.writeType(env, func() (*apidoc.Type, error) { return x.index.Lookup(first, args[1], path) })
	}
	if len(args) <= 2 {
		if kind, versions := x.index.FindKind(first); kind != "" {
			path := ""
			if len(args) == 2 {
				path = args[1]
			}
			return x.writeType(env, func() (*apidoc.Type, error) { return x.index.Lookup(versions[0], kind, path) })
		}
	}
	var names []string
	for _, e := range x.entries {
		names = append(names, e.Name)
	}
	names = append(names, x.index.Kinds()...)
	if s := spell.Nearest(first, names); s != "" {
		return fmt.Errorf("no standard-library name or Kubernetes kind %q (did you mean %q?)", first, s)
	}
	return fmt.Errorf("no standard-library name or Kubernetes kind %q; 'skyc doc' lists the standard library", first)
}

// explainAttr explains a dotted name below a standard-library value, as
// a .sky file writes it: k8s.apps.Deployment, or with a field path,
// k8s.apps.Deployment.spec.strategy.
func (x *explainer) explainAttr(env *Env, head string, v starlark.Value, rest string) error {
	walked := head
	parts := strings.Split(rest, ".")
	for i, part := range parts {
		if t, ok := v.(interface{ Name() string }); ok && v.Type() == "proto.MessageType" {
			return x.writeType(env, func() (*apidoc.Type, error) {
				return x.index.LookupMessage(t.Name(), strings.Join(parts[i:], "."))
			})
		}
		attrs, ok := v.(starlark.HasAttrs)
		if !ok {
			return fmt.Errorf("%s is a %s and has no attribute %s", walked, v.Type(), part)
		}
		next, err := attrs.Attr(part)
		if err != nil || next == nil {
			if s := spell.Nearest(part, attrs.AttrNames()); s != "" {
				return fmt.Errorf("%s has no attribute %s (did you mean %s.%s?)", walked, part, walked, s)
			}
			return fmt.Errorf("%s has no attribute %s", walked, part)
		}
		v, walked = next, walked+"."+part
	}
	if t, ok := v.(interface{ Name() string }); ok && v.Type() == "proto.MessageType" {
		return x.writeType(env, func() (*apidoc.Type, error) { return x.index.LookupMessage(t.Name(), "") })
	}
	return fmt.Errorf("%s is a %s; name a type in it, e.g. %s", walked, v.Type(), x.exampleAttr(walked, v))
}

func (x *explainer) writeType(env *Env, lookup func() (*apidoc.Type, error)) error {
	t, err := lookup()
	if err != nil {
		return err
	}
	groups := map[string]string{}
	for _, e := range x.entries {
		if e.Name == "k8s" {
			groups = apidoc.PackageGroups(e)
		}
	}
	apidoc.WriteType(env.Stdout, t, t.Constructor(groups))
	return nil
}

// exampleKind returns a kind of an API version, for a hint.
func (x *explainer) exampleKind(apiVersion string) string {
	for _, k := range []string{"Deployment", "Pod"} {
		if t, err := x.index.Lookup(apiVersion, k, ""); err == nil {
			return t.Kind
		}
	}
	for _, k := range x.index.Kinds() {
		if _, err := x.index.Lookup(apiVersion, k, ""); err == nil {
			return k
		}
	}
	return "KIND"
}

// exampleAttr returns a dotted name one level below v, for a hint.
func (x *explainer) exampleAttr(walked string, v starlark.Value) string {
	if attrs, ok := v.(starlark.HasAttrs); ok {
		names := attrs.AttrNames()
		for _, want := range []string{"Deployment", "apps"} {
			if slices.Contains(names, want) {
				return walked + "." + want
			}
		}
		if len(names) > 0 {
			return walked + "." + names[0]
		}
	}
	return walked + ".NAME"
}
