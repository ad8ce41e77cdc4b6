package policy

import (
	"context"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/skyc-dev/skyc/render"
)

// TestEveryRuleDocumented: every policy, IAM least-privilege rule and
// waiver finding has a section in docs/policies.md under a heading of its
// ID (the anchor findings link to), and every section is a rule.
func TestEveryRuleDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/policies.md")
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, m := range regexp.MustCompile(`(?m)^### (\S+)$`).FindAllSubmatch(doc, -1) {
		headings = append(headings, string(m[1]))
	}
	r, err := render.New(context.Background(), render.Options{Root: t.TempDir()}, "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Runtime: r.Runtime(), Policies: r.Policies(), Registry: r.Registry(), Bridge: r.Bridge()})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rule := range e.Rules() {
		ids = append(ids, rule.ID)
		if !slices.Contains(headings, rule.ID) {
			t.Errorf("%s is not documented: add a section \"### %s\" to docs/policies.md", rule.ID, rule.ID)
		}
		if want := DocsURL + "#" + rule.ID; rule.HelpURI() != want {
			t.Errorf("%s links to %s, want %s", rule.ID, rule.HelpURI(), want)
		}
	}
	for _, h := range headings {
		if !slices.Contains(ids, h) {
			t.Errorf("docs/policies.md documents %s, which is no rule", h)
		}
	}
}
