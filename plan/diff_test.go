package plan

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// tree decodes YAML into a JSON tree as unstructured objects hold it
// (integers int64).
func tree(t *testing.T, y string) map[string]any {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	u := map[string]any{}
	if err := jsonUnmarshal(js, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func deltaText(ds []delta) string {
	var lines []string
	show := func(v any) string {
		if v == absent {
			return "(absent)"
		}
		return fmt.Sprint(v)
	}
	for _, d := range ds {
		lines = append(lines, d.path.String()+": "+show(d.before)+" → "+show(d.after))
	}
	return strings.Join(lines, "\n")
}

func TestDiffTrees(t *testing.T) {
	for name, tc := range map[string]struct{ a, b, want string }{
		"equal": {
			a: "spec: {replicas: 3}", b: "spec: {replicas: 3}", want: "",
		},
		"scalar": {
			a: "spec: {replicas: 3}", b: "spec: {replicas: 4}", want: "spec.replicas: 3 → 4",
		},
		"added and removed keys": {
			a: "a: 1\nb: 2", b: "b: 2\nc: 3", want: "a: 1 → (absent)\nc: (absent) → 3",
		},
		"label keys are quoted": {
			a: "metadata: {labels: {app.kubernetes.io/name: x}}", b: "metadata: {labels: {app.kubernetes.io/name: z}}",
			want: `metadata.labels["app.kubernetes.io/name"]: x → z`,
		},
		"named list elements matched by name": {
			a: "containers: [{name: a, image: a1}, {name: b, image: b1}]",
			b: "containers: [{name: new, image: n1}, {name: a, image: a2}, {name: b, image: b1}]",
			want: "containers[name=new]: (absent) → map[image:n1 name:new]\n" +
				"containers[name=a].image: a1 → a2",
		},
		"ports matched on port and protocol": {
			a:    "ports: [{containerPort: 80, protocol: TCP}, {containerPort: 80, protocol: UDP}]",
			b:    "ports: [{containerPort: 80, protocol: TCP}]",
			want: "ports[containerPort=80,protocol=UDP]: map[containerPort:80 protocol:UDP] → (absent)",
		},
		"scalar lists are one value": {
			a: "args: [a, b]", b: "args: [a, c]", want: "args: [a b] → [a c]",
		},
		"null is not absent": {
			a: "x: null", b: "{}", want: "x: <nil> → (absent)",
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := deltaText(diffTrees(tree(t, tc.a), tree(t, tc.b)))
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestOverlay(t *testing.T) {
	base := tree(t, `
spec:
  replicas: 3
  template:
    spec:
      containers:
      - {name: a, image: a1, imagePullPolicy: IfNotPresent}
      - {name: gone, image: g}
`)
	top := tree(t, `
spec:
  selector: {matchLabels: {x: z}}
  template:
    spec:
      containers:
      - {name: a, image: a2}
`)
	got, _ := yaml.Marshal(overlay(base, top))
	want := `spec:
  replicas: 3
  selector:
    matchLabels:
      x: z
  template:
    spec:
      containers:
      - image: a2
        imagePullPolicy: IfNotPresent
        name: a
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
