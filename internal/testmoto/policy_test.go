package testmoto

import (
	"reflect"
	"testing"
)

// TestParsePolicy reads each form IAM (or moto) returns a policy in.
func TestParsePolicy(t *testing.T) {
	want := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject"}, "Resource": "arn:aws:s3:::b/*", "Bool": true, "N": 1.0, "X": nil},
	}}
	for name, in := range map[string]string{
		"json":        `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*", "Bool": true, "N": 1, "X": null}]}`,
		"url encoded": `%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%5B%22s3%3AGetObject%22%5D%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%2C%20%22Bool%22%3A%20true%2C%20%22N%22%3A%201%2C%20%22X%22%3A%20null%7D%5D%7D`,
		"python":      `{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': 'arn:aws:s3:::b/*', 'Bool': True, 'N': 1, 'X': None}]}`,
	} {
		got, err := ParsePolicy(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v", name, got)
		}
	}
	if _, err := ParsePolicy(`{'a': [1, 2}`); err == nil {
		t.Error("a broken literal parsed")
	}
}
