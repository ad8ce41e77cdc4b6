package aws

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// testTypes returns the AWS message types.
func testTypes(t testing.TB) *protoregistry.Types {
	t.Helper()
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	types := new(protoregistry.Types)
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		var reg func(protoreflect.MessageDescriptors)
		reg = func(ms protoreflect.MessageDescriptors) {
			for i := 0; i < ms.Len(); i++ {
				if !ms.Get(i).IsMapEntry() {
					if err := types.RegisterMessage(dynamicpb.NewMessageType(ms.Get(i))); err != nil {
						t.Fatal(err)
					}
				}
				reg(ms.Get(i).Messages())
			}
		}
		reg(fd.Messages())
		return true
	})
	return types
}

// parse makes a message of the named type from its protobuf JSON form.
func parse(t testing.TB, types *protoregistry.Types, name protoreflect.FullName, text string) protoreflect.Message {
	t.Helper()
	mt, err := types.FindMessageByName(name)
	if err != nil {
		t.Fatal(err)
	}
	m := mt.New()
	if err := (protojson.UnmarshalOptions{Resolver: types}).Unmarshal([]byte(text), m.Interface()); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	return m
}

func toYAML(t testing.TB, tree any) string {
	t.Helper()
	b, err := yaml.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEncode shows the CloudFormation form of each kind of message.
func TestEncode(t *testing.T) {
	types := testTypes(t)
	cases := map[string]struct {
		msg  protoreflect.FullName
		in   string
		want string
	}{
		"string literal":  {StringName, `{"Literal": "x"}`, "x\n"},
		"integer literal": {IntegerName, `{"Literal": "30"}`, "30\n"},
		"ref":             {StringName, `{"Fn": {"Ref": {"Name": "Bucket"}}}`, "Ref: Bucket\n"},
		"get att": {StringName, `{"Fn": {"GetAtt": {"Resource": "Queue", "Attribute": "Arn"}}}`,
			"Fn::GetAtt:\n- Queue\n- Arn\n"},
		"sub": {StringName, `{"Fn": {"Sub": {"Template": "${Bucket.Arn}/*"}}}`, "Fn::Sub: ${Bucket.Arn}/*\n"},
		"sub with variables": {StringName,
			`{"Fn": {"Sub": {"Template": "${A}-${B}", "Variables": {"B": {"String": "b"}, "A": {"Fn": {"Ref": {"Name": "X"}}}}}}}`,
			"Fn::Sub:\n- ${A}-${B}\n- A:\n    Ref: X\n  B: b\n"},
		"join": {StringName,
			`{"Fn": {"Join": {"Delimiter": ",", "Values": {"List": {"Items": [{"String": "a"}, {"Fn": {"Ref": {"Name": "B"}}}]}}}}}`,
			"Fn::Join:\n- ','\n- - a\n  - Ref: B\n"},
		"if": {StringName,
			`{"Fn": {"If": {"Condition": "Prod", "Then": {"String": "big"}, "Else": {"Fn": {"Ref": {"Name": "AWS::NoValue"}}}}}}`,
			"Fn::If:\n- Prod\n- big\n- Ref: AWS::NoValue\n"},
		"select": {StringName,
			`{"Fn": {"Select": {"Index": "1", "List": {"Fn": {"GetAZs": {}}}}}}`,
			"Fn::Select:\n- 1\n- Fn::GetAZs: \"\"\n"},
		"json object sorts keys": {JSONName,
			`{"Object": {"Fields": {"b": {"Integer": "1"}, "a": {"Null": true}, "c": {"Bool": false}}}}`,
			"a: null\nb: 1\nc: false\n"},
		"condition": {ConditionName,
			`{"And": {"Items": [{"Equals": {"Left": {"Fn": {"Ref": {"Name": "Env"}}}, "Right": {"String": "prod"}}}, {"Not": {"Name": "Small"}}]}}`,
			"Fn::And:\n- Fn::Equals:\n  - Ref: Env\n  - prod\n- Fn::Not:\n  - Condition: Small\n"},
		"policy": {PolicyDocumentName, `{
			"Version": "2012-10-17",
			"Statement": [{
				"Sid": "Read",
				"Effect": "Allow",
				"Action": [{"Literal": "s3:GetObject"}],
				"Resource": [{"Fn": {"Sub": {"Template": "${Bucket.Arn}/*"}}}],
				"Condition": {"Bool": {"Keys": {"aws:SecureTransport": {"Values": [{"Literal": "true"}]}}}}
			}, {
				"Effect": "Deny",
				"Principal": {"Everyone": true},
				"NotAction": [{"Literal": "s3:*"}],
				"Resource": [{"Literal": "*"}]
			}]}`,
			"Version: \"2012-10-17\"\nStatement:\n- Sid: Read\n  Effect: Allow\n  Action:\n  - s3:GetObject\n  Resource:\n  - Fn::Sub: ${Bucket.Arn}/*\n  Condition:\n    Bool:\n      aws:SecureTransport:\n      - \"true\"\n" +
				"- Effect: Deny\n  Principal: '*'\n  NotAction:\n  - s3:*\n  Resource:\n  - '*'\n"},
		"principal": {PrincipalName, `{"Federated": [{"Literal": "arn:aws:iam::1:oidc-provider/x"}]}`,
			"Federated:\n- arn:aws:iam::1:oidc-provider/x\n"},
		"template": {TemplateName, `{
			"Description": "d",
			"Resources": {
				"Queue": {"Type": "AWS::SQS::Queue", "AWS_SQS_Queue": {"QueueName": {"Literal": "q"}, "VisibilityTimeout": {"Literal": "60"}}, "DeletionPolicy": "Retain"},
				"Any": {"Type": "AWS::X::Y", "DependsOn": ["Queue"], "Generic": {"Fields": {"Z": {"Integer": "1"}}}},
				"Bare": {"Type": "AWS::SNS::Topic", "AWS_SNS_Topic": {}}
			},
			"Outputs": {"QueueArn": {"Value": {"Fn": {"GetAtt": {"Resource": "Queue", "Attribute": "Arn"}}}, "Export": {"Name": {"String": "q-arn"}}}}
		}`, `AWSTemplateFormatVersion: "2010-09-09"
Description: d
Resources:
  Any:
    Type: AWS::X::Y
    DependsOn:
    - Queue
    Properties:
      Z: 1
  Bare:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: q
      VisibilityTimeout: 60
    DeletionPolicy: Retain
Outputs:
  QueueArn:
    Value:
      Fn::GetAtt:
      - Queue
      - Arn
    Export:
      Name: q-arn
`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tree, err := Encode(parse(t, types, c.msg, c.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := toYAML(t, tree); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestEncodeErrors: incomplete values are errors naming where they are.
func TestEncodeErrors(t *testing.T) {
	types := testTypes(t)
	cases := map[string]struct {
		msg  protoreflect.FullName
		in   string
		want string
	}{
		"empty string":      {StringName, `{}`, "empty String"},
		"empty fn":          {StringName, `{"Fn": {}}`, "empty intrinsic function"},
		"get att half done": {StringName, `{"Fn": {"GetAtt": {"Resource": "Q"}}}`, "Fn::GetAtt: Attribute is not set"},
		"nested": {TemplateName, `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "AWS_SQS_Queue": {"QueueName": {}}}}}`,
			`Resources: ["Q"]: Properties: QueueName: empty String`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Encode(parse(t, types, c.msg, c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestDescriptors checks that every property of every table became a field
// of the right shape, and that the template can hold every type.
func TestDescriptors(t *testing.T) {
	types := testTypes(t)
	res, err := types.FindMessageByName(ResourceName)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range Resources() {
		mt, err := types.FindMessageByName(rt.MessageName())
		if err != nil {
			t.Errorf("%s: %v", rt.Name, err)
			continue
		}
		if PropertiesField(res.Descriptor(), rt) == nil {
			t.Errorf("%s: cfn.Resource has no Properties field for it", rt.Name)
		}
		checkFields(t, rt.Name, rt.Properties, mt.Descriptor())
	}
}

func checkFields(t *testing.T, where string, props []*Property, md protoreflect.MessageDescriptor) {
	t.Helper()
	if md.Fields().Len() != len(props) {
		t.Errorf("%s: %d fields for %d properties", where, md.Fields().Len(), len(props))
	}
	for _, p := range props {
		fd := md.Fields().ByName(protoreflect.Name(p.Name))
		if fd == nil {
			t.Errorf("%s.%s: no field", where, p.Name)
			continue
		}
		if fd.IsList() != p.Type.List || fd.IsMap() != p.Type.Map {
			t.Errorf("%s.%s: list %v map %v, want %s", where, p.Name, fd.IsList(), fd.IsMap(), p.Type)
		}
		elem := fd.Message()
		if fd.IsMap() {
			elem = fd.MapValue().Message()
		}
		want := map[Kind]protoreflect.FullName{
			KindString: StringName, KindInteger: IntegerName, KindDouble: DoubleName, KindBoolean: BooleanName,
			KindJSON: JSONName, KindPolicy: PolicyDocumentName, KindTag: TagName,
		}[p.Type.Kind]
		if p.Type.Kind == KindObject {
			if elem.Name() != protoreflect.Name(p.Type.Object.Name) {
				t.Errorf("%s.%s: type %s, want %s", where, p.Name, elem.FullName(), p.Type.Object.Name)
			}
			checkFields(t, where+"."+p.Name, p.Type.Object.Properties, elem)
			continue
		}
		if elem.FullName() != want {
			t.Errorf("%s.%s: type %s, want %s", where, p.Name, elem.FullName(), want)
		}
	}
}
