package render

import (
	"context"
	"sync"
	"sync/atomic"
)

// earlyEvaluator evaluates the first few jobs that the cache does not
// hold while the lookup of the others goes on: in a warm render after an
// edit, the evaluation of the edited file would otherwise start only
// once every job had been looked up and decoded, with one CPU idle.
//
// It evaluates at most quietEvaluations jobs, each as Render's workers
// do for a render with a cache (evaluate, then store), and starts with
// building the evaluator. A job whose evaluation ran out of memory is
// left for Render, which evaluates it again and stops the render as it
// does for any job; so is every job if the evaluator cannot be built.
type earlyEvaluator struct {
	r       *Renderer
	ctx     context.Context
	jobs    []job
	results []jobResult
	keys    []cachedJob
	stored  [][]byte // the payloads to store, as Render's
	before  func()   // Options.BeforeEvaluate, to run once, or nil

	n        atomic.Int32 // jobs queued
	once     sync.Once
	queue    chan int
	finished chan struct{}
	done     []int // jobs evaluated, for wait
}

func newEarlyEvaluator(ctx context.Context, r *Renderer, jobs []job, results []jobResult, keys []cachedJob, stored [][]byte, before func()) *earlyEvaluator {
	return &earlyEvaluator{r: r, ctx: ctx, jobs: jobs, results: results, keys: keys, stored: stored, before: before}
}

// miss notes that the cache does not hold job i, whose key is in keys[i]
// if it has one. It builds the evaluator in the background on the first
// call, and queues the job unless enough are queued; at the first job
// beyond those, Render will evaluate more than a few, and it calls
// before.
func (e *earlyEvaluator) miss(i int) {
	e.once.Do(func() {
		e.queue = make(chan int, quietEvaluations)
		e.finished = make(chan struct{})
		go e.run()
	})
	switch n := e.n.Add(1); {
	case n <= quietEvaluations:
		e.queue <- i // never blocks: the queue holds quietEvaluations
	case n == quietEvaluations+1 && e.before != nil:
		e.before()
	}
}

func (e *earlyEvaluator) run() {
	defer close(e.finished)
	if e.r.init(e.ctx) != nil {
		for range e.queue {
		}
		return // Render reports the error
	}
	for i := range e.queue {
		jr := e.r.renderOne(e.ctx, e.jobs[i])
		e.r.evaluated.Add(1)
		if jr.limit == "memory" {
			continue
		}
		e.results[i] = jr
		e.stored[i], _ = e.r.store(e.jobs[i], &e.keys[i], &e.results[i])
		e.done = append(e.done, i)
	}
}

// wait waits for the evaluations queued and marks the jobs evaluated in
// hit, so that Render does not evaluate them again.
func (e *earlyEvaluator) wait(hit []bool) {
	if e.queue == nil {
		return
	}
	close(e.queue)
	<-e.finished
	for _, i := range e.done {
		hit[i] = true
	}
}
