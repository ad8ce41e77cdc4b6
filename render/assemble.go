package render

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
)

// assemble gathers the results of a render's jobs into res: objects in
// canonical order, origins, waivers, documents and diagnostics (in the
// order of the jobs), and the check that no two objects of an environment
// share an identity.
//
// A warm render of thousands of services spends most of its time here
// and in the lookup, so the common case takes shortcuts that give the
// same result: the identities are compared by hash (checkUnique runs only
// if two hashes are equal), and services whose objects are known to be in
// canonical order (sorted) are not sorted again, nor is the whole.
// Without withOrigins, res.Origins is left nil.
func assemble(res *Result, jobs []job, results []jobResult, outOfMemory, withOrigins bool) {
	// groups are the jobs that rendered objects, in the order of the jobs,
	// which diagnostics (checkUnique's too) follow.
	var groups []objectGroup
	total, origins := 0, false
	for i := range results {
		jr := &results[i]
		if outOfMemory && jr.limit == "cancelled" {
			continue // not this file's doing
		}
		if len(jr.objects) > 0 {
			groups = append(groups, objectGroup{env: jobs[i].env.Name, service: ServiceName(jobs[i].label), job: i})
			total += len(jr.objects)
		}
		origins = origins || withOrigins && (len(jr.origins) > 0 || jr.pos != nil)
	}
	if origins {
		res.Origins = make(map[kruntime.Object]lang.Pos, total)
	}
	for i := range results {
		jr := &results[i]
		if outOfMemory && jr.limit == "cancelled" {
			continue
		}
		if origins {
			for o, p := range jr.origins {
				res.Origins[o] = p
			}
			for k, p := range jr.pos {
				if p.IsValid() {
					res.Origins[jr.objects[k].Obj] = p
				}
			}
		}
		for o, f := range jr.fields {
			if res.fields == nil {
				res.fields = map[kruntime.Object]*objectFields{}
			}
			res.fields[o] = f
		}
		res.Waivers = append(res.Waivers, jr.waivers...)
		res.Documents = append(res.Documents, jr.docs...)
		res.Diagnostics = append(res.Diagnostics, jr.diags...)
	}
	res.Diagnostics = dedupe(res.Diagnostics)
	// The identities are compared on another CPU while the objects are
	// gathered: each is a millisecond or so for 15,000 objects.
	distinct := make(chan bool, 1)
	failed := res.Failed()
	if !failed {
		go func() { distinct <- distinctIdentities(results, groups, total) }()
	}
	objects := byService(results, slices.Clone(groups), total)
	if !failed && !<-distinct {
		objs := make([]manifest.Object, 0, total)
		for _, g := range groups {
			objs = append(objs, results[g.job].objects...)
		}
		res.Diagnostics = append(res.Diagnostics, checkUnique(objs)...)
	}
	res.Objects = objects
	manifest.Sort(res.Documents)
}

// objectGroup is the objects of one job, results[job].objects.
type objectGroup struct {
	env, service string
	job          int
}

// byService returns the objects of the groups in canonical order. It
// sorts each group (unless it is sorted already) and orders the groups by
// environment and service, which is the canonical order of manifest.Sort
// when every group is one service in one environment and no two groups
// are the same service in the same environment; otherwise it sorts the
// whole, as it would have to anyway.
func byService(results []jobResult, groups []objectGroup, total int) []manifest.Object {
	if !slices.IsSortedFunc(groups, compareGroups) {
		slices.SortStableFunc(groups, compareGroups)
	}
	out := make([]manifest.Object, 0, total)
	whole := true
	for k, g := range groups {
		if k > 0 && compareGroups(groups[k-1], g) == 0 {
			whole = false
		}
		jr := &results[g.job]
		start := len(out)
		out = append(out, jr.objects...)
		part := out[start:]
		if !jr.sorted {
			manifest.Sort(part)
		}
		for i := range part {
			if part[i].Env != g.env || part[i].Service != g.service {
				whole = false
			}
		}
	}
	if !whole {
		manifest.Sort(out)
	}
	return out
}

func compareGroups(a, b objectGroup) int {
	if c := strings.Compare(a.env, b.env); c != 0 {
		return c
	}
	return strings.Compare(a.service, b.service)
}

// idHash hashes the identity of an object in an environment as
// checkUnique compares them: environment, API group, kind, namespace and
// name. Equal identities have equal hashes; the hash is the same in every
// process, so that the render cache keeps it with each object.
func idHash(env, apiVersion, kind, namespace, name string) uint64 {
	return groupHash(env, manifest.ParseGVK(apiVersion, kind).Group, kind, namespace, name)
}

// groupHash is idHash of an identity with its API group: FNV-1a of the
// fields, each followed by a zero byte. Whoever writes the repository can
// make two identities collide; that costs only checkUnique's comparison
// of every identity, which tells them apart.
func groupHash(env, group, kind, namespace, name string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, s := range [...]string{env, group, kind, namespace, name} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
		h *= prime // the zero byte after the field
	}
	return h
}

// objectHash is idHash of any object; ok is false if obj has no metadata.
func objectHash(env string, obj kruntime.Object) (h uint64, ok bool) {
	if id, isID := obj.(*metav1.PartialObjectMetadata); isID {
		return idHash(env, id.APIVersion, id.Kind, id.Namespace, id.Name), true
	}
	acc, err := meta.Accessor(obj)
	if err != nil {
		return 0, false
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	return groupHash(env, gvk.Group, gvk.Kind, acc.GetNamespace(), acc.GetName()), true
}

// distinctIdentities reports whether the objects of the groups have
// distinct identities (see checkUnique), by their hashes: true is certain,
// false means that two hashes are equal (or an identity is unknown), which
// checkUnique must then look into.
func distinctIdentities(results []jobResult, groups []objectGroup, total int) bool {
	hs := make([]uint64, 0, total)
	for _, g := range groups {
		jr := &results[g.job]
		if jr.ids != nil {
			hs = append(hs, jr.ids...)
			continue
		}
		for _, o := range jr.objects {
			h, ok := objectHash(o.Env, o.Obj)
			if !ok {
				return false
			}
			hs = append(hs, h)
		}
	}
	return distinct(hs)
}

// distinct reports whether no value occurs twice in hs, with an open
// addressing table: for tens of thousands of hashes, cheaper than a map.
func distinct(hs []uint64) bool {
	size := 8
	for size < 2*len(hs) {
		size <<= 1
	}
	table := make([]uint64, size)
	mask := uint64(size - 1)
	for _, h := range hs {
		if h == 0 {
			h = 1 // 0 marks a free slot; equal hashes stay equal
		}
		for i := h & mask; ; i = (i + 1) & mask {
			if table[i] == 0 {
				table[i] = h
				break
			}
			if table[i] == h {
				return false
			}
		}
	}
	return true
}
