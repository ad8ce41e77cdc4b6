package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/manifest"
)

// TestPlatformCalls renders workloads written with worker() and
// service(), some changed after the call, imports the YAML and expects
// the call (and the changes) back, or typed constructors where a call
// would not render the objects exactly.
func TestPlatformCalls(t *testing.T) {
	const w = `worker(name = "jobs", team = "ops", image = "r.example.com/jobs:1.0", replicas = 2)`
	tests := map[string]struct {
		body  string   // main's body
		want  []string // in the imported source
		typed bool     // no call expected
	}{
		"plain worker": {
			body: "return " + w,
			want: []string{"        worker(\n", `            replicas = 2,`},
		},
		"service defaults": {
			body: `return service(name = "web", team = "shop", image = "r.example.com/web:2.0", port = 9090, ready_path = "/up")`,
			want: []string{"        service(\n", "            port = 9090,\n", `            ready_path = "/up",`, "            image = \"r.example.com/web:2.0\",\n            port"},
		},
		"scalar override": {
			body: "x = " + w + "\n    x.deployment.spec.template.spec.terminationGracePeriodSeconds = 60\n    return x",
			want: []string{"    jobs.deployment.spec.template.spec.terminationGracePeriodSeconds = 60\n"},
		},
		"unset override": {
			body: "x = " + w + "\n    x.deployment.spec.revisionHistoryLimit = None\n    return x",
			want: []string{"    jobs.deployment.spec.revisionHistoryLimit = None\n"},
		},
		"list element override": {
			body: "x = " + w + "\n    x.deployment.spec.template.spec.containers[0].imagePullPolicy = \"Always\"\n    return x",
			want: []string{"    jobs.deployment.spec.template.spec.containers[0].imagePullPolicy = \"Always\"\n"},
		},
		"appended element": {
			body: "x = " + w + "\n    x.deployment.spec.template.spec.tolerations.append(k8s.core.Toleration(operator = \"Exists\"))\n    return x",
			want: []string{"    jobs.deployment.spec.template.spec.tolerations = [\n        k8s.core.Toleration(operator = \"Exists\"),\n    ]\n"},
		},
		"appended to a list the call fills": {
			body: "x = " + w + "\n    x.deployment.spec.template.spec.volumes.append(k8s.core.Volume(name = \"cache\"))\n    return x",
			want: []string{"    jobs.deployment.spec.template.spec.volumes.append(k8s.core.Volume(name = \"cache\"))\n"},
		},
		"cron job": {
			body: `return cron_job(name = "nightly", team = "ops", image = "r.example.com/n:1.0", schedule = "0 3 * * *", retries = 0, time_zone = "Europe/Berlin")`,
			want: []string{"        cron_job(\n", "            retries = 0,\n", "            time_zone = \"Europe/Berlin\",\n"},
		},
		"too many changes": {
			body: "x = " + w + "\n    s = x.deployment.spec.template.spec\n" +
				"    s.hostname = \"a\"\n    s.subdomain = \"b\"\n    s.hostNetwork = True\n    s.hostPID = True\n    s.hostIPC = True\n" +
				"    s.priority = 3\n    s.priorityClassName = \"p\"\n    s.schedulerName = \"s\"\n    s.nodeName = \"n\"\n    return x",
			typed: true,
		},
		"an object more": {
			body: "x = " + w + "\n    return [x, k8s.core.ConfigMap(metadata = k8s.meta.ObjectMeta(name = \"jobs\", namespace = \"ops\"))]",
			want: []string{"        worker(\n", "        k8s.core.ConfigMap("},
		},
		"an object less": {
			body:  "x = " + w + "\n    return [x.deployment, x.service_account]",
			typed: true,
		},
	}
	reg := registry(t)
	ctx := context.Background()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			objs, err := RenderSource(ctx, []byte("def main(ctx):\n    "+tc.body+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			var yaml bytes.Buffer
			for i, o := range objs {
				b, err := manifest.Encode(o)
				if err != nil {
					t.Fatal(err)
				}
				if i > 0 {
					yaml.WriteString("---\n")
				}
				yaml.Write(b)
			}
			res, err := Import(ctx, reg, []Input{{Name: "in.yaml", Data: yaml.Bytes()}}, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			src := string(res.Source)
			if tc.typed == (strings.Contains(src, "worker(") || strings.Contains(src, "service(") || strings.Contains(src, "cron_job(")) {
				t.Errorf("typed %v, but the source is:\n%s", tc.typed, src)
			}
			for _, want := range tc.want {
				if !strings.Contains(src, want) {
					t.Errorf("the source lacks %q:\n%s", want, src)
				}
			}
			got, err := RenderSource(ctx, res.Source)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range Compare(res.Objects, got) {
				t.Error(d)
			}
		})
	}
}
