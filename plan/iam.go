package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/skyc-dev/skyc/live"
)

// liveRoleDocument writes a live role in the form of a rendered one
// (iam/<role>.json).
func liveRoleDocument(r *live.RoleState) map[string]any {
	doc := map[string]any{"RoleName": r.Name}
	if r.Trust != nil {
		doc["AssumeRolePolicyDocument"] = r.Trust
	}
	names := make([]string, 0, len(r.Inline))
	for n := range r.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	var policies []any
	for _, n := range names {
		policies = append(policies, map[string]any{"PolicyName": n, "PolicyDocument": r.Inline[n]})
	}
	if len(policies) > 0 {
		doc["Policies"] = policies
	}
	if len(r.Attached) > 0 {
		arns := make([]any, len(r.Attached))
		for i, a := range r.Attached {
			arns[i] = a
		}
		doc["ManagedPolicyArns"] = arns
	}
	return doc
}

// roleDocument is a role's documents in canonical form: statements as
// lists, their actions, resources and principals as sorted lists, policies
// by name, managed policy ARNs sorted. Only what IAM holds of the role is
// kept.
func roleDocument(doc map[string]any) map[string]any {
	out := map[string]any{}
	if n, ok := doc["RoleName"]; ok {
		out["RoleName"] = n
	}
	if t, ok := doc["AssumeRolePolicyDocument"]; ok && t != nil {
		out["AssumeRolePolicyDocument"] = canonicalPolicy(t)
	}
	if ps, ok := doc["Policies"].([]any); ok && len(ps) > 0 {
		var policies []any
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			if pm == nil {
				continue
			}
			policies = append(policies, map[string]any{"PolicyName": pm["PolicyName"], "PolicyDocument": canonicalPolicy(pm["PolicyDocument"])})
		}
		sort.SliceStable(policies, func(i, j int) bool {
			return fmt.Sprint(policies[i].(map[string]any)["PolicyName"]) < fmt.Sprint(policies[j].(map[string]any)["PolicyName"])
		})
		out["Policies"] = policies
	}
	if arns := stringSet(doc["ManagedPolicyArns"]); len(arns) > 0 {
		out["ManagedPolicyArns"] = toAny(arns)
	}
	return out
}

