package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// AWSTarget names an AWS account and region to read.
type AWSTarget struct {
	// Region is the AWS region.
	Region string
	// Profile is a shared-config profile; empty means the default
	// credential chain (environment, shared config, SSO, instance role).
	Profile string
	// Endpoint overrides the endpoint of every service, e.g. a
	// moto_server on loopback; empty means AWS's own.
	Endpoint string
	// Account, when set, is the account the credentials must belong to:
	// ConnectAWS checks it (STS GetCallerIdentity), so that a diff never
	// compares with the wrong account and reports everything as new.
	Account string
}

// AWSOptions tune the AWS clients. The zero value is sensible.
type AWSOptions struct {
	// RequestTimeout bounds each attempt of a request; zero means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Attempts is how often the SDK tries a request that failed
	// transiently (throttled, 5xx, timed out, connection lost); zero means
	// DefaultAttempts.
	Attempts int
	// MaxBackoff caps the SDK's jittered exponential wait between
	// attempts; zero means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// ChangeSetTimeout bounds waiting for a change set to be computed;
	// zero means two minutes.
	ChangeSetTimeout time.Duration
}

// AWS reads CloudFormation stacks and IAM roles of one account and region.
// Its methods are safe for concurrent use.
type AWS struct {
	cfn  *cloudformation.Client
	iam  *iam.Client
	opts AWSOptions
}

// ConnectAWS loads the AWS configuration of t and asks STS who the
// credentials belong to, which fails early, once, for an unreachable
// endpoint or unusable credentials, and checks t.Account.
func ConnectAWS(ctx context.Context, t AWSTarget, opts AWSOptions) (*AWS, error) {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.ChangeSetTimeout <= 0 {
		opts.ChangeSetTimeout = 2 * time.Minute
	}
	var loads []func(*awsconfig.LoadOptions) error
	if t.Region != "" {
		loads = append(loads, awsconfig.WithRegion(t.Region))
	}
	if t.Profile != "" {
		loads = append(loads, awsconfig.WithSharedConfigProfile(t.Profile))
	}
	// Each attempt has its own timeout; the SDK retries transient
	// failures, a bounded number of times, with capped backoff.
	loads = append(loads,
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(opts.RequestTimeout)),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.Attempts
				o.MaxBackoff = opts.MaxBackoff
				o.Retryables = append([]retry.IsErrorRetryable{cutShort{}}, o.Retryables...)
			})
		}))
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	if t.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(t.Endpoint)
	}
	a := &AWS{
		cfn:  cloudformation.NewFromConfig(cfg),
		iam:  iam.NewFromConfig(cfg),
		opts: opts,
	}
	var account string
	err = a.call(ctx, func(ctx context.Context) error {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			account = aws.ToString(out.Account)
		}
		return err
	})
	if err != nil {
		where := "AWS"
		if t.Endpoint != "" {
			where = t.Endpoint
		}
		return nil, fmt.Errorf("cannot reach %s as the configured credentials (%d attempts): %w", where, opts.Attempts, err)
	}
	if t.Account != "" && account != t.Account {
		return nil, fmt.Errorf("the credentials are for account %s, not %s", account, t.Account)
	}
	return a, nil
}

// call runs one request (or a short series, such as the pages of a
// list). The SDK retries transient failures itself, each attempt bounded
// by the HTTP client's timeout; the deadline here bounds the whole, so
// that nothing waits forever.
func (a *AWS) call(ctx context.Context, f func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, time.Duration(a.opts.Attempts)*(a.opts.RequestTimeout+a.opts.MaxBackoff))
	defer cancel()
	err := f(cctx)
	if err != nil && ctx.Err() == nil && isTimeout(err) {
		return fmt.Errorf("timed out (%v per attempt, %d attempts): %w", a.opts.RequestTimeout, a.opts.Attempts, err)
	}
	return err
}

// cutShort makes the SDK retry an answer cut short (the connection was
// dropped mid-response), which it does not count as a connection error.
type cutShort struct{}

