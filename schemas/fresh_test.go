package schemas

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// freshEnv marks the process BenchmarkDefaultFreshProcess starts to run
// TestDefaultFreshProcessChild.
const freshEnv = "SKYC_SCHEMAS_DEFAULT_CHILD"

// cpuTime returns the CPU time the process has used, user and system, on
// every thread (the garbage collector's too).
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestDefaultFreshProcessChild is what BenchmarkDefaultFreshProcess runs in
// a process of its own: the first call of Default, measured. It does
// nothing in an ordinary test run.
func TestDefaultFreshProcessChild(t *testing.T) {
	if os.Getenv(freshEnv) == "" {
		t.Skip("run by BenchmarkDefaultFreshProcess")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, wall0 := cpuTime(t), time.Now()
	if _, err := Default(); err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(wall0), cpuTime(t)-cpu0
	runtime.ReadMemStats(&after)
	fmt.Printf("default %d %d %d %d\n", wall.Nanoseconds(), cpu.Nanoseconds(),
		after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc)
}

// BenchmarkDefaultFreshProcess measures what Default costs a process: it
// is built once per process, so each iteration starts this test binary
// anew and has it time the first call (TestDefaultFreshProcessChild).
// ns/op is the whole child process's; the metrics per Default are the
// child's own measurement: wall and CPU time (every thread) and heap
// allocations.
func BenchmarkDefaultFreshProcess(b *testing.B) {
	var wall, cpu, allocs, bytes, n int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultFreshProcessChild$", "-test.count=1")
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
