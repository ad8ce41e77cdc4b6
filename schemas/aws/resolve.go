package aws

import (
	"encoding/base64"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v2"
)

// Pseudo parameters that Ref accepts besides logical IDs.
var PseudoParameters = []string{
	"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}

// IsPseudoParameter reports whether name is one of PseudoParameters.
func IsPseudoParameter(name string) bool {
	for _, p := range PseudoParameters {
		if p == name {
			return true
		}
	}
	return false
}

// Partition returns the AWS partition of a region ("aws", "aws-cn",
// "aws-us-gov") and its URL suffix.
func Partition(region string) (partition, urlSuffix string) {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov", "amazonaws.com"
	}
	return "aws", "amazonaws.com"
}

// Env is what Resolve knows of a stack: where it is deployed and the
// physical names of its resources.
type Env struct {
	Region, Account, StackName string
	// Resources maps logical IDs to the resources of the stack.
	Resources map[string]Physical
}

// Physical is a resource of a stack as Resolve sees it.
type Physical struct {
	// Type is the resource's type; nil for a type without a table.
	Type *ResourceType
	// Name is the physical name, "" if CloudFormation generates it.
	Name string
}

// values returns the placeholder values for a resource of env.
func (env *Env) values(name string) Values {
	part, suffix := Partition(env.Region)
	return Values{Name: name, Partition: part, Region: env.Region, Account: env.Account, URLSuffix: suffix}
}

// UnresolvableError says that an intrinsic function's value is known only
// once the stack exists.
type UnresolvableError struct {
	Fn     string // e.g. "Fn::GetAtt Key.Arn"
	Reason string
}

func (e *UnresolvableError) Error() string {
	return fmt.Sprintf("%s cannot be resolved before deployment: %s", e.Fn, e.Reason)
}

// Resolve returns a copy of tree (as Encode makes it) with every intrinsic
// function replaced by its value, as CloudFormation would compute it in
// env. Functions whose value exists only once the stack is deployed (a
// generated id, an endpoint, an imported value) give an
// *UnresolvableError. Ref AWS::NoValue removes the member or element that
// holds it.
func Resolve(tree any, env *Env) (any, error) {
	v, _, err := resolve(tree, env)
	return v, err
}

// noValue marks a Ref AWS::NoValue.
type noValue struct{}

func resolve(tree any, env *Env) (any, bool, error) {
	switch t := tree.(type) {
	case yaml.MapSlice:
		if len(t) == 1 {
			if k, ok := t[0].Key.(string); ok && (k == "Ref" || strings.HasPrefix(k, "Fn::")) {
				v, err := resolveFn(k, t[0].Value, env)
				if _, none := v.(noValue); none {
					return nil, false, err
				}
				return v, true, err
			}
		}
		out := make(yaml.MapSlice, 0, len(t))
		for _, it := range t {
			v, keep, err := resolve(it.Value, env)
			if err != nil {
				return nil, false, err
			}
			if keep {
				out = append(out, yaml.MapItem{Key: it.Key, Value: v})
			}
		}
		return out, true, nil
	case []any:
		out := make([]any, 0, len(t))
		for _, x := range t {
			v, keep, err := resolve(x, env)
			if err != nil {
				return nil, false, err
			}
			if keep {
				out = append(out, v)
			}
		}
		return out, true, nil
	}
	return tree, true, nil
}

