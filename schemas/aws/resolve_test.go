package aws

import (
	"errors"
	"strings"
	"testing"
)

func testEnv() *Env {
	bucket, _ := LookupResource("AWS::S3::Bucket")
	queue, _ := LookupResource("AWS::SQS::Queue")
	key, _ := LookupResource("AWS::KMS::Key")
	return &Env{
		Region: "eu-central-1", Account: "111122223333", StackName: "web-staging",
		Resources: map[string]Physical{
			"Bucket": {Type: bucket, Name: "web-staging-assets"},
			"Queue":  {Type: queue, Name: "web-staging-jobs"},
			"Key":    {Type: key},
			"Custom": {},
		},
	}
}

// TestResolve evaluates intrinsic functions offline.
func TestResolve(t *testing.T) {
	types := testTypes(t)
	cases := map[string]struct{ in, want string }{
		"ref name":    {`{"Fn": {"Ref": {"Name": "Bucket"}}}`, "web-staging-assets\n"},
		"ref url":     {`{"Fn": {"Ref": {"Name": "Queue"}}}`, "https://sqs.eu-central-1.amazonaws.com/111122223333/web-staging-jobs\n"},
		"get att arn": {`{"Fn": {"GetAtt": {"Resource": "Queue", "Attribute": "Arn"}}}`, "arn:aws:sqs:eu-central-1:111122223333:web-staging-jobs\n"},
		"pseudo":      {`{"Fn": {"Ref": {"Name": "AWS::StackName"}}}`, "web-staging\n"},
		"sub": {`{"Fn": {"Sub": {"Template": "${Bucket.Arn}/*:${AWS::Region}:${!Literal}:${X}", "Variables": {"X": {"Fn": {"Ref": {"Name": "AWS::AccountId"}}}}}}}`,
			"arn:aws:s3:::web-staging-assets/*:eu-central-1:${Literal}:111122223333\n"},
		"join":         {`{"Fn": {"Join": {"Delimiter": "/", "Values": {"List": {"Items": [{"String": "a"}, {"Fn": {"Ref": {"Name": "AWS::Partition"}}}]}}}}}`, "a/aws\n"},
		"select split": {`{"Fn": {"Select": {"Index": "1", "List": {"Fn": {"Split": {"Delimiter": ",", "Source": {"String": "a,b,c"}}}}}}}`, "b\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tree, err := Encode(parse(t, types, StringName, c.in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(tree, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if s := toYAML(t, got); s != c.want {
				t.Errorf("got %q, want %q", s, c.want)
			}
		})
	}
}

// TestResolveNoValue: Ref AWS::NoValue removes what holds it.
func TestResolveNoValue(t *testing.T) {
	types := testTypes(t)
	tree, err := Encode(parse(t, types, JSONName, `{"Object": {"Fields": {
		"a": {"Fn": {"Ref": {"Name": "AWS::NoValue"}}},
		"b": {"List": {"Items": [{"String": "x"}, {"Fn": {"Ref": {"Name": "AWS::NoValue"}}}]}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(tree, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	if s := toYAML(t, got); s != "b:\n- x\n" {
		t.Errorf("got %q", s)
	}
}

// TestResolveErrors: what is known only after deployment is an
// UnresolvableError; a wrong reference is another error.
func TestResolveErrors(t *testing.T) {
	types := testTypes(t)
	cases := map[string]struct {
		in           string
		unresolvable bool
		want         string
	}{
		"generated id":   {`{"Fn": {"Ref": {"Name": "Key"}}}`, true, "Ref Key cannot be resolved before deployment"},
		"generated arn":  {`{"Fn": {"GetAtt": {"Resource": "Key", "Attribute": "Arn"}}}`, true, "Fn::GetAtt Key.Arn"},
		"untyped":        {`{"Fn": {"GetAtt": {"Resource": "Custom", "Attribute": "Arn"}}}`, true, "not known offline"},
		"import":         {`{"Fn": {"ImportValue": {"Name": {"String": "x"}}}}`, true, "Fn::ImportValue"},
		"unknown ref":    {`{"Fn": {"Ref": {"Name": "Nope"}}}`, false, "Ref Nope: no resource or parameter Nope"},
		"bad attribute":  {`{"Fn": {"GetAtt": {"Resource": "Bucket", "Attribute": "Url"}}}`, false, "AWS::S3::Bucket has no attribute Url"},
		"unterminated":   {`{"Fn": {"Sub": {"Template": "${Bucket"}}}`, false, "without its }"},
		"sub of unknown": {`{"Fn": {"Sub": {"Template": "${Nope.Arn}"}}}`, false, "no resource Nope"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tree, err := Encode(parse(t, types, StringName, c.in))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Resolve(tree, testEnv())
			var ue *UnresolvableError
			if err == nil || !strings.Contains(err.Error(), c.want) || errors.As(err, &ue) != c.unresolvable {
				t.Errorf("error %v (unresolvable %v), want one containing %q (unresolvable %v)", err, errors.As(err, &ue), c.want, c.unresolvable)
			}
		})
	}
}

// TestScanSub splits templates into literals and variables.
func TestScanSub(t *testing.T) {
	cases := map[string]string{
		"plain":            "plain",
		"${A}-${B.C}":      "[A]-[B.C]",
		"${!A}${ B }":      "${A}[B]",
		"x${AWS::Region}y": "x[AWS::Region]y",
	}
	for in, want := range cases {
		var b strings.Builder
		err := ScanSub(in, func(s string) { b.WriteString(s) }, func(n string) error {
			b.WriteString("[" + n + "]")
			return nil
		})
		if err != nil || b.String() != want {
			t.Errorf("ScanSub(%q) = %q, %v; want %q", in, b.String(), err, want)
		}
	}
	for _, bad := range []string{"${", "a${}b"} {
		if err := ScanSub(bad, func(string) {}, func(string) error { return nil }); err == nil {
			t.Errorf("ScanSub(%q) succeeded, want an error", bad)
		}
	}
}
