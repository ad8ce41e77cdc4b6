package check

import "testing"

// BenchmarkValidateDeployment measures the offline validation of one
// typical Deployment: copy, defaulting, conversion, strategy.
func BenchmarkValidateDeployment(b *testing.B) {
	d := newDeployment(nil)
	for b.Loop() {
		if fs := Validate(d); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}
