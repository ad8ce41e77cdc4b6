package testcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// Shared is one cluster for a whole test binary, started by the first test
// that asks for it. Declare one in the test package and stop it from
// TestMain (see [Shared.Run]). The zero value is ready to use.
type Shared struct {
	// Options configure the cluster; set them before the first Get.
	Options Options

	mu      sync.Mutex
	started bool
	c       *Cluster
	err     error
}

var errStopped = errors.New("shared cluster used after Stop")

// Cluster returns the shared cluster, starting it on the first call. If
// that start failed, every call returns its error without trying again, so
// a broken setup costs one startup timeout, not one per test.
func (s *Shared) Cluster(ctx context.Context) (*Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.c, s.err = s.Options.Start(ctx)
	}
	return s.c, s.err
}

// Get returns the shared cluster, starting it on first use, and fails tb
// (never skips it) when the cluster cannot start, e.g. because the binaries
// were not built.
func (s *Shared) Get(tb testing.TB) *Cluster {
	tb.Helper()
	// The cluster outlives the test that starts it, so it must not be
	// bound to that test's context.
	c, err := s.Cluster(context.Background())
	if err != nil {
		tb.Fatalf("testcluster: %v", err)
	}
	return c
}

// Stop stops the shared cluster if it was started. Later calls to Get fail.
func (s *Shared) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.err = errStopped
		return nil
	}
	if s.c == nil {
		return nil
	}
	err := s.c.Stop()
	s.c, s.err = nil, errStopped
	return err
}

// Run runs the tests, stops the cluster, and returns the exit code for
// os.Exit: call it from TestMain as os.Exit(cluster.Run(m)).
func (s *Shared) Run(m *testing.M) int {
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testcluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// New starts a cluster of tb's own with the zero [Options], stops it when tb
// ends, and fails tb (never skips it) when the cluster cannot start.
func New(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Start(context.Background())
	if err != nil {
		tb.Fatalf("testcluster: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Errorf("testcluster: %v", err)
		}
	})
	return c
}
