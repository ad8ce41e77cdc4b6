package full

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/check"
)

var sampleFindings = []check.Finding{
	{Severity: check.Error, Rule: check.RuleInvalid, Source: "deploy/web.yaml:18",
		Object:  check.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "default", Name: "web"},
		Field:   "spec.template.spec.containers[0].ports[0].containerPort",
		Message: "invalid value: 70000: must be between 1 and 65535, inclusive", Hint: "ports are numbers from 1 to 65535"},
	{Severity: check.Warning, Rule: check.RuleUnknownKind, Source: "deploy/crd.yaml:1",
		Object: check.ObjectRef{APIVersion: "example.com/v1", Kind: "Widget", Name: "w"}, Message: "not a built-in kind"},
	{Severity: check.Info, Rule: "platform-example", Source: "svc/api.sky", Env: "staging",
		Object: check.ObjectRef{Kind: "Service", Namespace: "web", Name: "api"}, Message: "a policy finding with no line"},
}

// TestSARIFStructure checks the parts of SARIF 2.1.0 that code scanning
// requires: the schema and version, a driver with its rules, and results
// that name a known rule, a level, a message and a physical location with
// a start line.
func TestSARIFStructure(t *testing.T) {
	var buf bytes.Buffer
	if err := writeCheckSARIF(&buf, &checkReport{Findings: sampleFindings, Objects: 3}); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v\n%s", err, buf.String())
	}
	if log["$schema"] != sarifSchema || log["version"] != "2.1.0" {
		t.Errorf("$schema = %v, version = %v", log["$schema"], log["version"])
	}
	runs, _ := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs = %v, want one run", log["runs"])
	}
	run := runs[0].(map[string]any)
	driver, _ := dig(run, "tool", "driver").(map[string]any)
	if driver == nil || driver["name"] != "skyc" {
		t.Fatalf("tool.driver = %v, want name skyc", dig(run, "tool", "driver"))
	}
	rules, _ := driver["rules"].([]any)
	ruleIDs := map[string]int{}
	for i, r := range rules {
		rm := r.(map[string]any)
		id, _ := rm["id"].(string)
		if id == "" {
			t.Errorf("rule %d has no id", i)
		}
		if _, dup := ruleIDs[id]; dup {
			t.Errorf("rule %s appears twice", id)
		}
		ruleIDs[id] = i
		if text, _ := dig(rm, "shortDescription", "text").(string); text == "" {
			t.Errorf("rule %s has no shortDescription.text", id)
		}
	}
	results, _ := run["results"].([]any)
	if len(results) != len(sampleFindings) {
		t.Fatalf("%d results, want %d", len(results), len(sampleFindings))
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	wantLevels := []string{"error", "warning", "note"}
	wantLines := []float64{18, 1, 1}
	for i, r := range results {
		rm := r.(map[string]any)
		id, _ := rm["ruleId"].(string)
		idx, ok := ruleIDs[id]
		if !ok {
			t.Errorf("result %d: ruleId %q is not among the driver's rules", i, id)
		} else if rm["ruleIndex"] != float64(idx) {
			t.Errorf("result %d: ruleIndex %v, want %d", i, rm["ruleIndex"], idx)
		}
		if l, _ := rm["level"].(string); !levels[l] || l != wantLevels[i] {
			t.Errorf("result %d: level %q, want %q", i, l, wantLevels[i])
		}
		if text, _ := dig(rm, "message", "text").(string); text == "" {
			t.Errorf("result %d: no message.text", i)
		}
		locs, _ := rm["locations"].([]any)
		if len(locs) == 0 {
			t.Fatalf("result %d: no locations", i)
		}
		loc := locs[0].(map[string]any)
		if uri, _ := dig(loc, "physicalLocation", "artifactLocation", "uri").(string); uri == "" || strings.Contains(uri, ":") {
			t.Errorf("result %d: artifactLocation.uri %q", i, uri)
		}
		if line := dig(loc, "physicalLocation", "region", "startLine"); line != wantLines[i] {
			t.Errorf("result %d: region.startLine %v, want %v", i, line, wantLines[i])
		}
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestGitHubFormat checks the workflow command syntax: one line per
// finding, properties escaped with %, CR, LF, ':' and ',', the message
// with %, CR and LF.
func TestGitHubFormat(t *testing.T) {
	tests := map[string]struct {
		in   check.Finding
		want string
	}{
		"error with a line and a hint": {
			in:   sampleFindings[0],
			want: "::error file=deploy/web.yaml,line=18,title=skyc check%3A k8s-invalid::Deployment default/web: spec.template.spec.containers[0].ports[0].containerPort: invalid value: 70000: must be between 1 and 65535, inclusive%0Ahint: ports are numbers from 1 to 65535\n",
		},
		"warning": {
			in:   sampleFindings[1],
			want: "::warning file=deploy/crd.yaml,line=1,title=skyc check%3A k8s-unknown-kind::Widget w: not a built-in kind\n",
		},
		"info without a line": {
			in:   sampleFindings[2],
			want: "::notice file=svc/api.sky,title=skyc check%3A platform-example::Service web/api (staging): a policy finding with no line\n",
		},
		"characters to escape": {
			in:   check.Finding{Severity: check.Error, Rule: "r", Source: "a,b:c.yaml:3:7", Message: "100% sure\r\nreally"},
			want: "::error file=a%2Cb%3Ac.yaml,line=3,col=7,title=skyc check%3A r::100%25 sure%0D%0Areally\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeCheckGitHub(&buf, &checkReport{Findings: []check.Finding{tt.in}}); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", buf.String(), tt.want)
			}
		})
	}
}

func TestTextFormat(t *testing.T) {
	tests := map[string]struct {
		rep  checkReport
		want string
	}{
		"clean": {
			rep:  checkReport{Objects: 4},
			want: "0 errors, 0 warnings in 4 objects\n",
		},
		"grouped by file": {
			rep: checkReport{Objects: 3, Findings: sampleFindings[:2]},
			want: `deploy/web.yaml
  18: error: Deployment default/web: spec.template.spec.containers[0].ports[0].containerPort: invalid value: 70000: must be between 1 and 65535, inclusive [k8s-invalid]
      hint: ports are numbers from 1 to 65535

deploy/crd.yaml
  1: warning: Widget w: not a built-in kind [k8s-unknown-kind]

1 error, 1 warning in 3 objects
`,
		},
		"colour": {
			rep: checkReport{Objects: 1, Color: true, Findings: sampleFindings[2:]},
			want: "\x1b[1msvc/api.sky\x1b[0m\n  \x1b[34minfo\x1b[0m: Service web/api (staging): a policy finding with no line \x1b[2m[platform-example]\x1b[0m\n\n" +
				"0 errors, 0 warnings in 1 object\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeCheckText(&buf, &tt.rep); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

func TestRelativeSource(t *testing.T) {
	tests := []struct{ root, cwd, src, want string }{
		{"/repo", "/repo", "svc/api.sky", "svc/api.sky"},
		{"/repo", "/repo/svc", "svc/api.sky:3:5", "api.sky:3:5"},
		{"/repo", "/elsewhere", "svc/api.sky:3", "../repo/svc/api.sky:3"},
		{"/repo", "/repo", "", ""},
	}
	for _, tt := range tests {
		if got := relativeSource(tt.root, tt.cwd, tt.src); got != tt.want {
			t.Errorf("relativeSource(%q, %q, %q) = %q, want %q", tt.root, tt.cwd, tt.src, got, tt.want)
		}
	}
}
