package render

import (
	"context"
	"encoding/binary"
	"sync"
	"time"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/stdlib"
)

// VisitCache (Options.VisitCache) keeps what a Visitor found about each
// job in the render cache (Options.Cache, which it needs), so that a later
// render with the same inputs neither evaluates the job nor visits its
// objects: skyc check keeps each service's findings so.
//
// The key of a job is the render cache's (see CacheOptions) with Salt
// added. What is kept with a job is its objects' identities, its waivers
// and what Visit returned; Cached receives the latter for a job served
// from the cache, and the Result has the objects' identities (so that two
// services rendering the same object are still reported) and the
// waivers, but not the job's AWS documents (Result.Documents). As with
// the render cache, jobs with diagnostics, print() output or Secrets are
// not kept. A job depends on the date (Options.Now) only through whether
// each of its waivers has expired: it is served as long as none of its
// waivers has expired or been renewed since it was kept; a job with AWS
// documents, whose waivers of the IAM rules the Result does not hold,
// only on the day it was kept.
type VisitCache struct {
	// Salt identifies what Visit's result depends on besides the job's
	// inputs (its settings, its format).
	Salt string
	// Visit is the Visitor, which also returns, when keep is true, what it
	// found, to be kept with the job; nil keeps nothing. It is called as
	// Options.Visit is, which it replaces.
	Visit func(objs []manifest.Object, locate func(obj kruntime.Object, field string) (lang.Pos, bool), keep bool) []byte
	// Cached is given what Visit returned for a job, with its
	// environment and label, when the job is served from the cache
	// instead of visited. It may be called concurrently; an error makes
	// the job evaluated and visited after all, so Cached must only act
	// on data it accepts.
	Cached func(env, label string, data []byte) error
}

// visitStore hands an evaluated job's objects to the VisitCache's Visit,
// leaves them with their identities (as visitJob does) and returns the
// job's payload if it may be kept.
//
// A deferred job (its file's loads were unknown to the cache, so the
// lookup made no key) is keyed here, from what its evaluation used, as
// store keys a render's (keyEvaluated); k is updated for the cache's
// save.
func (r *Renderer) visitStore(j job, k *cachedJob, jr *jobResult) []byte {
	vc := r.opts.VisitCache
	keep := r.cache != nil && len(jr.diags) == 0 && !holdsSecret(jr)
	if keep {
		if k.deferred {
			keep = r.keyEvaluated(visitKeyJob(j), k)
		} else {
			keep = k.ok && r.evaluatedFrom(j.label, *k)
		}
	}
	var data []byte
	if len(jr.objects) > 0 {
		loc := &Result{Origins: jr.origins, fields: jr.fields}
		data = vc.Visit(jr.objects, loc.Locate, keep)
		for i := range jr.objects {
			id := identityOf(jr.objects[i].Obj)
			for w := range jr.waivers {
				if jr.waivers[w].Object == jr.objects[i].Obj {
					jr.waivers[w].Object = id // limited to this object
				}
			}
			jr.objects[i].Obj = id
		}
		jr.origins, jr.fields = nil, nil
		if data == nil {
			return nil
		}
	}
	if !keep {
		return nil
	}
	day := ""
	if len(jr.docs) > 0 {
		day = r.today.Format(time.DateOnly)
	}
	return encodeVisited(jr, day, data)
}

// A visited job's payload is
//
//	day n object*n m waiver*m data
//	object: apiVersion kind namespace name source idHash
//	waiver: rule reason owner expires expired posFile posLine posCol object
//
// strings as a uvarint length and bytes, numbers as uvarints, idHash (of
// the object's identity, see assemble) as 8 bytes little-endian, as the
// render cache keeps it, so that a warm check need not hash again; a waiver's
// object is the index of the one object it is limited to plus one, or 0;
// day is the only date the job may be served on, or "" for any.
// data is what VisitCache.Visit returned, to the end.

// encodeVisited encodes day, the objects (identities by now) and waivers
// of a job, and data.
func encodeVisited(jr *jobResult, day string, data []byte) []byte {
	b := make([]byte, 0, 128*len(jr.objects)+len(data)+64)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int) { b = binary.AppendUvarint(b, uint64(n)) }
	index := make(map[kruntime.Object]int, len(jr.objects))
	str(day)
	num(len(jr.objects))
	for i, o := range jr.objects {
		id := identityOf(o.Obj)
		index[o.Obj] = i + 1
		str(id.APIVersion)
		str(id.Kind)
		str(id.Namespace)
		str(id.Name)
		str(o.Source)
		b = binary.LittleEndian.AppendUint64(b, idHash(o.Env, id.APIVersion, id.Kind, id.Namespace, id.Name))
	}
	num(len(jr.waivers))
	for _, w := range jr.waivers {
		str(w.Rule)
		str(w.Reason)
		str(w.Owner)
		str(w.Expires)
		if w.Expired {
			num(1)
		} else {
			num(0)
		}
		str(w.Pos.File)
		num(w.Pos.Line)
		num(w.Pos.Col)
		obj := 0
		if w.Object != nil {
			if obj = index[w.Object]; obj == 0 {
				return nil // not one of the job's objects: never so
			}
		}
		num(obj)
	}
	return append(b, data...)
}

