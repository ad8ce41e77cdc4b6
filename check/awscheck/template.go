package awscheck

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v2"

	"github.com/skyc-dev/skyc/internal/spell"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// CloudFormation's limits on a template.
const (
	MaxBodyBytes  = 51200
	MaxResources  = 500
	MaxParameters = 200
	MaxOutputs    = 200
)

// Options configure a check. The zero value checks structure and IAM
// without cost tags and without resolving intrinsics.
type Options struct {
	// RequiredTags are tag keys every taggable typed resource must carry.
	RequiredTags []string
	// Resolve evaluates a value with intrinsic functions offline (see
	// schemas/aws.Resolve), so that ARNs built by them can be checked; nil,
	// or an error, leaves such values unchecked.
	Resolve func(any) (any, error)
}

// checker holds the state of one template check.
type checker struct {
	opts       Options
	findings   []Finding
	resources  map[string]*resourceInfo
	order      []string // logical IDs in template order
	parameters map[string]bool
	conditions map[string]bool
}

type resourceInfo struct {
	id    string
	typ   string
	spec  *aws.ResourceType
	body  yaml.MapSlice
	props yaml.MapSlice
	deps  map[string]bool // resources it refers to or depends on
}

func (c *checker) add(rule string, path []string, hint, format string, args ...any) {
	c.findings = append(c.findings, Finding{Rule: rule, Path: slices.Clone(path), Message: fmt.Sprintf(format, args...), Hint: hint})
}

// get returns the value of key in m.
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

