package policy

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// findingsConfig is laid over a generated fleet's skyc.yaml: a second
// environment whose policy settings differ, and cost allocation.
const findingsConfig = `  staging:
    cluster: staging
    policies:
      severity: {no-pdb: "off", no-probes: warning}
cost_allocation:
  cost_centre: {key: cost-centre}
`

// TestStreamAgreesWithRun checks a generated fleet with findings of every
// kind twice: as skyc check did before streaming (render everything,
// then check.Run over all objects) and as it does now (each service
// checked in the render's Visit, check.Stream), with plain manifests
// after the services, and expects the same findings in the same order.
func TestStreamAgreesWithRun(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 60
	}
	root := t.TempDir()
	if err := fleet.Generate(fleet.Options{N: n, Seed: 5, Shape: fleet.Mixed, Findings: true}).Write(root); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "skyc.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(data, findingsConfig...), 0o644); err != nil {
		t.Fatal(err)
	}
	files, explicit, err := render.Discover([]string{filepath.Join(root, "services") + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	var plain check.Manifests
	plain.Add("deploy/web.yaml", []byte(plainManifests))
	ctx := context.Background()

	newRenderer := func(visit render.Visitor) *render.Renderer {
		r, err := render.New(ctx, render.Options{Root: root, Now: today, FieldOrigins: true, Visit: visit}, root)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	newEngine := func(r *render.Renderer) *Engine {
		e, err := New(Options{Runtime: r.Runtime(), Policies: r.Policies(), Registry: r.Registry(), Bridge: r.Bridge(), Config: r.Config()})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	renderAll := func(r *render.Renderer) *render.Result {
		res := r.Render(ctx, files, explicit)
		for _, d := range res.Diagnostics {
			if d.Severity == lang.Error && d.Rule == "" {
				t.Fatalf("render: %v", d)
			}
		}
		return res
	}

	// Before: everything rendered, then checked.
	r := newRenderer(nil)
	res := renderAll(r)
	e := newEngine(r)
	e.SetWaivers(waiversOf(res))
	objs := append(slices.Clone(res.Objects), plain.Objects...)
	want, err := check.Run(ctx, objs, check.Options{
		Checkers: []check.Checker{check.Schema{}, e},
		Locate: func(o manifest.Object, field string) string {
			if p, ok := res.Locate(o.Obj, field); ok && p.IsValid() {
				return p.String()
			}
			return plain.Locate(o, field)
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	// Now: each service checked as it is rendered.
	var s *check.Stream
	r = newRenderer(func(objs []manifest.Object, locate func(kruntime.Object, string) (lang.Pos, bool)) {
		s.Add(ctx, objs, func(o manifest.Object, field string) string {
			if p, ok := locate(o.Obj, field); ok && p.IsValid() {
				return p.String()
			}
			return ""
		})
	})
	e = newEngine(r)
	s = check.NewStream([]check.GroupChecker{check.Schema{}, e})
	res = renderAll(r)
	e.SetWaivers(waiversOf(res))
	got, err := s.Findings(ctx, plain.Objects, plain.Locate)
	if err != nil {
		t.Fatal(err)
	}

	t.Logf("%d findings", len(want))
	rules := map[string]int{}
	for _, f := range want {
		rules[f.Rule]++
	}
	for _, rule := range []string{"k8s-invalid", "k8s-not-supported", "host-network", "host-path", "no-probes",
		"privileged", "unpinned-image", "missing-labels", "missing-cost-labels", "no-resources", RuleWaiverUnused} {
		if rules[rule] == 0 {
			t.Errorf("the fleet has no %s finding; it should have one of every kind (found %v)", rule, rules)
		}
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("finding %d of %d (%d streamed):\nstreamed %+v\nwant     %+v", i, len(want), len(got), got[i], want[i])
			}
		}
		t.Fatalf("%d findings streamed, want %d", len(got), len(want))
	}
}

// plainManifests are manifests with a validation error and policy
// findings, checked after the services.
const plainManifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 70000}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`

// waiversOf returns a render's waivers as the engine takes them.
func waiversOf(res *render.Result) []Waiver {
	var out []Waiver
	for _, w := range res.Waivers {
		pw := Waiver{Rule: w.Rule, Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Expired: w.Expired,
			Source: w.File, Env: w.Env, Pos: w.Pos.String()}
		if w.Object != nil {
			ref := check.Ref(w.Object)
			pw.Object = &ref
		}
		out = append(out, pw)
	}
	return out
}
