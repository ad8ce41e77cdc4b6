package awscheck

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

func parseYAML(t *testing.T, src string) yaml.MapSlice {
	t.Helper()
	var m yaml.MapSlice
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// role is a template with a role whose inline policy has the statement
// given, in YAML flow form.
func role(statement string) string {
	return `
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
        - Effect: Allow
          Principal: {Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/1"}
          Action: [sts:AssumeRoleWithWebIdentity]
      Policies:
      - PolicyName: p
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
          - ` + statement + `
`
}

// TestTemplate shows each rule firing, and a clean template passing.
func TestTemplate(t *testing.T) {
	cases := map[string]struct {
		src  string
		want []string // "rule: path: message fragment"
	}{
		"clean":                          {role(`{Sid: Read, Effect: Allow, Action: [s3:GetObject, "s3:List*"], Resource: [{"Fn::GetAtt": [Bucket, Arn]}, "arn:aws:s3:::b/*"], Condition: {Bool: {"aws:SecureTransport": ["true"]}}}`), nil},
		"read on every resource is fine": {role(`{Effect: Allow, Action: [ecr:GetAuthorizationToken], Resource: ["*"]}`), nil},
		"wildcard action": {role(`{Effect: Allow, Action: ["*"], Resource: [arn:aws:s3:::b]}`),
			[]string{"iam-no-wildcard-action: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/0: the statement allows every action"}},
		"iam wildcard": {role(`{Effect: Allow, Action: ["iam:*"], Resource: ["arn:aws:iam::111122223333:role/x"]}`),
			[]string{"iam-no-iam-wildcard: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/0: the statement allows every IAM action"}},
		"write on every resource": {role(`{Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: ["*"]}`),
			[]string{"iam-no-wildcard-resource: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/1: the write action s3:PutObject is allowed on every resource"}},
		"pass any role": {role(`{Effect: Allow, Action: [iam:PassRole], Resource: ["*"]}`),
			[]string{"iam-no-passrole-wildcard: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/0: the statement lets the role pass any role"}},
		"not action": {role(`{Effect: Allow, NotAction: [iam:*], Resource: ["*"]}`),
			[]string{"iam-no-notaction-allow: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/NotAction: the statement allows every action but"}},
		"deny is not least privilege's business": {role(`{Effect: Deny, NotAction: [s3:GetObject], Resource: ["*"]}`), nil},
		"action syntax": {role(`{Effect: Allow, Action: [GetObject, "s3:Get Object"], Resource: [arn:aws:s3:::b]}`),
			[]string{`iam-action: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/0: "GetObject" is not an action`,
				`iam-action: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action/1: "s3:Get Object" is not an action`}},
		"arn syntax": {role(`{Effect: Allow, Action: [s3:GetObject], Resource: [arn:aws:s3, "my-bucket/*"]}`),
			[]string{`iam-arn: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Resource/0: "arn:aws:s3" is not an ARN`,
				`iam-arn: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Resource/1: "my-bucket/*" is not an ARN`}},
		"condition operator": {role(`{Effect: Allow, Action: [s3:GetObject], Resource: [arn:aws:s3:::b], Condition: {StringEqual: {"aws:x": [a]}, "ForAnyValue:StringLikeIfExists": {"aws:y": [b]}, "Every:Bool": {"aws:z": [c]}}}`),
			[]string{"iam-condition: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Condition/StringEqual: StringEqual is not a condition operator",
				"iam-condition: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Condition/Every:Bool: Every:Bool: the qualifier Every"}},
		"condition key": {role(`{Effect: Allow, Action: [s3:GetObject], Resource: [arn:aws:s3:::b], Condition: {StringEquals: {"SourceVpc": [a]}}}`),
			[]string{`iam-condition: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Condition/StringEquals/SourceVpc: "SourceVpc" is not a condition key`}},
		"grammar": {role(`{Effect: Permit, Action: [s3:GetObject], NotAction: [s3:PutObject], Principal: "*", Resources: [x]}`),
			[]string{"iam-grammar: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Resources: Resources is not an element of a statement",
				"iam-grammar: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Effect: Effect is Permit",
				"iam-grammar: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0: a statement has Action or NotAction, not both",
				"iam-grammar: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0: a statement of a identity policy needs Resource or NotResource",
				"iam-grammar: Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Principal: an identity policy's statement has no Principal"}},
		"trust without principal": {`
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole], Resource: ["*"]}]}`,
			[]string{"iam-grammar: Resources/Role/Properties/AssumeRolePolicyDocument/Statement/0: a statement of a trust policy needs Principal or NotPrincipal",
				"iam-grammar: Resources/Role/Properties/AssumeRolePolicyDocument/Statement/0/Resource: a trust policy's statement has no Resource"}},
		"refs": {`
Parameters:
  Env: {Type: String}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: {"Fn::Sub": "${Env}-${Nope}-${Queue2.Arn}"}
      KmsMasterKeyId: {Ref: Qeueu}
      RedrivePolicy: {deadLetterTargetArn: {"Fn::GetAtt": [Queue, Url]}}
  Other:
    Type: AWS::SNS::Topic
    DependsOn: [Missing, Other]
    Condition: IsProd
Outputs:
  X: {Value: {"Fn::GetAtt": [Env, Arn]}}`,
			[]string{"cfn-ref: Resources/Queue/Properties/QueueName/Fn::Sub: Ref Nope: the template declares no resource or parameter Nope",
				"cfn-get-att: Resources/Queue/Properties/QueueName/Fn::Sub: Fn::GetAtt Queue2.Arn: the template declares no resource Queue2",
				"cfn-ref: Resources/Queue/Properties/KmsMasterKeyId/Ref: Ref Qeueu",
				"cfn-get-att: Resources/Queue/Properties/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt: Fn::GetAtt Queue.Url: AWS::SQS::Queue has no attribute Url: it has Arn, QueueName, QueueUrl",
				"cfn-depends-on: Resources/Other/DependsOn/0: DependsOn Missing",
				"cfn-depends-on: Resources/Other/DependsOn/1: Other depends on itself",
				"cfn-condition: Resources/Other/Condition: condition IsProd is not declared",
				"cfn-get-att: Outputs/X/Value/Fn::GetAtt: Fn::GetAtt Env.Arn: the template declares no resource Env",
				"cfn-cycle: Resources/Queue: circular dependency: Queue → Queue"}},
		"required": {`
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {AttributeName: ttl}
      GlobalSecondaryIndexes: [{IndexName: i, Projection: {}}]`,
			[]string{"cfn-required: Resources/Table/Properties: AWS::DynamoDB::Table: the required property KeySchema is not set",
				"cfn-required: Resources/Table/Properties/GlobalSecondaryIndexes/0: AWS::DynamoDB::Table.GlobalSecondaryIndex: the required property KeySchema is not set",
				"cfn-required: Resources/Table/Properties/TimeToLiveSpecification: AWS::DynamoDB::Table.TimeToLiveSpecification: the required property Enabled is not set"}},
		"cycle": {`
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: {"Fn::GetAtt": [B, QueueName]}}}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: {"Fn::Sub": "${C}"}}}
  C: {Type: AWS::SQS::Queue, DependsOn: A}`,
			[]string{"cfn-cycle: Resources/A: circular dependency: A → B → C → A"}},
		"logical ids": {`
Parameters:
  Queue: {Type: String}
Resources:
  Queue: {Type: AWS::SQS::Queue}
  my-queue: {Type: AWS::SQS::Queue}`,
			[]string{"cfn-logical-id: Resources/Queue: Queue is declared in Parameters and in Resources",
				`cfn-logical-id: Resources/my-queue: logical ID "my-queue"`}},
		"cost tags": {`
Resources:
  Tagged: {Type: AWS::SQS::Queue, Properties: {Tags: [{Key: team, Value: a}, {Key: cost-centre, Value: b}]}}
  Untagged: {Type: AWS::SQS::Queue}
  Param: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: x, Tags: {team: a}}}
  Record: {Type: AWS::Route53::RecordSet, Properties: {Name: x, Type: A}}`,
			[]string{"cost-tags: Resources/Untagged/Properties: AWS::SQS::Queue Untagged lacks the cost-allocation tag team, cost-centre",
				"cost-tags: Resources/Param/Properties: AWS::SSM::Parameter Param lacks the cost-allocation tag cost-centre"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tree := parseYAML(t, c.src)
			opts := Options{}
			if name == "cost tags" {
				opts.RequiredTags = []string{"team", "cost-centre"}
			}
			var got []string
			for _, f := range Template(tree, 100, opts) {
				got = append(got, f.Rule+": "+strings.Join(f.Path, "/")+": "+f.Message)
			}
			for _, w := range c.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
					t.Errorf("no finding %q", w)
				}
			}
			if len(got) != len(c.want) || t.Failed() {
				t.Errorf("got %d findings, want %d:\n%s", len(got), len(c.want), strings.Join(got, "\n"))
			}
		})
	}
}

