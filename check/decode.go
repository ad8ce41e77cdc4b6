package check

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skyc-dev/skyc/manifest"
)

// Manifests collects the objects of plain Kubernetes manifest files (YAML
// or JSON, several documents to a file, List kinds expanded) and remembers
// where in the files each object and its fields are, for findings.
//
// The zero value is ready to use.
type Manifests struct {
	// Objects are the decoded objects, in file and document order. Each
	// has Source "FILE:LINE", the line where the object starts. Objects of
	// built-in kinds are typed (*appsv1.Deployment); others are
	// *unstructured.Unstructured.
	Objects []manifest.Object
	// Findings are the problems found while decoding: syntax errors,
	// documents without apiVersion or kind, fields that do not decode into
	// their kind's type, unknown fields. A document that does not decode
	// contributes no object.
	Findings []Finding

	nodes map[runtime.Object]located
}

// located is an object's YAML node and the file it is in.
type located struct {
	file string
	node *yaml.Node
	line int // offset of the node's document in the file, less one
}

// decoder decodes JSON into client-go's typed objects, reporting unknown
// and duplicate fields as kubectl's strict validation does.
var decoder = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme, json.SerializerOptions{Strict: true})

// Add decodes the manifests in data, the contents of file, and appends
// their objects and findings.
func (m *Manifests) Add(file string, data []byte) {
	if m.nodes == nil {
		m.nodes = map[runtime.Object]located{}
	}
	for _, doc := range splitDocuments(data) {
		m.addDocument(file, doc)
	}
}

// document is one YAML document of a stream, with the line it starts on.
type document struct {
	line int // 1-based line of the document's first line in the file
	data []byte
}

// splitDocuments splits a YAML stream at "---" lines, as the Kubernetes
// YAML reader does (a separator line may carry a comment).
func splitDocuments(data []byte) []document {
	var docs []document
	start, line := 1, 1
	var cur bytes.Buffer
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if isSeparator(l) {
			docs = append(docs, document{line: start, data: bytes.Clone(cur.Bytes())})
			cur.Reset()
			start = line + 1
		} else {
			cur.Write(l)
		}
		line++
	}
	return append(docs, document{line: start, data: cur.Bytes()})
}

func isSeparator(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	if !ok {
		return false
	}
	rest = bytes.TrimSpace(rest)
	return len(rest) == 0 || rest[0] == '#'
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

func (m *Manifests) addDocument(file string, doc document) {
	at := func(line int) string { return fmt.Sprintf("%s:%d", file, line) }
	js, err := sigsyaml.YAMLToJSON(doc.data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		msg = strings.TrimPrefix(msg, "yaml: ")
		line := doc.line
		if sm := yamlErrLine.FindStringSubmatch(msg); sm != nil {
			n, _ := strconv.Atoi(sm[1])
			line = doc.line + n - 1
			msg = strings.TrimSpace(yamlErrLine.ReplaceAllString(msg, ""))
			msg = strings.TrimPrefix(msg, ": ")
		}
		m.Findings = append(m.Findings, Finding{Severity: Error, Rule: RuleYAMLSyntax, Message: msg, Source: at(line)})
		return
	}
	js = bytes.TrimSpace(js)
	if len(js) == 0 || bytes.Equal(js, []byte("null")) {
		return
	}
	var root yaml.Node
	var node *yaml.Node
	if yaml.Unmarshal(doc.data, &root) == nil && root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		node = root.Content[0]
	}
	first := doc.line
	if node != nil {
		first = doc.line + node.Line - 1
	}
	if js[0] != '{' {
		m.Findings = append(m.Findings, Finding{Severity: Error, Rule: RuleDecode, Message: "document is not an object: want a Kubernetes object with apiVersion and kind", Source: at(first)})
		return
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		m.addObject(file, doc.line, node, js)
		return
	}
	if !u.IsList() {
		m.addObject(file, doc.line, node, js)
		return
	}
	items, _ := u.Object["items"].([]any)
	itemNodes := childSeq(node, "items")
	for i, it := range items {
		var n *yaml.Node
		if i < len(itemNodes) {
			n = itemNodes[i]
		}
		b, err := sigsyaml.Marshal(it)
		if err == nil {
			b, err = sigsyaml.YAMLToJSON(b)
		}
		if err != nil {
			m.Findings = append(m.Findings, Finding{Severity: Error, Rule: RuleDecode, Message: fmt.Sprintf("items[%d]: %v", i, err), Source: at(first)})
			continue
		}
		m.addObject(file, doc.line, n, b)
	}
}

