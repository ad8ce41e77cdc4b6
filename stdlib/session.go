package stdlib

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/lang/starproto"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// SessionKey is the thread-local key under which the render driver stores
// the *Session of the evaluation of one service's main(ctx).
const SessionKey = "skyc.session"

// Session is what one evaluation of a service's main(ctx) declares besides
// its return value: waivers, and where each IAM statement was written, so
// that findings about a statement point at the line that made it. It also
// carries the platform settings of the environment being rendered. A
// Session belongs to one Starlark thread.
type Session struct {
	// Platform describes the service and its environment.
	Platform Platform
	// Today is the date waivers are checked against, "YYYY-MM-DD".
	Today string
	// Rules are the rule IDs a waiver may name.
	Rules []string
	// Waivers are the waive() declarations, in order.
	Waivers []*Waiver

	statements map[proto.Message]lang.Pos
}

// NewSession returns a session for rendering one service in one
// environment.
func NewSession(p Platform, today time.Time, rules []string) *Session {
	return &Session{Platform: p, Today: today.Format(time.DateOnly), Rules: rules}
}

// StatementPos returns where an IAM statement message was made, if the
// library recorded it.
func (s *Session) StatementPos(m proto.Message) (lang.Pos, bool) {
	p, ok := s.statements[m]
	return p, ok
}

func sessionOf(thread *starlark.Thread) *Session {
	s, _ := thread.Local(SessionKey).(*Session)
	return s
}

// Platform is what the library knows of the service being rendered and
// of its environment, from skyc.yaml.
type Platform struct {
	// Service is the service's name (its file's), Env the environment's.
	Service, Env string
	// Cluster, Region and Namespace are the environment's.
	Cluster, Region string
	// AccountID is the AWS account of the environment.
	AccountID string
	// OIDCProvider is the cluster's OIDC issuer without "https://", e.g.
	// oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7.
	OIDCProvider string
	// CostTags are the cost-allocation tags every AWS resource carries.
	CostTags []CostTag
	// CostTagsConfigured says the repository configures cost tags, which
	// then apply to Kubernetes workloads too.
	CostTagsConfigured bool
}

// CostTag is one cost-allocation tag: which of the service's values it
// carries (Dimension: "team", "service", "environment" or "cost_centre"),
// under which AWS tag key and Kubernetes label, and what values it may
// take.
type CostTag struct {
	Dimension string
	Key       string
	Label     string
	Required  bool
	Allowed   []string
	Pattern   *regexp.Regexp
}

// CostDimensions are the values a cost-allocation tag can carry.
var CostDimensions = []string{"team", "service", "environment", "cost_centre"}

// DefaultCostTags are the cost-allocation tags when skyc.yaml configures
// none: each dimension under the key of the label that already carries it.
func DefaultCostTags() []CostTag {
	return []CostTag{
		{Dimension: "team", Key: "team", Label: "team", Required: true},
		{Dimension: "service", Key: "service", Label: "app.kubernetes.io/name", Required: true},
		{Dimension: "environment", Key: "environment", Label: "environment", Required: true},
		{Dimension: "cost_centre", Key: "cost-centre", Label: "cost-centre", Required: true},
	}
}

// Waiver is one waive() declaration: a rule the service is allowed to
// break, by whom, why and until when.
type Waiver struct {
	Rule, Reason, Owner string
	// Expires is the last day the waiver holds, "YYYY-MM-DD".
	Expires string
	// Expired says that Expires is before the session's Today: the waiver
	// accepts nothing, and the render reports it.
	Expired bool
	// Object, when not nil, is the one object the waiver is about (the
	// message main made it from); nil means every object of the service.
	Object proto.Message
	Pos    lang.Pos
}

