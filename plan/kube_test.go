package plan

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skyc-dev/skyc/live"
	"github.com/skyc-dev/skyc/manifest"
)

// fakeCluster is a cluster in memory. Its dry-run apply lays the applied
// object over the live one, which is what a forced server-side apply does
// to the fields it sets.
type fakeCluster struct {
	objs        map[string]*unstructured.Unstructured
	clusterWide map[schema.GroupKind]bool
	unknown     map[schema.GroupKind]bool
	rejections  map[string]error // by object key: the dry run's error
	noNamespace map[string]bool
}

func fakeKey(u *unstructured.Unstructured) string {
	return identityKey(u.GroupVersionKind().GroupKind(), u.GetNamespace(), u.GetName())
}

func newFake(t *testing.T, liveObjs ...string) *fakeCluster {
	f := &fakeCluster{
		objs:        map[string]*unstructured.Unstructured{},
		clusterWide: map[schema.GroupKind]bool{{Kind: "Namespace"}: true},
		unknown:     map[schema.GroupKind]bool{{Group: "example.com", Kind: "Widget"}: true},
		rejections:  map[string]error{},
		noNamespace: map[string]bool{},
	}
	for _, y := range liveObjs {
		u := &unstructured.Unstructured{Object: tree(t, y)}
		f.objs[fakeKey(u)] = u
	}
	return f
}

func (f *fakeCluster) Namespaced(_ context.Context, gvk schema.GroupVersionKind) (bool, error) {
	if f.unknown[gvk.GroupKind()] {
		return false, &live.UnknownKindError{GVK: gvk}
	}
	return !f.clusterWide[gvk.GroupKind()], nil
}

func (f *fakeCluster) Get(_ context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	if u, ok := f.objs[fakeKey(obj)]; ok {
		return u.DeepCopy(), nil
	}
	return nil, nil
}

func (f *fakeCluster) DryRunApply(_ context.Context, obj *unstructured.Unstructured, _ string) (*unstructured.Unstructured, error) {
	if err := f.rejections[fakeKey(obj)]; err != nil {
		return nil, err
	}
	liveObj, ok := f.objs[fakeKey(obj)]
	if !ok {
		if f.noNamespace[obj.GetNamespace()] {
			return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, obj.GetNamespace())
		}
		return obj.DeepCopy(), nil
	}
	return &unstructured.Unstructured{Object: overlay(liveObj.DeepCopy().Object, obj.DeepCopy().Object).(map[string]any)}, nil
}

func (f *fakeCluster) List(_ context.Context, gk schema.GroupKind, selector string, namespaces []string) ([]unstructured.Unstructured, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return nil, err
	}
	var out []unstructured.Unstructured
	for _, u := range f.objs {
		if len(namespaces) > 0 && !slices.Contains(namespaces, u.GetNamespace()) {
			continue
		}
		if u.GroupVersionKind().GroupKind() == gk && sel.Matches(labels.Set(u.GetLabels())) {
			out = append(out, *u.DeepCopy())
		}
	}
	return out, nil
}

// rendered builds a rendered object of service web in staging.
func rendered(t *testing.T, y string) manifest.Object {
	u := &unstructured.Unstructured{Object: tree(t, y)}
	o := manifest.Object{Env: "staging", Service: "web", Source: "svc/web.sky", Obj: u}
	if err := manifest.SetOwnership(o); err != nil {
		t.Fatal(err)
	}
	return o
}

// planLines writes a plan compactly: one line per change, field, problem.
func planLines(p *Plan) string {
	var b strings.Builder
	for _, tg := range p.Targets {
		if tg.Err != "" {
			fmt.Fprintf(&b, "target %s: %s\n", tg.Name, tg.Err)
		}
	}
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%s %s", c.Action, c.Address())
		if c.Destructive != "" {
			fmt.Fprintf(&b, " [destructive]")
		}
		b.WriteString("\n")
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "  %s %s %v → %v %s", f.Class, f.Path, f.Before, f.After, f.Op)
			if len(f.Managers) > 0 {
				fmt.Fprintf(&b, " by %s", strings.Join(f.Managers, ","))
			}
			b.WriteString("\n")
		}
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(&b, "problem %s: %s\n", pr.Address, pr.Message)
	}
	return b.String()
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1"}]
`

// liveDeployment is deployment as the server holds it after skyc applied
// it: defaults filled in, and spec.replicas set by kubectl scale.
const liveDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team
  uid: 1234
  resourceVersion: "99"
  generation: 4
  labels: {skyc.dev/service: web, skyc.dev/environment: staging}
  managedFields:
  - manager: skyc
    operation: Apply
    fieldsType: FieldsV1
    fieldsV1: {"f:metadata": {"f:labels": {"f:skyc.dev/service": {}, "f:skyc.dev/environment": {}}}, "f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}
  - manager: kubectl
    operation: Update
    subresource: scale
    fieldsType: FieldsV1
    fieldsV1: {"f:spec": {"f:replicas": {}}}
spec:
  replicas: 5
  progressDeadlineSeconds: 600
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1", imagePullPolicy: IfNotPresent}]
status: {replicas: 5}
`

