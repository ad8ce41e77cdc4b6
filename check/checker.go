package check

import (
	"context"
	"fmt"

	"github.com/skyc-dev/skyc/manifest"
)

// A Checker finds problems in a set of objects. The Kubernetes validation
// (Schema) is one; platform policies are another. Run combines them.
type Checker interface {
	// Name identifies the checker in errors, e.g. "kubernetes".
	Name() string
	// Check returns the findings for objs. A Checker sees the whole set, so
	// that rules over several objects (a Deployment and its
	// PodDisruptionBudget) are possible. It fills in each finding's Object
	// (see Ref) and Field, and gives it the Source and Env of its object
	// (see Attach) unless it knows a better source, such as the line of a
	// waiver. The error is for the checker failing, not for findings.
	Check(ctx context.Context, objs []manifest.Object) ([]Finding, error)
}

// Schema is the Checker of the Kubernetes API server's own validation:
// Validate for every object, and for custom resources of the kinds in
// CRDs their CustomResourceDefinition's validation.
type Schema struct {
	// CRDs, if not nil, validates the custom resources of a repository's
	// CRDs; other custom resources are reported as unknown kinds.
	CRDs *CustomResources
}

// Name returns "kubernetes".
func (Schema) Name() string { return "kubernetes" }

// Check validates every object with Validate, or CRDs.
func (s Schema) Check(ctx context.Context, objs []manifest.Object) ([]Finding, error) {
	var out []Finding
	for i, o := range objs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		fs, custom := s.CRDs.Validate(o.Obj)
		if !custom {
			fs = Validate(o.Obj)
		}
		out = append(out, Attach(o, fs)...)
	}
	return out, nil
}

// Locator gives the position of a field of an object, "deploy/web.yaml:23",
// or of the object itself when field is "" (for a rendered object, the .sky
// line that constructed it). It returns "" when it knows no better than
// the object's Source.
type Locator func(obj manifest.Object, field string) string

// Options configure Run. The zero value runs only the Kubernetes
// validation.
type Options struct {
	// Checkers are run in order; nil means just Schema{}.
	Checkers []Checker
	// Locate, if set, refines the source of findings.
	Locate Locator
}

// Run runs every checker over objs and returns all findings in a fixed
// order (Sort). With opts.Locate, findings get the position of their field
// or object where it is known.
func Run(ctx context.Context, objs []manifest.Object, opts Options) ([]Finding, error) {
	checkers := opts.Checkers
	if checkers == nil {
		checkers = []Checker{Schema{}}
	}
	var all []Finding
	for _, c := range checkers {
		fs, err := c.Check(ctx, objs)
		if err != nil {
			return nil, fmt.Errorf("%s checks: %w", c.Name(), err)
		}
		all = append(all, fs...)
	}
	if opts.Locate != nil {
		byRef := map[objKey]manifest.Object{}
		for _, o := range objs {
			byRef[keyOf(o.Source, o.Env, Ref(o.Obj))] = o
		}
		for i, f := range all {
			o, ok := byRef[keyOf(f.Source, f.Env, f.Object)]
			if !ok {
				continue
			}
			if pos := opts.Locate(o, f.Field); pos != "" {
				all[i].Source = pos
			}
		}
	}
	Sort(all)
	return all, nil
}

type objKey struct {
	source, env string
	ref         ObjectRef
}

func keyOf(source, env string, ref ObjectRef) objKey {
	return objKey{source: source, env: env, ref: ref}
}

// Attach gives findings without a Source or Env those of o, the object
// they are about, and returns them.
func Attach(o manifest.Object, fs []Finding) []Finding {
	for i := range fs {
		if fs[i].Source == "" {
			fs[i].Source = o.Source
		}
		if fs[i].Env == "" {
			fs[i].Env = o.Env
		}
	}
	return fs
}