// waive implements waive(rule, reason, owner, expires, object).
func waive(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		rule                      string
		reasonV, ownerV, expiresV starlark.Value = starlark.None, starlark.None, starlark.None
		objectV                   starlark.Value = starlark.None
		reason, owner, expires    string
	)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "rule", &rule, "reason?", &reasonV, "owner?", &ownerV, "expires?", &expiresV, "object?", &objectV); err != nil {
		return nil, err
	}
	var object proto.Message
	if objectV != starlark.None {
		m, ok := starproto.AsProto(objectV)
		if !ok {
			return nil, fmt.Errorf("waive: object: got %s, want one of the objects main returns, e.g. svc.deployment", objectV.Type())
		}
		object = m
	}
	for _, a := range []struct {
		name string
		v    starlark.Value
		dst  *string
	}{{"reason", reasonV, &reason}, {"owner", ownerV, &owner}, {"expires", expiresV, &expires}} {
		if a.v == starlark.None {
			continue
		}
		s, ok := a.v.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("waive: %s: got %s, want a string", a.name, a.v.Type())
		}
		*a.dst = string(s)
	}
	s := sessionOf(thread)
	if s == nil {
		return nil, fmt.Errorf("waive: call it inside main(ctx): a waiver belongs to the service being rendered")
	}
	if len(s.Rules) > 0 && !slices.Contains(s.Rules, rule) {
		return nil, fmt.Errorf("waive: unknown rule %q%s", rule, hint(rule, s.Rules))
	}
	if strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("waive: %s: reason is required: say why the rule does not apply", rule)
	}
	if strings.TrimSpace(owner) == "" {
		return nil, fmt.Errorf("waive: %s: owner is required: who answers for this waiver", rule)
	}
	if expires == "" {
		return nil, fmt.Errorf("waive: %s: expires is required: a waiver without an expiry date is rejected (expires = \"YYYY-MM-DD\")", rule)
	}
	if _, err := time.Parse(time.DateOnly, expires); err != nil {
		return nil, fmt.Errorf("waive: %s: expires %q is not a date: want YYYY-MM-DD", rule, expires)
	}
	s.Waivers = append(s.Waivers, &Waiver{Rule: rule, Reason: reason, Owner: owner, Expires: expires,
		Expired: expires < s.Today, Object: object, Pos: userPos(thread)})
	return starlark.None, nil
}

// recordStatement implements record_statement(stmt): the library notes
// where the user's code made an IAM statement. It returns stmt.
func (l *cfnLib) recordStatement(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	m, ok := l.bridge.Unwrap(v)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want a message", fn.Name(), v.Type())
	}
	if s := sessionOf(thread); s != nil {
		if _, seen := s.statements[m]; !seen {
			if s.statements == nil {
				// Made for the services that declare IAM statements only.
				s.statements = map[proto.Message]lang.Pos{}
			}
			s.statements[m] = userPos(thread)
		}
	}
	return v, nil
}

// platform implements platform(): the Platform of the session as a
// struct; account_id and oidc_provider are None when not configured.
func platform(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	s := sessionOf(thread)
	if s == nil {
		return nil, fmt.Errorf("AWS resources can only be declared inside a service's main(ctx)")
	}
	p := s.Platform
	part, _ := aws.Partition(p.Region)
	return structOf("platform", starlark.StringDict{
		"partition":     starlark.String(part),
		"service":       starlark.String(p.Service),
		"env":           starlark.String(p.Env),
		"cluster":       starlark.String(p.Cluster),
		"region":        noneOr(p.Region),
		"account_id":    noneOr(p.AccountID),
		"oidc_provider": noneOr(p.OIDCProvider),
	}), nil
}

