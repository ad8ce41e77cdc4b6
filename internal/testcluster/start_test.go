package testcluster

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// clusterDirs lists the cluster directories in the temp dir.
func clusterDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), "skyc-testcluster-*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func TestStartFailureQuotesLogAndCleansUp(t *testing.T) {
	for name, tc := range map[string]struct {
		opts Options
		want []string
	}{
		"apiserver exits": {
			opts: Options{APIServerArgs: []string{"--no-such-flag"}},
			want: []string{"kube-apiserver exited before it was ready", "last lines of", "unknown flag: --no-such-flag"},
		},
		"timeout": {
			opts: Options{StartTimeout: time.Millisecond},
			want: []string{"not ready", "startup took longer than 1ms"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := clusterDirs(t)
			start := time.Now()
			c, err := tc.opts.Start(t.Context())
			if err == nil {
				c.Stop()
				t.Fatal("Start succeeded")
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("failing Start took %v", d)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			for _, d := range clusterDirs(t) {
				if !slices.Contains(before, d) {
					t.Errorf("failed Start left %s behind", d)
				}
			}
		})
	}
}
