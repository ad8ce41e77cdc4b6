package plan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/live"
)

// fakeAWS is an AWS account in memory.
type fakeAWS struct {
	stacks  map[string]*live.StackState
	roles   map[string]*live.RoleState
	changes map[string][]live.ResourceChange // by stack: the change set's verdict
}

func (f *fakeAWS) Stack(_ context.Context, name string) (*live.StackState, error) {
	return f.stacks[name], nil
}

func (f *fakeAWS) PreviewChangeSet(_ context.Context, stack string, _ []byte, _ map[string]string, _ bool) ([]live.ResourceChange, error) {
	return f.changes[stack], nil
}

func (f *fakeAWS) Role(_ context.Context, name string) (*live.RoleState, error) {
	return f.roles[name], nil
}

const baseTemplate = `
Parameters:
  DbPassword: {Type: String, NoEcho: true}
Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: api-data
      VersioningConfiguration: {Status: Enabled}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: api-jobs
      VisibilityTimeout: 30
  Dns:
    Type: AWS::Route53::RecordSet
    Properties: {Name: api.example.com., Type: CNAME, HostedZoneName: example.com., TTL: "300", ResourceRecords: [lb.example.com]}
  Token:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: api-token, SecretString: hunter2-token}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: api
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]}
`

func awsPlan(t *testing.T, f *fakeAWS, stacks []Stack, roles []Role) *Plan {
	t.Helper()
	return AWS(context.Background(), stacks, roles, []AWSTarget{{
		Env: "staging", Account: "aws:123456789012/eu-central-1",
		Connect: func(context.Context) (AWSReader, string, error) { return f, "http://fake", nil },
	}}, Options{})
}

func TestAWSStacks(t *testing.T) {
	deployed := &live.StackState{Name: "api-staging", Status: "UPDATE_COMPLETE", Template: []byte(baseTemplate), Parameters: map[string]string{"DbPassword": "****"}}
	for name, tc := range map[string]struct {
		edit    func(string) string
		changes []live.ResourceChange
		params  map[string]string
		want    string
	}{
		"unchanged, long and short forms alike": {
			edit: func(s string) string { return s },
			want: "",
		},
		"in-place update": {
			edit: func(s string) string { return strings.Replace(s, "VisibilityTimeout: 30", "VisibilityTimeout: 60", 1) },
			want: "update AWS::SQS::Queue/api-staging/Queue\n  config Properties.VisibilityTimeout 30 → 60 change\n",
		},
		"create-only property forces replacement": {
			edit: func(s string) string { return strings.Replace(s, "QueueName: api-jobs", "QueueName: api-tasks", 1) },
			want: "recreate AWS::SQS::Queue/api-staging/Queue [destructive]\n  immutable Properties.QueueName api-jobs → api-tasks change\n",
		},
		"the change set's replacement counts": {
			edit:    func(s string) string { return strings.Replace(s, "VisibilityTimeout: 30", "VisibilityTimeout: 60", 1) },
			changes: []live.ResourceChange{{LogicalID: "Queue", Type: "AWS::SQS::Queue", Action: "Modify", Replacement: "True", Causes: []string{"Properties.VisibilityTimeout (requires replacement: Always)"}}},
			want:    "recreate AWS::SQS::Queue/api-staging/Queue [destructive]\n  config Properties.VisibilityTimeout 30 → 60 change\n",
		},
		"a change only the change set sees": {
			edit:    func(s string) string { return s },
			changes: []live.ResourceChange{{LogicalID: "Queue", Type: "AWS::SQS::Queue", Action: "Modify", Replacement: "False", Causes: []string{"Properties"}}},
			want:    "update AWS::SQS::Queue/api-staging/Queue\n  note: CloudFormation: Modify (Properties)\n",
		},
		"data bucket loses retention and versioning": {
			edit: func(s string) string {
				s = strings.Replace(s, "    DeletionPolicy: Retain\n", "", 1)
				return strings.Replace(s, "{Status: Enabled}", "{Status: Suspended}", 1)
			},
			want: "update AWS::S3::Bucket/api-staging/Data [destructive]\n" +
				"  config DeletionPolicy Retain → <nil> remove\n" +
				"  config Properties.VersioningConfiguration.Status Enabled → Suspended change\n",
		},
		"removed DNS record": {
			edit: func(s string) string {
				i := strings.Index(s, "  Dns:")
				j := strings.Index(s, "  Token:")
				return s[:i] + s[j:]
			},
			want: "delete AWS::Route53::RecordSet/api-staging/Dns [destructive]\n",
		},
		"retained bucket removed": {
			edit: func(s string) string {
				i := strings.Index(s, "  Data:")
				j := strings.Index(s, "  Queue:")
				return s[:i] + s[j:]
			},
			want: "delete AWS::S3::Bucket/api-staging/Data\n  note: DeletionPolicy Retain keeps the resource in AWS; the stack only lets go of it\n",
		},
		"secret values and NoEcho parameters are hidden": {
			edit:   func(s string) string { return strings.Replace(s, "hunter2-token", "hunter3-token", 1) },
			params: map[string]string{"DbPassword": "hunter2-db"},
			want: "update AWS::CloudFormation::Stack/api-staging\n" +
				"  config ParameterValues.DbPassword " + Hide("****") + " → " + Hide("hunter2-db") + " change\n" +
				"update AWS::SecretsManager::Secret/api-staging/Token\n" +
				"  config Properties.SecretString " + Hide("hunter2-token") + " → " + Hide("hunter3-token") + " change\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeAWS{stacks: map[string]*live.StackState{"api-staging": deployed}, changes: map[string][]live.ResourceChange{"api-staging": tc.changes}}
			params := tc.params
			if params == nil {
				params = map[string]string{"DbPassword": "****"}
			}
			rendered := tc.edit(baseTemplate)
			// The render writes intrinsics in long form; the deployed template has them short.
			p := awsPlan(t, f, []Stack{{Env: "staging", Service: "api", Name: "api-staging", Template: []byte(rendered), Parameters: params}}, nil)
			got := planLines(p)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			for _, leak := range []string{"hunter2", "hunter3"} {
				for _, c := range p.Changes {
					if strings.Contains(planLines(&Plan{Changes: []*Change{c}}), leak) || strings.Contains(strings.Join(c.Notes, " "), leak) {
						t.Errorf("%s leaks %q", c.Address(), leak)
					}
				}
			}
			if name == "data bucket loses retention and versioning" && !strings.Contains(p.Changes[0].Destructive, "DeletionPolicy Retain → Delete (unset), Properties.VersioningConfiguration.Status Enabled → Suspended") {
				t.Errorf("reason %q", p.Changes[0].Destructive)
			}
			if name == "removed DNS record" && p.Changes[0].Destructive != "delete: removes the DNS record api.example.com. CNAME" {
				t.Errorf("reason %q", p.Changes[0].Destructive)
			}
		})
	}
}

