package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v2"
)

// Document is a rendered file that is not a Kubernetes object: a
// CloudFormation template or an IAM role's policy documents. Its bytes
// are encoded by whoever makes it, deterministically (see EncodeYAML and
// EncodeJSON); manifest writes them as they are.
type Document struct {
	// Kind says what the document is: one of the Kind constants.
	Kind string
	// Name is the stack's or the role's name.
	Name string
	// Path is where the document goes below its service's folder of a
	// tree: "cloudformation/<stack>.yaml" or "iam/<role>.json".
	Path string
	// Data is the encoded document.
	Data []byte
}

// Kinds of documents, and the folder below a service's folder that holds
// each.
const (
	// TemplateKind is a CloudFormation template, in cloudformation/.
	TemplateKind = "CloudFormationTemplate"
	// RoleKind is an IAM role's policy documents, in iam/.
	RoleKind = "IAMRole"
)

// documentFolders maps the folder of a document kind to the kind.
var documentFolders = map[string]string{"cloudformation": TemplateKind, "iam": RoleKind}

// checkDocument reports whether d can be written into a tree.
func checkDocument(d *Document) error {
	dir, file := path.Split(d.Path)
	if documentFolders[strings.TrimSuffix(dir, "/")] != d.Kind {
		return fmt.Errorf("document %s %s: path %q is not in the folder of its kind", d.Kind, d.Name, d.Path)
	}
	if err := checkName("document file name", file); err != nil {
		return err
	}
	if len(file) > 255 {
		return fmt.Errorf("document file name %q is longer than 255 bytes", file)
	}
	return nil
}

// EncodeYAML writes a document tree (yaml.MapSlice, []any, string,
// int64, float64, bool, nil) as YAML, the way Encode writes objects.
func EncodeYAML(tree yaml.MapSlice) ([]byte, error) { return emit(tree) }

// EncodeJSON writes a document tree as indented JSON with two spaces and
// a final newline, keeping the order of its mappings.
func EncodeJSON(tree any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, tree, 0); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// maxJSONDepth bounds the nesting EncodeJSON accepts.
const maxJSONDepth = 1000

func writeJSON(b *bytes.Buffer, v any, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("encoding JSON: value nests deeper than %d", maxJSONDepth)
	}
	indent := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("  ", d))
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case int:
		b.WriteString(strconv.Itoa(t))
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("encoding JSON: %v is not a JSON number", t)
		}
		b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
	case string:
		s, err := json.Marshal(t)
		if err != nil {
			return err
		}
		b.Write(s)
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			if err := writeJSON(b, x, depth+1); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte(']')
	case yaml.MapSlice:
		if len(t) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, it := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			k, ok := it.Key.(string)
			if !ok {
				return fmt.Errorf("encoding JSON: key %v is not a string", it.Key)
			}
			ks, _ := json.Marshal(k)
			b.Write(ks)
			b.WriteString(": ")
			if err := writeJSON(b, it.Value, depth+1); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte('}')
	default:
		return fmt.Errorf("encoding JSON: unsupported value %T", v)
	}
	return nil
}

// documentHeader returns the comment lines before a document in a stream
// or a YAML file: its Source, and in a stream the file it would be in a
// tree.
func documentHeader(o Object, stream bool) string {
	h := header(o)
	if stream {
		folder := o.Service
		if o.Env != "" {
			folder = o.Env + "/" + folder
		}
		h += "# File: " + folder + "/" + o.Doc.Path + "\n"
	}
	return h
}

// documentBytes returns what a tree file of document object o holds: the
// document, after its Source comment when the format allows comments.
func documentBytes(o Object) []byte {
	if strings.HasSuffix(o.Doc.Path, ".json") {
		return o.Doc.Data
	}
	return append([]byte(documentHeader(o, false)), o.Doc.Data...)
}

// splitDocuments separates document objects from Kubernetes objects,
// keeping the order of each.
func splitDocuments(all []Object) (objs, docs []Object) {
	for _, o := range all {
		if o.Doc != nil {
			docs = append(docs, o)
		} else {
			objs = append(objs, o)
		}
	}
	return objs, docs
}

// addDocuments adds the files of document objects to a tree's files, in
// DIR/<env>/<service>/<Doc.Path>, and sorts them all by path.
func addDocuments(files []treeFile, docs []Object) ([]treeFile, error) {
	seen := map[string]Object{}
	var withEnv, withoutEnv *Object
	for i, f := range files {
		seen[f.path] = f.obj
		if f.obj.Env != "" {
			withEnv = &files[i].obj
		} else {
			withoutEnv = &files[i].obj
		}
	}
	for i, o := range docs {
		if err := checkName("service", o.Service); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		folder := o.Service
		if o.Env != "" {
			if err := checkName("environment", o.Env); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			folder = o.Env + "/" + o.Service
			withEnv = &docs[i]
		} else {
			withoutEnv = &docs[i]
		}
		if withEnv != nil && withoutEnv != nil {
			return nil, fmt.Errorf("objects with an environment (%s) and without one (%s) cannot share a tree", *withEnv, *withoutEnv)
		}
		if err := checkDocument(o.Doc); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		p := folder + "/" + o.Doc.Path
		if prev, dup := seen[p]; dup {
			return nil, fmt.Errorf("%s and %s would both be written to %s", prev, o, p)
		}
		seen[p] = o
		files = append(files, treeFile{path: p, obj: o, data: documentBytes(o)})
	}
	slices.SortFunc(files, func(a, b treeFile) int { return strings.Compare(a.path, b.path) })
	return files, nil
}
