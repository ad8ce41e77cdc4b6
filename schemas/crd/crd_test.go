package crd

import (
	"strings"
	"testing"
)

// TestParse: the served versions of every CRD of a file become kinds;
// what is not a CRD with schemas is an error naming the document.
func TestParse(t *testing.T) {
	kinds, err := Parse("crds.yaml", []byte(`# two CRDs
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
    - {name: v1alpha1, served: false, storage: false}
---
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Cluster
  versions:
    - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range kinds {
		got = append(got, k.GVK.String()+map[bool]string{true: " namespaced", false: " cluster"}[k.Namespaced])
	}
	want := "example.com/v1, Kind=Widget namespaced|example.com/v2, Kind=Gadget cluster"
	if strings.Join(got, "|") != want {
		t.Errorf("kinds %q, want %q", got, want)
	}

	for name, c := range map[string]struct{ yaml, want string }{
		"not a CRD":     {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "crds.yaml: document 1 is v1 ConfigMap, want an apiextensions.k8s.io/v1 CustomResourceDefinition"},
		"no schema":     {"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: w.example.com}\nspec: {group: example.com, names: {kind: W, plural: w}, scope: Cluster, versions: [{name: v1, served: true, storage: true}]}\n", "version v1 has no openAPIV3Schema"},
		"unknown field": {"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {gruop: example.com}\n", `unknown field "gruop"`},
	} {
		if _, err := Parse("crds.yaml", []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

// TestNames: packages, message and field names as the package
// documentation describes them.
func TestNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Package("monitoring.coreos.com", "v1"), "monitoring.coreos.com.v1"},
		{Package("cert-manager.io", "v1alpha1"), "cert_manager.io.v1alpha1"},
		{singular(camel("endpoints")), "Endpoint"},
		{singular(camel("policies")), "Policy"},
		{singular(camel("addresses")), "Address"},
		{singular(camel("boxes")), "Box"},
		{singular(camel("tls")), "Tls"},
		{singular(camel("access")), "Access"},
		{camel("tlsConfig"), "TlsConfig"},
		{camel("x-forwarded-for"), "XForwardedFor"},
		{identifier("x-forwarded-for"), "x_forwarded_for"},
		{identifier("2fa"), "_2fa"},
		{identifier("$ref"), "_ref"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
