package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"go.yaml.in/yaml/v2"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/internal/testmoto"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// renderExampleDocuments renders the examples and returns their AWS
// documents and their environments by name.
func renderExampleDocuments(t *testing.T) ([]manifest.Object, map[string]*config.Environment) {
	t.Helper()
	ctx := context.Background()
	files, explicit, err := render.Discover([]string{"../examples/..."})
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(ctx, render.Options{}, files[0])
	if err != nil {
		t.Fatal(err)
	}
	res := r.Render(ctx, files, explicit)
	for _, d := range res.Diagnostics {
		t.Errorf("render: %v", d)
	}
	if res.Failed() {
		t.FailNow()
	}
	envs := map[string]*config.Environment{}
	for _, e := range r.Environments() {
		envs[e.Name] = e
	}
	return res.Documents, envs
}

func templatesOf(docs []manifest.Object, kind string) []manifest.Object {
	var out []manifest.Object
	for _, d := range docs {
		if d.Doc.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

// TestExamplesCfnLint runs cfn-lint, the reference linter, over every
// template the examples render: it must find no error (nor, today,
// anything else).
func TestExamplesCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not installed: %v", err)
	}
	docs, _ := renderExampleDocuments(t)
	templates := templatesOf(docs, manifest.TemplateKind)
	if len(templates) != 6 {
		t.Fatalf("the examples render %d templates, want 6 (three services, two environments)", len(templates))
	}
	dir := t.TempDir()
	var paths []string
	for _, d := range templates {
		p := filepath.Join(dir, d.Env+"-"+filepath.Base(d.Doc.Path))
		if err := os.WriteFile(p, d.Doc.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(lint, append([]string{"--format", "parseable"}, paths...)...).CombinedOutput()
	// cfn-lint's exit status is a bit set: 2 errors, 4 warnings, 8 informational.
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode()&2 == 0:
		t.Logf("cfn-lint found warnings or notes:\n%s", out)
	default:
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
	if len(out) > 0 {
		t.Errorf("cfn-lint reported:\n%s", out)
	}
}

// TestExamplesOnMoto creates every example stack on moto, per
// environment with that environment's account, waits for
// CREATE_COMPLETE, and checks the IAM documents skyc wrote out: the roles
// CloudFormation made hold exactly them, and they load as real roles and
// managed policies.
func TestExamplesOnMoto(t *testing.T) {
	docs, envs := renderExampleDocuments(t)
	byEnv := map[string][]manifest.Object{}
	for _, d := range docs {
		byEnv[d.Env] = append(byEnv[d.Env], d)
	}
	names := make([]string, 0, len(byEnv))
	for n := range byEnv {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != 2 {
		t.Fatalf("documents for environments %v, want staging and production", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			env := envs[name]
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			srv, err := testmoto.Start(ctx, testmoto.Options{AccountID: env.AWS.AccountID, LogDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Stop)
			cfg := awssdk.Config{
				Region:       env.Region,
				Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
				BaseEndpoint: awssdk.String(srv.Endpoint),
			}
			cf := cloudformation.NewFromConfig(cfg)
			im := iam.NewFromConfig(cfg)
			for _, d := range templatesOf(byEnv[name], manifest.TemplateKind) {
				createStack(ctx, t, cf, d)
			}
			roles := templatesOf(byEnv[name], manifest.RoleKind)
			if len(roles) != 3 {
				t.Errorf("%d roles, want one for each service", len(roles))
			}
			for _, d := range roles {
				checkRole(ctx, t, im, d)
			}
		})
	}
}

// motoSkips are the resource types moto's CloudFormation does not
// implement: it leaves them out and completes the stack anyway.
var motoSkips = map[string]bool{"AWS::SecretsManager::Secret": true, "AWS::CertificateManager::Certificate": true}

// createStack creates one stack and checks that it and its resources
// reach CREATE_COMPLETE.
func createStack(ctx context.Context, t *testing.T, cf *cloudformation.Client, d manifest.Object) {
	t.Helper()
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName:    awssdk.String(d.Doc.Name),
		TemplateBody: awssdk.String(string(d.Doc.Data)),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityNamedIam},
	})
	if err != nil {
		t.Errorf("%s: CreateStack: %v", d.Doc.Name, err)
		return
	}
	waiter := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second
	})
	if err := waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String(d.Doc.Name)}, 2*time.Minute); err != nil {
		events, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String(d.Doc.Name)})
		var lines []string
		if events != nil {
			for _, e := range events.StackEvents {
				lines = append(lines, awssdk.ToString(e.LogicalResourceId)+" "+string(e.ResourceStatus)+" "+awssdk.ToString(e.ResourceStatusReason))
			}
		}
		t.Errorf("%s: not CREATE_COMPLETE: %v\n%s", d.Doc.Name, err, strings.Join(lines, "\n"))
		return
	}
	var tmpl struct {
		Resources map[string]struct {
			Type string `yaml:"Type"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(d.Doc.Data, &tmpl); err != nil || len(tmpl.Resources) == 0 {
		t.Fatalf("%s: reading its resources: %v", d.Doc.Name, err)
	}
	out, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: awssdk.String(d.Doc.Name)})
	if err != nil {
		t.Fatalf("%s: ListStackResources: %v", d.Doc.Name, err)
	}
	status := map[string]string{}
	for _, r := range out.StackResourceSummaries {
		status[awssdk.ToString(r.LogicalResourceId)] = string(r.ResourceStatus)
	}
	for id, r := range tmpl.Resources {
		switch {
		case status[id] == "CREATE_COMPLETE":
		case motoSkips[r.Type]:
			t.Logf("%s: %s (%s) is not implemented by moto's CloudFormation", d.Doc.Name, id, r.Type)
		default:
			t.Errorf("%s: %s (%s) is %q, want CREATE_COMPLETE", d.Doc.Name, id, r.Type, status[id])
		}
	}
}

// roleDoc is an iam/<role>.json document.
type roleDoc struct {
	RoleName                 string
	AssumeRolePolicyDocument any
	Policies                 []struct {
		PolicyName     string
		PolicyDocument any
	}
}

// checkRole compares the role CloudFormation made with the role's
// document, then loads the document's policies as a new role and managed
// policies, as IAM would take them from a pipeline.
func checkRole(ctx context.Context, t *testing.T, im *iam.Client, d manifest.Object) {
	t.Helper()
	var doc roleDoc
	if err := json.Unmarshal(d.Doc.Data, &doc); err != nil {
		t.Fatalf("%s: %v", d.Doc.Path, err)
	}
	// The role the stack made holds exactly the documents.
	got, err := im.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(doc.RoleName)})
	if err != nil {
		t.Errorf("%s: the stack made no role %s: %v", d.Doc.Path, doc.RoleName, err)
		return
	}
	samePolicy(t, doc.RoleName+" trust policy", doc.AssumeRolePolicyDocument, awssdk.ToString(got.Role.AssumeRolePolicyDocument))
	for _, p := range doc.Policies {
		rp, err := im.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(doc.RoleName), PolicyName: awssdk.String(p.PolicyName)})
		if err != nil {
			t.Errorf("%s: policy %s: %v", doc.RoleName, p.PolicyName, err)
			continue
		}
		samePolicy(t, doc.RoleName+" policy "+p.PolicyName, p.PolicyDocument, awssdk.ToString(rp.PolicyDocument))
	}

	// The documents load as a role and managed policies of their own.
	loaded := doc.RoleName + "-loaded"
	trust, _ := json.Marshal(doc.AssumeRolePolicyDocument)
	if _, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: awssdk.String(loaded), AssumeRolePolicyDocument: awssdk.String(string(trust))}); err != nil {
		t.Errorf("%s: IAM refuses the trust policy: %v", d.Doc.Path, err)
		return
	}
	for _, p := range doc.Policies {
		body, _ := json.Marshal(p.PolicyDocument)
		created, err := im.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: awssdk.String(p.PolicyName + "-loaded"), PolicyDocument: awssdk.String(string(body))})
		if err != nil {
			t.Errorf("%s: IAM refuses the policy %s: %v", d.Doc.Path, p.PolicyName, err)
			continue
		}
		if _, err := im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: awssdk.String(loaded), PolicyArn: created.Policy.Arn}); err != nil {
			t.Errorf("%s: attaching %s: %v", d.Doc.Path, p.PolicyName, err)
		}
		v, err := im.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: created.Policy.Arn, VersionId: created.Policy.DefaultVersionId})
		if err != nil {
			t.Errorf("%s: %v", d.Doc.Path, err)
			continue
		}
		samePolicy(t, loaded+" policy "+p.PolicyName, p.PolicyDocument, awssdk.ToString(v.PolicyVersion.Document))
	}
}

// samePolicy compares a policy skyc wrote with the one IAM holds.
func samePolicy(t *testing.T, what string, want any, got string) {
	t.Helper()
	parsed, err := testmoto.ParsePolicy(got)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	// Compare through JSON, so that numbers and maps compare alike.
	w, _ := json.Marshal(want)
	var wv any
	_ = json.Unmarshal(w, &wv)
	if !reflect.DeepEqual(wv, parsed) {
		g, _ := json.MarshalIndent(parsed, "", "  ")
		w, _ := json.MarshalIndent(wv, "", "  ")
		t.Errorf("%s: IAM holds\n%s\nskyc wrote\n%s", what, g, w)
	}
}
