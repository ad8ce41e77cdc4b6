package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

var templateSeeds = []string{
	"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      A: !Ref X\n      B: !GetAtt Y.Arn\n      C: !Sub 'arn:${AWS::Partition}:s3:::x'\n      D: !Join [',', [a, !Ref Z]]\n      N: 3\n",
	`{"Resources": {"R": {"Properties": {"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["Y", "Arn"]}, "N": 3.5}}}}`,
	"Resources:\n  R:\n    Properties:\n      Ports: [{name: http, port: 80}, {name: https, port: 443}]\n      Tags: [{Key: team, Value: web}]\n",
	"Conditions:\n  Prod: !Equals [!Ref Env, prod]\nResources:\n  R:\n    Condition: Prod\n    Properties: {A: !If [Prod, 1, 2], B: !Select [0, !GetAZs '']}\n",
	"a: &x {b: 1}\nc: *x\n",
	"a: &x [*x]\n",
	"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
	"a: .nan\nb: .inf\n",
	"- 1\n",
	"",
}

// hangIsFinding crashes the fuzz worker when one input takes longer than
// any input should, so that the fuzzer keeps it: Go's fuzzer does not time
// inputs out itself.
func hangIsFinding(data ...any) (stop func() bool) {
	return time.AfterFunc(10*time.Second, func() {
		panic(fmt.Sprintf("still running after 10s on %q", data))
	}).Stop
}

// FuzzParseTemplate reads arbitrary bytes as a CloudFormation template.
// Whatever they are, ParseTemplate returns a tree or an error, in bounded
// time; the same one each time; and a tree that, written as JSON (the
// long form of every intrinsic) and read again, is the same tree.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range templateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer hangIsFinding(data)()
		tree, err := ParseTemplate(data)
		if (tree == nil) == (err == nil) {
			t.Fatalf("ParseTemplate returned %v and %v", tree, err)
		}
		again, errAgain := ParseTemplate(data)
		if fmt.Sprintf("%#v %v", tree, err) != fmt.Sprintf("%#v %v", again, errAgain) {
			t.Fatalf("two parses differ:\n%#v %v\n%#v %v", tree, err, again, errAgain)
		}
		if err != nil {
			return
		}
		js, err := json.Marshal(tree)
		if err != nil {
			t.Fatalf("the tree is not JSON: %v\n%#v", err, tree)
		}
		back, err := ParseTemplate(js)
		if err != nil {
			t.Fatalf("the tree as JSON does not parse: %v\n%s", err, js)
		}
		if !reflect.DeepEqual(jsonNumbers(t, tree), jsonNumbers(t, back)) {
			t.Fatalf("the tree as JSON reads back differently:\n%s\n%#v\n%#v", js, tree, back)
		}
	})
}

// jsonNumbers returns v with every number a float64, as JSON holds it:
// ParseTemplate reads 1.0 written as 1 back as an int64.
func jsonNumbers(t *testing.T, v any) any {
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzDiffTrees diffs arbitrary pairs of templates. A tree never differs
// from itself; a diff is the same every time, empty both ways or neither,
// and every field it reports differs.
func FuzzDiffTrees(f *testing.F) {
	for i, a := range templateSeeds {
		f.Add([]byte(a), []byte(templateSeeds[(i+1)%len(templateSeeds)]))
	}
	f.Fuzz(func(t *testing.T, x, y []byte) {
		defer hangIsFinding(x, y)()
		a, errA := ParseTemplate(x)
		b, errB := ParseTemplate(y)
		if errA != nil || errB != nil {
			return
		}
		for _, tree := range []any{a, b} {
			if d := diffTrees(tree, tree); len(d) > 0 {
				t.Fatalf("a tree differs from itself: %s", deltaText(d))
			}
		}
		ab := diffTrees(a, b)
		if again := diffTrees(a, b); deltaText(ab) != deltaText(again) {
			t.Fatalf("two diffs differ:\n%s\n%s", deltaText(ab), deltaText(again))
		}
		if ba := diffTrees(b, a); (len(ab) == 0) != (len(ba) == 0) {
			t.Fatalf("a→b has %d changes, b→a %d", len(ab), len(ba))
		}
		for _, d := range ab {
			if equal(d.before, d.after) {
				t.Errorf("%s is reported changed but is %v on both sides", d.path, d.before)
			}
		}
	})
}

// FuzzCanonicalPolicy puts arbitrary JSON documents in the canonical
// form of IAM policies: never a panic, and canonical twice is canonical
// once.
func FuzzCanonicalPolicy(f *testing.F) {
	for _, s := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}]}`,
		`{"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com", "AWS": ["a", "b", "a"]}, "Action": "sts:AssumeRole"}}`,
		`{"Statement": [1, "x", null, {"NotAction": [], "Condition": {"StringEquals": {"k": "v"}}}]}`,
		`{"Statement": {"Principal": "*"}}`,
		`[]`,
		`"policy"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer hangIsFinding(data)()
		var doc any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		once := canonicalPolicy(doc)
		if twice := canonicalPolicy(once); !reflect.DeepEqual(once, twice) {
			t.Fatalf("canonical form is not stable:\n%#v\n%#v", once, twice)
		}
		if again := canonicalPolicy(doc); !reflect.DeepEqual(once, again) {
			t.Fatalf("two canonical forms differ:\n%#v\n%#v", once, again)
		}
	})
}
