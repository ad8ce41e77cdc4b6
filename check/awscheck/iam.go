package awscheck

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v2"
)

// PolicyKind says what a policy document governs, which decides the
// grammar it follows and whether the least-privilege rules apply.
type PolicyKind int

// Kinds of policies.
const (
	// Identity policies say what a role, user or group may do: no
	// Principal, a Resource in every statement. The least-privilege rules
	// apply to them.
	Identity PolicyKind = iota + 1
	// Trust policies say who may assume a role: a Principal, no Resource.
	Trust
	// Resource policies say who may use a resource (a key, a bucket, a
	// queue): a Principal and a Resource.
	Resource
)

func (k PolicyKind) String() string {
	return [...]string{"", "identity policy", "trust policy", "resource policy"}[k]
}

// policyPlaces says where each resource type holds policies, and of
// which kind. A property "Policies" holds a list of {PolicyDocument}.
var policyPlaces = map[string][]struct {
	property string
	kind     PolicyKind
}{
	"AWS::IAM::Role":          {{"AssumeRolePolicyDocument", Trust}, {"Policies", Identity}},
	"AWS::IAM::ManagedPolicy": {{"PolicyDocument", Identity}},
	"AWS::IAM::Policy":        {{"PolicyDocument", Identity}},
	"AWS::IAM::User":          {{"Policies", Identity}},
	"AWS::IAM::Group":         {{"Policies", Identity}},
	"AWS::KMS::Key":           {{"KeyPolicy", Resource}},
	"AWS::S3::BucketPolicy":   {{"PolicyDocument", Resource}},
	"AWS::SQS::QueuePolicy":   {{"PolicyDocument", Resource}},
	"AWS::SNS::TopicPolicy":   {{"PolicyDocument", Resource}},
	"AWS::ECR::Repository":    {{"RepositoryPolicyText", Resource}},
}

// policies checks every policy document of a resource.
func (c *checker) policies(r *resourceInfo, path []string) {
	for _, place := range policyPlaces[r.typ] {
		v, ok := get(r.props, place.property)
		if !ok || isFunction(v) {
			continue
		}
		p := append(slices.Clone(path), "Properties", place.property)
		if place.property == "Policies" {
			list, _ := v.([]any)
			for i, pol := range list {
				doc, ok := get(mapping(pol), "PolicyDocument")
				if ok && !isFunction(doc) {
					c.findings = append(c.findings, Policy(doc, place.kind, append(slices.Clone(p), strconv.Itoa(i), "PolicyDocument"), c.opts)...)
				}
			}
			continue
		}
		c.findings = append(c.findings, Policy(v, place.kind, p, c.opts)...)
	}
}

