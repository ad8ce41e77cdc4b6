package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/skyc-dev/skyc/importer"
	"github.com/skyc-dev/skyc/schemas"
)

// importFlags are the flags of skyc import.
type importFlags struct {
	out         string
	skipUnknown bool
	verify      bool
	typed       bool
}

func newImportFlags() (*flag.FlagSet, *importFlags) {
	f := &importFlags{}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.StringVar(&f.out, "o", "-", "write the .sky file to `FILE`, or \"-\" for stdout")
	fs.BoolVar(&f.skipUnknown, "skip-unknown", false, "leave out objects of kinds skyc has no type for (custom resources) instead of failing; they are listed in a comment")
	fs.BoolVar(&f.verify, "verify", true, "render the generated file and check that it gives the input objects back")
	fs.BoolVar(&f.typed, "typed", false, "write every object as a typed constructor, never as service(), worker() or cron_job()")
	return fs, f
}

// importCommand is skyc import: existing manifests to .sky.
func importCommand() *Command {
	c := &Command{
		Name:    "import",
		Summary: "turn existing Kubernetes manifests into a .sky file",
		Usage:   "[-o FILE] [--skip-unknown] FILE...",
		Help: `
Import reads Kubernetes manifests and writes one .sky service file whose
main(ctx) returns the same objects, as typed constructors:
k8s.apps.Deployment(...), k8s.core.Service(...), and proto.package(...)
for API groups outside the standard library's k8s struct. Move a service
onto skyc by importing what it deploys today, then replace the parts that
match the platform's service() or worker() by hand. Objects that skyc
rendered itself (they carry the platform's standard labels) come back as
the service(), worker() or cron_job() call that renders them exactly,
followed by the assignments that changed its objects, unless --typed.

FILE is a YAML or JSON manifest with one or more documents: plain
manifests, "helm template" or "kustomize build" output, or a List; "-"
reads standard input. Objects keep their order; the status of an object
is dropped. Fields are the Kubernetes JSON names, quantities are strings
("500m"), ports are ints or names, labels and data are dicts.

Import checks its own work: it renders the generated file as skyc render
would and compares the objects with the input (semantic equality; the
ownership labels skyc render adds are ignored). A difference is reported
and makes the exit status 1.

Kinds skyc has no type for (custom resources such as ServiceMonitor) stop
the import unless --skip-unknown leaves them out.

Exit status: 0 on success, 1 when the round-trip check finds a
difference, 2 on a usage error or input that cannot be imported.

Examples:

	skyc import -o services/shop.sky deploy/*.yaml
	helm template shop ./chart | skyc import - > services/shop.sky
	kustomize build overlays/prod | skyc import --skip-unknown -`,
	}
	c.Flags = func() *flag.FlagSet { fs, _ := newImportFlags(); return fs }
	c.Run = func(env *Env, args []string) int { return runImport(env, c, args) }
	return c
}

func runImport(env *Env, c *Command, args []string) int {
	fs, f := newImportFlags()
	if ok, code := ParseFlags(env, c, fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(env.Stderr, "skyc import: no files given\nRun 'skyc help import' for usage.\n")
		return ExitError
	}
	var inputs []importer.Input
	for _, name := range fs.Args() {
		var (
			data []byte
			err  error
		)
		if name == "-" {
			data, err = io.ReadAll(os.Stdin)
			name = "<stdin>"
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			return env.Errorf("import: %v", err)
		}
		inputs = append(inputs, importer.Input{Name: name, Data: data})
	}
	reg, err := schemas.Default()
	if err != nil {
		return env.Errorf("import: building the type registry: %v", err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	res, err := importer.Import(ctx, reg, inputs, importer.ImportOptions{SkipUnknown: f.skipUnknown, TypedOnly: f.typed})
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(env.Stderr, "skyc import: %s\n", line)
		}
		return ExitError
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(env.Stderr, "skyc import: left out %v\n", s)
	}
	if f.out == "-" {
		env.Stdout.Write(res.Source)
	} else if err := os.WriteFile(f.out, res.Source, 0o644); err != nil {
		return env.Errorf("import: %v", err)
	}
	if !f.verify {
		return ExitOK
	}
	got, err := importer.RenderSource(ctx, res.Source)
	if err != nil {
		return env.Errorf("import: checking the round trip: %v", err)
	}
	if diffs := importer.Compare(res.Objects, got); len(diffs) > 0 {
		fmt.Fprintf(env.Stderr, "skyc import: the generated file does not render the input exactly:\n")
		for _, d := range diffs {
			fmt.Fprintf(env.Stderr, "%s\n", d)
		}
		return ExitFindings
	}
	if f.out != "-" {
		fmt.Fprintf(env.Stderr, "wrote %d objects to %s\n", len(res.Objects), f.out)
	}
	return ExitOK
}
