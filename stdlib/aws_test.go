package stdlib

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"go.yaml.in/yaml/v2"

	"github.com/skyc-dev/skyc/schemas"
	"github.com/skyc-dev/skyc/schemas/aws"
)

var (
	awsLibOnce sync.Once
	awsLib     *Library
	awsLibErr  error
)

// loadAWS returns the library over the AWS-capable bridge, once.
func loadAWS(t *testing.T) *Library {
	t.Helper()
	awsLibOnce.Do(func() {
		reg, err := schemas.Default()
		if err != nil {
			awsLibErr = err
			return
		}
		br, err := NewBridge(reg)
		if err != nil {
			awsLibErr = err
			return
		}
		awsLib, awsLibErr = Load(context.Background(), reg, br)
	})
	if awsLibErr != nil {
		t.Fatal(awsLibErr)
	}
	return awsLib
}

// testPlatform is the staging environment of a service called web.
func testPlatform() Platform {
	return Platform{
		Service: "web", Env: "staging", Cluster: "c1", Region: "eu-central-1",
		AccountID: "111122223333", OIDCProvider: "oidc.eks.eu-central-1.amazonaws.com/id/ABC",
		CostTags: DefaultCostTags(),
	}
}

var testToday = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// runMain evaluates src, a service file, and calls its main(ctx) the way
// render does, with a session for p.
func runMain(t *testing.T, src string, p Platform) (starlark.Value, *Session, error) {
	t.Helper()
	lib := loadAWS(t)
	ctxVal := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{
		"env": starlark.String(p.Env), "vars": starlark.NewDict(0), "cluster": starlark.String(p.Cluster),
		"region": starlark.String(p.Region), "namespace": starlark.String(""),
	})
	thread := &starlark.Thread{Name: "test"}
	sess := NewSession(p, testToday, []string{"iam-no-wildcard-action", "iam-no-wildcard-resource"})
	thread.SetLocal(EnvKey, ctxVal)
	thread.SetLocal(SessionKey, sess)
	globals, err := starlark.ExecFileOptions(&syntax.FileOptions{}, thread, "web.sky", src, lib.Exports)
	if err != nil {
		t.Fatal(err)
	}
	v, err := starlark.Call(thread, globals["main"], starlark.Tuple{ctxVal}, nil)
	return v, sess, err
}

// yamlOf is the CloudFormation form of a resource value, as YAML.
func yamlOf(t *testing.T, v starlark.Value) string {
	t.Helper()
	r, ok := v.(*Resource)
	if !ok {
		t.Fatalf("got %s, want a resource", v.Type())
	}
	tree, err := aws.Encode(r.Message())
	if err != nil {
		t.Fatal(err)
	}
	b, err := yaml.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// squash collapses runs of white space, so YAML can be matched without
// its indentation.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func attr(t *testing.T, v starlark.Value, path ...string) starlark.Value {
	t.Helper()
	for _, p := range path {
		var err error
		v, err = v.(starlark.HasAttrs).Attr(p)
		if err != nil || v == nil {
			t.Fatalf("no attribute %s: %v", p, err)
		}
	}
	return v
}

