package main

import (
	"bytes"
	"testing"
)

// TestExamplesClean: the example repository is what service owners copy,
// so skyc fmt --check and skyc lint pass on it as they are.
func TestExamplesClean(t *testing.T) {
	for _, args := range [][]string{
		{"fmt", "--check", "../../examples/..."},
		{"lint", "../../examples/..."},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(args, &stdout, &stderr); code != exitOK {
			t.Errorf("skyc %q: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
	}
}
