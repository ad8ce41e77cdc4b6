package lang

import "runtime/metrics"

// Evaluations run on goroutines of their own (see withLimits). A new
// goroutine starts on a stack of a few kilobytes, which Go copies into
// one twice the size each time the Starlark parser and interpreter
// recurse past it: for the thousands of small files of a large
// repository, that copying was a tenth of the CPU time of a render.
// Instead, a finished evaluation's goroutine waits for the next one and
// starts it on the stack the previous ones grew.

// maxIdleWorkers bounds the goroutines kept waiting for an evaluation;
// more than the CPUs are seldom busy at once, but a caller may run many
// evaluations concurrently (a renderer runs one per CPU, each of which
// may load modules on goroutines of their own).
const maxIdleWorkers = 64

// idleWorkers holds the channels on which idle workers wait for their
// next evaluation.
var idleWorkers = make(chan chan func(), maxIdleWorkers)

// runEvaluation runs f on an idle worker goroutine, or a new one when
// none is idle, and returns at once. f must not panic: supervise
// recovers inside it. A worker whose f never returns (an evaluation
// abandoned in a built-in) is simply never idle again.
func runEvaluation(f func()) {
	select {
	case w := <-idleWorkers:
		w <- f
	default:
		go evaluationWorker(make(chan func()), f)
	}
}

// maxKeptStacks bounds the stacks of all goroutines, idle workers
// included, above which a worker that finished is not kept: a deep
// recursion can grow a worker's stack to the watchdog's MaxStack, and
// kept, that stack would count against every later evaluation.
const maxKeptStacks = 16 << 20

// evaluationWorker runs f, then waits for more work, unless enough
// workers wait already or stacks are over maxKeptStacks.
func evaluationWorker(w chan func(), f func()) {
	stacks := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}}
	for {
		f()
		if metrics.Read(stacks); stacks[0].Value.Uint64() > maxKeptStacks {
			return
		}
		select {
		case idleWorkers <- w:
		default:
			return
		}
		f = <-w
	}
}