func (cutShort) IsErrorRetryable(err error) aws.Ternary {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// awsCode returns the error code of an AWS API error, "" for other errors.
func awsCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// StackState is a deployed CloudFormation stack.
type StackState struct {
	Name, Status string
	// Template is the template as deployed (its original form: JSON or
	// YAML, short-form intrinsics and all).
	Template []byte
	// Parameters are the stack's parameter values; those of NoEcho
	// parameters come back masked by CloudFormation.
	Parameters map[string]string
}

// Stack reads the deployed stack called name: nil with no error when
// there is none (or only a stack deleted, or one awaiting its first change
// set).
func (a *AWS) Stack(ctx context.Context, name string) (*StackState, error) {
	var out *cloudformation.DescribeStacksOutput
	err := a.call(ctx, func(ctx context.Context) error {
		var err error
		out, err = a.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		return err
	})
	if err != nil {
		if awsCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("describing stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	st := out.Stacks[0]
	status := string(st.StackStatus)
	if status == string(cfntypes.StackStatusDeleteComplete) || status == string(cfntypes.StackStatusReviewInProgress) {
		return nil, nil
	}
	s := &StackState{Name: name, Status: status, Parameters: map[string]string{}}
	for _, p := range st.Parameters {
		s.Parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	err = a.call(ctx, func(ctx context.Context) error {
		t, err := a.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(name), TemplateStage: cfntypes.TemplateStageOriginal})
		if err == nil {
			s.Template = []byte(aws.ToString(t.TemplateBody))
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the template of stack %s: %w", name, err)
	}
	return s, nil
}

// ResourceChange is what a change set says applying a template does to
// one resource.
type ResourceChange struct {
	LogicalID, Type string
	// Action is Add, Modify, Remove, Import or Dynamic.
	Action string
	// Replacement is True, False or Conditional (for Modify).
	Replacement string
	// Causes name what changes: "Properties.BucketName (requires
	// replacement: Always)", "Tags".
	Causes []string
}

// PreviewChangeSet asks CloudFormation what deploying template (with
// parameters) to stack would do: it creates a change set (of type CREATE
// when the stack does not exist yet), waits for it, reads it and deletes
// it, with the stack CloudFormation made for it if it made one. Nothing is
// executed.
func (a *AWS) PreviewChangeSet(ctx context.Context, stack string, template []byte, parameters map[string]string, exists bool) ([]ResourceChange, error) {
	name := fmt.Sprintf("skyc-diff-%d", time.Now().UnixNano())
	csType := cfntypes.ChangeSetTypeUpdate
	if !exists {
		csType = cfntypes.ChangeSetTypeCreate
	}
	in := &cloudformation.CreateChangeSetInput{
		StackName: aws.String(stack), ChangeSetName: aws.String(name), ChangeSetType: csType,
		TemplateBody: aws.String(string(template)),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityNamedIam, cfntypes.CapabilityCapabilityAutoExpand},
		Description:  aws.String("skyc diff preview; deleted after reading"),
	}
	keys := make([]string, 0, len(parameters))
	for k := range parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Parameters = append(in.Parameters, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(parameters[k])})
	}
	var id string
	err := a.call(ctx, func(ctx context.Context) error {
		out, err := a.cfn.CreateChangeSet(ctx, in)
		if err == nil {
			id = aws.ToString(out.Id)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creating a change set for stack %s: %w", stack, err)
	}
	// Clean up whatever happens next, even when ctx is done.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.RequestTimeout)
		defer cancel()
		a.cfn.DeleteChangeSet(cctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(id), StackName: aws.String(stack)})
		if !exists {
			a.cfn.DeleteStack(cctx, &cloudformation.DeleteStackInput{StackName: aws.String(stack)})
		}
	}()

	deadline := time.Now().Add(a.opts.ChangeSetTimeout)
	var changes []ResourceChange
	for wait := 200 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		var out *cloudformation.DescribeChangeSetOutput
		var all []cfntypes.Change
		err := a.call(ctx, func(ctx context.Context) error {
			var next *string
			for {
				o, err := a.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), StackName: aws.String(stack), NextToken: next})
				if err != nil {
					return err
				}
				out = o
				all = append(all, o.Changes...)
				if next = o.NextToken; next == nil {
					return nil
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("reading the change set for stack %s: %w", stack, err)
		}
		switch out.Status {
		case cfntypes.ChangeSetStatusCreateComplete:
			for _, c := range all {
				if c.ResourceChange != nil {
					changes = append(changes, resourceChange(c.ResourceChange))
				}
			}
			return changes, nil
		case cfntypes.ChangeSetStatusFailed:
			reason := aws.ToString(out.StatusReason)
			// An update that changes nothing fails with this reason.
			if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
				return nil, nil
			}
			return nil, fmt.Errorf("change set for stack %s failed: %s", stack, reason)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("change set for stack %s: still %s after %v", stack, out.Status, a.opts.ChangeSetTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(wait):
		}
	}
}

