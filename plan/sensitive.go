package plan

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SensitiveField names a field whose value is never shown: a string, or an
// object or list all of whose values are hidden (Secret data: each key's
// value).
type SensitiveField struct {
	GroupKind schema.GroupKind
	// Path is the field's dotted name, e.g. "data" or "spec.password".
	Path string
	// Base64 says the values are base64, as in Secret data: the hash is
	// then of the decoded value, so that it agrees with stringData.
	Base64 bool
}

// DefaultSensitive are the fields hidden in every plan: Secret data, and
// the secret properties of CloudFormation resources (whose "kind" is their
// type). SSM parameters of type SecureString and NoEcho stack parameters
// are hidden too.
var DefaultSensitive = []SensitiveField{
	{GroupKind: schema.GroupKind{Kind: "Secret"}, Path: "data", Base64: true},
	{GroupKind: schema.GroupKind{Kind: "Secret"}, Path: "stringData"},
	{GroupKind: schema.GroupKind{Kind: "AWS::SecretsManager::Secret"}, Path: "Properties.SecretString"},
	{GroupKind: schema.GroupKind{Kind: "AWS::RDS::DBInstance"}, Path: "Properties.MasterUserPassword"},
	{GroupKind: schema.GroupKind{Kind: "AWS::RDS::DBCluster"}, Path: "Properties.MasterUserPassword"},
	{GroupKind: schema.GroupKind{Kind: "AWS::IAM::User"}, Path: "Properties.LoginProfile.Password"},
}

// SensitiveAnnotation marks more fields of one object as sensitive: a
// comma-separated list of dotted field names, e.g. "spec.token,spec.password".
const SensitiveAnnotation = "skyc.dev/sensitive-fields"

// SensitivePrefix starts the text that stands for a hidden value:
// "(sensitive sha256:0123456789ab)". The hash identifies a value (equal
// values, equal hashes) without revealing it.
const SensitivePrefix = "(sensitive sha256:"

// Masker hides sensitive values. It replaces them in objects with a
// marker and remembers them, so that [Masker.Redact] can remove them from
// any message, such as an API server's error quoting a value. A Masker is
// safe for concurrent use; its zero value is not: use [NewMasker].
type Masker struct {
	rules map[schema.GroupKind][]SensitiveField

	mu      sync.Mutex
	secrets map[string]bool
	sorted  []string // secrets, longest first; nil when stale
}

// NewMasker returns a Masker for [DefaultSensitive] and extra.
func NewMasker(extra ...SensitiveField) *Masker {
	m := &Masker{rules: map[schema.GroupKind][]SensitiveField{}, secrets: map[string]bool{}}
	for _, f := range append(append([]SensitiveField(nil), DefaultSensitive...), extra...) {
		m.rules[f.GroupKind] = append(m.rules[f.GroupKind], f)
	}
	return m
}

// fields returns the sensitive fields of obj: those of its kind and those
// its annotation names.
func (m *Masker) fields(gk schema.GroupKind, obj map[string]any) []SensitiveField {
	out := m.rules[gk]
	md, _ := obj["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	if s, ok := ann[SensitiveAnnotation].(string); ok {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, SensitiveField{GroupKind: gk, Path: p})
			}
		}
	}
	return out
}

// sensitivePaths are the dotted names of obj's sensitive fields.
func (m *Masker) sensitivePaths(gk schema.GroupKind, objs ...map[string]any) []string {
	var out []string
	for _, obj := range objs {
		if obj == nil {
			continue
		}
		for _, f := range m.fields(gk, obj) {
			out = append(out, f.Path)
		}
	}
	return out
}

// Mask replaces, in place, the values of obj's sensitive fields by markers.
func (m *Masker) Mask(gk schema.GroupKind, obj map[string]any) {
	if obj == nil {
		return
	}
	for _, f := range m.fields(gk, obj) {
		parts := strings.Split(f.Path, ".")
		parent := obj
		for _, p := range parts[:len(parts)-1] {
			next, ok := parent[p].(map[string]any)
			if !ok {
				parent = nil
				break
			}
			parent = next
		}
		last := parts[len(parts)-1]
		if parent == nil {
			continue
		}
		if v, ok := parent[last]; ok {
			parent[last] = m.maskValue(v, f.Base64)
		}
	}
}

func (m *Masker) maskValue(v any, b64 bool) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = m.maskValue(x, b64)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = m.maskValue(x, b64)
		}
		return v
	case nil:
		return nil
	case string:
		if strings.HasPrefix(v, SensitivePrefix) {
			return v // masked already
		}
		clear := v
		if b64 {
			if d, err := base64.StdEncoding.DecodeString(v); err == nil {
				clear = string(d)
			}
		}
		m.remember(v)
		m.remember(clear)
		if q := strconv.Quote(clear); len(q) > 2 {
			m.remember(q[1 : len(q)-1]) // as %q quotes it in messages
		}
		return Hide(clear)
	default:
		js, _ := json.Marshal(v)
		m.remember(string(js))
		return Hide(string(js))
	}
}

// Hide returns the marker that stands for value.
func Hide(value string) string {
	sum := sha256.Sum256([]byte(value))
	return SensitivePrefix + hex.EncodeToString(sum[:6]) + ")"
}

// minRedacted is the shortest value Redact removes from messages; shorter
// ones would match too much ordinary text.
const minRedacted = 4

func (m *Masker) remember(s string) {
	if len(s) < minRedacted {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.secrets[s] {
		m.secrets[s] = true
		m.sorted = nil
	}
}

// Redact returns s with every sensitive value seen so far replaced by
// "(sensitive value)".
func (m *Masker) Redact(s string) string {
	m.mu.Lock()
	if m.sorted == nil {
		for v := range m.secrets {
			m.sorted = append(m.sorted, v)
		}
		sort.Slice(m.sorted, func(i, j int) bool {
			if len(m.sorted[i]) != len(m.sorted[j]) {
				return len(m.sorted[i]) > len(m.sorted[j])
			}
			return m.sorted[i] < m.sorted[j]
		})
	}
	secrets := m.sorted
	m.mu.Unlock()
	for _, v := range secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, "(sensitive value)")
		}
	}
	return s
}

// Redactf formats like fmt.Sprintf and redacts the result.
func (m *Masker) Redactf(format string, args ...any) string {
	return m.Redact(fmt.Sprintf(format, args...))
}
