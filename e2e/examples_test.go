package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/testcluster"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// renderExamples renders examples/... for every environment into one YAML
// stream, as `skyc render examples/...` prints it.
func renderExamples(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	files, explicit, err := render.Discover([]string{"../examples/..."})
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(ctx, render.Options{}, files[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Environments()); got != 2 {
		t.Fatalf("examples have %d environments, want staging and production", got)
	}
	res := r.Render(ctx, files, explicit)
	for _, d := range res.Diagnostics {
		t.Errorf("render: %v", d)
	}
	if res.Failed() {
		t.FailNow()
	}
	var buf bytes.Buffer
	if err := manifest.WriteStream(&buf, res.Objects); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// installExampleCRDs creates the CRDs the examples' skyc.yaml lists in
// the test cluster, for real: a dry run of their custom resources needs
// them served.
func installExampleCRDs(t *testing.T, ctx context.Context, c *testcluster.Cluster) {
	t.Helper()
	cfg, err := config.Load("../examples")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.CRDs) == 0 {
		t.Fatal("the examples' skyc.yaml lists no CRDs; the ServiceMonitor needs one")
	}
	var crds []*unstructured.Unstructured
	for _, p := range cfg.CRDPaths() {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := testcluster.DecodeYAML(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		crds = append(crds, objs...)
	}
	if err := testcluster.InstallCRDs(ctx, c.RESTConfig(), crds); err != nil {
		t.Fatal(err)
	}
}

// TestExamplesServerDryRun applies every object the examples render, in
// both environments, to a real kube-apiserver with a server-side apply dry
// run: the server must accept all of them, the custom resources too once
// their CRDs are installed.
func TestExamplesServerDryRun(t *testing.T) {
	out := renderExamples(t)
	objs, err := testcluster.DecodeYAML(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 15 {
		t.Fatalf("examples rendered %d objects, want the three services in two environments", len(objs))
	}
	c := cluster.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	installExampleCRDs(t, ctx, c)
	results, err := testcluster.DryRunApply(ctx, c.RESTConfig(), objs, "skyc")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range results {
		id := r.Object.GetKind() + " " + r.Object.GetNamespace() + "/" + r.Object.GetName()
		if r.Err != nil {
			t.Errorf("%s: rejected by the API server: %v", id, r.Err)
			continue
		}
		kinds[r.Object.GetKind()]++
	}
	for _, want := range []string{"Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "Ingress", "CronJob", "ConfigMap", "ServiceMonitor"} {
		if kinds[want] == 0 {
			t.Errorf("no %s was accepted; the examples should render one", want)
		}
	}
}

// TestExamplesKubectlDryRun cross-checks with kubectl, an independent
// client: `kubectl apply --dry-run=server` of the rendered stream.
func TestExamplesKubectlDryRun(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl is not installed: %v", err)
	}
	out := renderExamples(t)
	c := cluster.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	installExampleCRDs(t, ctx, c)
	dir := t.TempDir()
	stream := filepath.Join(dir, "examples.yaml")
	if err := os.WriteFile(stream, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// The namespaces exist once TestExamplesServerDryRun ran; create them
	// here too so the test stands alone.
	objs, _ := testcluster.DecodeYAML(bytes.NewReader(out))
	namespaces := map[string]bool{}
	for _, o := range objs {
		namespaces[o.GetNamespace()] = true
	}
	for ns := range namespaces {
		cmd := exec.Command(kubectl, "--kubeconfig", c.KubeconfigPath(), "create", "namespace", ns)
		if b, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(b), "AlreadyExists") {
			t.Fatalf("kubectl create namespace %s: %v\n%s", ns, err, b)
		}
	}
	cmd := exec.Command(kubectl, "--kubeconfig", c.KubeconfigPath(), "apply", "--dry-run=server", "--server-side", "--field-manager=skyc", "-f", stream)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl apply --dry-run=server: %v\n%s", err, b)
	}
	if got := strings.Count(string(b), "(server dry run)"); got != len(objs) {
		t.Errorf("kubectl reported %d objects applied, want %d:\n%s", got, len(objs), b)
	}
}
