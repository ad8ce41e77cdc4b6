package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skyc-dev/skyc/live"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// Stack is a rendered CloudFormation stack (cloudformation/<stack>.yaml).
type Stack struct {
	// Env, Service and Source say where the stack comes from.
	Env, Service, Source string
	// Name is the stack's name.
	Name string
	// Template is the rendered template, YAML or JSON.
	Template []byte
	// Parameters are the values the stack is deployed with.
	Parameters map[string]string
}

// Role is a rendered IAM role (iam/<role>.json): the properties of an
// AWS::IAM::Role with every intrinsic function resolved — RoleName,
// AssumeRolePolicyDocument, Policies and ManagedPolicyArns.
type Role struct {
	Env, Service, Source string
	// Name is the role's name.
	Name string
	// Document is the role's JSON.
	Document []byte
}

// AWSReader is the live state of one AWS account and region, as a
// [*live.AWS] reads it.
type AWSReader interface {
	// Stack returns the deployed stack, nil if there is none.
	Stack(ctx context.Context, name string) (*live.StackState, error)
	// PreviewChangeSet returns CloudFormation's verdict on deploying a
	// template, through a change set it creates and deletes.
	PreviewChangeSet(ctx context.Context, stack string, template []byte, parameters map[string]string, exists bool) ([]live.ResourceChange, error)
	// Role returns the live IAM role, nil if there is none.
	Role(ctx context.Context, name string) (*live.RoleState, error)
}

var _ AWSReader = (*live.AWS)(nil)

// AWSTarget is one AWS account and region to compare an environment's
// stacks and roles against.
type AWSTarget struct {
	// Env is the environment whose stacks and roles are compared.
	Env string
	// Account names the account and region, e.g. "aws:123456789012/eu-central-1".
	Account string
	// Connect connects and returns the reader and the endpoint it uses.
	Connect func(ctx context.Context) (AWSReader, string, error)
}

// Name is the target's name in a plan: "<env>/<account>".
func (t AWSTarget) Name() string {
	if t.Env == "" {
		return t.Account
	}
	return t.Env + "/" + t.Account
}

// StackKind is the kind of the stack-level change of a stack (its
// parameters and non-resource sections); IAMRoleKind that of an IAM role's
// statement-level change.
const (
	StackKind   = "AWS::CloudFormation::Stack"
	IAMRoleKind = "IAMRole"
)

// AWS compares rendered stacks and roles with AWS accounts: each target
// gets the stacks and roles of its environment. Each stack is compared
// resource by resource with the deployed template and then previewed
// through a change set, CloudFormation's own verdict on what is modified,
// added, removed and replaced. Each role is compared statement by
// statement, with permission broadening called out.
func AWS(ctx context.Context, stacks []Stack, roles []Role, targets []AWSTarget, opts Options) *Plan {
	opts = opts.withDefaults()
	parts := make([]*Plan, len(targets))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			parts[i] = compareAWSTarget(ctx, t, stacks, roles, opts)
		}()
	}
	wg.Wait()
	p := &Plan{}
	for _, part := range parts {
		p.Merge(part)
	}
	p.sortTargets()
	return p
}