func resourceChange(rc *cfntypes.ResourceChange) ResourceChange {
	out := ResourceChange{
		LogicalID:   aws.ToString(rc.LogicalResourceId),
		Type:        aws.ToString(rc.ResourceType),
		Action:      string(rc.Action),
		Replacement: string(rc.Replacement),
	}
	for _, d := range rc.Details {
		if d.Target == nil {
			continue
		}
		cause := string(d.Target.Attribute)
		if n := aws.ToString(d.Target.Name); n != "" {
			cause += "." + n
		}
		if r := d.Target.RequiresRecreation; r != "" && r != cfntypes.RequiresRecreationNever {
			cause += " (requires replacement: " + string(r) + ")"
		}
		out.Causes = append(out.Causes, cause)
	}
	sort.Strings(out.Causes)
	out.Causes = compactStrings(out.Causes)
	return out
}

func compactStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// RoleState is a live IAM role: its trust policy, inline policies and
// attached managed policies, the parts skyc renders into iam/<role>.json.
type RoleState struct {
	Name string
	// Trust is the trust (assume-role) policy document, decoded.
	Trust any
	// Inline holds the inline policy documents by policy name, decoded.
	Inline map[string]any
	// Attached are the ARNs of the attached managed policies, sorted.
	Attached []string
}

// Role reads the IAM role called name; nil with no error when there is
// none.
func (a *AWS) Role(ctx context.Context, name string) (*RoleState, error) {
	var role *iamtypes.Role
	err := a.call(ctx, func(ctx context.Context) error {
		out, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err == nil {
			role = out.Role
		}
		return err
	})
	if awsCode(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading role %s: %w", name, err)
	}
	r := &RoleState{Name: name, Inline: map[string]any{}}
	if r.Trust, err = DecodePolicy(aws.ToString(role.AssumeRolePolicyDocument)); err != nil {
		return nil, fmt.Errorf("role %s: trust policy: %w", name, err)
	}
	var names []string
	err = a.call(ctx, func(ctx context.Context) error {
		p := iam.NewListRolePoliciesPaginator(a.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			names = append(names, page.PolicyNames...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the inline policies of role %s: %w", name, err)
	}
	for _, pn := range names {
		var doc string
		err := a.call(ctx, func(ctx context.Context) error {
			out, err := a.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if err == nil {
				doc = aws.ToString(out.PolicyDocument)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading policy %s of role %s: %w", pn, name, err)
		}
		if r.Inline[pn], err = DecodePolicy(doc); err != nil {
			return nil, fmt.Errorf("role %s: policy %s: %w", name, pn, err)
		}
	}
	err = a.call(ctx, func(ctx context.Context) error {
		p := iam.NewListAttachedRolePoliciesPaginator(a.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ap := range page.AttachedPolicies {
				r.Attached = append(r.Attached, aws.ToString(ap.PolicyArn))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the managed policies of role %s: %w", name, err)
	}
	sort.Strings(r.Attached)
	return r, nil
}

// DecodePolicy decodes a policy document as IAM returns it: URL-encoded
// JSON from AWS, plain JSON or a Python-literal rendering from emulators.
func DecodePolicy(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") || strings.Contains(s, "%22") {
		if u, err := url.QueryUnescape(s); err == nil {
			s = u
		}
	}
	return decodeLooseJSON(s)
}
