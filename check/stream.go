package check

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/skyc-dev/skyc/manifest"
)

// A GroupChecker is a Checker whose findings about a group of objects
// (the objects of one service in one environment, or of one manifest
// file) depend on that group alone, apart from a last step over all
// findings, so that a Stream can check each group as soon as it exists,
// on any goroutine, and let it go.
type GroupChecker interface {
	Checker
	// CheckGroup returns the findings about one group of objects, as
	// Check returns them but before Finish. It may be called
	// concurrently.
	CheckGroup(ctx context.Context, objs []manifest.Object) ([]Finding, error)
	// Finish is given the checker's findings about every group, in
	// order, with the Source of their object (not yet located), and
	// says which of them to keep and which findings to add: the policy
	// engine drops waived findings and adds one for each unused waiver.
	Finish(fs []Finding) (keep []bool, extra []Finding)
}

// CheckGroup validates the objects of one group, as Check does.
func (s Schema) CheckGroup(ctx context.Context, objs []manifest.Object) ([]Finding, error) {
	return s.Check(ctx, objs)
}

// Finish keeps every finding and adds none.
func (Schema) Finish(fs []Finding) (keep []bool, extra []Finding) {
	return nil, nil
}

// Stream runs checkers group by group while the groups are produced, as
// skyc check does while the render runs: Add checks one service's
// objects and keeps only the findings, so that no object needs to be
// held until the end, and Findings returns what Run would have returned
// for all the objects together, in the same order.
type Stream struct {
	checkers []GroupChecker

	mu     sync.Mutex
	groups []*streamGroup
}

// streamGroup is what Add kept of one group.
type streamGroup struct {
	env, service string
	// found holds, per checker, the group's findings with Source still
	// the object's, and located, the Source each finding gets.
	found   [][]Finding
	located [][]string
	err     error
}

// NewStream returns a stream of checkers; nil means just Schema{}.
func NewStream(checkers []GroupChecker) *Stream {
	if checkers == nil {
		checkers = []GroupChecker{Schema{}}
	}
	return &Stream{checkers: checkers}
}

// Add checks the objects of one service in one environment, which have
// the same Env and Service: every checker's CheckGroup on them in the
// canonical order (manifest.Sort), then locate, if not nil, refines each
// finding's source as Run's Options.Locate does. Add may be called
// concurrently; objs is neither modified nor kept. A checker's error is
// kept and reported by Findings, in the groups' order.
func (s *Stream) Add(ctx context.Context, objs []manifest.Object, locate Locator) {
	if len(objs) == 0 {
		return
	}
	s.AddGroup(s.CheckGroup(ctx, objs, locate))
}

// GroupFindings is what a Stream found in one group of objects, before
// Findings applies the checkers' Finish: per checker, the findings with
// the Source of their object (Found) and the Source each finding gets
// once located (Located, parallel to Found). skyc check keeps it in a
// cache, so that an unchanged service need not be checked again.
type GroupFindings struct {
	Env, Service string
	Found        [][]Finding
	Located      [][]string
}

// CheckGroup checks the objects of one service in one environment as Add
// does and returns what it found, without adding it: AddGroup adds it.
// objs is neither modified nor kept; it must not be empty.
func (s *Stream) CheckGroup(ctx context.Context, objs []manifest.Object, locate Locator) (GroupFindings, error) {
	sorted := slices.Clone(objs)
	manifest.Sort(sorted)
	g := GroupFindings{Env: sorted[0].Env, Service: sorted[0].Service}
	var err error
	g.Found, g.Located, err = s.checkGroup(ctx, sorted, locate)
	return g, err
}

// AddGroup adds a group's findings, from CheckGroup (or a cache of what
// it returned) with one entry per checker of the stream, or its error,
// which Findings reports. It may be called concurrently.
func (s *Stream) AddGroup(g GroupFindings, err error) {
	sg := &streamGroup{env: g.Env, service: g.Service, found: g.Found, located: g.Located, err: err}
	if err == nil && (len(g.Found) != len(s.checkers) || len(g.Located) != len(s.checkers)) {
		sg.err = fmt.Errorf("findings of %d checkers for a stream of %d", len(g.Found), len(s.checkers))
	}
	s.mu.Lock()
	s.groups = append(s.groups, sg)
	s.mu.Unlock()
}

// checkGroup runs every checker over one group and locates the findings.
func (s *Stream) checkGroup(ctx context.Context, objs []manifest.Object, locate Locator) ([][]Finding, [][]string, error) {
	found := make([][]Finding, len(s.checkers))
	located := make([][]string, len(s.checkers))
	var byRef map[objKey]int
	if locate != nil {
		byRef = make(map[objKey]int, len(objs))
		for i, o := range objs {
			if o.Obj != nil {
				byRef[keyOf(o.Source, o.Env, Ref(o.Obj))] = i
			}
		}
	}
	for ci, c := range s.checkers {
		fs, err := c.CheckGroup(ctx, objs)
		if err != nil {
			return nil, nil, fmt.Errorf("%s checks: %w", c.Name(), err)
		}
		found[ci] = fs
		loc := make([]string, len(fs))
		for i, f := range fs {
			loc[i] = f.Source
			if locate == nil {
				continue
			}
			if j, ok := byRef[keyOf(f.Source, f.Env, f.Object)]; ok {
				if pos := locate(objs[j], f.Field); pos != "" {
					loc[i] = pos
				}
			}
		}
		located[ci] = loc
	}
	return found, located, nil
}

// Findings returns the findings of every group added, and of tail, as
// Run returns them for the added objects followed by tail: tail is
// checked as Run checks objects (grouped by file and environment, for
// plain manifests) and located with locate. It is an error if a checker
// failed on any group; the first group's error, in the groups' order,
// is returned.
func (s *Stream) Findings(ctx context.Context, tail []manifest.Object, locate Locator) ([]Finding, error) {
	s.mu.Lock()
	groups := slices.Clone(s.groups)
	s.mu.Unlock()
	// The groups in the order of their objects in a sorted render:
	// by environment, then service.
	slices.SortStableFunc(groups, func(a, b *streamGroup) int {
		return cmp.Or(cmp.Compare(a.env, b.env), cmp.Compare(a.service, b.service))
	})
	for _, part := range tailGroups(tail) {
		g := &streamGroup{}
		g.found, g.located, g.err = s.checkGroup(ctx, part, locate)
		groups = append(groups, g)
	}
	for _, g := range groups {
		if g.err != nil {
			return nil, g.err
		}
	}
	var all []Finding
	for ci, c := range s.checkers {
		var fs []Finding
		var loc []string
		for _, g := range groups {
			fs = append(fs, g.found[ci]...)
			loc = append(loc, g.located[ci]...)
		}
		keep, extra := c.Finish(fs)
		for i, f := range fs {
			if keep != nil && !keep[i] {
				continue
			}
			f.Source = loc[i]
			all = append(all, f)
		}
		all = append(all, extra...)
	}
	Sort(all)
	return all, nil
}

// tailGroups splits objects into groups of one file and environment, in
// the order of their first objects.
func tailGroups(objs []manifest.Object) [][]manifest.Object {
	var out [][]manifest.Object
	index := map[[2]string]int{}
	for _, o := range objs {
		file, _, _ := SplitSource(o.Source)
		k := [2]string{file, o.Env}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], o)
	}
	return out
}