func compareAWSTarget(ctx context.Context, t AWSTarget, stacks []Stack, roles []Role, opts Options) *Plan {
	tgt := &Target{Name: t.Name(), Env: t.Env, Source: "aws", Context: t.Account}
	p := &Plan{Targets: []*Target{tgt}}
	r, endpoint, err := t.Connect(ctx)
	tgt.Server = endpoint
	if err != nil {
		tgt.Err = opts.Masker.Redact(err.Error())
		return p
	}
	problem := func(service, source, addr string, err error) {
		p.Problems = append(p.Problems, &Problem{Target: tgt.Name, Env: t.Env, Service: service, Source: source, Address: addr, Message: opts.Masker.Redact(err.Error())})
	}
	for _, st := range stacks {
		if st.Env != t.Env {
			continue
		}
		tgt.Objects++
		addr := StackKind + "/" + st.Name
		rendered, err := ParseTemplate(st.Template)
		if err != nil {
			problem(st.Service, st.Source, addr, err)
			continue
		}
		deployed, err := r.Stack(ctx, st.Name)
		if err != nil {
			problem(st.Service, st.Source, addr, err)
			continue
		}
		var before map[string]any
		var beforeParams map[string]string
		if deployed != nil {
			if before, err = ParseTemplate(deployed.Template); err != nil {
				problem(st.Service, st.Source, addr, fmt.Errorf("the deployed template: %w", err))
				continue
			}
			beforeParams = deployed.Parameters
		}
		cs, err := r.PreviewChangeSet(ctx, st.Name, st.Template, st.Parameters, deployed != nil)
		if err != nil {
			problem(st.Service, st.Source, addr, err)
			continue
		}
		sc := &stackCompare{target: tgt.Name, st: st, masker: opts.Masker}
		changes := sc.compare(before, rendered, beforeParams, deployed != nil, cs, true)
		if len(changes) == 0 {
			tgt.Unchanged++
		}
		p.Changes = append(p.Changes, changes...)
	}
	for _, role := range roles {
		if role.Env != t.Env {
			continue
		}
		tgt.Objects++
		addr := IAMRoleKind + "/" + role.Name
		var doc map[string]any
		if err := json.Unmarshal(role.Document, &doc); err != nil {
			problem(role.Service, role.Source, addr, fmt.Errorf("reading iam/%s.json: %w", role.Name, err))
			continue
		}
		liveRole, err := r.Role(ctx, role.Name)
		if err != nil {
			problem(role.Service, role.Source, addr, err)
			continue
		}
		var before map[string]any
		if liveRole != nil {
			before = liveRoleDocument(liveRole)
		}
		if c := compareRole(tgt.Name, role, before, doc); c != nil {
			p.Changes = append(p.Changes, c)
		} else {
			tgt.Unchanged++
		}
	}
	return p
}

// stackCompare compares one stack.
type stackCompare struct {
	target string
	st     Stack
	masker *Masker
}

// retained are the DeletionPolicy values that keep a resource's data.
var retained = map[string]bool{"Retain": true, "Snapshot": true, "RetainExceptOnCreate": true}

// dataTypes are the resource types that hold data, whose loss of
// retention or deletion protection is destructive.
var dataTypes = map[string]bool{
	"AWS::S3::Bucket": true, "AWS::DynamoDB::Table": true, "AWS::RDS::DBInstance": true, "AWS::RDS::DBCluster": true,
	"AWS::EFS::FileSystem": true, "AWS::ECR::Repository": true, "AWS::KMS::Key": true, "AWS::SecretsManager::Secret": true,
	"AWS::SQS::Queue": true, "AWS::Logs::LogGroup": true,
}

// protections are properties of data types that guard against deletion:
// dotted path → the value that protects.
var protections = map[string]map[string]any{
	"AWS::DynamoDB::Table": {
		"Properties.DeletionProtectionEnabled":                                   true,
		"Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled": true,
	},
	"AWS::RDS::DBInstance": {"Properties.DeletionProtection": true},
	"AWS::RDS::DBCluster":  {"Properties.DeletionProtection": true},
	"AWS::S3::Bucket":      {"Properties.VersioningConfiguration.Status": "Enabled"},
}

// maskResource hides a resource's sensitive values: those of the tables
// and the Value of a SecureString SSM parameter.
func (sc *stackCompare) maskResource(typ string, res map[string]any) map[string]any {
	if res == nil {
		return nil
	}
	sc.masker.Mask(schema.GroupKind{Kind: typ}, res)
	if typ == "AWS::SSM::Parameter" {
		if props, ok := res["Properties"].(map[string]any); ok && props["Type"] == "SecureString" {
			if v, ok := props["Value"]; ok {
				props["Value"] = sc.masker.maskValue(v, false)
			}
		}
	}
	return res
}

func resourceType(res map[string]any) string {
	t, _ := res["Type"].(string)
	return t
}

