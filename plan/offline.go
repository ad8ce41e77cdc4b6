package plan

import (
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/skyc-dev/skyc/manifest"
)

// Offline compares objs with a previous render, previous, read from dir
// with manifest.ReadTree (skyc render -o DIR on the base branch, say). No
// cluster or AWS account is involved: there is no drift, no server
// defaulting and no change set; a recreation or replacement is judged by
// the tables of immutable fields and create-only properties. Stacks and
// IAM roles (documents) are compared like Kubernetes objects. Each
// rendered environment is a target; previous objects of other
// environments are ignored, and opts.Prune limits deletions as for a
// cluster.
func Offline(objs, previous []manifest.Object, dir string, opts Options) *Plan {
	opts = opts.withDefaults()
	p := &Plan{}
	var envs []string
	byEnv := map[string][]manifest.Object{}
	for _, o := range objs {
		if _, ok := byEnv[o.Env]; !ok {
			envs = append(envs, o.Env)
		}
		byEnv[o.Env] = append(byEnv[o.Env], o)
	}
	prevByEnv := map[string][]manifest.Object{}
	for _, o := range previous {
		prevByEnv[o.Env] = append(prevByEnv[o.Env], o)
	}
	sort.Strings(envs)
	for _, env := range envs {
		kube, stacks, roles := Split(byEnv[env])
		prevKube, prevStacks, prevRoles := Split(prevByEnv[env])
		part := offlineEnv(env, kube, prevKube, dir, opts)
		changes, problems := offlineDocuments(part.Targets[0], stacks, prevStacks, roles, prevRoles, opts)
		part.Changes = append(part.Changes, changes...)
		part.Problems = append(part.Problems, problems...)
		p.Merge(part)
	}
	p.sortTargets()
	return p
}

func offlineEnv(env string, objs, previous []manifest.Object, dir string, opts Options) *Plan {
	name := env
	if name == "" {
		name = "(no environment)"
	}
	tgt := &Target{Name: name, Env: env, Source: "render", Dir: dir, Objects: len(objs)}
	p := &Plan{Targets: []*Target{tgt}}
	type prevObj struct {
		obj  manifest.Object
		u    *unstructured.Unstructured
		seen bool
	}
	prev := map[string]*prevObj{}
	var prevOrder []string
	for _, o := range previous {
		u, err := toUnstructured(o.Obj)
		if err != nil {
			p.Problems = append(p.Problems, &Problem{Target: name, Env: env, Service: o.Service, Source: o.Source, Message: opts.Masker.Redactf("%s: %v", dir, err)})
			continue
		}
		key := identityKey(u.GroupVersionKind().GroupKind(), u.GetNamespace(), u.GetName())
		prev[key] = &prevObj{obj: o, u: u}
		prevOrder = append(prevOrder, key)
	}
	var changes []*Change
	for _, o := range objs {
		u, err := toUnstructured(o.Obj)
		if err != nil {
			p.Problems = append(p.Problems, &Problem{Target: name, Env: env, Service: o.Service, Source: o.Source, Message: opts.Masker.Redactf("%v", err)})
			continue
		}
		gk := u.GroupVersionKind().GroupKind()
		ch := &Change{
			Target: name, Env: env, Service: o.Service, Source: o.Source,
			APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
		}
		after := normalize(u)
		opts.Masker.Mask(gk, after)
		po, ok := prev[identityKey(gk, u.GetNamespace(), u.GetName())]
		if !ok {
			ch.Action, ch.After = Create, after
			changes = append(changes, ch)
			continue
		}
		po.seen = true
		before := normalize(po.u)
		opts.Masker.Mask(gk, before)
		deltas := diffTrees(before, after)
		if len(deltas) == 0 {
			tgt.Unchanged++
			continue
		}
		immutable := immutablePaths(gk, before)
		recreate := false
		for _, d := range deltas {
			if underAny(d.path.fieldNames(), immutable) {
				recreate = true
			}
		}
		ch.Action, ch.Before, ch.After = Update, before, after
		ch.Fields = classify(gk, deltas, nil, immutable, recreate, opts.FieldManager, opts.Masker.sensitivePaths(gk, before, after))
		if recreate {
			ch.Action = Recreate
			ch.Destructive = "recreate: " + immutableSummary(ch.Fields, nil) + " can't change in place; the object is deleted and created again"
		}
		changes = append(changes, ch)
	}
	if !opts.Prune.Disabled {
		for _, key := range prevOrder {
			po := prev[key]
			if po.seen || len(opts.Prune.Services) > 0 && !slices.Contains(opts.Prune.Services, po.obj.Service) {
				continue
			}
			gk := po.u.GroupVersionKind().GroupKind()
			before := normalize(po.u)
			opts.Masker.Mask(gk, before)
			changes = append(changes, &Change{
				Target: name, Env: env, Service: po.obj.Service, Source: po.obj.Source,
				APIVersion: po.u.GetAPIVersion(), Kind: po.u.GetKind(), Namespace: po.u.GetNamespace(), Name: po.u.GetName(),
				Action: Delete, Before: before, Destructive: "delete: no longer rendered",
			})
		}
	}
	p.Changes = orderChanges(changes)
	return p
}