// addObject decodes one object's JSON; node is its YAML, if known, in a
// document that starts on line docLine.
func (m *Manifests) addObject(file string, docLine int, node *yaml.Node, js []byte) {
	line := docLine
	if node != nil {
		line = docLine + node.Line - 1
	}
	src := fmt.Sprintf("%s:%d", file, line)
	loc := located{file: file, node: node, line: docLine - 1}

	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	_ = sigsyaml.Unmarshal(js, &tm)
	ref := ObjectRef{APIVersion: tm.APIVersion, Kind: tm.Kind, Namespace: tm.Metadata.Namespace, Name: tm.Metadata.Name}
	if tm.APIVersion == "" || tm.Kind == "" {
		what := "apiVersion"
		if tm.APIVersion != "" {
			what = "kind"
		} else if tm.Kind == "" {
			what = "apiVersion and kind"
		}
		m.Findings = append(m.Findings, Finding{Severity: Error, Rule: RuleMissingTypeMeta, Object: ref, Message: "object has no " + what,
			Hint: "every Kubernetes object starts with apiVersion and kind, e.g. apiVersion: apps/v1, kind: Deployment", Source: src})
		return
	}

	obj, _, err := decoder.Decode(js, nil, nil)
	var strict []error
	if err != nil && runtime.IsStrictDecodingError(err) {
		if se, ok := runtime.AsStrictDecodingError(err); ok {
			strict = se.Errors()
		}
		err = nil
	}
	switch {
	case err != nil && runtime.IsNotRegisteredError(err):
		// Not a kind client-go knows: keep it as it is; Validate says so.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			m.Findings = append(m.Findings, Finding{Severity: Error, Rule: RuleDecode, Object: ref, Message: err.Error(), Source: src})
			return
		}
		obj = u
	case err != nil:
		f := Finding{Severity: Error, Rule: RuleDecode, Object: ref, Message: decodeMessage(err), Source: src}
		fld := decodeField(err)
		if fld == "" && strings.Contains(err.Error(), "quantit") {
			var doc map[string]any
			if sigsyaml.Unmarshal(js, &doc) == nil {
				fld = badQuantity(doc, nil)
			}
			if fld != "" {
				f.Hint = `write a quantity such as "500m", "2", "512Mi" or "1Gi"`
			}
		}
		if fld == "" && strings.Contains(err.Error(), "illegal base64") {
			fld = badBase64(js)
			if fld != "" {
				f.Hint = "data holds base64; put plain text under stringData instead"
			}
		}
		if fld != "" {
			f.Field = fld
			if pos := loc.position(fld); pos != "" {
				f.Source = pos
			}
		}
		m.Findings = append(m.Findings, f)
		return
	}
	gv, _ := schema.ParseGroupVersion(tm.APIVersion)
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(tm.Kind))
	for _, e := range strict {
		f := Finding{Severity: Error, Rule: RuleUnknownField, Object: ref, Message: e.Error(), Source: src}
		if sm := strictField.FindStringSubmatch(e.Error()); sm != nil {
			f.Field = sm[2]
			f.Message = sm[1] + " field"
			if sm[1] == "unknown" {
				f.Hint = "check the spelling and the indentation: the field is not part of " + tm.Kind + " at this place"
			} else {
				f.Hint = "remove one of the two"
			}
			if pos := loc.position(sm[2]); pos != "" {
				f.Source = pos
			}
		}
		m.Findings = append(m.Findings, f)
	}
	m.Objects = append(m.Objects, manifest.Object{Source: src, Obj: obj})
	m.nodes[obj] = loc
}

// strictField matches the errors of strict decoding.
var strictField = regexp.MustCompile(`^(unknown|duplicate) field "(.*)"$`)

// jsonTypeErr matches encoding/json's type errors: "json: cannot
// unmarshal string into Go struct field Container.spec.template.spec.containers.ports
// of type int32".
var jsonTypeErr = regexp.MustCompile(`cannot unmarshal (\w+) into Go struct field \w+\.(\S+) of type (\S+)`)

// decodeMessage tidies a JSON decoding error.
func decodeMessage(err error) string {
	msg := err.Error()
	if sm := jsonTypeErr.FindStringSubmatch(msg); sm != nil {
		return fmt.Sprintf("invalid type: got %s, want %s", sm[1], sm[3])
	}
	return strings.TrimPrefix(msg, "json: ")
}

// decodeField extracts the field path from a decoding error, or "".
// encoding/json reports no list indexes and names inlined structs by
// their Go type ("spec.rules.IngressRuleValue.http"); those are dropped.
func decodeField(err error) string {
	sm := jsonTypeErr.FindStringSubmatch(err.Error())
	if sm == nil {
		return ""
	}
	var segs []string
	for _, seg := range strings.Split(sm[2], ".") {
		if seg != "" && seg[0] >= 'A' && seg[0] <= 'Z' {
			continue
		}
		segs = append(segs, seg)
	}
	return strings.Join(segs, ".")
}