// canonicalPolicy puts a policy document in canonical form.
func canonicalPolicy(v any) any {
	doc, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range doc {
		out[k] = x
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	canon := make([]any, 0, len(stmts))
	for _, s := range stmts {
		sm, ok := s.(map[string]any)
		if !ok {
			canon = append(canon, s)
			continue
		}
		c := map[string]any{}
		for k, x := range sm {
			switch k {
			case "Action", "NotAction", "Resource", "NotResource":
				c[k] = toAny(stringSet(x))
			case "Condition":
				// Operator → key → value or values; one value is a list of one.
				if cm, ok := x.(map[string]any); ok {
					cond := map[string]any{}
					for op, kv := range cm {
						if km, ok := kv.(map[string]any); ok {
							keys := map[string]any{}
							for k, v := range km {
								keys[k] = toAny(stringSet(v))
							}
							cond[op] = keys
						} else {
							cond[op] = kv
						}
					}
					c[k] = cond
				} else {
					c[k] = x
				}
			case "Principal", "NotPrincipal":
				if pm, ok := x.(map[string]any); ok {
					p := map[string]any{}
					for pk, pv := range pm {
						p[pk] = toAny(stringSet(pv))
					}
					c[k] = p
				} else {
					c[k] = x
				}
			default:
				c[k] = x
			}
		}
		canon = append(canon, c)
	}
	if _, ok := doc["Statement"]; ok {
		out["Statement"] = canon
	}
	return out
}

// stringSet reads a string or a list of strings as a sorted set.
func stringSet(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
	case []string:
		out = slices.Clone(x)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// compareRole compares a role's live documents (before, nil when the role
// does not exist) with the rendered ones, statement by statement. It
// returns nil when nothing changes.
func compareRole(target string, role Role, before, rendered map[string]any) *Change {
	after := roleDocument(rendered)
	c := &Change{
		Target: target, Env: role.Env, Service: role.Service, Source: role.Source,
		APIVersion: "iam", Kind: IAMRoleKind, Name: role.Name, After: after,
	}
	if before == nil {
		c.Action = Create
		return c
	}
	b := roleDocument(before)
	if equal(b, after) {
		return nil
	}
	c.Action, c.Before = Update, b
	c.Fields = append(c.Fields, policyFields("AssumeRolePolicyDocument", b["AssumeRolePolicyDocument"], after["AssumeRolePolicyDocument"], true)...)
	bp, ap := policiesByName(b), policiesByName(after)
	names := map[string]bool{}
	for n := range bp {
		names[n] = true
	}
	for n := range ap {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		path := fmt.Sprintf("Policies[PolicyName=%s].PolicyDocument", scalarText(n))
		c.Fields = append(c.Fields, policyFields(path, bp[n], ap[n], false)...)
	}
	ba, aa := stringSet(b["ManagedPolicyArns"]), stringSet(after["ManagedPolicyArns"])
	for _, arn := range aa {
		if !slices.Contains(ba, arn) {
			c.Fields = append(c.Fields, Field{Path: "ManagedPolicyArns", Op: Add, After: arn, Class: Broadening, Note: "attaches the managed policy " + arn})
		}
	}
	for _, arn := range ba {
		if !slices.Contains(aa, arn) {
			c.Fields = append(c.Fields, Field{Path: "ManagedPolicyArns", Op: Remove, Before: arn, Class: Config, Note: "detaches the managed policy " + arn})
		}
	}
	for _, f := range c.Fields {
		if strings.HasPrefix(f.Path, "AssumeRolePolicyDocument") {
			c.Destructive = "IAM trust change: who may assume the role changes"
			break
		}
	}
	return c
}

func policiesByName(doc map[string]any) map[string]any {
	out := map[string]any{}
	ps, _ := doc["Policies"].([]any)
	for _, p := range ps {
		pm := p.(map[string]any)
		out[fmt.Sprint(pm["PolicyName"])] = pm["PolicyDocument"]
	}
	return out
}

// statement is one canonical policy statement.
type statement struct {
	m     map[string]any
	index int
}

func (s statement) sid() string { sid, _ := s.m["Sid"].(string); return sid }

func (s statement) effect() string { e, _ := s.m["Effect"].(string); return e }

func (s statement) set(key string) []string { return stringSet(s.m[key]) }

func (s statement) principals(key string) []string {
	var out []string
	switch p := s.m[key].(type) {
	case string:
		out = append(out, p)
	case map[string]any:
		for k, v := range p {
			for _, x := range stringSet(v) {
				out = append(out, k+":"+x)
			}
		}
	}
	sort.Strings(out)
	return out
}

func statements(doc any) []statement {
	dm, _ := doc.(map[string]any)
	list, _ := dm["Statement"].([]any)
	var out []statement
	for i, s := range list {
		if sm, ok := s.(map[string]any); ok {
			out = append(out, statement{m: sm, index: i})
		}
	}
	return out
}

// policyFields compares two policy documents statement by statement.
// Statements are matched by Sid, then by effect and shared actions; what
// is left over was added or removed. trust says the documents are trust
// policies (principals matter).
func policyFields(path string, before, after any, trust bool) []Field {
	if equal(before, after) {
		return nil
	}
	bs, as := statements(before), statements(after)
	matched := map[int]int{} // after index → before index
	usedB := map[int]bool{}
	for ai, a := range as {
		if a.sid() == "" {
			continue
		}
		for bi, b := range bs {
			if !usedB[bi] && b.sid() == a.sid() {
				matched[ai], usedB[bi] = bi, true
				break
			}
		}
	}
	for ai, a := range as {
		if _, ok := matched[ai]; ok {
			continue
		}
		best, bestScore := -1, 0
		for bi, b := range bs {
			if usedB[bi] || b.effect() != a.effect() || (a.sid() != "" && b.sid() != "") {
				continue
			}
			score := overlap(a.set("Action"), b.set("Action")) + overlap(a.set("NotAction"), b.set("NotAction"))
			if trust {
				score += overlap(a.principals("Principal"), b.principals("Principal"))
			}
			if equal(a.m, b.m) {
				score += 1000
			}
			if score > bestScore {
				best, bestScore = bi, score
			}
		}
		if best >= 0 {
			matched[ai], usedB[best] = best, true
		}
	}
	name := func(s statement) string {
		if sid := s.sid(); sid != "" {
			return fmt.Sprintf("%s.Statement[Sid=%s]", path, scalarText(sid))
		}
		return fmt.Sprintf("%s.Statement[%d]", path, s.index)
	}
	var fields []Field
	for ai, a := range as {
		bi, ok := matched[ai]
		if !ok {
			f := Field{Path: name(a), Op: Add, After: a.m, Class: Config}
			if a.effect() == "Allow" {
				f.Class, f.Note = Broadening, "a new Allow statement: "+describeGrant(a, trust)
			}
			fields = append(fields, f)
			continue
		}
		b := bs[bi]
		if equal(a.m, b.m) {
			continue
		}
		f := Field{Path: name(a), Op: Modify, Before: b.m, After: a.m, Class: Config}
		if why := broadening(b, a); why != "" {
			f.Class, f.Note = Broadening, why
		}
		fields = append(fields, f)
	}
	for bi, b := range bs {
		if usedB[bi] {
			continue
		}
		f := Field{Path: name(b), Op: Remove, Before: b.m, Class: Config}
		if b.effect() == "Deny" {
			f.Class, f.Note = Broadening, "a Deny statement is removed"
		}
		fields = append(fields, f)
	}
	return fields
}

func overlap(a, b []string) int {
	n := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			n++
		}
	}
	return n
}

