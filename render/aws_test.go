package render

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/skyc-dev/skyc/manifest"
)

// awsConfig is a skyc.yaml with the AWS settings a workload with AWS
// resources needs.
const awsConfig = `
defaults:
  aws:
    account_id: "111122223333"
    oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE
environments:
  staging:
    region: eu-central-1
`

// renderAWS renders one service file in a repository with awsConfig (or
// config, when given) on 2026-06-01.
func renderAWS(t *testing.T, config, src string) *Result {
	t.Helper()
	if config == "" {
		config = awsConfig
	}
	root := repo(t, map[string]string{"skyc.yaml": config, "web.sky": src})
	_, res := renderPaths(t, Options{Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}, filepath.Join(root, "web.sky"))
	return res
}

func errorsOf(res *Result) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message))
	}
	return out
}

// docs returns the documents of a render by path, and its service
// accounts by name.
func docs(res *Result) (map[string][]byte, map[string]*corev1.ServiceAccount) {
	d := map[string][]byte{}
	sas := map[string]*corev1.ServiceAccount{}
	for _, o := range append(slices.Clone(res.Objects), res.Documents...) {
		if o.Doc != nil {
			d[o.Doc.Path] = o.Doc.Data
		} else if sa, ok := o.Obj.(*corev1.ServiceAccount); ok {
			sas[sa.Name] = sa
		}
	}
	return d, sas
}

const webService = `
def main(ctx):
    bucket = aws.bucket("statements")
    table = aws.table("ledger", hash_key = "id")
    api = service(name = "web", team = "payments", image = "r/web:1.0", cost_centre = "cc-1", %s aws = [bucket, table])
    bucket.grant_read(api)
    table.grant_read_write(api)
    return api
`

// TestAWSStack: a service with AWS resources renders its stack's template
// and its role's JSON besides its Kubernetes objects, deterministically.
func TestAWSStack(t *testing.T) {
	src := fmt.Sprintf(webService, "")
	res := renderAWS(t, "", src)
	if res.Failed() {
		t.Fatal(errorsOf(res))
	}
	d, sas := docs(res)
	tmpl, ok := d["cloudformation/web-staging.yaml"]
	if !ok {
		t.Fatalf("no template; documents: %v", d)
	}
	var tree yaml.MapSlice
	if err := yaml.Unmarshal(tmpl, &tree); err != nil {
		t.Fatal(err)
	}
	resources, _ := get(tree, "Resources")
	var ids []string
	for _, it := range mapping(resources) {
		ids = append(ids, it.Key.(string))
	}
	if got := strings.Join(ids, " "); got != "LedgerTable StatementsBucket WebRole" {
		t.Errorf("resources %s", got)
	}
	var role struct {
		RoleName                 string
		AssumeRolePolicyDocument map[string]any
		Policies                 []struct {
			PolicyName     string
			PolicyDocument struct{ Statement []map[string]any }
		}
	}
	if err := json.Unmarshal(d["iam/web-staging.json"], &role); err != nil {
		t.Fatalf("iam/web-staging.json: %v", err)
	}
	if role.RoleName != "web-staging" || len(role.Policies) != 1 || len(role.Policies[0].PolicyDocument.Statement) != 3 {
		t.Errorf("role %+v", role)
	}
	got := fmt.Sprint(role.Policies[0].PolicyDocument.Statement[0]["Resource"])
	if got != "[arn:aws:s3:::web-staging-statements arn:aws:s3:::web-staging-statements/*]" {
		t.Errorf("the read statement's resources resolved to %s", got)
	}
	if arn := sas["web"].Annotations["eks.amazonaws.com/role-arn"]; arn != "arn:aws:iam::111122223333:role/web-staging" {
		t.Errorf("annotation %q", arn)
	}
	again := renderAWS(t, "", src)
	if a, b := stream(t, append(res.Objects, res.Documents...)), stream(t, append(again.Objects, again.Documents...)); string(a) != string(b) {
		t.Errorf("two renders differ:\n%s", lineDiff(string(a), string(b)))
	}
}