func TestAWSNewStack(t *testing.T) {
	f := &fakeAWS{}
	p := awsPlan(t, f, []Stack{{Env: "staging", Name: "api-staging", Template: []byte(baseTemplate)}, {Env: "production", Name: "api-production", Template: []byte(baseTemplate)}}, nil)
	want := "create AWS::S3::Bucket/api-staging/Data\ncreate AWS::Route53::RecordSet/api-staging/Dns\ncreate AWS::SQS::Queue/api-staging/Queue\ncreate AWS::IAM::Role/api-staging/Role\ncreate AWS::SecretsManager::Secret/api-staging/Token\n"
	if got := planLines(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if p.Targets[0].Objects != 1 {
		t.Errorf("the staging target compared %d stacks, want 1", p.Targets[0].Objects)
	}
	for _, c := range p.Changes {
		if c.Kind == "AWS::SecretsManager::Secret" && strings.Contains(planLines(p)+c.After["Properties"].(map[string]any)["SecretString"].(string), "hunter2") {
			t.Error("a created secret shows its value")
		}
	}
}

func TestParseTemplate(t *testing.T) {
	short, err := ParseTemplate([]byte("Resources:\n  R:\n    Properties:\n      A: !Ref X\n      B: !GetAtt Y.Arn\n      C: !Sub 'arn:${AWS::Partition}:s3:::x'\n      D: !Join [',', [a, !Ref Z]]\n      N: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	long, err := ParseTemplate([]byte(`{"Resources": {"R": {"Properties": {"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["Y", "Arn"]}, "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::x"}, "D": {"Fn::Join": [",", ["a", {"Ref": "Z"}]]}, "N": 3}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(short, long); len(d) > 0 {
		t.Errorf("short and long forms differ: %s", deltaText(d))
	}
}

