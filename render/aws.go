package render

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.yaml.in/yaml/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	corev1 "k8s.io/api/core/v1"

	"github.com/skyc-dev/skyc/check/awscheck"
	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/schemas/aws"
	"github.com/skyc-dev/skyc/stdlib"
)

// This file renders the AWS side of a service: the resources its main
// declared become one CloudFormation stack per service and environment,
// checked offline (awscheck) with the service's waivers, and every IAM
// role of the stack is also written out as JSON, resolved to the exact
// documents IAM will hold.

// roleARNAnnotation is the annotation EKS reads to give a service
// account's pods an IAM role.
const roleARNAnnotation = "eks.amazonaws.com/role-arn"

// stack collects the AWS values one evaluation of main returned.
type stack struct {
	resources []*stdlib.Resource
	sections  []*stdlib.Section
	seen      map[any]bool
}

func newStack() *stack { return &stack{seen: map[any]bool{}} }

// add takes v if it is an AWS value (a resource, with its companions, or
// a template section) and reports whether it was one.
func (s *stack) add(v starlark.Value) bool {
	switch v := v.(type) {
	case *stdlib.Resource:
		if !s.seen[v] {
			s.seen[v] = true
			s.resources = append(s.resources, v)
			for _, c := range v.Companions() {
				s.add(c)
			}
		}
		return true
	case *stdlib.Section:
		if !s.seen[v] {
			s.seen[v] = true
			s.sections = append(s.sections, v)
		}
		return true
	}
	return false
}

func (s *stack) empty() bool { return len(s.resources) == 0 && len(s.sections) == 0 }

// isAWS reports whether v is an AWS value main may return.
func isAWS(v starlark.Value) bool {
	switch v.(type) {
	case *stdlib.Resource, *stdlib.Section:
		return true
	}
	return false
}

// platform describes a service in an environment to the library.
func (r *Renderer) platform(env *config.Environment, service string) stdlib.Platform {
	return stdlib.Platform{
		Service: service, Env: env.Name, Cluster: env.Cluster, Region: env.Region,
		AccountID: env.AWS.AccountID, OIDCProvider: env.AWS.OIDCProvider,
		CostTags: r.costTags(), CostTagsConfigured: r.cfg.CostAllocation != nil,
	}
}

// costTags returns the cost-allocation tags of skyc.yaml, made (and
// their patterns compiled) once per renderer rather than once per
// service: every session reads the same slice, and none writes it.
func (r *Renderer) costTags() []stdlib.CostTag {
	r.costTagsOnce.Do(func() {
		tags := stdlib.DefaultCostTags()
		configured := r.cfg.CostAllocation.Tags()
		for i := range tags {
			t := &tags[i]
			c, ok := configured[t.Dimension]
			if !ok {
				continue
			}
			if c.Key != "" {
				t.Key = c.Key
			}
			if c.Required != nil {
				t.Required = *c.Required
			}
			t.Allowed = c.Allowed
			if c.Pattern != "" {
				// config.Parse checked that it compiles.
				t.Pattern = regexp.MustCompile(`^(?:` + c.Pattern + `)$`)
			}
		}
		r.costTagList = tags
	})
	return r.costTagList
}

// stackName names the stack of a service in an environment.
func stackName(service, env string) string {
	if env == "" {
		return service
	}
	return service + "-" + env
}