// compare returns the changes that deploying the rendered template (after)
// over the deployed one (before, nil when the stack does not exist) makes,
// merged with the change set's verdict (cs; haveCS false offline).
func (sc *stackCompare) compare(before, after map[string]any, beforeParams map[string]string, exists bool, cs []live.ResourceChange, haveCS bool) []*Change {
	beforeRes, _ := before["Resources"].(map[string]any)
	afterRes, _ := after["Resources"].(map[string]any)
	ids := map[string]bool{}
	for id := range beforeRes {
		ids[id] = true
	}
	for id := range afterRes {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	byID := map[string]*Change{}
	var changes []*Change
	newChange := func(id, typ string, a Action) *Change {
		c := &Change{
			Target: sc.target, Env: sc.st.Env, Service: sc.st.Service, Source: sc.st.Source,
			APIVersion: "cloudformation", Kind: typ, Namespace: sc.st.Name, Name: id, Action: a,
		}
		byID[id] = c
		changes = append(changes, c)
		return c
	}
	for _, id := range sorted {
		b, _ := beforeRes[id].(map[string]any)
		a, _ := afterRes[id].(map[string]any)
		switch {
		case b == nil:
			typ := resourceType(a)
			c := newChange(id, typ, Create)
			c.After = sc.maskResource(typ, a)
		case a == nil:
			typ := resourceType(b)
			c := newChange(id, typ, Delete)
			c.Before = sc.maskResource(typ, b)
			policy, _ := b["DeletionPolicy"].(string)
			if policy == "Retain" || policy == "RetainExceptOnCreate" {
				c.Notes = append(c.Notes, "DeletionPolicy "+policy+" keeps the resource in AWS; the stack only lets go of it")
			} else {
				c.Destructive = deletionReason(typ, b)
			}
		default:
			typ := resourceType(a)
			b, a = sc.maskResource(resourceType(b), b), sc.maskResource(typ, a)
			deltas := diffTrees(b, a)
			if len(deltas) == 0 {
				continue
			}
			c := newChange(id, typ, Update)
			c.Before, c.After = b, a
			c.Fields = classifyResource(typ, resourceType(b), deltas, sc.masker)
			for _, f := range c.Fields {
				if f.Class == Immutable {
					c.Action = Recreate
				}
			}
			if c.Action == Recreate {
				c.Destructive = "replace: " + immutableSummary(c.Fields, nil) + " forces CloudFormation to replace the resource (a new one is created, the old one deleted)"
				if p, _ := b["UpdateReplacePolicy"].(string); retained[p] {
					c.Notes = append(c.Notes, "UpdateReplacePolicy "+p+" keeps the old resource in AWS, outside the stack; the new one starts empty")
				}
			} else if reason := retentionLoss(typ, b, a); reason != "" {
				c.Destructive = reason
			}
		}
	}
	if haveCS {
		for _, rc := range cs {
			c := byID[rc.LogicalID]
			causes := strings.Join(rc.Causes, ", ")
			if c == nil {
				// The template of the resource is the same, but CloudFormation
				// changes it: a parameter, a mapping or another resource it
				// refers to changed.
				action := map[string]Action{"Add": Create, "Remove": Delete}[rc.Action]
				if action == "" {
					action = Update
				}
				c = newChange(rc.LogicalID, rc.Type, action)
				note := "CloudFormation: " + rc.Action
				if causes != "" {
					note += " (" + causes + ")"
				}
				c.Notes = append(c.Notes, note)
			}
			switch rc.Replacement {
			case "True":
				c.Action = Recreate
				c.Destructive = "replace: CloudFormation replaces the resource"
				if causes != "" {
					c.Destructive += " (" + causes + ")"
				}
			case "Conditional":
				if c.Destructive == "" {
					c.Destructive = "replace: CloudFormation may replace the resource (Conditional)"
					if causes != "" {
						c.Destructive += " (" + causes + ")"
					}
				}
			case "False":
				if c.Action == Recreate {
					c.Action = Update
					c.Destructive = retentionLoss(c.Kind, c.Before, c.After)
					c.Notes = append(c.Notes, "CloudFormation updates it in place although a create-only property changes")
					for i := range c.Fields {
						if c.Fields[i].Class == Immutable {
							c.Fields[i].Class = Config
						}
					}
				}
			}
		}
	}
	if sc := sc.stackLevel(before, after, beforeParams, exists); sc != nil {
		changes = append([]*Change{sc}, changes...)
	}
	return changes
}

// stackLevel compares what a stack has besides resources: parameter
// values and the other sections of the template.
func (sc *stackCompare) stackLevel(before, after map[string]any, beforeParams map[string]string, exists bool) *Change {
	if !exists {
		return nil
	}
	strip := func(t map[string]any, params map[string]string) map[string]any {
		out := map[string]any{}
		for k, v := range t {
			if k != "Resources" {
				out[k] = v
			}
		}
		if len(params) > 0 {
			pv := map[string]any{}
			for k, v := range params {
				pv[k] = v
			}
			out["ParameterValues"] = pv
		}
		return out
	}
	b, a := strip(before, beforeParams), strip(after, sc.st.Parameters)
	// NoEcho parameters' values are hidden, on both sides.
	for _, t := range []map[string]any{before, after} {
		defs, _ := t["Parameters"].(map[string]any)
		for name, d := range defs {
			if dm, ok := d.(map[string]any); ok && dm["NoEcho"] == true {
				for _, side := range []map[string]any{b, a} {
					if pv, ok := side["ParameterValues"].(map[string]any); ok {
						if v, ok := pv[name]; ok {
							pv[name] = sc.masker.maskValue(v, false)
						}
					}
					if sd, ok := side["Parameters"].(map[string]any)[name].(map[string]any); ok {
						if v, ok := sd["Default"]; ok {
							sd["Default"] = sc.masker.maskValue(v, false)
						}
					}
				}
			}
		}
	}
	deltas := diffTrees(b, a)
	if len(deltas) == 0 {
		return nil
	}
	c := &Change{
		Target: sc.target, Env: sc.st.Env, Service: sc.st.Service, Source: sc.st.Source,
		APIVersion: "cloudformation", Kind: StackKind, Name: sc.st.Name, Action: Update, Before: b, After: a,
	}
	for _, d := range deltas {
		f := Field{Path: d.path.String(), Op: opOf(d), Before: valueOf(d.before), After: valueOf(d.after), Class: Config}
		f.Sensitive = isMarker(f.Before) || isMarker(f.After)
		c.Fields = append(c.Fields, f)
	}
	return c
}

func isMarker(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, SensitivePrefix)
}

