package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestMask(t *testing.T) {
	m := NewMasker()
	secret := tree(t, `
kind: Secret
metadata:
  name: s
  annotations: {skyc.dev/sensitive-fields: "spec.token"}
data: {password: `+b64("hunter2-data")+`}
stringData: {password: hunter2-data, other: "s3cret value"}
spec: {token: tok-123456, plain: visible}
`)
	m.Mask(schema.GroupKind{Kind: "Secret"}, secret)
	js, _ := json.Marshal(secret)
	got := string(js)
	for _, leak := range []string{"hunter2", b64("hunter2-data"), "s3cret", "tok-123456"} {
		if strings.Contains(got, leak) {
			t.Errorf("masked object holds %q: %s", leak, got)
		}
	}
	if !strings.Contains(got, "visible") {
		t.Errorf("masked object lost a field that is not sensitive: %s", got)
	}
	// data is hashed decoded, so equal values agree across data and stringData.
	data := secret["data"].(map[string]any)["password"]
	stringData := secret["stringData"].(map[string]any)["password"]
	if data != stringData || data != Hide("hunter2-data") {
		t.Errorf("data %v, stringData %v, want both %v", data, stringData, Hide("hunter2-data"))
	}
	// A ConfigMap is not sensitive.
	cm := tree(t, "kind: ConfigMap\ndata: {password: plain}")
	m.Mask(schema.GroupKind{Kind: "ConfigMap"}, cm)
	if cm["data"].(map[string]any)["password"] != "plain" {
		t.Errorf("ConfigMap data masked: %v", cm)
	}
}

func TestRedact(t *testing.T) {
	m := NewMasker()
	m.Mask(schema.GroupKind{Kind: "Secret"}, tree(t, `stringData: {a: "pa\"ss word", b: abc}`))
	for in, want := range map[string]string{
		`Secret "s" is invalid: stringData[a]: Invalid value: "pa\"ss word"`: `Secret "s" is invalid: stringData[a]: Invalid value: "(sensitive value)"`,
		"raw pa\"ss word here":   "raw (sensitive value) here",
		"too short to hide: abc": "too short to hide: abc",
	} {
		if got := m.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
