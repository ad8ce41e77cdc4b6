package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/render"
)

// AffectedPaths maps files that changed (as a pre-commit hook passes
// them) to the service files to check: a changed service file itself,
// every service that loads a changed library file (directly or through
// other libraries; what each file loads is recorded by the runtime as it
// evaluates them), and every service of the repository when its
// skyc.yaml or one of its CRD files changed. Other files, and files that
// no longer exist, are ignored. The paths returned are relative to the
// working directory, sorted.
func AffectedPaths(ctx context.Context, changed []string) ([]string, error) {
	root := ""
	for _, p := range changed {
		r, ok := config.FindRoot(p)
		if !ok {
			continue
		}
		if root != "" && r != root {
			return nil, fmt.Errorf("the files belong to two repositories, %s and %s: check one at a time", root, r)
		}
		root = r
	}
	if root == "" {
		return nil, nil
	}
	cfg, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	crds := map[string]bool{}
	for _, p := range cfg.CRDPaths() {
		crds[filepath.Clean(p)] = true
	}
	all := false
	var sky []string // root-relative labels of changed .sky files
	for _, p := range changed {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			continue
		}
		switch {
		case filepath.Base(abs) == config.FileName && filepath.Dir(abs) == root, crds[abs]:
			all = true
		case strings.HasSuffix(abs, ".sky") && !strings.HasSuffix(abs, "_test.sky"):
			rel, err := filepath.Rel(root, abs)
			if err != nil {
				return nil, err
			}
			sky = append(sky, filepath.ToSlash(rel))
		}
	}
	if !all && len(sky) == 0 {
		return nil, nil
	}

	// Evaluate every file's top level, which runs its loads, to learn the
	// load graph.
	files, _, err := render.Discover([]string{filepath.Join(root, "...")})
	if err != nil {
		return nil, err
	}
	r, err := render.New(ctx, render.Options{Root: root}, root)
	if err != nil {
		return nil, err
	}
	rt := r.Runtime()
	cwd, _ := os.Getwd()
	var out []string
	for _, f := range files {
		label, err := rt.Label(f)
		if err != nil {
			return nil, err
		}
		globals, err := rt.Load(ctx, label)
		if err == nil {
			if _, ok := globals["main"]; !ok {
				continue // a library
			}
		}
		hit := all || slices.Contains(sky, label)
		for _, dep := range rt.Dependencies(label) {
			hit = hit || slices.Contains(sky, dep)
		}
		if !hit {
			continue
		}
		p := f
		if rel, err := filepath.Rel(cwd, f); err == nil && cwd != "" {
			p = rel
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}
