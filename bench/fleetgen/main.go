// Command fleetgen writes a synthetic skyc repository of N services, for
// benchmarks (see internal/fleet and bench/run.sh).
//
// Usage:
//
//	go run ./bench/fleetgen -n 3000 -seed 1 -shape peer -o /tmp/fleet3000
//
// The same flags always give the same files. -o must not exist or be an
// empty directory.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/skyc-dev/skyc/internal/fleet"
)

func main() {
	n := flag.Int("n", 100, "number of service files")
	seed := flag.Uint64("seed", 1, "random seed")
	shape := flag.String("shape", "peer", "peer (5 objects per service) or mixed (services, workers, cron jobs)")
	envs := flag.String("envs", "production", "comma-separated environment names")
	out := flag.String("o", "", "output `directory` (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: fleetgen -n N [-seed S] [-shape peer|mixed] [-envs a,b] -o DIR")
		os.Exit(2)
	}
	s, err := fleet.ParseShape(*shape)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetgen:", err)
		os.Exit(2)
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "fleetgen: %s is not empty\n", *out)
		os.Exit(2)
	}
	f := fleet.Generate(fleet.Options{N: *n, Seed: *seed, Shape: s, Envs: strings.Split(*envs, ",")})
	if err := f.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "fleetgen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d services, %d objects per environment, in %s\n", len(f.Services), f.Objects(), *out)
}
