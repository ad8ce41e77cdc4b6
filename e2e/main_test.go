package e2e

import (
	"os"
	"testing"

	"github.com/skyc-dev/skyc/internal/testcluster"
)

// cluster is shared by every test of this package.
var cluster testcluster.Shared

func TestMain(m *testing.M) {
	code := cluster.Run(m)
	removeSkycBinary()
	os.Exit(code)
}
