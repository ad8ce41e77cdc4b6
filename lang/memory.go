package lang

import (
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxMemory bounds the Go heap while .sky files evaluate, when
// Options.MaxMemory is zero.
const DefaultMaxMemory = 2 << 30

// watchdogInterval is how often the watchdog samples the heap.
const watchdogInterval = 5 * time.Millisecond

// MaxStack bounds the goroutine stacks while .sky files evaluate. Go
// ends the process with a fatal error, which nothing can recover, when a
// goroutine's stack would grow past 512 MB (it doubles from 256 MB to the
// next power of two, over Go's limit of 1 GB): a built-in recursing
// through a value nested millions deep (str of ((((...)))), a tuple's
// hash) gets there in a fraction of a second, inside one step. Stopping at
// 128 MiB leaves the process two doublings' time to report and exit.
const MaxStack = 128 << 20

// watchdog stops every running evaluation of a Runtime when the heap's
// objects pass the memory limit, or goroutine stacks pass MaxStack:
// Starlark has no allocation limit of its own, so a list doubled in a
// loop would otherwise take the machine down.
type watchdog struct {
	limit uint64
	// heap and stacks are the latest samples, while evaluations run: Go
	// code that runs long inside one step (see hugeRange) reads them to
	// stop itself.
	heap, stacks atomic.Uint64

	mu      sync.Mutex
	running map[*watchEntry]struct{}
	ticking bool
}

type watchEntry struct {
	file string
	stop func(error)
}

// watch registers an evaluation; the returned function unregisters it.
func (w *watchdog) watch(file string, stop func(error)) func() {
	e := &watchEntry{file: file, stop: stop}
	w.mu.Lock()
	if w.running == nil {
		w.running = map[*watchEntry]struct{}{}
	}
	w.running[e] = struct{}{}
	if !w.ticking {
		w.ticking = true
		go w.tick()
	}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		delete(w.running, e)
		w.mu.Unlock()
	}
}

// tick samples the heap and stacks while evaluations run, and exits when
// none do.
func (w *watchdog) tick() {
	sample := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	t := time.NewTicker(watchdogInterval)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.running) == 0 {
			w.ticking = false
			w.heap.Store(0)
			w.stacks.Store(0)
			w.mu.Unlock()
			return
		}
		metrics.Read(sample)
		heap, stacks := sample[0].Value.Uint64(), sample[1].Value.Uint64()
		w.heap.Store(heap)
		w.stacks.Store(stacks)
		var limit *LimitError
		switch {
		case heap > w.limit:
			limit = &LimitError{Limit: "memory", Value: formatBytes(w.limit)}
		case stacks > MaxStack:
			limit = &LimitError{Limit: "stack", Value: formatBytes(MaxStack)}
		}
		if limit != nil {
			for e := range w.running {
				le := *limit
				le.File = e.file
				e.stop(&le)
			}
		}
		w.mu.Unlock()
	}
}

// runaway reports that a stopped evaluation must not be waited for:
// the heap is runawayFactor times over the limit, or stacks are over
// MaxStack, which they only get past by Go code recursing.
func (w *watchdog) runaway() bool {
	return w.heap.Load() > runawayFactor*w.limit || w.stacks.Load() > MaxStack
}

func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