// TestResourceDefaults shows what each constructor declares.
func TestResourceDefaults(t *testing.T) {
	cases := map[string]struct {
		expr string
		want []string // lines the YAML must contain
	}{
		"bucket": {`aws.bucket("statements")`, []string{
			"Type: AWS::S3::Bucket",
			"BucketName: web-staging-statements",
			"SSEAlgorithm: AES256",
			"BlockPublicAcls: true",
			"RestrictPublicBuckets: true",
			"ObjectOwnership: BucketOwnerEnforced",
			"Status: Enabled",
			"DeletionPolicy: Retain",
			"UpdateReplacePolicy: Retain",
		}},
		"queue": {`aws.queue("jobs", visibility_timeout = 60)`, []string{
			"QueueName: web-staging-jobs",
			"VisibilityTimeout: 60",
			"SqsManagedSseEnabled: true",
			"deadLetterTargetArn:",
			"- JobsDeadLetterQueue",
			"maxReceiveCount: 5",
		}},
		"table": {`aws.table("ledger", hash_key = "id", range_key = "at", attributes = {"at": "N"})`, []string{
			"TableName: web-staging-ledger",
			"BillingMode: PAY_PER_REQUEST",
			"PointInTimeRecoveryEnabled: true",
			"DeletionProtectionEnabled: true",
			"AttributeName: at",
			`AttributeType: "N"`,
			"KeyType: RANGE",
			"SSEEnabled: true",
			"DeletionPolicy: Retain",
		}},
		"topic":  {`aws.topic("events")`, []string{"TopicName: web-staging-events", "KmsMasterKeyId: alias/aws/sns"}},
		"secret": {`aws.secret("smtp")`, []string{"Name: web/staging/smtp", "PasswordLength: 32", "DeletionPolicy: Retain"}},
		"parameter": {`aws.parameter("flags", "a,b")`, []string{
			"Name: /web/staging/flags", "Type: String", "Value: a,b",
		}},
		"key":        {`aws.key("ledger")`, []string{"EnableKeyRotation: true", "PendingWindowInDays: 30", "DeletionPolicy: Retain"}},
		"repository": {`aws.repository("api")`, []string{"ImageTagMutability: IMMUTABLE", "ScanOnPush: true", "DeletionPolicy: Retain"}},
		"postgres": {`aws.postgres("ledger")`, []string{
			"DBInstanceIdentifier: web-staging-ledger",
			"StorageEncrypted: true",
			"DeletionProtection: true",
			"PubliclyAccessible: false",
			"MultiAZ: true",
			"BackupRetentionPeriod: 7",
			"Fn::Sub: '{{resolve:secretsmanager:${LedgerDatabaseSecret}:SecretString:password}}'",
			"DeletionPolicy: Snapshot",
		}},
		"generic": {`cfn.resource("AWS::SNS::Subscription", {"Protocol": "sqs", "TopicArn": cfn.ref("T")}, logical_id = "Sub")`, []string{
			"Type: AWS::SNS::Subscription", "Protocol: sqs", "Ref: T",
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			v, _, err := runMain(t, "def main(ctx):\n    return "+c.expr+"\n", testPlatform())
			if err != nil {
				t.Fatal(err)
			}
			got := yamlOf(t, v)
			for _, w := range c.want {
				if !strings.Contains(squash(got), squash(w)) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
		})
	}
}

// TestRuntimeRole: a workload with aws gets a role trusted by exactly its
// service account, the account's annotation names that role, and its
// resources and role carry the cost tags; renaming the service account
// moves both sides.
func TestRuntimeRole(t *testing.T) {
	for _, c := range []struct{ name, arg, sa string }{
		{"default", "", "web"},
		{"renamed", `service_account = "web-runtime",`, "web-runtime"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := `
def main(ctx):
    b = aws.bucket("statements")
    svc = service(name = "web", team = "payments", image = "r/web:1", cost_centre = "cc-1", ` + c.arg + ` aws = [b])
    b.grant_read(svc)
    return svc
`
			v, _, err := runMain(t, src, testPlatform())
			if err != nil {
				t.Fatal(err)
			}
			sa := attr(t, v, "service_account")
			if got := attr(t, sa, "metadata", "name"); got != starlark.String(c.sa) {
				t.Errorf("service account %s, want %s", got, c.sa)
			}
			ann := attr(t, sa, "metadata", "annotations").(starlark.Mapping)
			arn, _, _ := ann.Get(starlark.String("eks.amazonaws.com/role-arn"))
			if arn != starlark.String("arn:aws:iam::111122223333:role/web-staging") {
				t.Errorf("annotation %v", arn)
			}
			pod := attr(t, v, "deployment", "spec", "template", "spec", "serviceAccountName")
			if pod != starlark.String(c.sa) {
				t.Errorf("pods run as %s, want %s", pod, c.sa)
			}
			role := yamlOf(t, attr(t, v, "role"))
			for _, w := range []string{
				"RoleName: web-staging",
				"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC",
				"oidc.eks.eu-central-1.amazonaws.com/id/ABC:sub:\n              - system:serviceaccount:payments:" + c.sa + "\n",
				"- sts:AssumeRoleWithWebIdentity",
				"Sid: ReadStatementsBucket",
				"- s3:GetObject",
				"Fn::GetAtt:\n                  - StatementsBucket\n                  - Arn",
				"Key: cost-centre\n      Value: cc-1",
			} {
				if !strings.Contains(squash(role), squash(w)) {
					t.Errorf("role lacks %q:\n%s", w, role)
				}
			}
			bucket := yamlOf(t, attr(t, v, "aws").(*starlark.List).Index(0))
			for _, w := range []string{"Key: team\n      Value: payments", "Key: service\n      Value: web", "Key: environment\n      Value: staging"} {
				if !strings.Contains(squash(bucket), squash(w)) {
					t.Errorf("bucket lacks tag %q:\n%s", w, bucket)
				}
			}
		})
	}
}