// Compiled on first use: package initialisation runs in every skyc
// process, whatever the command.
var (
	actionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`) })
	sidPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]*$`) })
	conditionKey  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._/-]+:[A-Za-z0-9._/*@+=:-]+$`) })
	arnPattern    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|\*):[a-z0-9*-]+:[a-z0-9*?-]*:([0-9]{12}|[*?0-9]*|aws):.+$`)
	})
	accountPrincipal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	servicePrincipal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$`) })
)

// conditionOperators are IAM's condition operators, without the IfExists
// suffix and the set qualifiers.
var conditionOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

// readVerbs start the names of read-only actions.
var readVerbs = []string{"Get", "List", "Describe", "BatchGet", "Query", "Scan", "Search", "Select", "View", "Lookup"}

// IsRead reports whether an action only reads: its name after the service
// prefix starts with a read verb. Wildcards count only as far as they
// keep that certain: "s3:Get*" reads, "s3:*" and "*" do not.
func IsRead(action string) bool {
	_, name, ok := strings.Cut(action, ":")
	if !ok {
		return false
	}
	for _, v := range readVerbs {
		if strings.HasPrefix(name, v) && !strings.ContainsAny(name[:len(v)], "*?") {
			return true
		}
	}
	return false
}

// matches reports whether an IAM pattern (with * and ?) matches s, case
// insensitively as IAM matches actions.
func matches(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("(?i)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

// Policy checks one policy document (in its encoded form) of the given
// kind; path is where it is in its template.
func Policy(doc any, kind PolicyKind, path []string, opts Options) []Finding {
	c := &checker{opts: opts}
	c.policy(doc, kind, path)
	return c.findings
}

func (c *checker) policy(doc any, kind PolicyKind, path []string) {
	m, ok := doc.(yaml.MapSlice)
	if !ok {
		c.add("iam-grammar", path, "", "a %s must be an object, got %v", kind, doc)
		return
	}
	for _, it := range m {
		switch it.Key {
		case "Version", "Id", "Statement":
		default:
			c.add("iam-grammar", append(slices.Clone(path), fmt.Sprint(it.Key)), "", "%v is not an element of a policy: want Version, Id and Statement", it.Key)
		}
	}
	if v, _ := get(m, "Version"); v != "2012-10-17" {
		c.add("iam-grammar", append(slices.Clone(path), "Version"), `policy variables and current features need "2012-10-17"`, "Version is %v, want \"2012-10-17\"", v)
	}
	stmts, ok := get(m, "Statement")
	list, isList := stmts.([]any)
	if sm, isMap := stmts.(yaml.MapSlice); isMap {
		list, isList = []any{sm}, true
	}
	if !ok || !isList || len(list) == 0 {
		c.add("iam-grammar", append(slices.Clone(path), "Statement"), "", "a %s needs at least one statement", kind)
		return
	}
	sids := map[string]bool{}
	for i, s := range list {
		c.statement(mapping(s), kind, append(slices.Clone(path), "Statement", strconv.Itoa(i)), sids)
	}
}

// strs returns the strings (or intrinsics, as nil) of a value that IAM
// allows to be one string or a list.
func strs(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func (c *checker) statement(s yaml.MapSlice, kind PolicyKind, path []string, sids map[string]bool) {
	known := []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	for _, it := range s {
		if !slices.Contains(known, fmt.Sprint(it.Key)) {
			c.add("iam-grammar", append(slices.Clone(path), fmt.Sprint(it.Key)), didYouMean(fmt.Sprint(it.Key), known), "%v is not an element of a statement", it.Key)
		}
	}
	if sid, ok := get(s, "Sid"); ok {
		str, _ := sid.(string)
		if !sidPattern().MatchString(str) {
			c.add("iam-grammar", append(slices.Clone(path), "Sid"), "", "Sid %q: want letters and digits only", str)
		}
		if sids[str] && str != "" {
			c.add("iam-grammar", append(slices.Clone(path), "Sid"), "", "Sid %s is used by two statements of the policy", str)
		}
		sids[str] = true
	}
	effect, _ := get(s, "Effect")
	if effect != "Allow" && effect != "Deny" {
		c.add("iam-grammar", append(slices.Clone(path), "Effect"), "", "Effect is %v, want Allow or Deny", effect)
	}
	one := func(a, b string, need bool) (string, any) {
		va, hasA := get(s, a)
		vb, hasB := get(s, b)
		switch {
		case hasA && hasB:
			c.add("iam-grammar", path, "", "a statement has %s or %s, not both", a, b)
		case hasA:
			return a, va
		case hasB:
			return b, vb
		case need:
			c.add("iam-grammar", path, "", "a statement of a %s needs %s or %s", kind, a, b)
		}
		return "", nil
	}
	actKey, acts := one("Action", "NotAction", true)
	resKey, res := one("Resource", "NotResource", kind != Trust)
	prinKey, prin := one("Principal", "NotPrincipal", kind != Identity)
	if kind == Identity && prinKey != "" {
		c.add("iam-grammar", append(slices.Clone(path), prinKey), "an identity policy applies to whoever holds it", "an identity policy's statement has no %s", prinKey)
	}
	if kind == Trust && resKey != "" {
		c.add("iam-grammar", append(slices.Clone(path), resKey), "a trust policy is about the role itself", "a trust policy's statement has no %s", resKey)
	}
	var actions, resources []string
	if actKey != "" {
		for i, a := range strs(acts) {
			s, ok := c.literal(a)
			if !ok {
				continue
			}
			if s != "*" && !actionPattern().MatchString(s) {
				c.add("iam-action", append(slices.Clone(path), actKey, strconv.Itoa(i)), `write actions as "service:Action", e.g. "s3:GetObject"`, "%q is not an action", s)
				continue
			}
			actions = append(actions, s)
		}
	}
	if resKey != "" {
		for i, r := range strs(res) {
			s, ok := c.literal(r)
			if !ok {
				continue
			}
			if s != "*" && !arnPattern().MatchString(s) {
				c.add("iam-arn", append(slices.Clone(path), resKey, strconv.Itoa(i)), "", "%q is not an ARN: want arn:partition:service:region:account:resource or \"*\"", s)
				continue
			}
			resources = append(resources, s)
		}
	}
	if prinKey != "" {
		c.principal(prin, append(slices.Clone(path), prinKey))
	}
	if cond, ok := get(s, "Condition"); ok {
		c.conditionBlock(cond, append(slices.Clone(path), "Condition"))
	}
	if kind == Identity && effect == "Allow" {
		c.leastPrivilege(path, actKey, actions, resKey, resources)
	}
}

// literal returns a value as a string, resolving intrinsics where
// Options.Resolve can; ok is false for what cannot be known offline.
func (c *checker) literal(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	if isFunction(v) && c.opts.Resolve != nil {
		if r, err := c.opts.Resolve(v); err == nil {
			s, ok := r.(string)
			return s, ok
		}
	}
	return "", false
}

func (c *checker) principal(v any, path []string) {
	if v == "*" {
		return
	}
	m, ok := v.(yaml.MapSlice)
	if !ok {
		c.add("iam-grammar", path, "", "a principal is \"*\" or an object such as {\"Service\": \"ec2.amazonaws.com\"}, got %v", v)
		return
	}
	for _, it := range m {
		key := fmt.Sprint(it.Key)
		p := append(slices.Clone(path), key)
		for i, x := range strs(it.Value) {
			s, ok := c.literal(x)
			if !ok {
				continue
			}
			pi := append(slices.Clone(p), strconv.Itoa(i))
			switch key {
			case "AWS":
				if s != "*" && !accountPrincipal().MatchString(s) && !arnPattern().MatchString(s) {
					c.add("iam-grammar", pi, "", "AWS principal %q: want an account ID, an ARN or \"*\"", s)
				}
			case "Service":
				if !servicePrincipal().MatchString(s) {
					c.add("iam-grammar", pi, "", "service principal %q: want a service's host, e.g. lambda.amazonaws.com", s)
				}
			case "Federated":
				if !strings.HasPrefix(s, "arn:") && !strings.Contains(s, ".") {
					c.add("iam-grammar", pi, "", "federated principal %q: want an identity provider's ARN or domain", s)
				} else if strings.HasPrefix(s, "arn:") && !arnPattern().MatchString(s) {
					c.add("iam-arn", pi, "", "%q is not an ARN", s)
				}
			case "CanonicalUser":
			default:
				c.add("iam-grammar", p, "", "principal type %s: want AWS, Service, Federated or CanonicalUser", key)
			}
		}
	}
}

func (c *checker) conditionBlock(v any, path []string) {
	m, ok := v.(yaml.MapSlice)
	if !ok {
		c.add("iam-condition", path, "", "a condition block is an object of operator to keys, got %v", v)
		return
	}
	for _, it := range m {
		op := fmt.Sprint(it.Key)
		p := append(slices.Clone(path), op)
		base := op
		if q, rest, ok := strings.Cut(base, ":"); ok {
			if q != "ForAllValues" && q != "ForAnyValue" {
				c.add("iam-condition", p, "", "%s: the qualifier %s is neither ForAllValues nor ForAnyValue", op, q)
			}
			base = rest
		}
		base = strings.TrimSuffix(base, "IfExists")
		if !slices.Contains(conditionOperators, base) {
			c.add("iam-condition", p, didYouMean(base, conditionOperators), "%s is not a condition operator", op)
		}
		keys, ok := it.Value.(yaml.MapSlice)
		if !ok || len(keys) == 0 {
			c.add("iam-condition", p, "", "%s needs an object of condition key to values", op)
			continue
		}
		for _, k := range keys {
			key := fmt.Sprint(k.Key)
			if !conditionKey().MatchString(key) {
				c.add("iam-condition", append(slices.Clone(p), key), "", "%q is not a condition key: want prefix:key, e.g. aws:SourceVpc", key)
			}
		}
	}
}

// leastPrivilege applies the waivable rules to an Allow statement of an
// identity policy.
func (c *checker) leastPrivilege(path []string, actKey string, actions []string, resKey string, resources []string) {
	if actKey == "NotAction" {
		c.add("iam-no-notaction-allow", append(slices.Clone(path), "NotAction"), "list the actions the role needs in Action instead",
			"the statement allows every action but the ones listed (NotAction with Allow)")
		return
	}
	everyResource := resKey == "Resource" && slices.Contains(resources, "*")
	for i, a := range actions {
		p := append(slices.Clone(path), "Action", strconv.Itoa(i))
		switch {
		case a == "*" || a == "*:*":
			c.add("iam-no-wildcard-action", p, "list the actions the role needs, e.g. through a resource's grants", "the statement allows every action (%q)", a)
		case strings.EqualFold(a, "iam:*"):
			c.add("iam-no-iam-wildcard", p, "list the IAM actions the role needs", "the statement allows every IAM action (%q)", a)
		}
		if !everyResource {
			continue
		}
		if matches(a, "iam:PassRole") {
			c.add("iam-no-passrole-wildcard", p, "name the roles it may pass in Resource", "the statement lets the role pass any role to a service (%s on \"*\")", a)
		} else if !IsRead(a) {
			c.add("iam-no-wildcard-resource", p, "name the resources in Resource, e.g. bucket.arn", "the write action %s is allowed on every resource (\"*\")", a)
		}
	}
}
