package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/internal/cputime"
	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// The check benchmarks measure skyc check's phases on a generated fleet
// (internal/fleet, the peer shape, five objects per service; SKYC_BENCH_N
// services, default 1000), per service: the render skyc check does
// (recording where fields are set), the Kubernetes validation, the
// policies' conversion of objects to typed Starlark values, the policies
// themselves, each on one goroutine, and the whole check on all CPUs
// (render and checks streamed, as skyc check runs them). Whole-process
// figures come from bench/run.sh.

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("SKYC_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// benchFleet is a generated fleet written to a temporary directory.
type benchFleet struct {
	root     string
	files    []string
	explicit map[string]bool
}

func newBenchFleet(b *testing.B, n int) *benchFleet {
	b.Helper()
	f := &benchFleet{root: b.TempDir()}
	if err := fleet.Generate(fleet.Options{N: n, Seed: 1}).Write(f.root); err != nil {
		b.Fatal(err)
	}
	var err error
	f.files, f.explicit, err = render.Discover([]string{filepath.Join(f.root, "services") + "/..."})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// render renders the fleet as skyc check does, handing each service's
// objects to visit.
func (f *benchFleet) render(b *testing.B, parallel int, visit render.Visitor) *render.Renderer {
	b.Helper()
	ctx := context.Background()
	r, err := render.New(ctx, render.Options{Root: f.root, Parallel: parallel, FieldOrigins: true, Visit: visit}, f.root)
	if err != nil {
		b.Fatal(err)
	}
	if res := r.Render(ctx, f.files, f.explicit); res.Failed() {
		b.Fatal(res.Diagnostics[0])
	}
	return r
}

// groups renders the fleet once and keeps each service's objects.
func (f *benchFleet) groups(b *testing.B) (*render.Renderer, [][]manifest.Object) {
	b.Helper()
	var mu sync.Mutex
	var groups [][]manifest.Object
	r := f.render(b, 0, func(objs []manifest.Object, _ func(kruntime.Object, string) (lang.Pos, bool)) {
		g := slices.Clone(objs)
		manifest.Sort(g)
		mu.Lock()
		groups = append(groups, g)
		mu.Unlock()
	})
	slices.SortFunc(groups, func(a, b []manifest.Object) int { return strings.Compare(a[0].Service, b[0].Service) })
	return r, groups
}

func newBenchEngine(b *testing.B, r *render.Renderer) *Engine {
	b.Helper()
	e, err := New(Options{Runtime: r.Runtime(), Policies: r.Policies(), Registry: r.Registry(), Bridge: r.Bridge(), Config: r.Config()})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// perService reports the wall time and the process's CPU time (user and
// system, garbage collection and every goroutine included) per service,
// the latter since cpu0 (from cpuTime, taken before the loop): on a
// machine others share, CPU time varies less.
func perService(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/service")
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(b.N)/float64(n), "cpu-µs/service")
}

// BenchmarkFleetCheck measures the phases of skyc check; see above.
func BenchmarkFleetCheck(b *testing.B) {
	n := benchN()
	f := newBenchFleet(b, n)
	r, groups := f.groups(b)
	ctx := context.Background()
	noVisit := func([]manifest.Object, func(kruntime.Object, string) (lang.Pos, bool)) {}

	b.Run(fmt.Sprintf("render/N=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			f.render(b, 1, noVisit)
		}
		perService(b, n, cpu0)
	})
	b.Run(fmt.Sprintf("validate/N=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			for _, g := range groups {
				if _, err := (check.Schema{}).CheckGroup(ctx, g); err != nil {
					b.Fatal(err)
				}
			}
		}
		perService(b, n, cpu0)
	})
	b.Run(fmt.Sprintf("policies-convert/N=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		reg, br := r.Registry(), r.Bridge()
		for b.Loop() {
			for _, g := range groups {
				for _, o := range g {
					m, err := reg.FromObject(o.Obj)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := br.Wrap(m); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		perService(b, n, cpu0)
	})
	b.Run(fmt.Sprintf("policies/N=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		e := newBenchEngine(b, r)
		for b.Loop() {
			for _, g := range groups {
				if _, err := e.CheckGroup(ctx, g); err != nil {
					b.Fatal(err)
				}
			}
		}
		perService(b, n, cpu0)
	})
	b.Run(fmt.Sprintf("whole/N=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			var s *check.Stream
			// The engine needs the renderer's runtime: make the renderer
			// first, as skyc check does, then render.
			rr, err := render.New(ctx, render.Options{Root: f.root, FieldOrigins: true,
				Visit: func(objs []manifest.Object, locate func(kruntime.Object, string) (lang.Pos, bool)) {
					s.Add(ctx, objs, func(o manifest.Object, field string) string {
						if p, ok := locate(o.Obj, field); ok {
							return p.String()
						}
						return ""
					})
				}}, f.root)
			if err != nil {
				b.Fatal(err)
			}
			s = check.NewStream([]check.GroupChecker{check.Schema{}, newBenchEngine(b, rr)})
			if res := rr.Render(ctx, f.files, f.explicit); res.Failed() {
				b.Fatal(res.Diagnostics[0])
			}
			fs, err := s.Findings(ctx, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) != 0 {
				b.Fatalf("the fleet has %d findings, the first %v", len(fs), fs[0])
			}
		}
		perService(b, n, cpu0)
	})
}
