package live

import (
	"encoding/json"
	"testing"
)

func TestDecodePolicy(t *testing.T) {
	want := `{"Statement":[{"Action":["s3:GetObject"],"Condition":{"Bool":{"aws:SecureTransport":true}},"Effect":"Allow","Resource":"arn:aws:s3:::it's/*"}],"Version":"2012-10-17"}`
	for name, in := range map[string]string{
		"json":           want,
		"url-encoded":    `%7B%22Statement%22%3A%5B%7B%22Action%22%3A%5B%22s3%3AGetObject%22%5D%2C%22Condition%22%3A%7B%22Bool%22%3A%7B%22aws%3ASecureTransport%22%3Atrue%7D%7D%2C%22Effect%22%3A%22Allow%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ait%27s%2F%2A%22%7D%5D%2C%22Version%22%3A%222012-10-17%22%7D`,
		"python literal": `{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['s3:GetObject'], 'Resource': "arn:aws:s3:::it's/*", 'Condition': {'Bool': {'aws:SecureTransport': True}}}]}`,
	} {
		v, err := DecodePolicy(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != want {
			t.Errorf("%s: got %s\nwant %s", name, got, want)
		}
	}
	if _, err := DecodePolicy("not a policy"); err == nil {
		t.Error("no error for text that is no policy")
	}
}