// Locate returns the position of field in obj, "FILE:LINE", if obj came
// from Add and the field is in its YAML; else "". It is a Locator for Run.
func (m *Manifests) Locate(obj manifest.Object, field string) string {
	loc, ok := m.nodes[obj.Obj]
	if !ok {
		return ""
	}
	return loc.position(field)
}

// position returns "FILE:LINE" of the deepest node of the field path that
// exists in the object's YAML (a mapping key's line for a member), or ""
// without a node. A path without list indexes, as decoding errors give,
// goes into the first element of a list in which the rest of it exists.
func (l located) position(field string) string {
	if l.node == nil {
		return ""
	}
	at, _ := resolve(l.node, l.node, splitPath(field))
	return fmt.Sprintf("%s:%d", l.file, l.line+at.Line)
}

// resolve follows segs from n (whose line is at) as far as they go and
// returns the node of the last segment reached and how many were.
func resolve(n, at *yaml.Node, segs []string) (*yaml.Node, int) {
	if len(segs) == 0 {
		return at, 0
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode && !strings.HasPrefix(segs[0], "[") {
		bestAt, best := at, -1
		for _, e := range n.Content {
			a, d := resolve(e, e, segs)
			if d > best {
				bestAt, best = a, d
			}
			if d == len(segs) {
				break
			}
		}
		if best < 0 {
			return at, 0
		}
		return bestAt, best
	}
	key, next := child(n, segs[0])
	if next == nil {
		return at, 0
	}
	a, d := resolve(next, key, segs[1:])
	return a, d + 1
}

// splitPath splits a field path as the API server writes it,
// "spec.containers[0].env[name]", into its segments: "spec", "containers",
// "[0]", "env", "[name]". Keys in brackets may contain dots.
func splitPath(p string) []string {
	var out []string
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(out, p)
			}
			out = append(out, p[:end+1])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				return append(out, p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

// child follows one path segment from n: a mapping's member or a
// sequence's element. It returns the node whose line the segment is at
// (the key of a member) and the node to continue from, or nils.
func child(n *yaml.Node, seg string) (at, next *yaml.Node) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if inner, ok := strings.CutPrefix(seg, "["); ok {
		inner = strings.TrimSuffix(inner, "]")
		if n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, nil
			}
			return n.Content[i], n.Content[i]
		}
		seg = inner
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// childSeq returns the elements of the sequence at key in mapping n.
func childSeq(n *yaml.Node, key string) []*yaml.Node {
	if n == nil {
		return nil
	}
	_, c := child(n, key)
	if c == nil || c.Kind != yaml.SequenceNode {
		return nil
	}
	return c.Content
}

// quantityMaps are the fields whose values map resource names to
// quantities; quantityFields hold one quantity.
var (
	quantityMaps = map[string]bool{"requests": true, "limits": true, "hard": true, "min": true, "max": true,
		"default": true, "defaultRequest": true, "maxLimitRequestRatio": true, "podFixed": true, "capacity": true,
		"allocatable": true, "overhead": true}
	quantityFields = map[string]bool{"sizeLimit": true, "averageValue": true}
)

// badQuantity finds the first value in v, a decoded JSON document, that
// sits where a quantity belongs and does not parse as one, and returns its
// path as the API server writes it ("spec.containers[0].resources.limits[cpu]").
// path is the path of v.
func badQuantity(v any, path []string) string {
	join := func(p []string) string {
		s := strings.Join(p, ".")
		return strings.ReplaceAll(s, ".[", "[")
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parent := ""
			if len(path) > 0 {
				parent = path[len(path)-1]
			}
			if quantityMaps[parent] || quantityFields[k] {
				if s, ok := quantityText(v[k]); ok {
					if _, err := resource.ParseQuantity(s); err != nil {
						if quantityMaps[parent] {
							return join(append(path, "["+k+"]"))
						}
						return join(append(path, k))
					}
					continue
				}
			}
			if p := badQuantity(v[k], append(append([]string(nil), path...), k)); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range v {
			if p := badQuantity(e, append(append([]string(nil), path...), fmt.Sprintf("[%d]", i))); p != "" {
				return p
			}
		}
	}
	return ""
}

// quantityText returns a scalar as the text a quantity would be parsed from.
func quantityText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// badBase64 returns the path of the first value of a Secret's data that is
// not base64, "data[key]", or "".
func badBase64(js []byte) string {
	var doc struct {
		Data map[string]any `json:"data"`
	}
	if sigsyaml.Unmarshal(js, &doc) != nil {
		return ""
	}
	keys := make([]string, 0, len(doc.Data))
	for k := range doc.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := doc.Data[k].(string)
		if !ok {
			return "data[" + k + "]"
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return "data[" + k + "]"
		}
	}
	return ""
}
