package render

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/internal/cputime"
	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/internal/kubescheme"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/stdlib"
)

// The fleet benchmarks measure the phases of rendering a generated fleet
// (internal/fleet, the peer shape: five objects per service) one by one,
// single-threaded, so that their costs per service add up (registry and
// New are once per process; eval, convert and serialize per service;
// validate is skyc check's Kubernetes validation); BenchmarkFleet
// measures the whole render on all CPUs. SKYC_BENCH_N sets the fleet size
// (default 1000). Whole-process figures (start-up, RSS, N = 100 to 10000)
// come from bench/run.sh; see BENCHMARKS.md.

// benchFleet writes a generated fleet of n services into a temporary
// directory and returns its root and service files.
func benchFleet(b *testing.B, n int) (root string, files []string, explicit map[string]bool) {
	b.Helper()
	root = b.TempDir()
	if err := fleet.Generate(fleet.Options{N: n, Seed: 1}).Write(root); err != nil {
		b.Fatal(err)
	}
	files, explicit, err := Discover([]string{filepath.Join(root, "services") + "/..."})
	if err != nil {
		b.Fatal(err)
	}
	return root, files, explicit
}

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("SKYC_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// newBenchRenderer returns a fresh renderer: an empty module cache, the
// process-wide type registry.
func newBenchRenderer(b *testing.B, root string) *Renderer {
	b.Helper()
	r, err := New(context.Background(), Options{Root: root, Parallel: 1}, root)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// evaluated is what evaluating the fleet leaves: main's result per job.
type evaluated struct {
	r      *Renderer
	values []starlark.Value
	labels []string
}

func evaluate(b *testing.B, r *Renderer, files []string) *evaluated {
	b.Helper()
	ctx := context.Background()
	ev := &evaluated{r: r}
	env := r.envs[0]
	for _, f := range files {
		label, err := r.rt.Label(f)
		if err != nil {
			b.Fatal(err)
		}
		globals, err := r.rt.Load(ctx, label)
		if err != nil {
			b.Fatal(r.rt.Diagnose(err, label))
		}
		ctxVal := envValue(env)
		v, err := r.rt.Call(ctx, label, globals["main"], starlark.Tuple{ctxVal}, map[string]any{stdlib.EnvKey: ctxVal})
		if err != nil {
			b.Fatal(r.rt.Diagnose(err, label))
		}
		ev.values = append(ev.values, v)
		ev.labels = append(ev.labels, label)
	}
	return ev
}

// messages returns the messages main returned, in order.
func (ev *evaluated) messages(b *testing.B) []proto.Message {
	var msgs []proto.Message
	for _, v := range ev.values {
		var walk func(v starlark.Value)
		walk = func(v starlark.Value) {
			if m, ok := ev.r.br.Unwrap(v); ok {
				msgs = append(msgs, m)
				return
			}
			switch v := v.(type) {
			case starlark.HasAttrs:
				for _, name := range v.AttrNames() {
					x, _ := v.Attr(name)
					walk(x)
				}
			case *starlark.List:
				for i := 0; i < v.Len(); i++ {
					walk(v.Index(i))
				}
			}
		}
		walk(v)
	}
	return msgs
}

// loop runs body b.N times and reports, per service, the wall time and the
// CPU time of the whole process (including the garbage collector's
// workers), which is the steadier figure on a shared machine.
func loop(b *testing.B, n int, body func()) {
	b.ReportAllocs()
	start := cputime.Process()
	for b.Loop() {
		body()
	}
	cpu := cputime.Process() - start
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/service")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/float64(n), "cpu-µs/service")
	}
}

// BenchmarkFleetRegistry is the part of start-up that builds the type
// registry from the built-in kinds' scheme (schemas.Default does it once
// per process; the scheme is built by the first iteration).
func BenchmarkFleetRegistry(b *testing.B) {
	b.Run("schemas.Build", func(b *testing.B) {
		loop(b, 1, func() {
			if _, err := schemas.Build(kubescheme.Scheme()); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFleetNew is the rest of start-up: reading skyc.yaml, loading
// the standard library, creating the runtime (the registry is built).
func BenchmarkFleetNew(b *testing.B) {
	root, _, _ := benchFleet(b, 1)
	loop(b, 1, func() { newBenchRenderer(b, root) })
}

// BenchmarkFleetEval loads every service file (with the libraries it
// loads) and calls its main, on one goroutine.
func BenchmarkFleetEval(b *testing.B) {
	n := benchN()
	root, files, _ := benchFleet(b, n)
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			b.StopTimer()
			r := newBenchRenderer(b, root)
			b.StartTimer()
			evaluate(b, r, files)
		})
	})
}

// BenchmarkFleetConvert converts the messages main returned into typed
// Kubernetes objects (schemas.Registry.ToObject).
func BenchmarkFleetConvert(b *testing.B) {
	n := benchN()
	root, files, _ := benchFleet(b, n)
	ev := evaluate(b, newBenchRenderer(b, root), files)
	msgs := ev.messages(b)
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			for _, m := range msgs {
				if _, err := ev.r.reg.ToObject(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkFleetSerialize writes the rendered objects as one YAML stream.
func BenchmarkFleetSerialize(b *testing.B) {
	n := benchN()
	root, files, explicit := benchFleet(b, n)
	r := newBenchRenderer(b, root)
	res := r.Render(context.Background(), files, explicit)
	if res.Failed() {
		b.Fatal(res.Diagnostics[0])
	}
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			if err := manifest.WriteStream(io.Discard, res.Objects); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFleetValidate runs the Kubernetes validation of skyc check
// (check.Schema, the API server's own) over the rendered objects.
// Platform policies, which skyc check adds, are not included.
func BenchmarkFleetValidate(b *testing.B) {
	n := benchN()
	root, files, explicit := benchFleet(b, n)
	r := newBenchRenderer(b, root)
	res := r.Render(context.Background(), files, explicit)
	if res.Failed() {
		b.Fatal(res.Diagnostics[0])
	}
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			if _, err := check.Run(context.Background(), res.Objects, check.Options{}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFleet renders the fleet on all CPUs as skyc render --no-cache
// does (Options.Encode), from a fresh renderer (standard library loaded,
// registry built) to the YAML stream.
func BenchmarkFleet(b *testing.B) {
	n := benchN()
	root, files, explicit := benchFleet(b, n)
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			r, err := New(context.Background(), Options{Root: root, Encode: true}, root)
			if err != nil {
				b.Fatal(err)
			}
			res := r.Render(context.Background(), files, explicit)
			if res.Failed() {
				b.Fatal(res.Diagnostics[0])
			}
			if err := manifest.WriteStream(io.Discard, res.Objects); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkFleetCached renders the fleet with a warm cache and nothing
// changed, as a second skyc render >/dev/null does (with its options,
// without the process start-up): hashing the files through the stat
// cache, reading the cache, assembling and writing the stream.
func BenchmarkFleetCached(b *testing.B) {
	n := benchN()
	root, files, explicit := benchFleet(b, n)
	cache := &CacheOptions{Dir: b.TempDir(), Salt: "bench"}
	out := devNull(b)
	render := func() {
		r, err := New(context.Background(), Options{Root: root, Cache: cache, Encode: true, NoOrigins: true}, root)
		if err != nil {
			b.Fatal(err)
		}
		res := r.Render(context.Background(), files, explicit)
		if res.Failed() {
			b.Fatal(res.Diagnostics[0])
		}
		if err := manifest.WriteStream(out, res.Output()); err != nil {
			b.Fatal(err)
		}
	}
	render()
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, render)
	})
}

// BenchmarkFleetCachedEdit renders the fleet with a warm cache after
// editing one service file, as the skyc render >/dev/null after an edit
// does (with its options, without the process start-up): every other
// file is served from the cache, the edited one is evaluated, which
// needs the standard library (loaded by every New) and the type registry
// (built once per process by schemas.Default, so not counted here as it
// is in a new process).
func BenchmarkFleetCachedEdit(b *testing.B) {
	n := benchN()
	root, files, explicit := benchFleet(b, n)
	cache := &CacheOptions{Dir: b.TempDir(), Salt: "bench"}
	out := devNull(b)
	render := func(edited bool) {
		r, err := New(context.Background(), Options{Root: root, Cache: cache, Encode: true, NoOrigins: true}, root)
		if err != nil {
			b.Fatal(err)
		}
		res := r.Render(context.Background(), files, explicit)
		if res.Failed() {
			b.Fatal(res.Diagnostics[0])
		}
		if err := manifest.WriteStream(out, res.Output()); err != nil {
			b.Fatal(err)
		}
		// The edited file, once per environment.
		if want := int64(len(r.envs)); edited && r.evaluated.Load() != want {
			b.Fatalf("%d evaluations, want %d", r.evaluated.Load(), want)
		}
	}
	render(false)
	edited := files[len(files)/2]
	f, err := os.OpenFile(edited, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	edits := 0
	b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			edits++
			if _, err := fmt.Fprintf(f, "\n# edit %d\n", edits); err != nil {
				b.Fatal(err)
			}
			render(true)
		})
	})
}

// devNull opens os.DevNull for writing, as the file a stream goes to:
// WriteStream writes files with vectored writes, other writers through a
// buffer.
func devNull(b *testing.B) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}