// stackNamePattern is compiled on first use: its bounded repeat makes a
// large program, and package initialisation runs in every skyc process.
var stackNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9]{0,127}$`) })

// awsOutput turns a service's stack into documents: its template and its
// roles' JSON. objs are the service's Kubernetes objects, whose service
// accounts are checked against the roles they name.
func (r *Renderer) awsOutput(j job, service string, st *stack, sess *stdlib.Session, objs []manifest.Object) ([]manifest.Object, []*lang.Diagnostic) {
	a := &assembly{r: r, j: j, service: service, st: st, sess: sess, pos: map[string]lang.Pos{}}
	return a.run(objs)
}

// assembly is the work of awsOutput.
type assembly struct {
	r       *Renderer
	j       job
	service string
	st      *stack
	sess    *stdlib.Session
	diags   []*lang.Diagnostic
	// pos maps template paths ("Resources/X/Properties/...") to the
	// user's line that made the value there.
	pos map[string]lang.Pos
}

func (a *assembly) errorf(pos lang.Pos, hint, format string, args ...any) {
	if !pos.IsValid() {
		pos = lang.Pos{File: a.j.label}
	}
	a.diags = append(a.diags, &lang.Diagnostic{Severity: lang.Error, Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (a *assembly) run(objs []manifest.Object) ([]manifest.Object, []*lang.Diagnostic) {
	env := a.j.env
	name := stackName(a.service, env.Name)
	if !stackNamePattern().MatchString(name) {
		a.errorf(lang.Pos{}, "name the service's file with letters, digits and '-'", "stack name %q: want a letter, then letters, digits and '-', at most 128 characters", name)
		return nil, a.diags
	}
	tmpl, ok := a.template(name)
	if !ok {
		return nil, a.diags
	}
	tree, err := aws.Encode(tmpl)
	if err != nil {
		a.errorf(lang.Pos{}, "", "stack %s: %v", name, err)
		return nil, a.diags
	}
	body := tree.(yaml.MapSlice)
	data, err := manifest.EncodeYAML(body)
	if err != nil {
		a.errorf(lang.Pos{}, "", "stack %s: %v", name, err)
		return nil, a.diags
	}
	resolveEnv := a.resolveEnv(name)
	var tagKeys []string
	for _, t := range a.sess.Platform.CostTags {
		if t.Required {
			tagKeys = append(tagKeys, t.Key)
		}
	}
	findings := awscheck.Template(body, len(data), awscheck.Options{
		RequiredTags: tagKeys,
		Resolve:      func(v any) (any, error) { return aws.Resolve(v, resolveEnv) },
	})
	a.report(findings)
	out := []manifest.Object{{
		Env: env.Name, Service: a.service, Source: a.j.label,
		Doc: &manifest.Document{Kind: manifest.TemplateKind, Name: name, Path: "cloudformation/" + name + ".yaml", Data: data},
	}}
	roles := a.roles(body, resolveEnv)
	out = append(out, roles...)
	a.checkServiceAccounts(objs, body, resolveEnv)
	return out, a.diags
}

// template builds the stack's template message, recording where each
// resource and statement was declared.
func (a *assembly) template(name string) (protoreflect.Message, bool) {
	tmpl := a.r.newMessage(aws.TemplateName)
	fds := tmpl.Descriptor().Fields()
	env := a.j.env.Name
	desc := a.service + ", rendered by skyc"
	if env != "" {
		desc = a.service + " in " + env + ", rendered by skyc"
	}
	tmpl.Set(fds.ByName("Description"), protoreflect.ValueOfString(desc))
	declared := map[string]lang.Pos{}
	ok := true
	declare := func(id, what string, pos lang.Pos) bool {
		if prev, dup := declared[id]; dup {
			a.errorf(pos, "give one of them another name (logical_id = ...)", "%s %s: the logical ID %s is declared twice in stack %s (also at %s)", what, id, id, name, prev)
			ok = false
			return false
		}
		declared[id] = pos
		return true
	}
	resources := tmpl.Mutable(fds.ByName("Resources")).Map()
	for _, res := range a.st.resources {
		if !declare(res.LogicalID, res.TypeName, res.Pos) {
			continue
		}
		resources.Set(protoreflect.ValueOfString(res.LogicalID).MapKey(), protoreflect.ValueOfMessage(res.Message()))
		path := "Resources/" + res.LogicalID
		a.pos[path] = res.Pos
		a.recordStatements(res.PropertiesMessage(), path+"/Properties")
	}
	for _, s := range a.st.sections {
		section := map[string]string{"parameter": "Parameters", "condition": "Conditions", "output": "Outputs"}[s.Kind()]
		if s.Kind() != "condition" && !declare(s.Name(), s.Kind(), s.Pos) {
			continue
		}
		m := tmpl.Mutable(fds.ByName(protoreflect.Name(section))).Map()
		key := protoreflect.ValueOfString(s.Name()).MapKey()
		if m.Has(key) {
			a.errorf(s.Pos, "", "%s %s is declared twice in stack %s", s.Kind(), s.Name(), name)
			ok = false
			continue
		}
		m.Set(key, protoreflect.ValueOfMessage(proto.Clone(s.Message().Interface()).ProtoReflect()))
		a.pos[section+"/"+s.Name()] = s.Pos
	}
	return tmpl, ok
}

// recordStatements walks a resource's properties as written and notes,
// under its template path, every message the library recorded a line for
// (IAM statements).
func (a *assembly) recordStatements(m protoreflect.Message, path string) {
	if p, ok := a.sess.StatementPos(m.Interface()); ok {
		a.pos[path] = p
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil && !(fd.IsMap() && fd.MapValue().Message() != nil) {
			return true
		}
		p := path + "/" + string(fd.Name())
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				a.recordStatements(l.Get(i).Message(), p+"/"+strconv.Itoa(i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				a.recordStatements(mv.Message(), p+"/"+k.String())
				return true
			})
		default:
			a.recordStatements(v.Message(), p)
		}
		return true
	})
}

// posOf returns the user's line that made the value at path: the longest
// recorded prefix of it.
func (a *assembly) posOf(path []string) lang.Pos {
	for n := len(path); n > 0; n-- {
		if p, ok := a.pos[strings.Join(path[:n], "/")]; ok {
			return p
		}
	}
	return lang.Pos{File: a.j.label}
}

// report turns findings into diagnostics, applying the service's waivers
// to the waivable ones. A waiver that matches nothing is a warning.
func (a *assembly) report(findings []awscheck.Finding) {
	used := map[*stdlib.Waiver]bool{}
	for _, f := range findings {
		if f.Waivable() {
			if w := a.waiver(f.Rule); w != nil {
				used[w] = true
				continue
			}
		}
		d := &lang.Diagnostic{
			Severity: lang.Error,
			Pos:      a.posOf(f.Path),
			Message:  fmt.Sprintf("%s: %s [%s]", strings.Join(f.Path, "."), f.Message, f.Rule),
			Hint:     f.Hint,
			Rule:     f.Rule,
		}
		if f.Waivable() {
			extra := fmt.Sprintf("if it must be so, waive(%q, reason = ..., owner = ..., expires = \"YYYY-MM-DD\") in main", f.Rule)
			if d.Hint == "" {
				d.Hint = extra
			} else {
				d.Hint += "; " + extra
			}
		}
		a.diags = append(a.diags, d)
	}
	for _, w := range a.sess.Waivers {
		if !used[w] && !w.Expired && isAWSRule(w.Rule) {
			a.diags = append(a.diags, &lang.Diagnostic{
				Severity: lang.Warning, Pos: w.Pos, Rule: RuleWaiverUnused,
				Message: fmt.Sprintf("the waiver of %s matches no finding in stack %s", w.Rule, stackName(a.service, a.j.env.Name)),
				Hint:    "remove it",
			})
		}
	}
}

func (a *assembly) waiver(rule string) *stdlib.Waiver {
	for _, w := range a.sess.Waivers {
		if w.Rule == rule && !w.Expired {
			return w
		}
	}
	return nil
}

// resolveEnv is what aws.Resolve knows of the stack.
func (a *assembly) resolveEnv(name string) *aws.Env {
	env := &aws.Env{Region: a.j.env.Region, Account: a.j.env.AWS.AccountID, StackName: name, Resources: map[string]aws.Physical{}}
	for _, r := range a.st.resources {
		env.Resources[r.LogicalID] = aws.Physical{Type: r.Spec, Name: r.PhysicalName()}
	}
	return env
}

// roles writes every IAM role of the template as iam/<RoleName>.json:
// its name, trust policy, inline policies and managed policy ARNs, with
// every intrinsic function resolved.
func (a *assembly) roles(body yaml.MapSlice, env *aws.Env) []manifest.Object {
	var out []manifest.Object
	resources, _ := get(body, "Resources")
	for _, it := range mapping(resources) {
		id := it.Key.(string)
		res := mapping(it.Value)
		if t, _ := get(res, "Type"); t != "AWS::IAM::Role" {
			continue
		}
		props, _ := get(res, "Properties")
		roleName, _ := get(mapping(props), "RoleName")
		name, ok := roleName.(string)
		pos := a.posOf([]string{"Resources", id})
		if !ok {
			continue // CloudFormation names it: nothing to write out before deployment
		}
		doc := yaml.MapSlice{{Key: "RoleName", Value: name}}
		for _, key := range []string{"Path", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "PermissionsBoundary", "MaxSessionDuration"} {
			if v, ok := get(mapping(props), key); ok {
				doc = append(doc, yaml.MapItem{Key: key, Value: v})
			}
		}
		resolved, err := aws.Resolve(doc, env)
		if err != nil {
			var ue *aws.UnresolvableError
			hint := ""
			if errors.As(err, &ue) {
				hint = "name resources in the role's policies by values known before deployment (physical names, ARN patterns), as the grants do"
			}
			a.errorf(pos, hint, "role %s: iam/%s.json cannot be written: %v", name, name, err)
			continue
		}
		data, err := manifest.EncodeJSON(resolved)
		if err != nil {
			a.errorf(pos, "", "role %s: %v", name, err)
			continue
		}
		out = append(out, manifest.Object{
			Env: a.j.env.Name, Service: a.service, Source: pos.String(),
			Doc: &manifest.Document{Kind: manifest.RoleKind, Name: name, Path: "iam/" + name + ".json", Data: data},
		})
	}
	return out
}

// checkServiceAccounts checks both sides of IRSA: a service account
// annotated with a role of the stack must be the one subject that role's
// trust policy admits.
func (a *assembly) checkServiceAccounts(objs []manifest.Object, body yaml.MapSlice, env *aws.Env) {
	type role struct {
		id       string
		subjects []string
	}
	byARN := map[string]role{}
	resources, _ := get(body, "Resources")
	for _, it := range mapping(resources) {
		res := mapping(it.Value)
		if t, _ := get(res, "Type"); t != "AWS::IAM::Role" {
			continue
		}
		id := it.Key.(string)
		arn, err := aws.Resolve(yaml.MapSlice{{Key: "Fn::GetAtt", Value: []any{id, "Arn"}}}, env)
		if err != nil {
			continue
		}
		props, _ := get(res, "Properties")
		trust, _ := get(mapping(props), "AssumeRolePolicyDocument")
		byARN[arn.(string)] = role{id: id, subjects: webIdentitySubjects(trust)}
	}
	for _, o := range objs {
		sa, ok := o.Obj.(*corev1.ServiceAccount)
		if !ok {
			continue
		}
		arn := sa.Annotations[roleARNAnnotation]
		if arn == "" {
			continue
		}
		subject := "system:serviceaccount:" + sa.Namespace + ":" + sa.Name
		r, ok := byARN[arn]
		if !ok {
			if len(byARN) > 0 || strings.Contains(arn, ":role/"+stackName(a.service, a.j.env.Name)) {
				a.errorf(lang.Pos{File: a.j.label}, "let service(..., aws = [...]) make the role and the annotation",
					"ServiceAccount %s/%s is annotated with the role %s, which stack %s does not have", sa.Namespace, sa.Name, arn, stackName(a.service, a.j.env.Name))
			}
			continue
		}
		if !slices.Contains(r.subjects, subject) {
			a.errorf(a.posOf([]string{"Resources", r.id}), "rename the service account with service_account = ..., which renames both sides",
				"ServiceAccount %s/%s is annotated with the role %s, whose trust policy admits %s, not %s",
				sa.Namespace, sa.Name, arn, strings.Join(r.subjects, ", "), subject)
		}
	}
}

// webIdentitySubjects returns the service accounts a trust policy admits
// through web identity federation (the values of its ...:sub conditions).
func webIdentitySubjects(trust any) []string {
	var out []string
	stmts, _ := get(mapping(trust), "Statement")
	list, _ := stmts.([]any)
	for _, s := range list {
		cond, _ := get(mapping(s), "Condition")
		for _, op := range mapping(cond) {
			for _, kv := range mapping(op.Value) {
				if k, _ := kv.Key.(string); strings.HasSuffix(k, ":sub") {
					vals, ok := kv.Value.([]any)
					if !ok {
						vals = []any{kv.Value}
					}
					for _, v := range vals {
						if s, ok := v.(string); ok {
							out = append(out, s)
						}
					}
				}
			}
		}
	}
	return out
}

func get(m yaml.MapSlice, key string) (any, bool) {
	for _, it := range m {
		if it.Key == key {
			return it.Value, true
		}
	}
	return nil, false
}

func mapping(v any) yaml.MapSlice {
	m, _ := v.(yaml.MapSlice)
	return m
}

// newMessage returns a new message of a registered type.
func (r *Renderer) newMessage(name protoreflect.FullName) protoreflect.Message {
	mt, err := r.reg.Types().FindMessageByName(name)
	if err != nil {
		panic(fmt.Sprintf("render: no message type %s", name))
	}
	return mt.New()
}
