package kubescheme

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgo "k8s.io/client-go/kubernetes/scheme"
)

// upgradeHint is what to do when this scheme and client-go's part.
const upgradeHint = "k8s.io/client-go's kubernetes/scheme registers other groups than groupVersions in scheme.go " +
	"(after an upgrade of k8s.io/api and k8s.io/client-go?): make groupVersions list every AddToScheme of " +
	"kubernetes/scheme/register.go in its module (go list -m -f '{{.Dir}}' k8s.io/client-go), in its order, " +
	"then run go generate ./schemas"

// TestSameKindsAsClientGo: the scheme knows exactly the kinds of
// client-go's scheme.Scheme, each as the same Go type.
func TestSameKindsAsClientGo(t *testing.T) {
	ours, theirs := Scheme().AllKnownTypes(), clientgo.Scheme.AllKnownTypes()
	var missing, extra, differ []string
	for gvk, want := range theirs {
		got, ok := ours[gvk]
		switch {
		case !ok:
			missing = append(missing, fmt.Sprintf("%s (%s)", gvk, want))
		case got != want:
			differ = append(differ, fmt.Sprintf("%s: %s, client-go has %s", gvk, got, want))
		}
	}
	for gvk, got := range ours {
		if _, ok := theirs[gvk]; !ok {
			extra = append(extra, fmt.Sprintf("%s (%s)", gvk, got))
		}
	}
	report := func(what string, list []string) {
		if len(list) > 0 {
			slices.Sort(list)
			t.Errorf("%d kinds %s:\n\t%s", len(list), what, strings.Join(list, "\n\t"))
		}
	}
	report("of client-go's scheme are missing here", missing)
	report("are here but not in client-go's scheme", extra)
	report("have another Go type here than in client-go's scheme", differ)
	if t.Failed() {
		t.Log(upgradeHint)
	}
}

// TestSameVersionsAsClientGo: the scheme ranks the group-versions as
// client-go's does, in the same order.
func TestSameVersionsAsClientGo(t *testing.T) {
	got, want := Scheme().PrioritizedVersionsAllGroups(), clientgo.Scheme.PrioritizedVersionsAllGroups()
	if slices.Equal(got, want) {
		return
	}
	for _, gv := range want {
		if !slices.Contains(got, gv) {
			t.Errorf("%s of client-go's scheme is missing here", gv)
		}
	}
	for _, gv := range got {
		if !slices.Contains(want, gv) {
			t.Errorf("%s is here but not in client-go's scheme", gv)
		}
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("group-version %d is %s, in client-go's scheme %s (the order of groupVersions is client-go's order)", i, got[i], want[i])
			break
		}
	}
	t.Log(upgradeHint)
}

// TestBuiltOnce: every call returns the same scheme and decoder.
func TestBuiltOnce(t *testing.T) {
	if Scheme() != Scheme() {
		t.Error("Scheme returned two schemes")
	}
	if Deserializer() != Deserializer() {
		t.Error("Deserializer returned two decoders")
	}
}

// TestDeserializer decodes a Deployment into its Go type, without
// defaulting.
func TestDeserializer(t *testing.T) {
	const doc = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: api
        image: api:1
`
	obj, gvk, err := Deserializer().Decode([]byte(doc), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}); *gvk != want {
		t.Errorf("decoded as %v, want %v", *gvk, want)
	}
	d, ok := obj.(*appsv1.Deployment)
	if !ok {
		t.Fatalf("decoded into %s, want *v1.Deployment", reflect.TypeOf(obj))
	}
	if d.Name != "api" || len(d.Spec.Template.Spec.Containers) != 1 || d.Spec.Template.Spec.Containers[0].Image != "api:1" {
		t.Errorf("decoded %+v", d)
	}
	if d.Spec.Replicas != nil {
		t.Errorf("replicas defaulted to %d; the deserializer must not default", *d.Spec.Replicas)
	}
}
