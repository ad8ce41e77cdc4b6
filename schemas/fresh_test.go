package schemas

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/skyc-dev/skyc/internal/cputime"
)

// freshEnv marks the process BenchmarkDefaultFreshProcess starts: the
// test binary, which then measures Default instead of running tests (see
// TestMain).
const freshEnv = "SKYC_SCHEMAS_DEFAULT_CHILD"

// TestMain runs the tests, or, in a process BenchmarkDefaultFreshProcess
// started, measures the first call of Default and prints its wall time,
// CPU time (every thread, the collector's too; 0 where the system does
// not say), allocations and bytes allocated.
func TestMain(m *testing.M) {
	if os.Getenv(freshEnv) == "" {
		os.Exit(m.Run())
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, wall0 := cputime.Process(), time.Now()
	if _, err := Default(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wall, cpu := time.Since(wall0), cputime.Process()-cpu0
	runtime.ReadMemStats(&after)
	fmt.Printf("default %d %d %d %d\n", wall.Nanoseconds(), cpu.Nanoseconds(),
		after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc)
	os.Exit(0)
}

// BenchmarkDefaultFreshProcess measures what Default costs a process: it
// is built once per process, so each iteration starts this test binary
// anew and has it time the first call (see TestMain).
// ns/op is the whole child process's; the metrics per Default are the
// child's own measurement: wall and CPU time (every thread) and heap
// allocations.
func BenchmarkDefaultFreshProcess(b *testing.B) {
	var wall, cpu, allocs, bytes, n int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), freshEnv+"=1")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		var w, c, a, y int64
		if _, err := fmt.Sscanf(string(out), "default %d %d %d %d", &w, &c, &a, &y); err != nil {
			b.Fatalf("child printed %q: %v", out, err)
		}
		wall, cpu, allocs, bytes, n = wall+w, cpu+c, allocs+a, bytes+y, n+1
	}
	b.ReportMetric(float64(wall)/float64(n), "wall-ns/default")
	b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/default")
	b.ReportMetric(float64(allocs)/float64(n), "allocs/default")
	b.ReportMetric(float64(bytes)/float64(n), "B/default")
}
