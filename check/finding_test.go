package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/manifest"
)

func TestSplitSource(t *testing.T) {
	tests := []struct {
		in        string
		file      string
		line, col int
	}{
		{"services/api.sky:12:5", "services/api.sky", 12, 5},
		{"deploy/web.yaml:14", "deploy/web.yaml", 14, 0},
		{"deploy/web.yaml", "deploy/web.yaml", 0, 0},
		{"", "", 0, 0},
		{"a:b.yaml:3", "a:b.yaml", 3, 0},
	}
	for _, tt := range tests {
		file, line, col := SplitSource(tt.in)
		if file != tt.file || line != tt.line || col != tt.col {
			t.Errorf("SplitSource(%q) = %q, %d, %d; want %q, %d, %d", tt.in, file, line, col, tt.file, tt.line, tt.col)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"error": Error, "warning": Warning, "info": Info, "WARN": Warning} {
		if got, err := ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity(fatal) succeeded")
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{Severity: Error, Rule: RuleInvalid, Source: "svc/api.sky:3:5",
		Object: ObjectRef{Kind: "Deployment", Namespace: "team", Name: "api"}, Field: "spec.replicas", Message: "invalid value: -1"}
	if got, want := f.String(), "svc/api.sky:3:5: error: Deployment team/api: spec.replicas: invalid value: -1"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// policy is a Checker standing in for a policy engine.
type policy struct{ err error }

func (policy) Name() string { return "policy" }
func (p policy) Check(_ context.Context, objs []manifest.Object) ([]Finding, error) {
	var out []Finding
	for _, o := range objs {
		out = append(out, Attach(o, []Finding{{Severity: Warning, Rule: "test-policy", Object: Ref(o.Obj), Message: "seen"}})...)
	}
	return out, p.err
}

// TestRunCombinesCheckers checks that Run runs every checker, gives
// findings their object's source and environment, and sorts them.
func TestRunCombinesCheckers(t *testing.T) {
	cm := func(name string) *corev1.ConfigMap {
		return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
	}
	objs := []manifest.Object{
		{Env: "prod", Service: "b", Source: "svc/b.sky", Obj: cm("Bad")},
		{Env: "prod", Service: "a", Source: "svc/a.sky", Obj: cm("good")},
	}
	fs, err := Run(context.Background(), objs, Options{Checkers: []Checker{Schema{}, policy{}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %s %s %s", f.Source, f.Env, f.Rule, f.Object.Name))
	}
	want := []string{
		"svc/a.sky prod test-policy good",
		"svc/b.sky prod test-policy Bad", // no field sorts first
		"svc/b.sky prod k8s-invalid Bad",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Run gave\n%q\nwant\n%q", got, want)
	}

	if _, err := Run(context.Background(), objs, Options{Checkers: []Checker{policy{err: errors.New("boom")}}}); err == nil {
		t.Error("Run hid a checker's error")
	}
}

// TestRulesDocumented checks that every rule has a section in
// docs/check.md, the anchor its HelpURI points at.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/check.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		if !regexp.MustCompile(`(?m)^### ` + regexp.QuoteMeta(r.ID) + `$`).Match(doc) {
			t.Errorf("rule %s has no section \"### %s\" in docs/check.md", r.ID, r.ID)
		}
		if r.Summary == "" {
			t.Errorf("rule %s has no summary", r.ID)
		}
		if got, ok := LookupRule(r.ID); !ok || got != r {
			t.Errorf("LookupRule(%q) = %v, %v", r.ID, got, ok)
		}
	}
}
