package skytest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/skyc-dev/skyc/internal/textdiff"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// renderEntry is a renderer for one environment and set of vars, made
// once per run.
type renderEntry struct {
	r   *render.Renderer
	err error
}

// rendered is the Starlark value render() returns.
type rendered struct {
	*starlarkstruct.Struct
	yaml string
}

// render implements render(path, env = None, vars = {}).
func (r *Runner) render(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		path string
		env  starlark.Value = starlark.None
		vars *starlark.Dict
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "path", &path, "env?", &env, "vars?", &vars); err != nil {
		return nil, err
	}
	st, ok := stateOf(thread)
	if !ok {
		return nil, fmt.Errorf("render: call it inside a test function")
	}
	file := filepath.Join(filepath.Dir(st.file), path)
	if rest, ok := strings.CutPrefix(path, "//"); ok {
		file = filepath.Join(r.root, rest)
	}
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("render: %s: no such file", path)
	}
	envName := ""
	switch e := env.(type) {
	case starlark.NoneType:
		names := r.cfg.Names()
		if len(names) > 1 {
			return nil, fmt.Errorf("render: the repository has environments %s; name one with env = %q", strings.Join(names, ", "), names[0])
		}
		if len(names) == 1 {
			envName = names[0]
		}
	case starlark.String:
		envName = string(e)
	default:
		return nil, fmt.Errorf("render: env: got %s, want string", env.Type())
	}
	varMap := map[string]string{}
	if vars != nil {
		for _, kv := range vars.Items() {
			k, ok1 := starlark.AsString(kv[0])
			v, ok2 := starlark.AsString(kv[1])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("render: vars: got %s: %s, want string keys and values", kv[0].Type(), kv[1].Type())
			}
			varMap[k] = v
		}
	}
	ctx := context.Background()
	if c, ok := thread.Local(contextKey).(context.Context); ok {
		ctx = c
	}
	rd, err := r.renderer(ctx, envName, varMap, file)
	if err != nil {
		return nil, fmt.Errorf("render: %v", err)
	}
	res := rd.Render(ctx, []string{file}, map[string]bool{filepath.Clean(file): true})
	if res.Failed() {
		var b bytes.Buffer
		for _, d := range res.Diagnostics {
			if d.Severity == lang.Error {
				lang.Render(&b, d, rd.Runtime().Source, false)
				break
			}
		}
		return nil, fmt.Errorf("render: %s does not render:\n%s", path, strings.TrimRight(b.String(), "\n"))
	}
	var yaml bytes.Buffer
	if err := manifest.WriteStream(&yaml, res.Objects); err != nil {
		return nil, fmt.Errorf("render: %v", err)
	}
	objs := make([]starlark.Value, len(res.Objects))
	kinds := make([]starlark.Value, len(res.Objects))
	names := make([]string, len(res.Objects))
	for i, o := range res.Objects {
		m, err := r.reg.FromObject(o.Obj)
		if err != nil {
			return nil, fmt.Errorf("render: %v", err)
		}
		v, err := r.br.Wrap(m)
		if err != nil {
			return nil, fmt.Errorf("render: %v", err)
		}
		v.Freeze()
		objs[i] = v
		kind := o.Obj.GetObjectKind().GroupVersionKind().Kind
		kinds[i] = starlark.String(kind)
		if acc, err := meta.Accessor(o.Obj); err == nil {
			names[i] = acc.GetName()
		}
	}
	list := starlark.NewList(objs)
	kindList := starlark.NewList(kinds)
	find := starlark.NewBuiltin("find", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var kind, name string
		if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "kind", &kind, "name?", &name); err != nil {
			return nil, err
		}
		var found []int
		for i := range objs {
			if string(kinds[i].(starlark.String)) == kind && (name == "" || names[i] == name) {
				found = append(found, i)
			}
		}
		switch {
		case len(found) == 1:
			return objs[found[0]], nil
		case len(found) > 1:
			var ns []string
			for _, i := range found {
				ns = append(ns, names[i])
			}
			return nil, fmt.Errorf("find: %d objects of kind %s (%s); give a name", len(found), kind, strings.Join(ns, ", "))
		}
		var have []string
		for i := range objs {
			have = append(have, string(kinds[i].(starlark.String))+" "+names[i])
		}
		sort.Strings(have)
		what := kind
		if name != "" {
			what += " " + name
		}
		return nil, fmt.Errorf("find: no %s; rendered: %s", what, strings.Join(have, ", "))
	})
	s := starlarkstruct.FromStringDict(starlark.String("rendered"), starlark.StringDict{
		"objects": list,
		"kinds":   kindList,
		"yaml":    starlark.String(yaml.String()),
		"find":    find,
	})
	s.Freeze()
	return &rendered{Struct: s, yaml: yaml.String()}, nil
}

