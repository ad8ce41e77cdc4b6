// Package cputime measures the CPU time of the process, for benchmarks
// that report it next to wall time: unlike wall time, it does not grow
// when other processes compete for the CPUs.
package cputime