// TestLimits: the size and count limits.
func TestLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := 0; i <= MaxResources; i++ {
		b.WriteString("  Q" + strings.Repeat("x", i%7) + string(rune('A'+i%26)) + itoa(i) + ": {Type: AWS::SQS::Queue}\n")
	}
	fs := Template(parseYAML(t, b.String()), MaxBodyBytes+1, Options{})
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule+" "+f.Message)
	}
	for _, w := range []string{"cfn-limits the template is 51201 bytes, more than CloudFormation's 51200", "cfn-limits the template has 501 resources, more than CloudFormation's 500"} {
		if !slices.Contains(rules, w) {
			t.Errorf("no finding %q in %v", w, rules)
		}
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestIsRead classifies actions.
func TestIsRead(t *testing.T) {
	for a, want := range map[string]bool{
		"s3:GetObject": true, "s3:Get*": true, "dynamodb:Query": true, "ecr:BatchGetImage": true,
		"s3:PutObject": false, "s3:*": false, "*": false, "s3:G*": false, "sqs:DeleteMessage": false,
		"kms:Decrypt": false,
	} {
		if got := IsRead(a); got != want {
			t.Errorf("IsRead(%q) = %v, want %v", a, got, want)
		}
	}
}

// TestRulesDocumented: every rule has a summary, and the waivable ones are
// the least-privilege rules the package documentation lists.
func TestRulesDocumented(t *testing.T) {
	for _, r := range Rules() {
		if r.Summary == "" {
			t.Errorf("%s has no summary", r.ID)
		}
	}
	want := []string{"iam-no-wildcard-action", "iam-no-iam-wildcard", "iam-no-wildcard-resource", "iam-no-passrole-wildcard", "iam-no-notaction-allow"}
	if got := WaivableRules(); !slices.Equal(got, want) {
		t.Errorf("waivable rules %v, want %v", got, want)
	}
}
