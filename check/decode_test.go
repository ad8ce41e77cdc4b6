package check

import (
	"context"
	"strings"
	"testing"
)

func TestManifestsAdd(t *testing.T) {
	type obj struct{ kind, name, source string }
	type finding struct{ rule, field, source, msg string }
	tests := map[string]struct {
		in       string
		objects  []obj
		findings []finding
	}{
		"documents and comments": {
			in:      "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n--- # second\n\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n---\n",
			objects: []obj{{"ConfigMap", "a", "f.yaml:3"}, {"Secret", "b", "f.yaml:8"}},
		},
		"list kinds are expanded": {
			in:      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: b}\n",
			objects: []obj{{"ConfigMap", "a", "f.yaml:4"}, {"ServiceAccount", "b", "f.yaml:7"}},
		},
		"typed lists are expanded": {
			in:      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleList\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata: {name: r}\n",
			objects: []obj{{"Role", "r", "f.yaml:4"}},
		},
		"json": {
			in:      "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Namespace\",\n  \"metadata\": {\"name\": \"team\"}\n}\n",
			objects: []obj{{"Namespace", "team", "f.yaml:1"}},
		},
		"syntax error": {
			in:       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [ConfigMap\n",
			objects:  []obj{{"ConfigMap", "a", "f.yaml:1"}},
			findings: []finding{{RuleYAMLSyntax, "", "f.yaml:6", "did not find expected"}},
		},
		"no kind": {
			in:       "apiVersion: v1\nmetadata: {name: a}\n",
			findings: []finding{{RuleMissingTypeMeta, "", "f.yaml:1", "no kind"}},
		},
		"unknown field": {
			in:       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    tagetPort: 8080\n",
			objects:  []obj{{"Service", "s", "f.yaml:1"}},
			findings: []finding{{RuleUnknownField, "spec.ports[0].tagetPort", "f.yaml:7", "unknown field"}},
		},
		"wrong type": {
			in:       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: three\n",
			findings: []finding{{RuleDecode, "spec.replicas", "f.yaml:5", "invalid type: got string, want int32"}},
		},
		"bad quantity": {
			in:       "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: b\n    resources:\n      limits:\n        cpu: 500mi\n",
			findings: []finding{{RuleDecode, "spec.containers[0].resources.limits[cpu]", "f.yaml:10", "quantit"}},
		},
		"secret data that is not base64": {
			in:       "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  ok: b2s=\n  key: not base64!\n",
			findings: []finding{{RuleDecode, "data[key]", "f.yaml:6", "illegal base64"}},
		},
		"custom resources stay unstructured": {
			in:      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: tls}\nspec: {secretName: tls}\n",
			objects: []obj{{"Certificate", "tls", "f.yaml:1"}},
		},
		"scalar document": {
			in:       "just a string\n",
			findings: []finding{{RuleDecode, "", "f.yaml:1", "not an object"}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var m Manifests
			m.Add("f.yaml", []byte(tt.in))
			if len(m.Objects) != len(tt.objects) {
				t.Fatalf("got %d objects, want %d; findings:\n%s", len(m.Objects), len(tt.objects), list(m.Findings))
			}
			for i, w := range tt.objects {
				o := m.Objects[i]
				ref := Ref(o.Obj)
				if ref.Kind != w.kind || ref.Name != w.name || o.Source != w.source {
					t.Errorf("object %d = %s at %s, want %s %s at %s", i, ref, o.Source, w.kind, w.name, w.source)
				}
			}
			if len(m.Findings) != len(tt.findings) {
				t.Fatalf("got findings:\n%swant %d", list(m.Findings), len(tt.findings))
			}
			for i, w := range tt.findings {
				f := m.Findings[i]
				if f.Rule != w.rule || f.Field != w.field || !strings.HasPrefix(f.Source, w.source) || !strings.Contains(f.Message, w.msg) {
					t.Errorf("finding %d = %s [%s]\nwant %s at %q from %s containing %q", i, f, f.Rule, w.rule, w.field, w.source, w.msg)
				}
			}
		})
	}
}

// TestLocate checks that findings of plain manifests point at the line of
// their field, or of the nearest part of it that exists.
func TestLocate(t *testing.T) {
	const in = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {"app.kubernetes.io/name": web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: nginx
          ports:
            - containerPort: 70000
`
	var m Manifests
	m.Add("d.yaml", []byte(in))
	if len(m.Objects) != 1 {
		t.Fatalf("objects: %v, findings:\n%s", m.Objects, list(m.Findings))
	}
	o := m.Objects[0]
	tests := map[string]string{
		"spec.template.spec.containers[0].ports[0].containerPort": "d.yaml:17",
		"spec.template.metadata.labels":                           "d.yaml:11",
		"spec.template.spec.containers[0]":                        "d.yaml:14",
		"spec.template.spec.containers[0].resources":              "d.yaml:14",
		"metadata.labels[app.kubernetes.io/name]":                 "d.yaml:5",
		"spec.replicas": "d.yaml:6",
		"":              "d.yaml:1",
	}
	for field, want := range tests {
		if got := m.Locate(o, field); got != want {
			t.Errorf("Locate(%q) = %q, want %q", field, got, want)
		}
	}

	fs, err := Run(context.Background(), m.Objects, Options{Locate: m.Locate})
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, f := range fs {
		sources = append(sources, f.Source+" "+f.Field)
	}
	want := []string{"d.yaml:11 spec.template.metadata.labels", "d.yaml:17 spec.template.spec.containers[0].ports[0].containerPort"}
	if strings.Join(sources, "\n") != strings.Join(want, "\n") {
		t.Errorf("Run with Locate gave\n%s\nwant\n%s", strings.Join(sources, "\n"), strings.Join(want, "\n"))
	}
}

func TestSplitPath(t *testing.T) {
	tests := map[string]string{
		"spec.containers[0].env[1].name":          "spec|containers|[0]|env|[1]|name",
		"metadata.labels[app.kubernetes.io/name]": "metadata|labels|[app.kubernetes.io/name]",
		"data[a.b]": "data|[a.b]",
		"spec":      "spec",
		"":          "",
	}
	for in, want := range tests {
		if got := strings.Join(splitPath(in), "|"); got != want {
			t.Errorf("splitPath(%q) = %q, want %q", in, got, want)
		}
	}
}
