package check

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/skyc-dev/skyc/schemas/crd"
)

// TestCustomResources: a custom resource of a repository's CRD is
// validated as the API server validates it on create: its schema's types,
// required fields, enums, patterns and bounds, its metadata, and unknown
// fields; a custom resource of another kind is not validated.
func TestCustomResources(t *testing.T) {
	kinds, err := crd.Read("../examples", []string{"crds/servicemonitor.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	crs, err := NewCustomResources(kinds)
	if err != nil {
		t.Fatal(err)
	}
	const valid = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, namespace: payments}
spec:
  selector: {matchLabels: {app: api}}
  endpoints:
    - {port: http, interval: 30s, scheme: https, targetPort: 8080, metricRelabelings: [{sourceLabels: [__name__], action: drop, modulus: 1}]}
`
	cases := map[string]struct {
		from, to string // a replacement in valid
		want     []string
	}{
		"valid":              {"", "", nil},
		"enum":               {"scheme: https", "scheme: ftp", []string{`k8s-not-supported spec.endpoints[0].scheme: unsupported value: "ftp": supported values: "http", "https"`}},
		"pattern":            {"interval: 30s", "interval: 30 seconds", []string{`k8s-invalid spec.endpoints[0].interval: invalid value: "30 seconds": spec.endpoints[0].interval in body should match '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$'`}},
		"minimum":            {"modulus: 1", "modulus: 0", []string{`k8s-invalid spec.endpoints[0].metricRelabelings[0].modulus: invalid value: 0: spec.endpoints[0].metricRelabelings[0].modulus in body should be greater than or equal to 1`}},
		"required":           {"  selector: {matchLabels: {app: api}}\n", "", []string{`k8s-required spec.selector: required value`}},
		"type":               {"port: http", "port: 8080", []string{`k8s-type-invalid spec.endpoints[0].port: invalid value: "integer": spec.endpoints[0].port in body must be of type string: "integer"`}},
		"int or string":      {"targetPort: 8080", "targetPort: metrics", nil},
		"items":              {"sourceLabels: [__name__]", "sourceLabels: [0bad]", []string{`k8s-invalid spec.endpoints[0].metricRelabelings[0].sourceLabels[0]: invalid value: "0bad": spec.endpoints[0].metricRelabelings[0].sourceLabels[0] in body should match '^[a-zA-Z_][a-zA-Z0-9_]*$'`}},
		"unknown field":      {"port: http", "prot: http", []string{`manifest-unknown-field spec.endpoints[0].prot: unknown field: ServiceMonitor does not define it`}},
		"name":               {"name: api", "name: API", []string{`k8s-invalid metadata.name: invalid value: "API": a lowercase RFC 1123 subdomain`}},
		"a default is taken": {"action: drop", "action: null", nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := valid
			if c.from != "" {
				if !strings.Contains(src, c.from) {
					t.Fatalf("%q is not in the manifest", c.from)
				}
				src = strings.Replace(src, c.from, c.to, 1)
			}
			// As the server decodes: integers are int64.
			j, err := yaml.YAMLToJSON([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := utiljson.Unmarshal(j, &u.Object); err != nil {
				t.Fatal(err)
			}
			fs, ok := crs.Validate(u)
			if !ok {
				t.Fatal("a ServiceMonitor was not validated as a custom resource")
			}
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s %s: %s", f.Rule, f.Field, f.Message))
			}
			if len(got) != len(c.want) {
				t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], c.want[i]) {
					t.Errorf("finding %d:\n%s\nwant one starting:\n%s", i, got[i], c.want[i])
				}
			}
		})
	}

	other := &unstructured.Unstructured{}
	other.SetAPIVersion("cert-manager.io/v1")
	other.SetKind("Certificate")
	if _, ok := crs.Validate(other); ok {
		t.Error("a kind no CRD defines was validated")
	}
	var none *CustomResources
	if _, ok := none.Validate(other); ok {
		t.Error("a nil CustomResources validated something")
	}
}
