package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/internal/textdiff"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// RenderSource renders .sky source the way skyc render renders a file of
// its own: written as import.sky in a temporary directory without
// skyc.yaml (so once, for no environment). It returns the objects, or an
// error holding the diagnostics as text.
func RenderSource(ctx context.Context, src []byte) ([]runtime.Object, error) {
	dir, err := os.MkdirTemp("", "skyc-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "import.sky")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		return nil, err
	}
	r, err := render.New(ctx, render.Options{Root: dir, Parallel: 1}, file)
	if err != nil {
		return nil, err
	}
	res := r.Render(ctx, []string{file}, map[string]bool{file: true})
	if res.Failed() {
		var b bytes.Buffer
		for _, d := range res.Diagnostics {
			lang.Render(&b, d, r.Runtime().Source, false)
		}
		return nil, fmt.Errorf("the imported file does not render:\n%s", b.String())
	}
	objs := make([]runtime.Object, len(res.Objects))
	for i, o := range res.Objects {
		objs[i] = o.Obj
	}
	return objs, nil
}

// Compare reports how got (rendered objects) differs from want (the
// decoded ones): objects missing, objects extra, and objects that are not
// semantically equal, each with a YAML diff. Status is ignored, and so
// are the ownership labels skyc render puts on every object
// (manifest.ServiceLabel, manifest.EnvironmentLabel) unless the input
// has them too. An empty result means the round trip is exact. Compare
// changes got.
func Compare(want []Object, got []runtime.Object) []string {
	var diffs []string
	byKey := map[string]runtime.Object{}
	var order []string
	for _, o := range got {
		k := key(o)
		if _, dup := byKey[k]; dup {
			diffs = append(diffs, k+": rendered twice")
		}
		byKey[k] = o
		order = append(order, k)
	}
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w.Obj)
		g, ok := byKey[k]
		if !ok {
			diffs = append(diffs, k+": missing from the rendered objects")
			continue
		}
		seen[k] = true
		clearStatus(g)
		dropOwnership(w.Obj, g)
		if !equality.Semantic.DeepEqual(w.Obj, g) {
			diffs = append(diffs, k+": differs:\n"+yamlDiff(w.Obj, g))
		}
	}
	for _, k := range order {
		if !seen[k] {
			diffs = append(diffs, k+": rendered but not in the input")
		}
	}
	return diffs
}

// key identifies an object: apiVersion, kind, namespace and name.
func key(obj runtime.Object) string {
	o := Object{Obj: obj}
	gvk := o.GVK()
	name := o.Name()
	if ns := o.Namespace(); ns != "" {
		name = ns + "/" + name
	}
	return gvk.GroupVersion().String() + " " + gvk.Kind + " " + name
}

func yamlDiff(want, got runtime.Object) string {
	w, err1 := manifest.Encode(want)
	g, err2 := manifest.Encode(got)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("  (cannot encode: %v %v)", err1, err2)
	}
	d := textdiff.Unified("input", "rendered", string(w), string(g))
	if d == "" {
		return "  (equal as YAML; different as Go values)"
	}
	return strings.TrimRight(d, "\n")
}

// dropOwnership removes from got the ownership labels that render added
// and want does not have.
func dropOwnership(want, got runtime.Object) {
	wa, err1 := meta.Accessor(want)
	ga, err2 := meta.Accessor(got)
	if err1 != nil || err2 != nil {
		return
	}
	labels := ga.GetLabels()
	for _, l := range []string{manifest.ServiceLabel, manifest.EnvironmentLabel} {
		if _, ok := wa.GetLabels()[l]; !ok {
			delete(labels, l)
		}
	}
	if len(labels) == 0 {
		labels = nil
	}
	ga.SetLabels(labels)
}