func TestKubernetes(t *testing.T) {
	immutable := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "web", field.ErrorList{
		field.Invalid(field.NewPath("spec", "selector"), "x", "field is immutable"),
	})
	for name, tc := range map[string]struct {
		live     []string
		render   []string
		setup    func(f *fakeCluster)
		services []string
		want     string
	}{
		"create": {
			render: []string{deployment},
			want:   "create Deployment/team/web\n",
		},
		"create into a missing namespace is a note": {
			render: []string{deployment},
			setup:  func(f *fakeCluster) { f.noNamespace["team"] = true },
			want:   "create Deployment/team/web\n  note: namespace \"team\" does not exist yet, so the server has not checked the object\n",
		},
		"unchanged despite server defaults and metadata": {
			live:   []string{strings.Replace(liveDeployment, "replicas: 5\n  progress", "replicas: 3\n  progress", 1)},
			render: []string{deployment},
			want:   "",
		},
		"drift by kubectl scale": {
			live:   []string{liveDeployment},
			render: []string{deployment},
			want:   "update Deployment/team/web\n  drift spec.replicas 5 → 3 change by kubectl\n",
		},
		"config change": {
			live:   []string{strings.Replace(liveDeployment, "replicas: 5\n  progress", "replicas: 3\n  progress", 1)},
			render: []string{strings.Replace(deployment, "web:1", "web:2", 1)},
			want:   "update Deployment/team/web\n  config spec.template.spec.containers[name=web].image web:1 → web:2 change\n",
		},
		"immutable field": {
			live:   []string{strings.Replace(liveDeployment, "replicas: 5\n  progress", "replicas: 3\n  progress", 1)},
			render: []string{strings.Replace(deployment, "{matchLabels: {app: web}}", "{matchLabels: {app: web, tier: a}}", 1)},
			setup: func(f *fakeCluster) {
				f.rejections[identityKey(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "team", "web")] = immutable
			},
			want: "recreate Deployment/team/web [destructive]\n" +
				"  note: the API server refuses to change it in place: Deployment.apps \"web\" is invalid: spec.selector: Invalid value: \"x\": field is immutable\n" +
				"  immutable spec.selector.matchLabels.tier <nil> → a add\n",
		},
		"rejection is a problem": {
			live:   []string{liveDeployment},
			render: []string{deployment},
			setup: func(f *fakeCluster) {
				f.rejections[identityKey(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "team", "web")] = apierrors.NewForbidden(schema.GroupResource{Resource: "deployments"}, "web", errors.New("no"))
			},
			want: "problem Deployment/team/web: the API server rejects it: deployments \"web\" is forbidden: no\n",
		},
		"unknown kind": {
			render: []string{"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: team}"},
			want:   "problem Widget/team/w: the cluster does not serve example.com/v1 Widget (is its CustomResourceDefinition installed?)\n",
		},
		"unknown kind with its CRD in the plan": {
			render: []string{
				"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: team}",
				"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, names: {kind: Widget}}",
			},
			setup: func(f *fakeCluster) {
				f.clusterWide[schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}] = true
			},
			want: "create CustomResourceDefinition/widgets.example.com\n" +
				"create Widget/team/w\n  note: its CustomResourceDefinition is created by this plan, so the server has not checked it\n",
		},
		"prune": {
			live: []string{
				liveDeployment,
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: team, labels: {skyc.dev/service: web, skyc.dev/environment: staging}}",
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prod, namespace: team, labels: {skyc.dev/service: web, skyc.dev/environment: production}}",
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: team, labels: {skyc.dev/service: other, skyc.dev/environment: staging}}",
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine, namespace: team}",
				"apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {skyc.dev/service: web, skyc.dev/environment: staging}}",
				"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web-1, namespace: team, labels: {skyc.dev/service: web, skyc.dev/environment: staging}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: 1234, controller: true}]}",
			},
			render:   []string{deployment},
			services: []string{"web"},
			want: "update Deployment/team/web\n  drift spec.replicas 5 → 3 change by kubectl\n" +
				"delete ConfigMap/team/old [destructive]\n" +
				"delete Namespace/team [destructive]\n",
		},
		"prune of the whole environment": {
			live: []string{
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: team, labels: {skyc.dev/service: other, skyc.dev/environment: staging}}",
				// Another repository's, in a namespace this render does not use.
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: theirs, namespace: elsewhere, labels: {skyc.dev/service: other, skyc.dev/environment: staging}}",
				"apiVersion: v1\nkind: Namespace\nmetadata: {name: elsewhere, labels: {skyc.dev/service: other, skyc.dev/environment: staging}}",
			},
			render: []string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: team}"},
			want:   "create ConfigMap/team/new\ndelete ConfigMap/team/other [destructive]\n",
		},
		"secret values are hidden": {
			live:   []string{"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team, labels: {skyc.dev/service: web, skyc.dev/environment: staging}}\ndata: {password: " + b64("hunter2-old") + "}"},
			render: []string{"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\ndata: {password: " + b64("hunter2-new") + "}"},
			want: "update Secret/team/s\n" +
				"  config data.password " + Hide("hunter2-old") + " → " + Hide("hunter2-new") + " change\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, tc.live...)
			if tc.setup != nil {
				tc.setup(f)
			}
			var objs []manifest.Object
			for _, y := range tc.render {
				objs = append(objs, rendered(t, y))
			}
			p := Kubernetes(context.Background(), objs, []KubeTarget{{
				Env: "staging", Context: "test",
				Connect: func(context.Context) (Cluster, string, error) { return f, "https://fake", nil },
			}}, Options{Prune: Prune{Services: tc.services}})
			got := planLines(p)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestUnreachableTarget: one target failing leaves the others' changes in
// the plan, and makes it incomplete rather than "no changes".
func TestUnreachableTarget(t *testing.T) {
	f := newFake(t)
	p := Kubernetes(context.Background(), []manifest.Object{rendered(t, deployment)}, []KubeTarget{
		{Env: "staging", Context: "b-down", Connect: func(context.Context) (Cluster, string, error) {
			return nil, "https://127.0.0.1:1", errors.New("cannot reach https://127.0.0.1:1: connection refused")
		}},
		{Env: "staging", Context: "a-up", Connect: func(context.Context) (Cluster, string, error) { return f, "https://fake", nil }},
	}, Options{})
	if got, want := planLines(p), "target staging/b-down: cannot reach https://127.0.0.1:1: connection refused\ncreate Deployment/team/web\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Status() != Incomplete {
		t.Errorf("status %s, want %s", p.Status(), Incomplete)
	}
	if p.Targets[0].Name != "staging/a-up" || p.Targets[1].Server != "https://127.0.0.1:1" {
		t.Errorf("targets %+v %+v", p.Targets[0], p.Targets[1])
	}
}

