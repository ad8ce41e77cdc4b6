package lang

import (
	"fmt"
	"runtime/metrics"
	"sync"
	"time"
)

// DefaultMaxMemory bounds the Go heap while .sky files evaluate, when
// Options.MaxMemory is zero.
const DefaultMaxMemory = 2 << 30

// watchdogInterval is how often the watchdog samples the heap.
const watchdogInterval = 5 * time.Millisecond

// watchdog stops every running evaluation of a Runtime when the live heap
// passes the memory limit: Starlark has no allocation limit of its own, so
// a list doubled in a loop would otherwise take the machine down.
type watchdog struct {
	limit uint64

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

// tick samples the heap while evaluations run, and exits when none do.
func (w *watchdog) tick() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(watchdogInterval)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.running) == 0 {
			w.ticking = false
			w.mu.Unlock()
			return
		}
		metrics.Read(sample)
		if heap := sample[0].Value.Uint64(); heap > w.limit {
			for e := range w.running {
				e.stop(&LimitError{Limit: "memory", File: e.file, Value: formatBytes(w.limit)})
			}
		}
		w.mu.Unlock()
	}
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
