package importer

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/internal/textdiff"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
	"github.com/skyc-dev/skyc/schemas"
)

var update = flag.Bool("update", os.Getenv("SKYC_UPDATE") == "1", "rewrite the golden .sky files in testdata/golden")

func registry(t testing.TB) *schemas.Registry {
	t.Helper()
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// inputs returns the test manifests of testdata.
func inputs(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yaml", "*.json"} {
		m, err := filepath.Glob(filepath.Join("testdata", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no test manifests in testdata")
	}
	return files
}

// TestGoldenRoundTrip imports each test manifest, compares the .sky with
// its golden file, renders it and expects the input's objects back.
func TestGoldenRoundTrip(t *testing.T) {
	reg := registry(t)
	total := 0
	for _, file := range inputs(t) {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(context.Background(), reg, []Input{{Name: name, Data: data}}, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, filepath.Ext(name))+".sky")
			if *update {
				if err := os.WriteFile(golden, res.Source, 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if d := textdiff.Unified(golden, "generated", string(want), string(res.Source)); d != "" {
					t.Errorf("generated source differs from the golden file (run with -update if intended):\n%s", d)
				}
			}
			got, err := RenderSource(context.Background(), res.Source)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range Compare(res.Objects, got) {
				t.Error(d)
			}
			total += len(res.Objects)
		})
	}
	t.Logf("%d objects round-tripped", total)
}

// TestImportAllAtOnce imports every test manifest into one file.
func TestImportAllAtOnce(t *testing.T) {
	reg := registry(t)
	var in []Input
	for _, file := range inputs(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, Input{Name: file, Data: data})
	}
	res, err := Import(context.Background(), reg, in, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Import(context.Background(), reg, in, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Source) != string(again.Source) {
		t.Error("importing twice gave different source")
	}
	got, err := RenderSource(context.Background(), res.Source)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Compare(res.Objects, got) {
		t.Error(d)
	}
	if len(res.Objects) < 40 {
		t.Errorf("only %d objects in the test data", len(res.Objects))
	}
}

func TestImportErrors(t *testing.T) {
	reg := registry(t)
	tests := map[string]struct {
		in          string
		skipUnknown bool
		want        string // in the error; "" for success
	}{
		"empty":    {in: "# nothing\n---\n", want: "no Kubernetes objects in the input"},
		"not yaml": {in: "a: [b\n", want: "in.yaml: document 1: "},
		"no kind":  {in: "apiVersion: v1\nmetadata: {name: x}\n", want: "in.yaml: document 1: not a Kubernetes object"},
		"custom resource": {
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\n",
			want: "in.yaml: document 2: ServiceMonitor (monitoring.coreos.com/v1) is not a built-in Kubernetes kind",
		},
		"custom resource skipped": {
			in:          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\n",
			skipUnknown: true,
		},
		"wrong field type": {in: "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: 80}\n", want: "in.yaml: document 1: "},
		"generate name":    {in: "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: a-}\n", want: "Job has no metadata.name"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := Import(context.Background(), reg, []Input{{Name: "in.yaml", Data: []byte(tc.in)}}, ImportOptions{SkipUnknown: tc.skipUnknown})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.skipUnknown && (len(res.Skipped) != 1 || !strings.Contains(string(res.Source), "# Left out")) {
					t.Errorf("skipped %v, source:\n%s", res.Skipped, res.Source)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestImportOwnRender imports what skyc render printed for the example
// repository: the ownership labels render adds are not written into the
// .sky file, and the objects come back.
func TestImportOwnRender(t *testing.T) {
	reg := registry(t)
	ctx := context.Background()
	files, explicit, err := render.Discover([]string{"../examples/..."})
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(ctx, render.Options{Envs: []string{"production"}}, files[0])
	if err != nil {
		t.Fatal(err)
	}
	out := r.Render(ctx, files, explicit)
	if out.Failed() {
		t.Fatalf("rendering the examples: %v", out.Diagnostics[0])
	}
	var data bytes.Buffer
	if err := manifest.WriteStream(&data, out.Objects); err != nil {
		t.Fatal(err)
	}
	// The payments API's ServiceMonitor is a custom resource, which
	// import does not type: it is left out, and said so.
	res, err := Import(context.Background(), reg, []Input{{Name: "examples-production.yaml", Data: data.Bytes()}}, ImportOptions{SkipUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 1 || !strings.Contains(fmt.Sprint(res.Skipped), "ServiceMonitor") {
		t.Errorf("skipped %v, want the ServiceMonitor", res.Skipped)
	}
	if strings.Contains(string(res.Source), "skyc.dev/") {
		t.Errorf("the ownership labels were imported:\n%s", res.Source)
	}
	// The ledger worker is a worker() call whose service account keeps
	// the IAM role annotation aws = [...] gave it; the payments API
	// is a service() call and the override of its Deployment's grace
	// period, as in examples/services/payments-api.sky; the nightly
	// report is a cron_job() whose pod gets a volume appended.
	for _, want := range []string{
		"    ledger_worker = worker(\n        name = \"ledger-worker\",",
		"    ledger_worker.service_account.metadata.annotations = {\n        \"eks.amazonaws.com/role-arn\": \"arn:aws:iam::222222222222:role/ledger-worker-production\",",
		"    payments_api = service(\n        name = \"payments-api\",",
		"\"DATABASE_PASSWORD\": secret_env(\"payments-db\", \"password\"),",
		"    payments_api.deployment.spec.template.spec.terminationGracePeriodSeconds = 60\n",
		"        payments_api,\n",
		"    nightly_report = cron_job(\n",
		"    nightly_report.cron_job.spec.jobTemplate.spec.template.spec.volumes.append(k8s.core.Volume(\n",
	} {
		if !strings.Contains(string(res.Source), want) {
			t.Errorf("the source lacks %q:\n%s", want, res.Source)
		}
	}
	typed, err := Import(ctx, reg, []Input{{Name: "examples-production.yaml", Data: data.Bytes()}}, ImportOptions{TypedOnly: true, SkipUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(typed.Source), "worker(") || strings.Contains(string(typed.Source), "cron_job(") {
		t.Errorf("TypedOnly wrote a worker() call:\n%s", typed.Source)
	}
	got, err := RenderSource(ctx, res.Source)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Compare(res.Objects, got) {
		t.Error(d)
	}
	if len(res.Objects) < 10 {
		t.Errorf("only %d objects imported", len(res.Objects))
	}
}

// TestCompareFindsDifferences makes sure the round-trip check is not
// vacuous: a changed, a missing and an extra object are reported.
func TestCompareFindsDifferences(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
	objs, errs := Decode("in.yaml", []byte(in))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	src := `def main(ctx):
    return [
        k8s.core.ConfigMap(metadata = k8s.meta.ObjectMeta(name = "a"), data = {"k": "w"}),
        k8s.core.ConfigMap(metadata = k8s.meta.ObjectMeta(name = "c")),
    ]
`
	got, err := RenderSource(context.Background(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	diffs := strings.Join(Compare(objs, got), "\n")
	for _, want := range []string{
		"v1 ConfigMap a: differs:", "-  k: v", "+  k: w",
		"v1 ConfigMap b: missing from the rendered objects",
		"v1 ConfigMap c: rendered but not in the input",
	} {
		if !strings.Contains(diffs, want) {
			t.Errorf("differences lack %q:\n%s", want, diffs)
		}
	}
}