// TestServerLostMidRun: when the comparisons give the server up (a
// live.ServerDownError), the objects that could not reach it become one
// error of the target, objects compared before stay in the plan, nothing
// is pruned, and the plan is incomplete.
func TestServerLostMidRun(t *testing.T) {
	const service = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team}
spec: {ports: [{port: 80}]}
`
	const stale = `
apiVersion: v1
kind: ConfigMap
metadata: {name: old, namespace: team, labels: {skyc.dev/service: web, skyc.dev/environment: staging}}
`
	f := newFake(t, stale)
	dep := rendered(t, deployment)
	u := dep.Obj.(*unstructured.Unstructured)
	refused := errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")
	f.rejections[fakeKey(u)] = &live.ServerDownError{Host: "https://fake", Err: refused}
	p := Kubernetes(context.Background(), []manifest.Object{dep, rendered(t, service)}, []KubeTarget{
		{Env: "staging", Context: "lost", Connect: func(context.Context) (Cluster, string, error) { return f, "https://fake", nil }},
	}, Options{})
	want := "target staging/lost: cannot reach https://fake: gave up after 3 requests in a row failed: " + refused.Error() + " (1 of 2 objects not compared)\n" +
		"create Service/team/web\n"
	if got := planLines(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Status() != Incomplete {
		t.Errorf("status %s, want %s", p.Status(), Incomplete)
	}
}