// renderer returns the renderer for an environment and vars.
func (r *Runner) renderer(ctx context.Context, env string, vars map[string]string, hint string) (*render.Renderer, error) {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	key := env
	for _, k := range keys {
		key += "\x00" + k + "=" + vars[k]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.renderers[key]; ok {
		return e.r, e.err
	}
	var envs []string
	if env != "" {
		envs = []string{env}
	}
	rd, err := render.New(ctx, render.Options{
		Root: r.root, Envs: envs, Vars: vars, Parallel: 1,
		MaxSteps: r.opts.MaxSteps, Timeout: r.opts.Timeout, Print: r.opts.Print,
	}, hint)
	r.renderers[key] = &renderEntry{r: rd, err: err}
	return rd, err
}

// snapshotText returns the YAML a snapshot of v holds.
func (r *Runner) snapshotText(v starlark.Value) (string, error) {
	switch v := v.(type) {
	case *rendered:
		return v.yaml, nil
	case starlark.String:
		return string(v), nil
	case *starlark.List, starlark.Tuple:
		var b strings.Builder
		it := starlark.Iterate(v)
		defer it.Done()
		var x starlark.Value
		for i := 0; it.Next(&x); i++ {
			y, err := r.objectYAML(x)
			if err != nil {
				return "", fmt.Errorf("[%d]: %v", i, err)
			}
			if i > 0 {
				b.WriteString("---\n")
			}
			b.WriteString(y)
		}
		return b.String(), nil
	}
	return r.objectYAML(v)
}

func (r *Runner) objectYAML(v starlark.Value) (string, error) {
	m, ok := r.br.Unwrap(v)
	if !ok {
		return "", fmt.Errorf("got %s, want a render() result, objects or a string", v.Type())
	}
	obj, err := r.reg.ToObject(m)
	if err != nil {
		return "", err
	}
	b, err := manifest.Encode(obj)
	return string(b), err
}

// assertSnapshot implements assert.snapshot(x, name).
func (r *Runner) assertSnapshot(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		x    starlark.Value
		name string
		msg  starlark.String
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "x", &x, "name", &name, "msg?", &msg); err != nil {
		return nil, err
	}
	st, ok := stateOf(thread)
	if !ok {
		return nil, fmt.Errorf("%s: call it inside a test function", fn.Name())
	}
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("%s: name: %q is not a file name (no slashes, not empty)", fn.Name(), name)
	}
	got, err := r.snapshotText(x)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	path := snapshotPath(st.file, name)
	rel := filepath.ToSlash(filepath.Join("__snapshots__", name+".yaml"))
	if prev, dup := st.used[path]; dup && prev != st.name {
		return nil, fmt.Errorf("%s: %s is the snapshot of %s too; give each its own name", fn.Name(), rel, prev)
	}
	st.used[path] = st.name
	want, err := os.ReadFile(path)
	if err == nil && string(want) == got {
		return starlark.None, nil
	}
	if r.opts.Update {
		if err := writeSnapshot(path, []byte(got)); err != nil {
			return nil, fmt.Errorf("%s: %v", fn.Name(), err)
		}
		st.updated = append(st.updated, path)
		return starlark.None, nil
	}
	if os.IsNotExist(err) {
		return nil, &failure{msg: fmt.Sprintf("%s: no snapshot %s yet (run skyc test --update to write it)", fn.Name(), rel)}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	f := fail(thread, fn, msg, "the output differs from %s (- snapshot, + now; skyc test --update accepts it)", rel).(*failure)
	f.detail = textdiff.Unified(rel, "now", string(want), got)
	return nil, f
}
