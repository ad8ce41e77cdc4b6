package view

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/skyc-dev/skyc/internal/textdiff"
	"github.com/skyc-dev/skyc/plan"
)

// objectYAML writes an object of a plan as YAML, keys sorted.
func objectYAML(obj map[string]any) string {
	if obj == nil {
		return ""
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Sprintf("# cannot show the object: %v\n", err)
	}
	return string(b)
}

// changeDiff is the unified diff of a change's before and after.
func changeDiff(c *plan.Change, context int) []string {
	return textdiff.Hunks(objectYAML(c.Before), objectYAML(c.After), context)
}

// valueText writes a field's value on one line, shortened.
func valueText(v any) string {
	if v == nil {
		return "(none)"
	}
	var s string
	if str, ok := v.(string); ok && !strings.ContainsAny(str, "\n\"") {
		s = str
	} else {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	const maxLen = 80
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}

// fieldNote describes a field change that needs more than the diff shows:
// drift, an immutable field, a sensitive value. "" for a plain change.
func fieldNote(f plan.Field) string {
	var what string
	switch {
	case f.Sensitive:
		what = "(sensitive value changed)"
		if f.Op == plan.Add {
			what = "(sensitive value added)"
		} else if f.Op == plan.Remove {
			what = "(sensitive value removed)"
		}
		what += " " + shortHash(f.Before) + " → " + shortHash(f.After)
	default:
		what = valueText(f.Before) + " → " + valueText(f.After)
	}
	switch f.Class {
	case plan.Drift:
		return fmt.Sprintf("drift: %s: %s (live value set by %s; applying resets it)", f.Path, what, strings.Join(f.Managers, ", "))
	case plan.Immutable:
		if f.Note != "" {
			return fmt.Sprintf("immutable: %s: %s (%s: forces replacement)", f.Path, what, f.Note)
		}
		return fmt.Sprintf("immutable: %s: %s (forces delete and create)", f.Path, what)
	case plan.Broadening:
		return fmt.Sprintf("broadening: %s: %s", f.Path, f.Note)
	}
	if f.Note != "" {
		return f.Path + ": " + f.Note
	}
	if f.Sensitive {
		return f.Path + ": " + what
	}
	return ""
}

// shortHash shows a hidden value by its hash alone.
func shortHash(v any) string {
	s, ok := v.(string)
	if !ok {
		return "(none)"
	}
	if h, ok := strings.CutPrefix(s, plan.SensitivePrefix); ok {
		return "sha256:" + strings.TrimSuffix(h, ")")
	}
	return "(hidden)"
}

// verb is how a change's action reads in a sentence.
func verb(a plan.Action) string {
	switch a {
	case plan.Create:
		return "create"
	case plan.Update:
		return "update"
	case plan.Recreate:
		return "recreate"
	case plan.Delete:
		return "delete"
	}
	return string(a)
}

// symbol marks a change's action, as terraform does.
func symbol(a plan.Action) string {
	switch a {
	case plan.Create:
		return "+"
	case plan.Update:
		return "~"
	case plan.Recreate:
		return "-/+"
	case plan.Delete:
		return "-"
	}
	return "?"
}

// allowName is how --allow-destructive names a change.
func allowName(c *plan.Change) string {
	if c.Env == "" {
		return c.Address()
	}
	return c.Env + ":" + c.Address()
}

// headline is the one-sentence summary of a plan.
func headline(p *plan.Plan) string {
	s := p.Summary("")
	switch p.Status() {
	case plan.NoChanges:
		return fmt.Sprintf("No changes: %s up to date.", plural(s.Unchanged, "object is", "objects are"))
	case plan.Incomplete:
		return fmt.Sprintf("Plan incomplete: %s not be compared; %s.", plural(s.Problems, "target or object could", "targets or objects could"), counts(s))
	}
	return "Plan: " + counts(s) + "."
}

func counts(s plan.Summary) string {
	out := fmt.Sprintf("%d to add, %d to change, %d to delete, %d destructive", s.Add, s.Change+s.Recreate, s.Delete, s.Destructive)
	if s.Blocked > 0 {
		out += fmt.Sprintf(" (%d not allowed)", s.Blocked)
	}
	return out
}

// targetStatus is a target's cell in the summary table.
func targetStatus(t *plan.Target, s plan.Summary) string {
	switch {
	case t.Err != "":
		return "failed"
	case s.Problems > 0:
		return "incomplete"
	case s.Blocked > 0:
		return "blocked"
	}
	return "ok"
}

// plural writes n with the singular or plural words.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
