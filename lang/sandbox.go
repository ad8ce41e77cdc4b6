package lang

import (
	"fmt"
	"sync/atomic"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// sandboxed returns predeclared with skyc's replacements of Starlark's
// universal range and len: a range too long to materialise is walked
// lazily and within the limits (see hugeRange).
func (r *Runtime) sandboxed(predeclared starlark.StringDict) starlark.StringDict {
	out := make(starlark.StringDict, len(predeclared)+2)
	for k, v := range predeclared {
		out[k] = v
	}
	out["range"] = starlark.NewBuiltin("range", r.rangeBuiltin)
	out["len"] = starlark.NewBuiltin("len", lenBuiltin)
	out.Freeze()
	return out
}

// hugeLen is the length from which a range is a hugeRange: more elements
// than the step budget lets a loop visit, or than the memory limit could
// hold as a list.
func (r *Runtime) hugeLen() int {
	n := r.opts.maxSteps()
	if m := r.opts.maxMemory() / 16; m < n { // a list element is 16 bytes
		n = m
	}
	if n > 1<<62 {
		n = 1 << 62
	}
	return int(n)
}

var (
	universeRange = starlark.Universe["range"].(*starlark.Builtin)
	universeLen   = starlark.Universe["len"].(*starlark.Builtin)
)

// rangeBuiltin is Starlark's range, except that a range of hugeLen
// elements or more is a hugeRange.
func (r *Runtime) rangeBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	v, err := universeRange.CallInternal(thread, args, kwargs)
	if err != nil {
		return nil, err
	}
	seq, ok := v.(starlark.Indexable)
	if !ok || seq.Len() < r.hugeLen() {
		return v, nil
	}
	ls, _ := thread.Local(limitsKey).(*limitState)
	return &hugeRange{inner: seq, rt: r, creator: ls}, nil
}

// lenBuiltin is Starlark's len, which also knows a hugeRange's length.
func lenBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if h, ok := args[0].(*hugeRange); ok {
			return starlark.MakeInt(h.inner.Len()), nil
		}
	}
	return universeLen.CallInternal(thread, args, kwargs)
}

// hugeRange is a range with more elements than an evaluation could visit
// or hold, e.g. range(1 << 62) as a while-true loop.
//
// Starlark's own range would let a built-in walk or materialise it in Go,
// inside one execution step, where neither the step budget nor
// cancellation reaches: list(range(1 << 40)) allocates 16 TiB in one go,
// all(range(1, 1 << 62)) never returns. A hugeRange has no length for
// built-ins to preallocate from (len() still answers), and its iterator
// stops the evaluation once it has yielded more elements than the step
// budget, or when the memory limit is passed. A for loop over it behaves
// as over any range: the loop's own steps reach the budget first.
//
// Indexing and slicing, which no loop needs, are not supported.
type hugeRange struct {
	inner   starlark.Indexable // Starlark's range
	rt      *Runtime
	creator *limitState // of the evaluation that called range()
}

var (
	_ starlark.Iterable   = (*hugeRange)(nil)
	_ starlark.Container  = (*hugeRange)(nil)
	_ starlark.Comparable = (*hugeRange)(nil)
)

func (h *hugeRange) String() string        { return h.inner.String() }
func (h *hugeRange) Type() string          { return "range" }
func (h *hugeRange) Freeze()               {} // immutable
func (h *hugeRange) Truth() starlark.Bool  { return true }
func (h *hugeRange) Hash() (uint32, error) { return h.inner.Hash() }

// Has reports whether y is an element, without walking the range.
func (h *hugeRange) Has(y starlark.Value) (bool, error) {
	return h.inner.(starlark.Container).Has(y)
}

// CompareSameType compares two huge ranges as Starlark compares ranges.
func (h *hugeRange) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return starlark.CompareDepth(op, h.inner, y.(*hugeRange).inner, depth)
}

// Iterate returns an iterator that counts what it yields.
func (h *hugeRange) Iterate() starlark.Iterator {
	return &hugeRangeIterator{h: h, inner: h.inner.(starlark.Iterable).Iterate()}
}

type hugeRangeIterator struct {
	h     *hugeRange
	inner starlark.Iterator
	n     uint64
}

// checkEvery is how many elements a hugeRangeIterator yields between
// checks of the limits.
const checkEvery = 1 << 10

func (it *hugeRangeIterator) Next(p *starlark.Value) bool {
	it.n++
	if it.n%checkEvery == 0 {
		limit, value := "", ""
		switch rt := it.h.rt; {
		case it.n > rt.opts.maxSteps():
			limit, value = "steps", fmt.Sprint(rt.opts.maxSteps())
		case rt.memory.heap.Load() > rt.memory.limit:
			limit, value = "memory", formatBytes(rt.memory.limit)
		}
		if limit != "" {
			// Only a panic unwinds the built-in that is walking the
			// range; withLimits recovers it.
			lp := &limitPanic{limit: limit, value: value}
			if c := it.h.creator; c != nil && c.active.Load() {
				// Evaluations share only frozen values of finished
				// ones, so the evaluation that made the range, if still
				// running, is this one: keep its stack for the
				// diagnostic's position.
				lp.stack = c.thread.CallStack()
			}
			panic(lp)
		}
	}
	return it.inner.Next(p)
}

func (it *hugeRangeIterator) Done() { it.inner.Done() }

// limitState is what a hugeRange needs of the evaluation that made it.
type limitState struct {
	thread *starlark.Thread
	active atomic.Bool // withLimits has not returned
}

const limitsKey = "skyc.limits"

// limitPanic stops a built-in from within a hugeRangeIterator.
type limitPanic struct {
	limit, value string
	stack        starlark.CallStack // empty when not known
}

// limitError converts p into the error withLimits returns for file: a
// LimitError, with the stack of the built-in's caller when known.
func (p *limitPanic) limitError(file string) error {
	le := &LimitError{Limit: p.limit, File: file, Value: p.value}
	if len(p.stack) == 0 {
		return le
	}
	return &stoppedError{EvalError: &starlark.EvalError{Msg: le.Error(), CallStack: p.stack}, limit: le}
}
