package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/internal/testcluster"
)

// knownGaps lists the corpus files on which skyc check and the API server
// are allowed to disagree, with the reason. Every other disagreement fails
// TestCheckAgreesWithAPIServer. A file listed here is also exempt from the
// rule that the server's verdict match the file's directory: the
// directory says what skyc holds to be right.
var knownGaps = map[string]string{
	// Version skew: skyc validates as Kubernetes 1.37, where
	// RelaxedServiceNameValidation is GA and Service names are DNS-1123
	// labels; the test cluster runs 1.34, where the gate is alpha and off,
	// so names must still be DNS-1035 labels (start with a letter).
	"invalid/service-name-starts-digit.yaml": "1.37 allows Service names starting with a digit; the 1.34 test cluster does not",
	// A server-side dry run skips the NodePort allocator's range check
	// (portallocator dry-run operations only look for collisions); a real
	// create fails with "provided port is not in the valid range". skyc
	// checks the range as a real create does.
	"invalid/service-nodeport-range.yaml": "dry run does not check the NodePort range; a real create does, and so does skyc",
}

// verdict is one side's judgement of a manifest file.
type verdict struct {
	rejected bool
	fields   []string // the fields named in the rejection
	detail   string   // what was said, for failure messages
}

// TestCheckAgreesWithAPIServer runs every manifest of
// testdata/agreement/{valid,invalid} through skyc's offline validation
// (check.Manifests + check.Run, as `skyc check --no-policies` does) and
// through a server-side apply dry run on a real kube-apiserver, and
// compares the verdicts. Each file in invalid/ holds one realistic
// mistake, described in its first line; the files in valid/ must pass
// both. The test logs the agreement rate and fails on any disagreement
// not listed in knownGaps, on an agreement rate under 95%, and on a
// corpus file whose directory contradicts the server's verdict.
func TestCheckAgreesWithAPIServer(t *testing.T) {
	var files []string
	for _, dir := range []string{"valid", "invalid"} {
		m, err := filepath.Glob(filepath.Join("testdata", "agreement", dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) < 60 {
			t.Fatalf("testdata/agreement/%s has %d manifests, want at least 60", dir, len(m))
		}
		files = append(files, m...)
	}
	c := cluster.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	kinds := map[string]bool{}
	agree, disagree := 0, 0
	var fieldHits, fieldTotal int
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		offline, objKinds := checkVerdict(t, name, data)
		for _, k := range objKinds {
			kinds[k] = true
		}
		server := serverVerdict(ctx, t, c, data)

		gap, isGap := knownGaps[name]
		wantRejected := strings.HasPrefix(name, "invalid/")
		if server.rejected != wantRejected && !isGap {
			t.Errorf("%s: the API server %s it, so it does not belong in %s: %s", name, acceptedOrRejected(server.rejected), filepath.Dir(name), server.detail)
		}
		if offline.rejected == server.rejected {
			agree++
			if isGap {
				t.Errorf("%s: listed in knownGaps (%s) but skyc check and the API server agree now; remove it", name, gap)
			}
			if server.rejected {
				fieldTotal++
				if overlaps(offline.fields, server.fields) {
					fieldHits++
				} else {
					t.Logf("%s: both reject, at different fields: skyc %v, API server %v", name, offline.fields, server.fields)
				}
			}
			continue
		}
		disagree++
		if isGap {
			t.Logf("%s: known gap (%s): skyc %s, API server %s", name, gap, acceptedOrRejected(offline.rejected), acceptedOrRejected(server.rejected))
			continue
		}
		t.Errorf("%s: skyc check %s it, the API server %s it\n  skyc: %s\n  API server: %s",
			name, acceptedOrRejected(offline.rejected), acceptedOrRejected(server.rejected), offline.detail, server.detail)
	}

	total := agree + disagree
	rate := float64(agree) / float64(total)
	var kindList []string
	for k := range kinds {
		kindList = append(kindList, k)
	}
	sort.Strings(kindList)
	t.Logf("agreement: %d of %d manifests (%.1f%%), %d known gaps; both reject at the same field in %d of %d; %d kinds: %s",
		agree, total, 100*rate, disagree, fieldHits, fieldTotal, len(kindList), strings.Join(kindList, ", "))
	if rate < 0.95 {
		t.Errorf("agreement rate %.1f%% is under 95%%", 100*rate)
	}
	if len(kindList) < 12 {
		t.Errorf("the corpus covers %d kinds, want at least 12", len(kindList))
	}
}

// checkVerdict judges a manifest file offline, as `skyc check
// --no-policies` does: decoding findings and the Kubernetes validation;
// errors reject.
func checkVerdict(t *testing.T, name string, data []byte) (verdict, []string) {
	t.Helper()
	var m check.Manifests
	m.Add(name, data)
	findings, err := check.Run(context.Background(), m.Objects, check.Options{Locate: m.Locate})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	findings = append(findings, m.Findings...)
	var v verdict
	var lines []string
	for _, f := range findings {
		if f.Severity < check.Error {
			continue
		}
		v.rejected = true
		if f.Field != "" {
			v.fields = append(v.fields, f.Field)
		}
		lines = append(lines, f.String())
	}
	v.detail = strings.Join(lines, "; ")
	if !v.rejected {
		v.detail = "no errors"
	}
	var kinds []string
	for _, o := range m.Objects {
		kinds = append(kinds, o.Obj.GetObjectKind().GroupVersionKind().Kind)
	}
	return v, kinds
}

// serverVerdict judges a manifest file by a server-side apply dry run of
// each of its objects: any rejection rejects the file.
func serverVerdict(ctx context.Context, t *testing.T, c *testcluster.Cluster, data []byte) verdict {
	t.Helper()
	objs, err := testcluster.DecodeYAML(bytes.NewReader(data))
	if err != nil {
		// The client cannot even send it: as good as a rejection.
		return verdict{rejected: true, detail: "does not decode: " + err.Error()}
	}
	results, err := testcluster.DryRunApply(ctx, c.RESTConfig(), objs, "skyc-agreement")
	if err != nil {
		t.Fatal(err)
	}
	var v verdict
	var lines []string
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		v.rejected = true
		lines = append(lines, r.Err.Error())
		var se *apierrors.StatusError
		if errors.As(r.Err, &se) && se.ErrStatus.Details != nil {
			for _, cause := range se.ErrStatus.Details.Causes {
				if cause.Field != "" {
					v.fields = append(v.fields, cause.Field)
				}
			}
		}
	}
	v.detail = strings.Join(lines, "; ")
	if !v.rejected {
		v.detail = fmt.Sprintf("accepted %d objects", len(results))
	}
	return v
}

func acceptedOrRejected(rejected bool) string {
	if rejected {
		return "rejects"
	}
	return "accepts"
}

// overlaps reports whether a and b share a field path.
func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