// Compiled on first use: package initialisation runs in every skyc
// process, whatever the command.
var logicalID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`) })

// Template checks an encoded template whose body, as written, is size
// bytes long, and every IAM policy in it.
func Template(tree yaml.MapSlice, size int, opts Options) []Finding {
	c := &checker{opts: opts, resources: map[string]*resourceInfo{}, parameters: map[string]bool{}, conditions: map[string]bool{}}
	c.declarations(tree)
	if size > MaxBodyBytes {
		c.add("cfn-limits", nil, "split the service's resources, or move large values (policies, user data) out of the template",
			"the template is %d bytes, more than CloudFormation's %d", size, MaxBodyBytes)
	}
	for _, lim := range []struct {
		section string
		n, max  int
	}{
		{"Resources", len(c.resources), MaxResources},
		{"Parameters", len(c.parameters), MaxParameters},
		{"Outputs", len(mapping(must(get(tree, "Outputs")))), MaxOutputs},
	} {
		if lim.n > lim.max {
			c.add("cfn-limits", []string{lim.section}, "", "the template has %d %s, more than CloudFormation's %d", lim.n, strings.ToLower(lim.section), lim.max)
		}
	}
	for _, it := range mapping(must(get(tree, "Conditions"))) {
		c.references(it.Value, []string{"Conditions", it.Key.(string)}, nil)
	}
	for _, id := range c.order {
		r := c.resources[id]
		path := []string{"Resources", id}
		if cond, ok := get(r.body, "Condition"); ok {
			c.condition(fmt.Sprint(cond), append(path, "Condition"))
		}
		if deps, ok := get(r.body, "DependsOn"); ok {
			c.dependsOn(r, deps, append(path, "DependsOn"))
		}
		c.references(r.props, append(path, "Properties"), r)
		if md, ok := get(r.body, "Metadata"); ok {
			c.references(md, append(path, "Metadata"), r)
		}
		if r.spec != nil {
			c.required(r.spec.Properties, r.props, append(path, "Properties"), r.spec.Name)
			c.tags(r, path)
		}
		c.policies(r, path)
	}
	for _, it := range mapping(must(get(tree, "Outputs"))) {
		path := []string{"Outputs", it.Key.(string)}
		out := mapping(it.Value)
		if cond, ok := get(out, "Condition"); ok {
			c.condition(fmt.Sprint(cond), append(path, "Condition"))
		}
		c.references(out, path, nil)
	}
	c.cycles()
	return c.findings
}

func must(v any, _ bool) any { return v }

// declarations reads what the template declares, checking logical IDs.
func (c *checker) declarations(tree yaml.MapSlice) {
	seen := map[string]string{}
	declare := func(section, id string) bool {
		path := []string{section, id}
		if !logicalID().MatchString(id) {
			c.add("cfn-logical-id", path, "", "logical ID %q: want 1 to 255 letters and digits", id)
		}
		if prev, dup := seen[id]; dup {
			c.add("cfn-logical-id", path, "", "%s is declared in %s and in %s", id, prev, section)
			return false
		}
		seen[id] = section
		return true
	}
	for _, it := range mapping(must(get(tree, "Parameters"))) {
		id := fmt.Sprint(it.Key)
		if declare("Parameters", id) {
			c.parameters[id] = true
		}
	}
	for _, it := range mapping(must(get(tree, "Conditions"))) {
		c.conditions[fmt.Sprint(it.Key)] = true
	}
	for _, it := range mapping(must(get(tree, "Resources"))) {
		id := fmt.Sprint(it.Key)
		if !declare("Resources", id) {
			continue
		}
		body := mapping(it.Value)
		typ, _ := get(body, "Type")
		r := &resourceInfo{id: id, typ: fmt.Sprint(typ), body: body, deps: map[string]bool{}}
		r.spec, _ = aws.LookupResource(r.typ)
		p, _ := get(body, "Properties")
		r.props = mapping(p)
		c.resources[id] = r
		c.order = append(c.order, id)
	}
}

// names returns the names Ref accepts, for hints.
func (c *checker) names() []string {
	out := slices.Clone(aws.PseudoParameters)
	for id := range c.resources {
		out = append(out, id)
	}
	for id := range c.parameters {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func didYouMean(name string, candidates []string) string {
	if n := spell.Nearest(name, candidates); n != "" {
		return "did you mean " + n + "?"
	}
	return ""
}

// references checks every intrinsic function in v and records the
// resources from refers to.
func (c *checker) references(v any, path []string, from *resourceInfo) {
	switch t := v.(type) {
	case []any:
		for i, x := range t {
			c.references(x, append(path, strconv.Itoa(i)), from)
		}
	case yaml.MapSlice:
		if len(t) == 1 {
			if k, ok := t[0].Key.(string); ok && (k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")) {
				c.function(k, t[0].Value, append(path, k), from)
				return
			}
		}
		for _, it := range t {
			c.references(it.Value, append(path, fmt.Sprint(it.Key)), from)
		}
	}
}

// function checks one intrinsic function (or condition reference).
func (c *checker) function(name string, arg any, path []string, from *resourceInfo) {
	args, _ := arg.([]any)
	switch name {
	case "Ref":
		target, ok := arg.(string)
		if !ok {
			c.add("cfn-ref", path, "", "Ref of %v: want a name", arg)
			return
		}
		c.ref(target, path, from)
		return
	case "Condition":
		c.condition(fmt.Sprint(arg), path)
		return
	case "Fn::GetAtt":
		if len(args) == 2 {
			res, _ := args[0].(string)
			attr, _ := args[1].(string)
			c.getAtt(res, attr, path, from)
		} else if s, ok := arg.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			c.getAtt(res, attr, path, from)
		} else {
			c.add("cfn-get-att", path, "", "Fn::GetAtt of %v: want [resource, attribute]", arg)
		}
		return
	case "Fn::Sub":
		tmpl, vars := arg, yaml.MapSlice(nil)
		if len(args) == 2 {
			tmpl, vars = args[0], mapping(args[1])
			c.references(vars, append(path, "1"), from)
		}
		s, ok := tmpl.(string)
		if !ok {
			c.add("cfn-sub", path, "", "Fn::Sub of %v: want a template string", tmpl)
			return
		}
		err := aws.ScanSub(s, func(string) {}, func(v string) error {
			if _, local := get(vars, v); local {
				return nil
			}
			if res, attr, dotted := strings.Cut(v, "."); dotted && !aws.IsPseudoParameter(v) {
				c.getAtt(res, attr, path, from)
			} else {
				c.ref(v, path, from)
			}
			return nil
		})
		if err != nil {
			c.add("cfn-sub", path, "", "%s", strings.TrimPrefix(err.Error(), "Fn::Sub: "))
		}
		return
	case "Fn::If":
		if len(args) != 3 {
			c.add("cfn-condition", path, "", "Fn::If takes [condition, value if true, value if false], got %d arguments", len(args))
			return
		}
		c.condition(fmt.Sprint(args[0]), append(path, "0"))
		c.references(args[1], append(path, "1"), from)
		c.references(args[2], append(path, "2"), from)
		return
	}
	c.references(arg, path, from)
}

func (c *checker) ref(target string, path []string, from *resourceInfo) {
	switch {
	case aws.IsPseudoParameter(target), c.parameters[target]:
		return
	case c.resources[target] != nil:
		if from != nil {
			from.deps[target] = true
		}
		return
	}
	c.add("cfn-ref", path, didYouMean(target, c.names()), "Ref %s: the template declares no resource or parameter %s", target, target)
}

func (c *checker) getAtt(res, attr string, path []string, from *resourceInfo) {
	r := c.resources[res]
	if r == nil {
		hint := didYouMean(res, c.order)
		if c.parameters[res] {
			hint = res + " is a parameter: use Ref"
		}
		c.add("cfn-get-att", path, hint, "Fn::GetAtt %s.%s: the template declares no resource %s", res, attr, res)
		return
	}
	if from != nil {
		from.deps[res] = true
	}
	if r.spec == nil {
		return
	}
	if _, ok := r.spec.Attribute(attr); !ok {
		names := r.spec.AttributeNames()
		has := "it has none"
		if len(names) > 0 {
			has = "it has " + strings.Join(names, ", ")
		}
		c.add("cfn-get-att", path, didYouMean(attr, names), "Fn::GetAtt %s.%s: %s has no attribute %s: %s", res, attr, r.typ, attr, has)
	}
}

func (c *checker) condition(name string, path []string) {
	if !c.conditions[name] {
		var names []string
		for n := range c.conditions {
			names = append(names, n)
		}
		sort.Strings(names)
		c.add("cfn-condition", path, didYouMean(name, names), "condition %s is not declared in Conditions", name)
	}
}

func (c *checker) dependsOn(r *resourceInfo, v any, path []string) {
	var deps []any
	switch t := v.(type) {
	case string:
		deps = []any{t}
	case []any:
		deps = t
	}
	for i, d := range deps {
		id := fmt.Sprint(d)
		p := append(slices.Clone(path), strconv.Itoa(i))
		switch {
		case id == r.id:
			c.add("cfn-depends-on", p, "", "%s depends on itself", id)
		case c.resources[id] == nil:
			c.add("cfn-depends-on", p, didYouMean(id, c.order), "DependsOn %s: the template declares no resource %s", id, id)
		default:
			r.deps[id] = true
		}
	}
}

// required checks that an object of a typed resource sets its required
// properties, at every level.
func (c *checker) required(props []*aws.Property, obj yaml.MapSlice, path []string, where string) {
	for _, p := range props {
		v, set := get(obj, p.Name)
		if !set {
			if p.Required {
				c.add("cfn-required", path, "", "%s: the required property %s is not set", where, p.Name)
			}
			continue
		}
		if p.Type.Kind != aws.KindObject || isFunction(v) {
			continue
		}
		sub := append(slices.Clone(path), p.Name)
		name := where + "." + p.Type.Object.Name
		switch {
		case p.Type.List:
			list, _ := v.([]any)
			for i, x := range list {
				if !isFunction(x) {
					c.required(p.Type.Object.Properties, mapping(x), append(slices.Clone(sub), strconv.Itoa(i)), name)
				}
			}
		case p.Type.Map:
			for _, it := range mapping(v) {
				c.required(p.Type.Object.Properties, mapping(it.Value), append(slices.Clone(sub), fmt.Sprint(it.Key)), name)
			}
		default:
			c.required(p.Type.Object.Properties, mapping(v), sub, name)
		}
	}
}

// isFunction reports whether v is an intrinsic function.
func isFunction(v any) bool {
	m, ok := v.(yaml.MapSlice)
	if !ok || len(m) != 1 {
		return false
	}
	k, _ := m[0].Key.(string)
	return k == "Ref" || strings.HasPrefix(k, "Fn::")
}

// tags checks the required cost-allocation tags of a taggable resource.
func (c *checker) tags(r *resourceInfo, path []string) {
	if r.spec.Tags == aws.NoTags || len(c.opts.RequiredTags) == 0 {
		return
	}
	have := map[string]bool{}
	tags, _ := get(r.props, "Tags")
	switch r.spec.Tags {
	case aws.TagList:
		list, _ := tags.([]any)
		for _, t := range list {
			k, _ := get(mapping(t), "Key")
			if s, ok := k.(string); ok {
				have[s] = true
			}
		}
	case aws.TagMap:
		for _, it := range mapping(tags) {
			have[fmt.Sprint(it.Key)] = true
		}
	}
	var missing []string
	for _, k := range c.opts.RequiredTags {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		c.add("cost-tags", append(path, "Properties"), "declare the resource in a workload's aws = [...], which tags it",
			"%s %s lacks the cost-allocation tag %s", r.typ, r.id, strings.Join(missing, ", "))
	}
}

// cycles reports each cycle of dependencies between resources once.
func (c *checker) cycles() {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		state[id] = visiting
		stack = append(stack, id)
		deps := make([]string, 0, len(c.resources[id].deps))
		for d := range c.resources[id].deps {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			switch state[d] {
			case unvisited:
				visit(d)
			case visiting:
				i := slices.Index(stack, d)
				cycle := append(slices.Clone(stack[i:]), d)
				c.add("cfn-cycle", []string{"Resources", d}, "break the cycle: one of them must not refer to the next",
					"circular dependency: %s", strings.Join(cycle, " → "))
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
	}
	for _, id := range c.order {
		if state[id] == unvisited {
			visit(id)
		}
	}
}