const trust = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"oidc.example.com:sub": "system:serviceaccount:payments:api"}}}]}`

func roleJSON(trustDoc, policy, managed string) []byte {
	doc := `{"RoleName": "api-staging", "AssumeRolePolicyDocument": ` + trustDoc + `, "Policies": [{"PolicyName": "data", "PolicyDocument": ` + policy + `}]`
	if managed != "" {
		doc += `, "ManagedPolicyArns": ["` + managed + `"]`
	}
	return []byte(doc + "}")
}

func TestAWSRoles(t *testing.T) {
	const read = `{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}`
	liveRole := func() *live.RoleState {
		var trustDoc, policy any
		trustDoc, _ = live.DecodePolicy(trust)
		policy, _ = live.DecodePolicy(read)
		return &live.RoleState{Name: "api-staging", Trust: trustDoc, Inline: map[string]any{"data": policy}}
	}
	for name, tc := range map[string]struct {
		doc  []byte
		want string
	}{
		"same statements in another order and form": {
			doc:  roleJSON(trust, `{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::data/*", "arn:aws:s3:::data"]}}`, ""),
			want: "",
		},
		"new action and wider resource": {
			doc: roleJSON(trust, strings.Replace(strings.Replace(read, `"s3:ListBucket"]`, `"s3:ListBucket", "s3:PutObject"]`, 1), `"arn:aws:s3:::data/*"]`, `"arn:aws:s3:::*"]`, 1), ""),
			want: "update IAMRole/api-staging\n" +
				"  broadening Policies[PolicyName=data].PolicyDocument.Statement[Sid=Read]",
		},
		"new statement and managed policy": {
			doc: roleJSON(trust, strings.Replace(read, `]}]}`, `]}, {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}`, 1), "arn:aws:iam::aws:policy/ReadOnlyAccess"),
			want: "update IAMRole/api-staging\n" +
				"  broadening Policies[PolicyName=data].PolicyDocument.Statement[1]\n" +
				"  broadening ManagedPolicyArns",
		},
		"trust change": {
			doc: roleJSON(strings.Replace(trust, "system:serviceaccount:payments:api", "system:serviceaccount:payments:*", 1), read, ""),
			want: "update IAMRole/api-staging [destructive]\n" +
				"  broadening AssumeRolePolicyDocument.Statement[0]",
		},
		"narrowing is no broadening": {
			doc: roleJSON(trust, strings.Replace(read, `["s3:GetObject", "s3:ListBucket"]`, `["s3:GetObject"]`, 1), ""),
			want: "update IAMRole/api-staging\n" +
				"  config Policies[PolicyName=data].PolicyDocument.Statement[Sid=Read]",
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeAWS{roles: map[string]*live.RoleState{"api-staging": liveRole()}}
			p := awsPlan(t, f, nil, []Role{{Env: "staging", Service: "api", Name: "api-staging", Document: tc.doc}})
			var b strings.Builder
			for _, c := range p.Changes {
				b.WriteString(string(c.Action) + " " + c.Address())
				if c.Destructive != "" {
					b.WriteString(" [destructive]")
				}
				b.WriteString("\n")
				var fs []string
				for _, f := range c.Fields {
					fs = append(fs, "  "+string(f.Class)+" "+f.Path)
				}
				b.WriteString(strings.Join(fs, "\n"))
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			for _, pr := range p.Problems {
				t.Errorf("problem: %s", pr.Message)
			}
			if name == "new action and wider resource" {
				if n := p.Changes[0].Fields[0].Note; n != "new actions s3:PutObject; wider resources arn:aws:s3:::*" {
					t.Errorf("note %q", n)
				}
			}
			if name == "new statement and managed policy" {
				fs := p.Changes[0].Fields
				if len(fs) != 2 || fs[0].Note != "a new Allow statement: actions sqs:SendMessage on *" || fs[1].Note != "attaches the managed policy arn:aws:iam::aws:policy/ReadOnlyAccess" || fs[1].Class != Broadening {
					t.Errorf("fields %+v", fs)
				}
			}
			if name == "trust change" {
				if n := p.Changes[0].Fields[0].Note; n != "changed conditions" {
					t.Errorf("note %q", n)
				}
			}
		})
	}
}

func TestAWSUnreachable(t *testing.T) {
	p := AWS(context.Background(), []Stack{{Env: "staging", Name: "s", Template: []byte(baseTemplate)}}, nil, []AWSTarget{{
		Env: "staging", Account: "aws:dead",
		Connect: func(context.Context) (AWSReader, string, error) {
			return nil, "http://127.0.0.1:1", errors.New("connection refused")
		},
	}}, Options{})
	if p.Status() != Incomplete || p.Targets[0].Err != "connection refused" {
		t.Errorf("status %s, targets %+v", p.Status(), p.Targets[0])
	}
}

func TestAllowAWSAddress(t *testing.T) {
	a, err := ParseAllowlist("staging:AWS::S3::Bucket/api-staging/Data,AWS::SQS::Queue/api-staging/Queue")
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Changes: []*Change{
		{Env: "staging", Kind: "AWS::S3::Bucket", Namespace: "api-staging", Name: "Data", Destructive: "x"},
		{Env: "production", Kind: "AWS::SQS::Queue", Namespace: "api-staging", Name: "Queue", Destructive: "x"},
	}}
	if unused := p.Allow(a); len(unused) > 0 || !p.Changes[0].Allowed || !p.Changes[1].Allowed {
		t.Errorf("unused %v, changes %+v %+v", unused, p.Changes[0], p.Changes[1])
	}
}