// labelValue is a valid Kubernetes label value.
//
// Compiled on first use: package initialisation runs in every skyc
// process, whatever the command.
var labelValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`) })

// isAWSTagValue reports whether s is a valid AWS tag value: what
// ^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$ matches. It is a loop rather than
// that regular expression, whose compiled form (256 copies of three
// Unicode classes) took 6 ms and 6 MB at every start of skyc.
func isAWSTagValue(s string) bool {
	n := 0
	for _, r := range s {
		if !isAWSTagRune(r) {
			return false
		}
		n++
	}
	return n <= 256
}

// isAWSTagRune reports whether r may appear in an AWS tag key or value.
func isAWSTagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Z, r) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
}

// costTagArgs unpacks the arguments of cost_tags: fn, aws and the values
// of team, service, environment and cost_centre (None when not given).
// service() passes all six by position, once per workload; that common
// form is unpacked without starlark.UnpackArgs, which moves each
// variable it fills to the heap.
func costTagArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (string, bool, [4]starlark.Value, error) {
	if len(args) == 6 && len(kwargs) == 0 {
		fn, ok := args[0].(starlark.String)
		aws, ok2 := args[1].(starlark.Bool)
		if ok && ok2 {
			return string(fn), bool(aws), [4]starlark.Value{args[2], args[3], args[4], args[5]}, nil
		}
	}
	return unpackCostTagArgs(b, args, kwargs)
}

// unpackCostTagArgs is costTagArgs for any other form of the call, and
// its errors, through starlark.UnpackArgs.
func unpackCostTagArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (string, bool, [4]starlark.Value, error) {
	var fn string
	var hasAWS bool
	var team, service, env, cc starlark.Value = starlark.None, starlark.None, starlark.None, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fn", &fn, "aws", &hasAWS,
		"team?", &team, "service?", &service, "environment?", &env, "cost_centre?", &cc); err != nil {
		return "", false, [4]starlark.Value{}, err
	}
	return fn, hasAWS, [4]starlark.Value{team, service, env, cc}, nil
}

// costTags implements cost_tags(fn, aws, team=, service=, environment=,
// cost_centre=): it checks the service's cost-allocation values against
// the platform's rules and returns the AWS tags as a list of (key, value)
// pairs. aws says whether the service has AWS resources; without them the
// rules apply only when skyc.yaml configures them. fn names the calling
// function in errors.
func costTags(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn, hasAWS, v, err := costTagArgs(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	s := sessionOf(thread)
	if s == nil {
		return starlark.NewList(nil), nil
	}
	p := s.Platform
	if !hasAWS && !p.CostTagsConfigured {
		return starlark.NewList(nil), nil
	}
	values := map[string]starlark.Value{"team": v[0], "service": v[1], "environment": v[2], "cost_centre": v[3]}
	arg := map[string]string{"team": "team", "service": "name", "environment": "the environment", "cost_centre": "cost_centre"}
	var out []starlark.Value
	for _, t := range p.CostTags {
		v := values[t.Dimension]
		if v == starlark.None || v == starlark.String("") {
			if t.Required {
				why := "skyc.yaml requires the cost-allocation tag " + t.Key
				if !p.CostTagsConfigured {
					why = "every AWS resource carries the cost-allocation tag " + t.Key
				}
				return nil, fmt.Errorf("%s: %s is required: %s", fn, arg[t.Dimension], why)
			}
			continue
		}
		str, ok := v.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: %s: got %s, want a string", fn, arg[t.Dimension], v.Type())
		}
		val := string(str)
		if len(t.Allowed) > 0 && !slices.Contains(t.Allowed, val) {
			return nil, fmt.Errorf("%s: %s: %q is not an allowed value of the cost-allocation tag %s: skyc.yaml allows %s%s",
				fn, arg[t.Dimension], val, t.Key, strings.Join(t.Allowed, ", "), hint(val, t.Allowed))
		}
		if t.Pattern != nil && !t.Pattern.MatchString(val) {
			return nil, fmt.Errorf("%s: %s: %q does not match the pattern %s of the cost-allocation tag %s", fn, arg[t.Dimension], val, t.Pattern, t.Key)
		}
		if len(val) > 63 || !labelValue().MatchString(val) {
			return nil, fmt.Errorf("%s: %s: %q cannot be a Kubernetes label value (the tag %s is mirrored as the label %s)", fn, arg[t.Dimension], val, t.Key, t.Label)
		}
		if !isAWSTagValue(val) {
			return nil, fmt.Errorf("%s: %s: %q cannot be an AWS tag value", fn, arg[t.Dimension], val)
		}
		out = append(out, starlark.Tuple{starlark.String(t.Key), starlark.String(val)})
	}
	return starlark.NewList(out), nil
}