// TestAWSErrors: mistakes are errors that say what was wrong.
func TestAWSErrors(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"missing cost centre": {
			`return service(name = "web", team = "payments", image = "r/web:1", aws = [])`,
			"service: cost_centre is required: every AWS resource carries the cost-allocation tag cost-centre"},
		"grant outside the stack": {`
    b = aws.bucket("b")
    svc = service(name = "web", team = "payments", image = "r/web:1", cost_centre = "cc", aws = [])
    b.grant_read(svc)`, "grant_read: BBucket is not one of web's AWS resources: add it to aws = [...]"},
		"grant without a role": {`
    b = aws.bucket("b")
    b.grant_read(service(name = "web", team = "payments", image = "r/web:1"))`, "grant_read: web has no AWS runtime role"},
		"typed property": {`
    b = aws.bucket("b")
    b.properties.BucketName = 3`, "Bucket.BucketName: got int, want String or an intrinsic function"},
		"intrinsic of the wrong kind": {`
    q = aws.queue("q")
    q.properties.VisibilityTimeout = cfn.sub("x")`, `yields a string, want Integer`},
		"unknown attribute": {`
    b = aws.bucket("b")
    b.get_att("Ar")`, `AWS::S3::Bucket has no attribute "Ar": it has Arn, DomainName`},
		"bad policy": {`
    b = aws.bucket("b")
    b.deletion_policy = "Retian"`, `"Retian" is not a policy: want one of Delete, Retain, Snapshot, RetainExceptOnCreate (did you mean Retain?)`},
		"waiver without expiry": {`
    waive("iam-no-wildcard-action", reason = "r", owner = "o")`, "expires is required: a waiver without an expiry date is rejected"},
		"unknown rule": {`
    waive("iam-no-wildcard-actoin", reason = "r", owner = "o", expires = "2027-01-01")`, `unknown rule "iam-no-wildcard-actoin" (did you mean iam-no-wildcard-action?)`},
		"bad date": {`
    waive("iam-no-wildcard-action", reason = "r", owner = "o", expires = "next year")`, `expires "next year" is not a date`},
		"no account": {`
    return service(name = "web", team = "payments", image = "r/web:1", cost_centre = "cc", aws = [])`, "skyc.yaml sets no aws.account_id"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlatform()
			if name == "no account" {
				p.AccountID = ""
			}
			_, _, err := runMain(t, "def main(ctx):\n    "+strings.TrimSpace(c.body)+"\n", p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestCostTagRules: configured allowed values and patterns are enforced.
func TestCostTagRules(t *testing.T) {
	p := testPlatform()
	p.CostTagsConfigured = true
	p.CostTags[3].Allowed = []string{"cc-4711", "cc-0815"}
	cases := map[string]string{
		`cost_centre = "cc-4712"`: `"cc-4712" is not an allowed value of the cost-allocation tag cost-centre: skyc.yaml allows cc-4711, cc-0815 (did you mean cc-4711?)`,
		`cost_centre = "cc-4711"`: "",
		``:                        "service: cost_centre is required: skyc.yaml requires the cost-allocation tag cost-centre",
	}
	for arg, want := range cases {
		src := "def main(ctx):\n    return service(name = \"web\", team = \"payments\", image = \"r/web:1\", " + arg + ")\n"
		_, _, err := runMain(t, src, p)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", arg, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want one containing %q", arg, err, want)
		}
	}
}

// TestIntrinsics: intrinsic values, their concatenation and where they
// may go.
func TestIntrinsics(t *testing.T) {
	src := `
def main(ctx):
    b = aws.bucket("b")
    return [
        b.arn + "/*",
        "arn:" + cfn.partition + ":s3:::x",
        cfn.sub("${B.Arn}/${x}", x = cfn.ref("AWS::Region")),
        cfn.join(",", ["a", cfn.ref(b)]),
        cfn.select(0, cfn.get_azs()),
        cfn.if_("Prod", "big", cfn.no_value),
    ]
`
	v, _, err := runMain(t, src, testPlatform())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"Fn::Join": ["", [{"Fn::GetAtt": ["BBucket", "Arn"]}, "/*"]]}`,
		`{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::x"]]}`,
		`{"Fn::Sub": ["${B.Arn}/${x}", {"x": {"Ref": "AWS::Region"}}]}`,
		`{"Fn::Join": [",", ["a", {"Ref": "BBucket"}]]}`,
		`{"Fn::Select": [0, {"Fn::GetAZs": ""}]}`,
		`{"Fn::If": ["Prod", "big", {"Ref": "AWS::NoValue"}]}`,
	}
	l := v.(*starlark.List)
	for i, w := range want {
		if got := l.Index(i).String(); got != w {
			t.Errorf("[%d] = %s, want %s", i, got, w)
		}
	}
}

// TestStatementPositions: statements made by grants are recorded with the
// user's line.
func TestStatementPositions(t *testing.T) {
	src := `
def main(ctx):
    b = aws.bucket("b")
    svc = worker(name = "web", team = "payments", image = "r/web:1", cost_centre = "cc", aws = [b])
    b.grant_read(svc)
    return svc
`
	v, sess, err := runMain(t, src, testPlatform())
	if err != nil {
		t.Fatal(err)
	}
	role := attr(t, v, "role").(*Resource)
	props := role.PropertiesMessage()
	pol := props.Get(props.Descriptor().Fields().ByName("Policies")).List().Get(0).Message()
	doc := pol.Get(pol.Descriptor().Fields().ByName("PolicyDocument")).Message()
	stmt := doc.Get(doc.Descriptor().Fields().ByName("Statement")).List().Get(0).Message()
	pos, ok := sess.StatementPos(stmt.Interface())
	if !ok || pos.File != "web.sky" || pos.Line != 5 {
		t.Errorf("statement recorded at %v (%v), want web.sky:5", pos, ok)
	}
	if got := role.Pos.Line; got != 4 {
		t.Errorf("role declared at line %d, want 4 (the worker call)", got)
	}
}