func added(before, after []string) []string {
	var out []string
	for _, x := range after {
		if !slices.Contains(before, x) {
			out = append(out, x)
		}
	}
	return out
}

// describeGrant summarises what a statement allows.
func describeGrant(s statement, trust bool) string {
	var parts []string
	if a := s.set("Action"); len(a) > 0 {
		parts = append(parts, "actions "+strings.Join(a, ", "))
	}
	if a := s.set("NotAction"); len(a) > 0 {
		parts = append(parts, "every action but "+strings.Join(a, ", "))
	}
	if r := s.set("Resource"); len(r) > 0 {
		parts = append(parts, "on "+strings.Join(r, ", "))
	}
	if trust {
		if p := s.principals("Principal"); len(p) > 0 {
			parts = append(parts, "to "+strings.Join(p, ", "))
		}
	}
	return strings.Join(parts, " ")
}

// broadening says how after grants more than before, "" if it does not.
func broadening(before, after statement) string {
	var why []string
	switch after.effect() {
	case "Allow":
		if a := added(before.set("Action"), after.set("Action")); len(a) > 0 {
			why = append(why, "new actions "+strings.Join(a, ", "))
		}
		if a := added(after.set("NotAction"), before.set("NotAction")); len(a) > 0 {
			why = append(why, "no longer excluded actions "+strings.Join(a, ", "))
		}
		if a := added(before.set("Resource"), after.set("Resource")); len(a) > 0 {
			why = append(why, "wider resources "+strings.Join(a, ", "))
		}
		if a := added(after.set("NotResource"), before.set("NotResource")); len(a) > 0 {
			why = append(why, "no longer excluded resources "+strings.Join(a, ", "))
		}
		if a := added(before.principals("Principal"), after.principals("Principal")); len(a) > 0 {
			why = append(why, "new principals "+strings.Join(a, ", "))
		}
		if bc, ac := conditionKeys(before), conditionKeys(after); len(added(ac, bc)) > 0 {
			why = append(why, "dropped conditions "+strings.Join(added(ac, bc), ", "))
		} else if !equal(before.m["Condition"], after.m["Condition"]) && before.m["Condition"] != nil {
			why = append(why, "changed conditions")
		}
	case "Deny":
		if a := added(after.set("Action"), before.set("Action")); len(a) > 0 {
			why = append(why, "no longer denied actions "+strings.Join(a, ", "))
		}
		if a := added(after.set("Resource"), before.set("Resource")); len(a) > 0 {
			why = append(why, "no longer denied resources "+strings.Join(a, ", "))
		}
	}
	if before.effect() == "Deny" && after.effect() == "Allow" {
		why = append([]string{"Deny becomes Allow"}, why...)
	}
	return strings.Join(why, "; ")
}

// conditionKeys lists a statement's conditions as operator:key.
func conditionKeys(s statement) []string {
	cm, _ := s.m["Condition"].(map[string]any)
	var out []string
	for op, v := range cm {
		km, _ := v.(map[string]any)
		for k := range km {
			out = append(out, op+":"+k)
		}
	}
	sort.Strings(out)
	return out
}