// TestServiceAccountRename: renaming the service account moves both
// sides of IRSA, and changing one side alone is an error.
func TestServiceAccountRename(t *testing.T) {
	res := renderAWS(t, "", fmt.Sprintf(webService, `service_account = "web-runtime",`))
	if res.Failed() {
		t.Fatal(errorsOf(res))
	}
	d, sas := docs(res)
	if sas["web-runtime"] == nil || sas["web"] != nil {
		t.Fatalf("service accounts %v, want web-runtime only", sas)
	}
	if arn := sas["web-runtime"].Annotations["eks.amazonaws.com/role-arn"]; arn != "arn:aws:iam::111122223333:role/web-staging" {
		t.Errorf("annotation %q", arn)
	}
	if !strings.Contains(string(d["iam/web-staging.json"]), `"system:serviceaccount:payments:web-runtime"`) {
		t.Errorf("trust policy does not admit the renamed account:\n%s", d["iam/web-staging.json"])
	}
	for _, o := range res.Objects {
		if o.Obj != nil && o.Obj.GetObjectKind().GroupVersionKind().Kind == "Deployment" {
			if !strings.Contains(string(stream(t, []manifest.Object{o})), "serviceAccountName: web-runtime") {
				t.Errorf("the pods do not run as web-runtime")
			}
		}
	}

	// One side alone: the annotation stays on an account the role does
	// not trust.
	src := strings.Replace(fmt.Sprintf(webService, ""), "    return api\n", "    api.service_account.metadata.name = \"renamed\"\n    return api\n", 1)
	res = renderAWS(t, "", src)
	want := "ServiceAccount payments/renamed is annotated with the role arn:aws:iam::111122223333:role/web-staging, whose trust policy admits system:serviceaccount:payments:web, not system:serviceaccount:payments:renamed"
	if msgs := errorsOf(res); len(msgs) != 1 || !strings.Contains(msgs[0], want) || !strings.HasPrefix(msgs[0], "web.sky:5:18:") {
		t.Errorf("diagnostics %q, want one at web.sky:5:18 containing %q", msgs, want)
	}
}

