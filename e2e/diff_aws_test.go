package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/skyc-dev/skyc/live"
	"github.com/skyc-dev/skyc/plan"
	"github.com/skyc-dev/skyc/plan/view"
)

// startMoto runs moto_server, the AWS emulator, on a free loopback port for
// the test and returns its endpoint. It sets fake credentials and a region.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatalf("moto_server is not installed: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var log bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not start: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Unsetenv("AWS_PROFILE")
	return endpoint
}

// apiTemplate is a service's stack: a data bucket, a queue, a secret and
// the service's runtime role with an IRSA trust policy.
const apiTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: %[1]s
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: api-jobs
      VisibilityTimeout: 30
  Token:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: api-token
      SecretString: %[3]s
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: api-staging
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
        - Effect: Allow
          Principal: {Federated: arn:aws:iam::123456789012:oidc-provider/oidc.example.com}
          Action: sts:AssumeRoleWithWebIdentity
          Condition: {StringEquals: {"oidc.example.com:sub": system:serviceaccount:payments:api}}
      Policies:
      - PolicyName: data
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
          - Sid: ReadData
            Effect: Allow
            Action: [%[2]s]
            Resource: !Sub "arn:aws:s3:::${Data}/*"
`

// apiRole is iam/api-staging.json as the render writes it: the role with
// its intrinsic functions resolved.
func apiRole(bucket, actions string) []byte {
	return []byte(fmt.Sprintf(`{
  "RoleName": "api-staging",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"oidc.example.com:sub": "system:serviceaccount:payments:api"}}}]},
  "Policies": [{"PolicyName": "data", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadData", "Effect": "Allow", "Action": [%s], "Resource": "arn:aws:s3:::%s/*"}]}}]
}`, actions, bucket))
}

// deployStack creates a stack on moto and waits for it.
func deployStack(t *testing.T, endpoint, name, body string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseEndpoint = aws.String(endpoint)
	cfn := cloudformation.NewFromConfig(cfg)
	if _, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName: aws.String(name), TemplateBody: aws.String(body),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam},
	}); err != nil {
		t.Fatal(err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := w.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func awsTarget(endpoint string) plan.AWSTarget {
	return plan.AWSTarget{Env: "staging", Account: "aws:moto/eu-central-1", Connect: func(ctx context.Context) (plan.AWSReader, string, error) {
		a, err := live.ConnectAWS(ctx, live.AWSTarget{Region: "eu-central-1", Endpoint: endpoint}, live.AWSOptions{RequestTimeout: 10 * time.Second})
		return a, endpoint, err
	}}
}

// renderAll writes p in every format.
func renderAll(t *testing.T, p *plan.Plan) map[string]string {
	t.Helper()
	out := map[string]string{}
	var b bytes.Buffer
	if err := view.Text(&b, p, view.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out["text"] = b.String()
	b.Reset()
	if err := view.JSON(&b, p); err != nil {
		t.Fatal(err)
	}
	out["json"] = b.String()
	b.Reset()
	if err := view.Markdown(&b, p, view.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out["markdown"] = b.String()
	return out
}

// TestDiffAWS deploys a stack on moto_server, then diffs renders of it
// through the AWS SDK: unchanged, then with a bucket renamed (a create-only
// property: replacement) and the role's policy broadened, and a secret
// changed whose values show in no format.
func TestDiffAWS(t *testing.T) {
	endpoint := startMoto(t)
	const oldSecret, newSecret = "canary-aws-0ld-5e7", "canary-aws-n3w-8f1"
	deployStack(t, endpoint, "api-staging", fmt.Sprintf(apiTemplate, "api-data", `"s3:GetObject"`, oldSecret))
	ctx := context.Background()
	diff := func(bucket, actions, secret string) *plan.Plan {
		return plan.AWS(ctx,
			[]plan.Stack{{Env: "staging", Service: "api", Source: "services/api.sky", Name: "api-staging", Template: []byte(fmt.Sprintf(apiTemplate, bucket, actions, secret))}},
			[]plan.Role{{Env: "staging", Service: "api", Source: "services/api.sky", Name: "api-staging", Document: apiRole(bucket, actions)}},
			[]plan.AWSTarget{awsTarget(endpoint)}, plan.Options{})
	}

	t.Run("unchanged", func(t *testing.T) {
		p := diff("api-data", `"s3:GetObject"`, oldSecret)
		if p.Status() != plan.NoChanges {
			t.Fatalf("status %s:\n%s", p.Status(), renderAll(t, p)["text"])
		}
		if s := p.Summary(""); s.Unchanged != 2 {
			t.Errorf("unchanged %d, want the stack and the role", s.Unchanged)
		}
	})

	t.Run("replacement, broadening and a secret", func(t *testing.T) {
		p := diff("api-data-v2", `"s3:GetObject", "s3:PutObject"`, newSecret)
		out := renderAll(t, p)
		if p.Status() != plan.Blocked {
			t.Fatalf("status %s, want blocked:\n%s", p.Status(), out["text"])
		}
		for _, want := range []string{
			"-/+ recreate AWS::S3::Bucket/api-staging/Data",
			"immutable: Properties.BucketName: api-data → api-data-v2 (AWS::S3::Bucket.BucketName is create-only: forces replacement)",
			"BLOCKED staging/aws:moto/eu-central-1 AWS::S3::Bucket/api-staging/Data: replace:",
			"~ update IAMRole/api-staging",
			"broadening: Policies[PolicyName=data].PolicyDocument.Statement[Sid=ReadData]: new actions s3:PutObject; wider resources arn:aws:s3:::api-data-v2/*",
			"~ update AWS::SecretsManager::Secret/api-staging/Token",
			"Properties.SecretString: (sensitive value changed) sha256:",
		} {
			if !strings.Contains(out["text"], want) {
				t.Errorf("text lacks %q:\n%s", want, out["text"])
			}
		}
		for format, text := range out {
			for _, leak := range []string{"canary", oldSecret, newSecret} {
				if strings.Contains(text, leak) {
					t.Errorf("%s output shows %q", format, leak)
				}
			}
		}
		if !strings.Contains(out["json"], `"class": "broadening"`) || !strings.Contains(out["json"], `"allow_as": "staging:AWS::S3::Bucket/api-staging/Data"`) {
			t.Errorf("json:\n%s", out["json"])
		}
		a, err := plan.ParseAllowlist("staging:AWS::S3::Bucket/api-staging/Data")
		if err != nil {
			t.Fatal(err)
		}
		p.Allow(a)
		if p.Status() != plan.Changes {
			t.Errorf("status %s after allowing the replacement", p.Status())
		}
	})

	t.Run("new stack", func(t *testing.T) {
		p := plan.AWS(ctx, []plan.Stack{{Env: "staging", Name: "worker-staging", Template: []byte(fmt.Sprintf(apiTemplate, "worker-data", `"s3:GetObject"`, oldSecret))}}, nil,
			[]plan.AWSTarget{awsTarget(endpoint)}, plan.Options{})
		if s := p.Summary(""); s.Add != 4 || p.Status() != plan.Changes {
			t.Errorf("summary %+v, status %s:\n%s", s, p.Status(), renderAll(t, p)["text"])
		}
		// The preview's change set (and the stack made for it) is gone.
		a, err := live.ConnectAWS(ctx, live.AWSTarget{Region: "eu-central-1", Endpoint: endpoint}, live.AWSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st, err := a.Stack(ctx, "worker-staging"); err != nil || st != nil {
			t.Errorf("after the preview: stack %+v, error %v", st, err)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "http://" + l.Addr().String()
		l.Close()
		p := plan.AWS(ctx, []plan.Stack{{Env: "staging", Name: "api-staging", Template: []byte(fmt.Sprintf(apiTemplate, "api-data", `"s3:GetObject"`, oldSecret))}}, nil,
			[]plan.AWSTarget{awsTarget(dead), {Env: "staging", Account: "aws:up", Connect: awsTarget(endpoint).Connect}}, plan.Options{})
		out := renderAll(t, p)["text"]
		if p.Status() != plan.Incomplete || !strings.Contains(out, "connection refused") || !strings.Contains(out, "staging/aws:up") {
			t.Errorf("status %s:\n%s", p.Status(), out)
		}
	})
}

// TestDiffCLIWithAWS runs skyc diff on a service with an S3 bucket and
// its runtime role, against the test cluster and a moto_server: clean
// right after deploying both sides, then a replaced bucket and a
// broadened role (exit 3 until allowed), and a refusal to compare with an
// account the credentials are not for.
func TestDiffCLIWithAWS(t *testing.T) {
	endpoint := startMoto(t)
	r := newDiffRepo(t, "aws", false)
	r.flags = nil
	ns := r.ns["staging"]
	config := func(account string) string {
		return fmt.Sprintf(`defaults:
  kubeconfig: %s
environments:
  staging:
    cluster: skyc-test
    namespace: %s
    region: eu-central-1
    aws:
      account_id: "%s"
      oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/ABC
`, r.kubeconfig, ns, account)
	}
	// moto's account is 123456789012.
	if err := r.write("skyc.yaml", config("123456789012")); err != nil {
		t.Fatal(err)
	}
	r.onlyBucketService(t)
	// Deploy: the Kubernetes objects with server-side apply, the stack
	// with CloudFormation.
	r.apply()
	if _, errOut, code := r.run(skycBinary(t), "render", "-o", "out", "./..."); code != 0 {
		t.Fatalf("skyc render -o: %s", errOut)
	}
	body, err := os.ReadFile(filepath.Join(r.dir, "out/staging/api/cloudformation/api-staging.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	deployStack(t, endpoint, "api-staging", string(body))

	aws := "--aws-endpoint=" + endpoint
	out := r.diff(0, aws, "./...")
	if !strings.Contains(out, "No changes: 5 objects are up to date.") {
		t.Errorf("want the 3 objects, the stack and the role up to date:\n%s", out)
	}

	r.edit("services/api.sky", `aws.bucket("data")`, `aws.bucket("data", physical_name = "api-staging-data-v2")`)
	r.edit("services/api.sky", "data.grant_read(api)", "data.grant_read_write(api)")
	out = r.diff(3, aws, "./...")
	for _, want := range []string{
		"── staging/aws:123456789012/eu-central-1  " + endpoint,
		"-/+ recreate AWS::S3::Bucket/api-staging/DataBucket",
		"immutable: Properties.BucketName: api-staging-data → api-staging-data-v2 (AWS::S3::Bucket.BucketName is create-only: forces replacement)",
		"note: UpdateReplacePolicy Retain keeps the old resource in AWS",
		"broadening: Policies[PolicyName=api-staging].PolicyDocument.Statement[Sid=WriteDataBucket]: a new Allow statement: actions s3:AbortMultipartUpload, s3:PutObject on arn:aws:s3:::api-staging-data-v2/*",
		"--allow-destructive=staging:AWS::S3::Bucket/api-staging/DataBucket",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p := r.jsonPlan(3, aws, "./...")
	classes := map[string]int{}
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			classes[f.Class]++
		}
	}
	if classes["broadening"] < 2 || classes["immutable"] != 1 {
		t.Errorf("field classes %v", classes)
	}
	r.diff(1, aws, "--allow-destructive=staging:AWS::S3::Bucket/api-staging/DataBucket", "./...")
	// Only Kubernetes, or only AWS.
	r.diff(1, aws, "--kubernetes=false", "--allow-destructive=all", "./...")
	if out := r.diff(0, "--aws=false", "./..."); !strings.Contains(out, "No changes: 3 objects are up to date.") {
		t.Errorf("--aws=false:\n%s", out)
	}

	// Credentials of another account than skyc.yaml names: no comparison.
	if err := r.write("skyc.yaml", config("999999999999")); err != nil {
		t.Fatal(err)
	}
	out = r.diff(2, aws, "./...")
	if !strings.Contains(out, "the credentials are for account 123456789012, not 999999999999") {
		t.Errorf("output:\n%s", out)
	}
}

// onlyBucketService replaces the example repository's services with one,
// api, that renders a bucket (in its CloudFormation stack) and a runtime
// role that may read it.
func (r *diffRepo) onlyBucketService(t *testing.T) {
	t.Helper()
	for _, f := range []string{"services/payments-api.sky", "services/ledger-worker.sky", "services/nightly-report.sky"} {
		os.Remove(filepath.Join(r.dir, f))
	}
	if err := r.write("services/api.sky", `def main(ctx):
    data = aws.bucket("data")
    api = service(name = "api", team = "web", image = "x/api:1.0", replicas = 1, aws = [data], cost_centre = "cc-1234")
    data.grant_read(api)
    return api
`); err != nil {
		t.Fatal(err)
	}
}
