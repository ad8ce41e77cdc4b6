package importer

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
)

// Input is one manifest file to import.
type Input struct {
	Name string // shown in comments and errors
	Data []byte
}

// Result is what Import produced.
type Result struct {
	// Source is the .sky file.
	Source []byte
	// Objects are the decoded objects Source returns, in input order.
	Objects []Object
	// Skipped are the documents left out because their kind is unknown
	// (only with SkipUnknown).
	Skipped []*DecodeError
}

// ImportOptions configures Import. The zero value imports everything and
// fails on any document it cannot import.
type ImportOptions struct {
	Options
	// SkipUnknown leaves out objects of kinds skyc has no type for
	// (custom resources) instead of failing; they are listed in
	// Result.Skipped and in a comment at the top of the file.
	SkipUnknown bool
	// TypedOnly writes every object as a typed constructor, never as a
	// service() or worker() call.
	TypedOnly bool
}

// Import decodes inputs and generates one .sky file returning all their
// objects. Objects that the standard library's service() or worker()
// render exactly, as they do when skyc rendered them, become such a call
// (unless opts.TypedOnly); the rest become typed constructors. Every
// error found is returned, joined.
func Import(ctx context.Context, reg *schemas.Registry, inputs []Input, opts ImportOptions) (*Result, error) {
	res := &Result{}
	var errs []error
	for _, in := range inputs {
		objs, derrs := Decode(in.Name, in.Data)
		res.Objects = append(res.Objects, objs...)
		for _, err := range derrs {
			var de *DecodeError
			if opts.SkipUnknown && errors.As(err, &de) && de.Unknown {
				res.Skipped = append(res.Skipped, de)
				continue
			}
			errs = append(errs, err)
		}
	}
	seen := map[string]Object{}
	for _, o := range res.Objects {
		dropOwnershipLabels(o.Obj)
		k := key(o.Obj)
		if prev, dup := seen[k]; dup && o.Name() != "" {
			errs = append(errs, fmt.Errorf("%s: document %d: %s is also in %s, document %d; skyc render keeps one object of a name", o.File, o.Doc, k, prev.File, prev.Doc))
		}
		seen[k] = o
		if o.Name() == "" {
			errs = append(errs, fmt.Errorf("%s: document %d: %s has no metadata.name (generateName is not supported: skyc render needs a name)", o.File, o.Doc, o.GVK().Kind))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(res.Objects) == 0 {
		return nil, errors.New("no Kubernetes objects in the input")
	}
	gen := opts.Options
	if !opts.TypedOnly {
		gen.platform = recognize(ctx, reg, res.Objects)
	}
	if len(res.Skipped) > 0 {
		if gen.Header == "" {
			gen.Header = "Imported by skyc import from " + fileList(res.Objects) + "."
		}
		gen.Header += "\nLeft out, as skyc has no type for them:"
		for _, s := range res.Skipped {
			gen.Header += "\n  " + s.Error()
		}
	}
	src, err := Generate(reg, res.Objects, gen)
	if err != nil {
		return nil, err
	}
	res.Source = src
	return res, nil
}

// dropOwnershipLabels removes the labels skyc render puts on every object
// it renders (manifest.ServiceLabel, manifest.EnvironmentLabel): an
// import of skyc's own output must not fix them, as render sets them
// from the file and environment the objects are rendered by.
func dropOwnershipLabels(obj runtime.Object) {
	acc, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	labels := acc.GetLabels()
	if len(labels) == 0 {
		return
	}
	delete(labels, manifest.ServiceLabel)
	delete(labels, manifest.EnvironmentLabel)
	if len(labels) == 0 {
		labels = nil
	}
	acc.SetLabels(labels)
}