// TestLeastPrivilege: each least-privilege rule fires on a bad policy
// with a message at the .sky line that made the statement, and only a
// waiver with an owner, a reason and an unexpired date silences it.
func TestLeastPrivilege(t *testing.T) {
	const head = `
def main(ctx):
    q = aws.queue("jobs")
    w = worker(name = "web", team = "payments", image = "r/web:1.0", cost_centre = "cc-1", aws = [q])
`
	cases := map[string]struct {
		body string
		want []string // "line: message fragment [rule]"
	}{
		"wildcard action": {`    iam.grant(w, ["*"], [q.arn], sid = "All")`,
			[]string{`5:14: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: the statement allows every action ("*") [iam-no-wildcard-action]`}},
		"iam wildcard": {`    iam.grant(w, ["iam:*"], ["arn:aws:iam::111122223333:role/x"], sid = "Iam")`,
			[]string{`5:14: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: the statement allows every IAM action ("iam:*") [iam-no-iam-wildcard]`}},
		"write on every resource": {`    iam.grant(w, ["sqs:SendMessage"], ["*"], sid = "Send")`,
			[]string{`5:14: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: the write action sqs:SendMessage is allowed on every resource ("*") [iam-no-wildcard-resource]`}},
		"pass any role": {`    iam.grant(w, ["iam:PassRole"], ["*"], sid = "Pass")`,
			[]string{`5:14: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: the statement lets the role pass any role to a service (iam:PassRole on "*") [iam-no-passrole-wildcard]`}},
		"not action": {`    w.role.properties.Policies.append(cfn.iam.role.Policy(PolicyName = "x", PolicyDocument = iam.policy([
        iam.Statement(Effect = "Allow", NotAction = ["iam:*"], Resource = ["*"]),
    ])))`,
			[]string{`4:15: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.NotAction: the statement allows every action but the ones listed (NotAction with Allow) [iam-no-notaction-allow]`}},
		"reads on every resource are fine": {`    iam.grant(w, ["sqs:ListQueues"], ["*"], sid = "List")`, nil},
		"waived": {`    waive("iam-no-wildcard-resource", reason = "the queue is created by another team", owner = "payments", expires = "2026-12-31")
    iam.grant(w, ["sqs:SendMessage"], ["*"], sid = "Send")`, nil},
		"waiver without expiry": {`    waive("iam-no-wildcard-resource", reason = "r", owner = "payments")
    iam.grant(w, ["sqs:SendMessage"], ["*"], sid = "Send")`,
			[]string{`5:10: error: waive: iam-no-wildcard-resource: expires is required: a waiver without an expiry date is rejected (expires = "YYYY-MM-DD")`}},
		"expired waiver": {`    waive("iam-no-wildcard-resource", reason = "r", owner = "payments", expires = "2026-05-31")
    iam.grant(w, ["sqs:SendMessage"], ["*"], sid = "Send")`,
			[]string{
				`5:10: error: waive: iam-no-wildcard-resource: the waiver expired on 2026-05-31: fix the finding or renew the waiver with a reason [waiver-expired]`,
				`6:14: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: the write action sqs:SendMessage is allowed on every resource ("*") [iam-no-wildcard-resource]`,
			}},
		"waiver of nothing": {`    waive("iam-no-wildcard-action", reason = "r", owner = "payments", expires = "2026-12-31")`,
			[]string{`5:10: warning: the waiver of iam-no-wildcard-action matches no finding in stack web-staging`}},
		"structural errors cannot be waived": {`    w.role.properties.Policies.append(cfn.iam.role.Policy(PolicyName = "x", PolicyDocument = iam.policy([
        iam.allow(["GetObject"], ["arn:aws:s3:::b"]),
    ])))`,
			[]string{`6:18: error: Resources.WebRole.Properties.Policies.0.PolicyDocument.Statement.0.Action.0: "GetObject" is not an action [iam-action]`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := renderAWS(t, "", head+c.body+"\n    q.grant_consume(w)\n    return w\n")
			got := errorsOf(res)
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], "web.sky:")
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestTemplateErrors: references a template cannot resolve are errors at
// the line that declared the resource.
func TestTemplateErrors(t *testing.T) {
	res := renderAWS(t, "", `
def main(ctx):
    q = aws.queue("jobs", dead_letter = False)
    w = worker(name = "web", team = "payments", image = "r/web:1.0", cost_centre = "cc-1", aws = [q])
    sub = cfn.resource("AWS::SNS::Subscription", {"Protocol": "sqs", "Endpoint": cfn.get_att("JobQueue", "Arn"), "TopicArn": cfn.ref("Topic")}, logical_id = "Sub")
    return [w, sub]
`)
	got := errorsOf(res)
	want := []string{
		"web.sky:5:23: error: Resources.Sub.Properties.Endpoint.Fn::GetAtt: Fn::GetAtt JobQueue.Arn: the template declares no resource JobQueue [cfn-get-att]",
		"web.sky:5:23: error: Resources.Sub.Properties.TopicArn.Ref: Ref Topic: the template declares no resource or parameter Topic [cfn-ref]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, d := range res.Diagnostics {
		if d.Hint != "did you mean JobsQueue?" && strings.Contains(d.Message, "JobQueue") {
			t.Errorf("hint %q, want did you mean JobsQueue?", d.Hint)
		}
	}
}

// TestCostTags: configured cost-allocation rules hold for every workload,
// at the line that declared it.
func TestCostTags(t *testing.T) {
	config := awsConfig + `
cost_allocation:
  cost_centre: {allowed: [cc-4711]}
`
	res := renderAWS(t, config, `
def main(ctx):
    return worker(name = "web", team = "payments", image = "r/web:1.0",
        cost_centre = "cc-4712")
`)
	want := `web.sky:4:9: error: worker: cost_centre: "cc-4712" is not an allowed value of the cost-allocation tag cost-centre: skyc.yaml allows cc-4711`
	if got := errorsOf(res); len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	res = renderAWS(t, "", `
def main(ctx):
    b = cfn.resource("AWS::SQS::Queue", {"QueueName": "untagged"}, logical_id = "Q")
    w = worker(name = "web", team = "payments", image = "r/web:1.0", cost_centre = "cc-1", aws = [])
    return [w, b]
`)
	want = "web.sky:3:21: error: Resources.Q.Properties: AWS::SQS::Queue Q lacks the cost-allocation tag team, service, environment, cost-centre [cost-tags]"
	if got := errorsOf(res); len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
}

// TestNoAWSWithoutResources: a service without AWS resources renders
// exactly as before: no documents, no annotation.
func TestNoAWSWithoutResources(t *testing.T) {
	res := renderAWS(t, "", `
def main(ctx):
    return service(name = "web", team = "payments", image = "r/web:1.0")
`)
	if res.Failed() {
		t.Fatal(errorsOf(res))
	}
	for _, o := range append(res.Objects, res.Documents...) {
		if o.Doc != nil {
			t.Errorf("unexpected document %s", o)
		}
	}
}

// TestTemplateSections: parameters, conditions and outputs returned from
// main go into the stack, and resources of any typed type (here a DNS
// record and a certificate) are checked for their required properties.
func TestTemplateSections(t *testing.T) {
	res := renderAWS(t, "", `
def main(ctx):
    q = aws.queue("jobs", dead_letter = False)
    size = cfn.parameter("Size", type = "Number", default = 30)
    big = cfn.condition("Big", cfn.equals(cfn.ref(size), 60))
    q.properties.VisibilityTimeout = cfn.if_(big, 600, cfn.ref(size))
    cert = cfn.resource("AWS::CertificateManager::Certificate", {"DomainName": "web.example.com", "ValidationMethod": "DNS"}, logical_id = "Cert")
    record = cfn.resource("AWS::Route53::RecordSet", {"Name": "web.example.com.", "HostedZoneName": "example.com.", "TTL": "60", "ResourceRecords": ["10.0.0.1"]}, logical_id = "Record", condition = big)
    w = worker(name = "web", team = "payments", image = "r/web:1.0", cost_centre = "cc-1", aws = [q, cert, record])
    out = cfn.output("QueueUrl", q.url, export = cfn.sub("${AWS::StackName}-queue-url"))
    return [w, size, big, cert, record, out]
`)
	got := errorsOf(res)
	want := []string{"web.sky:8:26: error: Resources.Record.Properties: AWS::Route53::RecordSet: the required property Type is not set [cfn-required]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	d, _ := docs(res)
	tmpl := string(d["cloudformation/web-staging.yaml"])
	for _, w := range []string{
		"Parameters:\n  Size:\n    Type: Number\n    Default: 30\n",
		"Conditions:\n  Big:\n    Fn::Equals:\n    - Ref: Size\n    - 60\n",
		"      VisibilityTimeout:\n        Fn::If:\n        - Big\n        - 600\n        - Ref: Size\n",
		"  Record:\n    Type: AWS::Route53::RecordSet\n    Condition: Big\n",
		"Outputs:\n  QueueUrl:\n    Value:\n      Ref: JobsQueue\n    Export:\n      Name:\n        Fn::Sub: ${AWS::StackName}-queue-url\n",
	} {
		if !strings.Contains(tmpl, w) {
			t.Errorf("template lacks\n%s\nin\n%s", w, tmpl)
		}
	}
}