func opOf(d delta) Op {
	switch {
	case d.before == absent:
		return Add
	case d.after == absent:
		return Remove
	}
	return Modify
}

func valueOf(v any) any {
	if v == absent {
		return nil
	}
	return v
}

// classifyResource classifies a resource's changed fields: a change of
// type or of a create-only property forces a replacement.
func classifyResource(typ, beforeType string, deltas []delta, m *Masker) []Field {
	rt, known := aws.LookupResource(typ)
	fields := make([]Field, 0, len(deltas))
	for _, d := range deltas {
		f := Field{Path: d.path.String(), Op: opOf(d), Before: valueOf(d.before), After: valueOf(d.after), Class: Config}
		f.Sensitive = isMarker(f.Before) || isMarker(f.After)
		names := strings.Split(d.path.fieldNames(), ".")
		switch {
		case names[0] == "Type" && typ != beforeType:
			f.Class = Immutable
			f.Note = "a new resource type"
		case known && len(names) > 1 && names[0] == "Properties":
			if p := rt.Property(names[1]); p != nil && p.CreateOnly {
				f.Class = Immutable
				f.Note = typ + "." + names[1] + " is create-only"
			}
		}
		fields = append(fields, f)
	}
	return fields
}

// deletionReason says what deleting a resource of typ destroys.
func deletionReason(typ string, res map[string]any) string {
	props, _ := res["Properties"].(map[string]any)
	switch typ {
	case "AWS::Route53::RecordSet":
		return fmt.Sprintf("delete: removes the DNS record %v %v", props["Name"], props["Type"])
	case "AWS::Route53::RecordSetGroup", "AWS::Route53::HostedZone":
		return "delete: removes DNS records"
	case "AWS::CertificateManager::Certificate":
		return fmt.Sprintf("delete: removes the certificate for %v", props["DomainName"])
	}
	if dataTypes[typ] {
		if res["DeletionPolicy"] == "Snapshot" {
			return "delete: deletes the " + typ + " (after a final snapshot)"
		}
		return "delete: deletes the " + typ + " and its data"
	}
	return "delete: removed from the template"
}

// retentionLoss says how a data-bearing resource loses its protection
// against deletion, "" if it does not.
func retentionLoss(typ string, before, after map[string]any) string {
	if !dataTypes[typ] || before == nil || after == nil {
		return ""
	}
	var lost []string
	for _, key := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
		b, _ := before[key].(string)
		a, _ := after[key].(string)
		if retained[b] && !retained[a] {
			if a == "" {
				a = "Delete (unset)"
			}
			lost = append(lost, fmt.Sprintf("%s %s → %s", key, b, a))
		}
	}
	paths := make([]string, 0, len(protections[typ]))
	for p := range protections[typ] {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		want := protections[typ][p]
		b, a := lookup(before, p), lookup(after, p)
		if equal(b, want) && !equal(a, want) {
			lost = append(lost, fmt.Sprintf("%s %v → %v", p, b, valueText(a)))
		}
	}
	if len(lost) == 0 {
		return ""
	}
	return "retention: the " + typ + " loses its protection: " + strings.Join(lost, ", ")
}

func valueText(v any) any {
	if v == nil {
		return "(unset)"
	}
	return v
}

// lookup reads a dotted path of maps.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
