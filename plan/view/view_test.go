package view

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/plan"
)

// samplePlan has one of everything: a creation, a drifted update with a
// sensitive field, a recreation, a deletion, a failed target and a
// problem.
func samplePlan() *plan.Plan {
	cm := func(v string) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "web", "namespace": "team"}, "data": map[string]any{"mode": v}}
	}
	dep := func(replicas int64, selector string) map[string]any {
		return map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web", "namespace": "team"},
			"spec": map[string]any{"replicas": replicas, "selector": map[string]any{"matchLabels": map[string]any{"app": selector}}}}
	}
	secret := func(v string) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db", "namespace": "team"}, "data": map[string]any{"password": plan.Hide(v)}}
	}
	return &plan.Plan{
		Targets: []*plan.Target{
			{Name: "staging/a", Env: "staging", Source: "kubernetes", Context: "a", Server: "https://a.example", Objects: 5, Unchanged: 1},
			{Name: "staging/b", Env: "staging", Source: "kubernetes", Context: "b", Server: "https://127.0.0.1:1", Err: "cannot reach https://127.0.0.1:1: connection refused"},
		},
		Changes: []*plan.Change{
			{Target: "staging/a", Env: "staging", Service: "web", Source: "web.sky", APIVersion: "v1", Kind: "ConfigMap", Namespace: "team", Name: "web",
				Action: plan.Create, After: cm("fast")},
			{Target: "staging/a", Env: "staging", Service: "web", Source: "web.sky", APIVersion: "v1", Kind: "Secret", Namespace: "team", Name: "db",
				Action: plan.Update, Before: secret("old"), After: secret("new"),
				Fields: []plan.Field{{Path: "data.password", Op: plan.Modify, Before: plan.Hide("old"), After: plan.Hide("new"), Class: plan.Config, Sensitive: true}}},
			{Target: "staging/a", Env: "staging", Service: "web", Source: "web.sky", APIVersion: "apps/v1", Kind: "Deployment", Namespace: "team", Name: "web",
				Action: plan.Recreate, Before: dep(5, "web"), After: dep(3, "web2"),
				Destructive: "recreate: immutable field spec.selector.matchLabels.app can't change in place; the object is deleted and created again",
				Fields: []plan.Field{
					{Path: "spec.replicas", Op: plan.Modify, Before: int64(5), After: int64(3), Class: plan.Drift, Managers: []string{"kubectl"}},
					{Path: "spec.selector.matchLabels.app", Op: plan.Modify, Before: "web", After: "web2", Class: plan.Immutable},
				}},
			{Target: "staging/a", Env: "staging", Service: "old", APIVersion: "v1", Kind: "ConfigMap", Namespace: "team", Name: "old",
				Action: plan.Delete, Before: cm("slow"), Destructive: "delete: no longer rendered", Allowed: true},
		},
		Problems: []*plan.Problem{{Target: "staging/a", Env: "staging", Service: "web", Address: "Widget/team/w", Message: "the cluster does not serve example.com/v1 Widget"}},
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, samplePlan(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `── staging/a  https://a.example
+ create ConfigMap/team/web  (web, web.sky)
    @@ -0,0 +1,7 @@
    +apiVersion: v1
    +data:
    +  mode: fast
    +kind: ConfigMap
    +metadata:
    +  name: web
    +  namespace: team
~ update Secret/team/db  (web, web.sky)
    data.password: (sensitive value changed) sha256:cba06b5736fa → sha256:11507a0e2f5e
    @@ -1,6 +1,6 @@
     apiVersion: v1
     data:
    -  password: (sensitive sha256:cba06b5736fa)
    +  password: (sensitive sha256:11507a0e2f5e)
     kind: Secret
     metadata:
       name: db
-/+ recreate Deployment/team/web  (web, web.sky)
    destructive: recreate: immutable field spec.selector.matchLabels.app can't change in place; the object is deleted and created again
    drift: spec.replicas: 5 → 3 (live value set by kubectl; applying resets it)
    immutable: spec.selector.matchLabels.app: web → web2 (forces delete and create)
    @@ -4,7 +4,7 @@
       name: web
       namespace: team
     spec:
    -  replicas: 5
    +  replicas: 3
       selector:
         matchLabels:
    -      app: web
    +      app: web2
- delete ConfigMap/team/old  (old)
    destructive, allowed: delete: no longer rendered

── staging/b  https://127.0.0.1:1
  error: cannot reach https://127.0.0.1:1: connection refused

Problems (1): the plan is incomplete
  staging/a Widget/team/w: the cluster does not serve example.com/v1 Widget

Destructive changes (2):
  BLOCKED staging/a Deployment/team/web: recreate: immutable field spec.selector.matchLabels.app can't change in place; the object is deleted and created again
  allowed staging/a ConfigMap/team/old: delete: no longer rendered
  Allow them by name with --allow-destructive=staging:Deployment/team/web, or all with --allow-destructive=all.

TARGET     ADD  CHANGE  DELETE  DESTRUCTIVE  UNCHANGED  STATUS
staging/a  1    2       1       2            1          incomplete
staging/b  -    -       -       -            -          failed

Plan incomplete: 2 targets or objects could not be compared; 1 to add, 2 to change, 1 to delete, 2 destructive (1 not allowed).
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, samplePlan(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `### skyc diff

**Plan incomplete: 2 targets or objects could not be compared; 1 to add, 2 to change, 1 to delete, 2 destructive (1 not allowed).**

| Target | Add | Change | Delete | Destructive | Unchanged | Status |
|---|--:|--:|--:|--:|--:|---|
| ‵staging/a‵ | 1 | 2 | 1 | 2 | 1 | incomplete |
| ‵staging/b‵ | – | – | – | – | – | failed |

> [!CAUTION]
> **The plan is incomplete**: these could not be compared, so changes may be missing.
>
> - ‵staging/b‵: cannot reach https://127.0.0.1:1: connection refused
> - ‵staging/a Widget/team/w‵: the cluster does not serve example.com/v1 Widget

> [!WARNING]
> **2 destructive changes**, 1 not allowed: skyc diff exits 3 until ‵--allow-destructive‵ names them
>
> - ‵staging:Deployment/team/web‵ (staging/a) **not allowed** — recreate: immutable field spec.selector.matchLabels.app can't change in place; the object is deleted and created again
> - ‵staging:ConfigMap/team/old‵ (staging/a) allowed — delete: no longer rendered

#### ‵staging/a‵

<details><summary><code>+</code> create <code>ConfigMap/team/web</code> — web</summary>


‵‵‵diff
@@ -0,0 +1,7 @@
+apiVersion: v1
+data:
+  mode: fast
+kind: ConfigMap
+metadata:
+  name: web
+  namespace: team
‵‵‵

</details>

<details><summary><code>~</code> update <code>Secret/team/db</code> — web</summary>

- data.password: (sensitive value changed) sha256:cba06b5736fa → sha256:11507a0e2f5e

‵‵‵diff
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  password: (sensitive sha256:cba06b5736fa)
+  password: (sensitive sha256:11507a0e2f5e)
 kind: Secret
 metadata:
   name: db
‵‵‵

</details>

<details><summary><code>-/+</code> recreate <code>Deployment/team/web</code> — web ⚠️ destructive</summary>

- **destructive**: recreate: immutable field spec.selector.matchLabels.app can't change in place; the object is deleted and created again
- drift: spec.replicas: 5 → 3 (live value set by kubectl; applying resets it)
- immutable: spec.selector.matchLabels.app: web → web2 (forces delete and create)

‵‵‵diff
@@ -4,7 +4,7 @@
   name: web
   namespace: team
 spec:
-  replicas: 5
+  replicas: 3
   selector:
     matchLabels:
-      app: web
+      app: web2
‵‵‵

</details>

<details><summary><code>-</code> delete <code>ConfigMap/team/old</code> — old ⚠️ destructive</summary>

- **destructive**: delete: no longer rendered

</details>

`
	want = strings.ReplaceAll(want, "‵", "`") // backquotes can't be in a raw string
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, samplePlan()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		FormatVersion string         `json:"format_version"`
		Status        string         `json:"status"`
		Summary       map[string]int `json:"summary"`
		Targets       []struct {
			Name  string  `json:"name"`
			Error *string `json:"error"`
		} `json:"targets"`
		Changes []struct {
			Address     string `json:"address"`
			Action      string `json:"action"`
			Destructive *struct {
				Reason  string `json:"reason"`
				Allowed bool   `json:"allowed"`
				AllowAs string `json:"allow_as"`
			} `json:"destructive"`
			Fields []struct {
				Path      string   `json:"path"`
				Class     string   `json:"class"`
				Managers  []string `json:"managers"`
				Sensitive bool     `json:"sensitive"`
			} `json:"fields"`
		} `json:"changes"`
		Problems []struct {
			Address, Message string
		} `json:"problems"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.FormatVersion != "1" || got.Status != "incomplete" {
		t.Errorf("format_version %q, status %q", got.FormatVersion, got.Status)
	}
	wantSummary := map[string]int{"add": 1, "change": 1, "recreate": 1, "delete": 1, "destructive": 2, "blocked": 1, "unchanged": 1, "problems": 2}
	for k, v := range wantSummary {
		if got.Summary[k] != v {
			t.Errorf("summary.%s = %d, want %d", k, got.Summary[k], v)
		}
	}
	if len(got.Targets) != 2 || got.Targets[0].Error != nil || got.Targets[1].Error == nil {
		t.Errorf("targets: %+v", got.Targets)
	}
	if len(got.Changes) != 4 {
		t.Fatalf("%d changes, want 4", len(got.Changes))
	}
	rec := got.Changes[2]
	if rec.Action != "recreate" || rec.Destructive == nil || rec.Destructive.Allowed || rec.Destructive.AllowAs != "staging:Deployment/team/web" {
		t.Errorf("recreate: %+v", rec)
	}
	if f := rec.Fields[0]; f.Class != "drift" || len(f.Managers) != 1 || f.Managers[0] != "kubectl" {
		t.Errorf("drift field: %+v", f)
	}
	if f := got.Changes[1].Fields[0]; !f.Sensitive || f.Path != "data.password" {
		t.Errorf("sensitive field: %+v", f)
	}
	if !strings.HasSuffix(b.String(), "}\n") {
		t.Error("no trailing newline")
	}
}

// TestColor: colour only when asked, and then around every diff line.
func TestColor(t *testing.T) {
	var plain, color bytes.Buffer
	Text(&plain, samplePlan(), TextOptions{})
	Text(&color, samplePlan(), TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain text has escape codes")
	}
	for _, want := range []string{red + "-  replicas: 5" + reset, green + "+  replicas: 3" + reset, cyan + "@@ -4,7 +4,7 @@" + reset} {
		if !strings.Contains(color.String(), want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
}
