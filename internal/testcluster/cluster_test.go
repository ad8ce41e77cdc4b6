package testcluster

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// cluster is shared by every test here that needs one.
var cluster Shared

func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }

const fieldManager = "skyc-test"

func decodeFile(t *testing.T, name string) []*unstructured.Unstructured {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := DecodeYAML(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return objs
}

func TestDryRunApplyAccepts(t *testing.T) {
	c := cluster.Get(t)
	ctx := t.Context()
	objs := decodeFile(t, "web-valid.yaml")
	results, err := DryRunApply(ctx, c.RESTConfig(), objs, fieldManager)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results for 2 objects", len(results))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s %s rejected: %v", r.Object.GetKind(), r.Object.GetName(), r.Err)
			continue
		}
		if r.Applied.GetName() != r.Object.GetName() {
			t.Errorf("applied object is %q, sent %q", r.Applied.GetName(), r.Object.GetName())
		}
	}
	if t.Failed() {
		return
	}
	// The server filled in defaults, so the answer came from a real
	// apply, not an echo.
	strategy, _, _ := unstructured.NestedString(results[0].Applied.Object, "spec", "strategy", "type")
	if strategy != "RollingUpdate" {
		t.Errorf("deployment spec.strategy.type = %q, want the server default RollingUpdate", strategy)
	}
	clusterIP, _, _ := unstructured.NestedString(results[1].Applied.Object, "spec", "clusterIP")
	if clusterIP == "" {
		t.Errorf("service got no clusterIP from the dry run")
	}
	mf := results[0].Applied.GetManagedFields()
	if len(mf) == 0 || mf[0].Manager != fieldManager {
		t.Errorf("managed fields = %+v, want manager %q", mf, fieldManager)
	}

	// A dry run stores nothing, but the namespace was created for real.
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	_, err = dyn.Resource(deployments).Namespace("skyc-e2e").Get(ctx, "web", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("after a dry run, GET deployment web: err = %v, want NotFound", err)
	}
	if _, err := dyn.Resource(namespaces).Get(ctx, "skyc-e2e", metav1.GetOptions{}); err != nil {
		t.Errorf("namespace skyc-e2e was not created: %v", err)
	}
}

func TestDryRunApplyRejectsSelectorMismatch(t *testing.T) {
	c := cluster.Get(t)
	results, err := DryRunApply(t.Context(), c.RESTConfig(), decodeFile(t, "web-selector-mismatch.yaml"), fieldManager)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 {
		t.Fatalf("got %d results for 1 object", len(results))
	}
	r := results[0]
	if r.Err == nil {
		t.Fatalf("deployment with a selector that misses its template was accepted:\n%v", r.Applied)
	}
	if r.Applied != nil {
		t.Errorf("rejected object has an applied version")
	}
	var status *apierrors.StatusError
	if !errors.As(r.Err, &status) {
		t.Fatalf("error is %T, want *errors.StatusError: %v", r.Err, r.Err)
	}
	if !apierrors.IsInvalid(r.Err) {
		t.Errorf("reason = %q, want Invalid: %v", apierrors.ReasonForError(r.Err), r.Err)
	}
	const field = "spec.template.metadata.labels"
	var found bool
	if d := status.ErrStatus.Details; d != nil {
		for _, cause := range d.Causes {
			if cause.Field == field {
				found = true
				if !strings.Contains(cause.Message, "does not match") {
					t.Errorf("cause for %s = %q, want it to say the selector does not match", field, cause.Message)
				}
			}
		}
	}
	if !found {
		t.Errorf("no cause for field %s in %v", field, r.Err)
	}
}

func TestDryRunApplyReportsUnknownKind(t *testing.T) {
	c := cluster.Get(t)
	objs, err := DecodeYAML(strings.NewReader("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := DryRunApply(t.Context(), c.RESTConfig(), objs, fieldManager)
	if err != nil {
		t.Fatal(err)
	}
	if err := results[0].Err; err == nil || !strings.Contains(err.Error(), `Widget "w"`) {
		t.Errorf("err = %v, want a mapping error naming Widget \"w\"", err)
	}
}

// kubectl runs the reference client against the cluster and returns its
// combined output.
func kubectl(t *testing.T, c *Cluster, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatalf("kubectl, the reference client, is not installed: %v", err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := c.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	// Keep kubectl's discovery cache out of the home directory.
	cmd.Env = append(os.Environ(), "KUBECACHEDIR="+filepath.Join(t.TempDir(), "cache"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

func TestKubectlReadyz(t *testing.T) {
	c := cluster.Get(t)
	out, err := kubectl(t, c, "get", "--raw", "/readyz")
	if err != nil || strings.TrimSpace(out) != "ok" {
		t.Fatalf("kubectl get --raw /readyz: %v\n%s", err, out)
	}
}

func TestKubectlServerDryRun(t *testing.T) {
	c := cluster.Get(t)
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := ensureNamespace(t.Context(), dyn, "skyc-e2e"); err != nil {
		t.Fatal(err)
	}

	out, err := kubectl(t, c, "apply", "--server-side", "--dry-run=server", "-f", filepath.Join("testdata", "web-valid.yaml"))
	if err != nil {
		t.Fatalf("kubectl apply of valid manifests: %v\n%s", err, out)
	}
	for _, want := range []string{"deployment.apps/web serverside-applied (server dry run)", "service/web serverside-applied (server dry run)"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl apply output lacks %q:\n%s", want, out)
		}
	}

	out, err = kubectl(t, c, "apply", "--server-side", "--dry-run=server", "-f", filepath.Join("testdata", "web-selector-mismatch.yaml"))
	if err == nil {
		t.Fatalf("kubectl accepted the selector mismatch:\n%s", out)
	}
	if !strings.Contains(out, "spec.template.metadata.labels") {
		t.Errorf("kubectl's rejection does not name the field:\n%s", out)
	}
}

func TestStopCleansUp(t *testing.T) {
	c, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dir, host := c.dir, c.Host()
	apiserver, etcd := c.apiserver, c.etcd
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	for _, p := range []*process{apiserver, etcd} {
		if done, _ := p.exited(); !done {
			t.Errorf("%s still running after Stop", p.name)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster directory %s still there after Stop (stat: %v)", dir, err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get(host + "/readyz"); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after Stop", host)
	}
}