func resolveFn(name string, arg any, env *Env) (any, error) {
	str := func(v any) (string, error) {
		r, _, err := resolve(v, env)
		if err != nil {
			return "", err
		}
		s, ok := r.(string)
		if !ok {
			return "", fmt.Errorf("%s: got %v, want a string", name, r)
		}
		return s, nil
	}
	args, _ := arg.([]any)
	switch name {
	case "Ref":
		target, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref: got %v, want a name", arg)
		}
		return env.ref(target)
	case "Fn::GetAtt":
		if len(args) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt: want [resource, attribute]")
		}
		res, _ := args[0].(string)
		attr, _ := args[1].(string)
		return env.getAtt(res, attr)
	case "Fn::Sub":
		tmpl, vars := arg, yaml.MapSlice(nil)
		if len(args) == 2 {
			tmpl = args[0]
			vars, _ = args[1].(yaml.MapSlice)
		}
		s, ok := tmpl.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub: got %v, want a template string", tmpl)
		}
		return env.sub(s, vars)
	case "Fn::Join":
		if len(args) != 2 {
			return nil, fmt.Errorf("Fn::Join: want [delimiter, list]")
		}
		delim, _ := args[0].(string)
		list, _, err := resolve(args[1], env)
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Join: got %v, want a list", list)
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if parts[i], err = str(it); err != nil {
				return nil, err
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		if len(args) != 2 {
			return nil, fmt.Errorf("Fn::Select: want [index, list]")
		}
		i, ok := args[0].(int64)
		list, _, err := resolve(args[1], env)
		if err != nil {
			return nil, err
		}
		items, isList := list.([]any)
		if !ok || !isList || i < 0 || int(i) >= len(items) {
			return nil, fmt.Errorf("Fn::Select: index %v out of range of %v", args[0], list)
		}
		return items[i], nil
	case "Fn::Split":
		if len(args) != 2 {
			return nil, fmt.Errorf("Fn::Split: want [delimiter, string]")
		}
		delim, _ := args[0].(string)
		s, err := str(args[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Base64":
		s, err := str(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	}
	return nil, &UnresolvableError{Fn: name, Reason: "its value depends on the deployment"}
}

func (env *Env) ref(target string) (any, error) {
	part, suffix := Partition(env.Region)
	switch target {
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::Partition":
		return part, nil
	case "AWS::URLSuffix":
		return suffix, nil
	case "AWS::Region":
		if env.Region != "" {
			return env.Region, nil
		}
	case "AWS::AccountId":
		if env.Account != "" {
			return env.Account, nil
		}
	case "AWS::StackName":
		if env.StackName != "" {
			return env.StackName, nil
		}
	}
	fn := "Ref " + target
	if IsPseudoParameter(target) {
		return nil, &UnresolvableError{Fn: fn, Reason: "the environment does not say"}
	}
	r, ok := env.Resources[target]
	if !ok {
		return nil, fmt.Errorf("%s: no resource or parameter %s", fn, target)
	}
	if r.Type == nil || r.Type.Ref == "" || r.Name == "" {
		return nil, &UnresolvableError{Fn: fn, Reason: "its value is generated when the resource is created"}
	}
	return Pattern(r.Type.Ref).Expand(env.values(r.Name)), nil
}

func (env *Env) getAtt(res, attr string) (any, error) {
	fn := "Fn::GetAtt " + res + "." + attr
	r, ok := env.Resources[res]
	if !ok {
		return nil, fmt.Errorf("%s: no resource %s", fn, res)
	}
	if r.Type == nil {
		return nil, &UnresolvableError{Fn: fn, Reason: "the resource type is not known offline"}
	}
	a, ok := r.Type.Attribute(attr)
	if !ok {
		return nil, fmt.Errorf("%s: %s has no attribute %s", fn, r.Type.Name, attr)
	}
	if a.Value == "" || r.Name == "" {
		return nil, &UnresolvableError{Fn: fn, Reason: "its value is generated when the resource is created"}
	}
	return Pattern(a.Value).Expand(env.values(r.Name)), nil
}

func (env *Env) sub(tmpl string, vars yaml.MapSlice) (any, error) {
	var b strings.Builder
	err := ScanSub(tmpl, func(lit string) { b.WriteString(lit) }, func(name string) error {
		for _, v := range vars {
			if v.Key == name {
				r, _, err := resolve(v.Value, env)
				if err != nil {
					return err
				}
				s, ok := r.(string)
				if !ok {
					return fmt.Errorf("Fn::Sub: variable %s is %v, want a string", name, r)
				}
				b.WriteString(s)
				return nil
			}
		}
		var (
			v   any
			err error
		)
		if res, attr, dotted := strings.Cut(name, "."); dotted && !IsPseudoParameter(name) {
			v, err = env.getAtt(res, attr)
		} else {
			v, err = env.ref(name)
		}
		if err != nil {
			return err
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("Fn::Sub: ${%s} is not a string", name)
		}
		b.WriteString(s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.String(), nil
}

// ScanSub walks a Fn::Sub template: lit receives the literal text (with
// "${!x}" unescaped to "${x}"), ref each variable name inside "${...}". It
// fails on a "${" without its "}" or an empty name, and stops at ref's
// first error.
func ScanSub(tmpl string, lit func(string), ref func(name string) error) error {
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			lit(rest)
			return nil
		}
		lit(rest[:i])
		rest = rest[i+2:]
		j := strings.Index(rest, "}")
		if j < 0 {
			return fmt.Errorf("Fn::Sub: %q has a ${ without its }", tmpl)
		}
		name := rest[:j]
		rest = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			lit("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("Fn::Sub: %q has an empty ${}", tmpl)
		}
		if err := ref(name); err != nil {
			return err
		}
	}
}