// decodeVisited decodes a visited job's payload, for a render whose
// waivers are checked against today ("YYYY-MM-DD"): it fails if a
// waiver's expiry would now be judged otherwise than when it was kept.
func decodeVisited(b []byte, j job, today string, slab *visitSlab) (jobResult, []byte, error) {
	fail := false
	num := func() int {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<31 {
			fail = true
			return 0
		}
		b = b[n:]
		return int(v)
	}
	str := func() string {
		n := num()
		if fail || n > len(b) {
			fail = true
			return ""
		}
		s := b[:n:n]
		b = b[n:]
		if n == 0 {
			return ""
		}
		return unsafe.String(&s[0], n) // the payload is never modified
	}
	if day := str(); day != "" && day != today {
		return jobResult{}, nil, errPayload
	}
	n := num()
	if fail || n > len(b) {
		return jobResult{}, nil, errPayload
	}
	jr := jobResult{sorted: true}
	env, name := j.env.Name, ServiceName(j.label)
	if n > 0 {
		var ids []metav1.PartialObjectMetadata
		ids, jr.objects, jr.ids = slab.take(n)
		for i := range n {
			id := &ids[i]
			id.APIVersion, id.Kind, id.Namespace, id.Name = str(), str(), str(), str()
			source := str()
			if source == j.label {
				// One string for the objects of a file, as decodeJobInto
				// does: those who compare sources find them so at once.
				source = j.label
			}
			if fail || len(b) < 8 {
				return jobResult{}, nil, errPayload
			}
			jr.ids[i] = binary.LittleEndian.Uint64(b) // idHash, computed by encodeVisited
			b = b[8:]
			jr.objects[i] = manifest.Object{Env: env, Service: name, Source: source, Obj: id}
		}
	}
	m := num()
	if fail || m > len(b) {
		return jobResult{}, nil, errPayload
	}
	for range m {
		w := &stdlib.Waiver{Rule: str(), Reason: str(), Owner: str(), Expires: str(), Expired: num() == 1}
		w.Pos = lang.Pos{File: str(), Line: num(), Col: num()}
		obj := num()
		if fail || obj > n {
			return jobResult{}, nil, errPayload
		}
		if (w.Expires < today) != w.Expired {
			return jobResult{}, nil, errPayload // expired, or renewed, since
		}
		pw := Waiver{Waiver: w, File: j.label, Env: env}
		if obj > 0 {
			pw.Object = jr.objects[obj-1].Obj
		}
		jr.waivers = append(jr.waivers, pw)
	}
	if fail {
		return jobResult{}, nil, errPayload
	}
	return jr, b, nil
}

// visitSlab hands out the objects decodeVisited decodes from chunks
// shared by the jobs: the identities, a few hundred bytes each with
// pointers, cost more allocated per job than decoded (at N=3000 about
// 5 ms of CPU in a warm skyc check).
type visitSlab struct {
	mu      sync.Mutex
	ids     []metav1.PartialObjectMetadata
	objects []manifest.Object
	hashes  []uint64
}

// visitSlabChunk is how many objects a chunk of a visitSlab holds.
const visitSlabChunk = 1024

// take returns room for n objects; the slices' capacities end with them.
func (s *visitSlab) take(n int) ([]metav1.PartialObjectMetadata, []manifest.Object, []uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ids) < n {
		size := max(n, visitSlabChunk)
		s.ids = make([]metav1.PartialObjectMetadata, size)
		s.objects = make([]manifest.Object, size)
		s.hashes = make([]uint64, size)
	}
	ids, objects, hashes := s.ids[:n:n], s.objects[:n:n], s.hashes[:n:n]
	s.ids, s.objects, s.hashes = s.ids[n:], s.objects[n:], s.hashes[n:]
	return ids, objects, hashes
}

// visitKeyJob is the job as the key of a checked job holds it. Whether
// the file was named on the command line (as skyc check --affected
// names them) matters only to a file without main, which renders
// nothing: the key leaves it out, and a job named so is served only what
// rendered objects.
func visitKeyJob(j job) job {
	j.explicit = false
	return j
}

// lookupVisited is lookup for a render with a VisitCache: it computes
// the keys of jobs and serves those the cache holds, handing what Visit
// returned for them to Cached.
func (r *Renderer) lookupVisited(ctx context.Context, jobs []job, results []jobResult) ([]cachedJob, []bool) {
	cs := r.cache
	cs.forget()
	cs.deferLoads(jobs)
	keys := make([]cachedJob, len(jobs))
	hit := make([]bool, len(jobs))
	today := r.today.Format(time.DateOnly)
	var slab visitSlab
	parallel(len(jobs), func(i int) {
		if ctx.Err() != nil {
			return
		}
		j := jobs[i]
		files, ok, deferred := cs.lookupClosure(j.label)
		if !ok {
			// Not in the cache, or (deferred) keyed after its
			// evaluation, in visitStore.
			keys[i].deferred = deferred
			return
		}
		k := jobKey(cs.envKey(j.env, &r.opts), visitKeyJob(j), files)
		keys[i] = cachedJob{ok: true, key: k, files: files}
		payload, ok := cs.c.Job(slot(j), k)
		if !ok {
			return
		}
		jr, data, err := decodeVisited(payload, j, today, &slab)
		if err != nil || (j.explicit && len(jr.objects) == 0) {
			return
		}
		if len(jr.objects) > 0 {
			if err := r.opts.VisitCache.Cached(j.env.Name, j.label, data); err != nil {
				return
			}
		}
		results[i], hit[i] = jr, true
	})
	return keys, hit
}
