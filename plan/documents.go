package plan

import (
	"encoding/json"
	"slices"

	"github.com/skyc-dev/skyc/manifest"
)

// Split separates a render into its Kubernetes objects and its
// documents: the CloudFormation stacks and the IAM roles.
func Split(objs []manifest.Object) (kube []manifest.Object, stacks []Stack, roles []Role) {
	for _, o := range objs {
		switch {
		case o.Doc == nil && o.Obj != nil:
			kube = append(kube, o)
		case o.Doc == nil:
		case o.Doc.Kind == manifest.TemplateKind:
			stacks = append(stacks, Stack{Env: o.Env, Service: o.Service, Source: o.Source, Name: o.Doc.Name, Template: o.Doc.Data})
		case o.Doc.Kind == manifest.RoleKind:
			roles = append(roles, Role{Env: o.Env, Service: o.Service, Source: o.Source, Name: o.Doc.Name, Document: o.Doc.Data})
		}
	}
	return kube, stacks, roles
}

// Join merges plans into one, targets in order.
func Join(parts ...*Plan) *Plan {
	p := &Plan{}
	for _, q := range parts {
		if q != nil {
			p.Merge(q)
		}
	}
	p.sortTargets()
	return p
}

// offlineDocuments compares the stacks and roles of one environment with
// those of a previous render.
func offlineDocuments(tgt *Target, stacks, prevStacks []Stack, roles, prevRoles []Role, opts Options) ([]*Change, []*Problem) {
	var changes []*Change
	var problems []*Problem
	problem := func(service, source, addr string, err error) {
		problems = append(problems, &Problem{Target: tgt.Name, Env: tgt.Env, Service: service, Source: source, Address: addr, Message: opts.Masker.Redact(err.Error())})
	}
	prev := map[string]Stack{}
	for _, s := range prevStacks {
		prev[s.Name] = s
	}
	seen := map[string]bool{}
	for _, st := range stacks {
		tgt.Objects++
		addr := StackKind + "/" + st.Name
		after, err := ParseTemplate(st.Template)
		if err != nil {
			problem(st.Service, st.Source, addr, err)
			continue
		}
		var before map[string]any
		old, exists := prev[st.Name]
		if exists {
			seen[st.Name] = true
			if before, err = ParseTemplate(old.Template); err != nil {
				problem(st.Service, st.Source, addr, err)
				continue
			}
		}
		sc := &stackCompare{target: tgt.Name, st: st, masker: opts.Masker}
		cs := sc.compare(before, after, old.Parameters, exists, nil, false)
		if len(cs) == 0 {
			tgt.Unchanged++
		}
		changes = append(changes, cs...)
	}
	for _, old := range prevStacks {
		if seen[old.Name] || opts.Prune.Disabled || len(opts.Prune.Services) > 0 && !slices.Contains(opts.Prune.Services, old.Service) {
			continue
		}
		changes = append(changes, &Change{
			Target: tgt.Name, Env: tgt.Env, Service: old.Service, Source: old.Source,
			APIVersion: "cloudformation", Kind: StackKind, Name: old.Name, Action: Delete,
			Destructive: "delete: the stack is no longer rendered; deleting it deletes its resources (except those with DeletionPolicy Retain)",
		})
	}
	prevRole := map[string]Role{}
	for _, r := range prevRoles {
		prevRole[r.Name] = r
	}
	for _, role := range roles {
		tgt.Objects++
		addr := IAMRoleKind + "/" + role.Name
		var after, before map[string]any
		if err := json.Unmarshal(role.Document, &after); err != nil {
			problem(role.Service, role.Source, addr, err)
			continue
		}
		if old, ok := prevRole[role.Name]; ok {
			if err := json.Unmarshal(old.Document, &before); err != nil {
				problem(role.Service, role.Source, addr, err)
				continue
			}
		}
		if c := compareRole(tgt.Name, role, before, after); c != nil {
			changes = append(changes, c)
		} else {
			tgt.Unchanged++
		}
	}
	return changes, problems
}
