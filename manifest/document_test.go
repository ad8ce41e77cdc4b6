package manifest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func docObjects() []Object {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "team"},
	}
	return []Object{
		{Env: "staging", Service: "web", Source: "web.sky:3:5", Doc: &Document{
			Kind: RoleKind, Name: "web-staging", Path: "iam/web-staging.json", Data: []byte("{\n  \"RoleName\": \"web-staging\"\n}\n"),
		}},
		{Env: "staging", Service: "web", Source: "web.sky:2:1", Doc: &Document{
			Kind: TemplateKind, Name: "web-staging", Path: "cloudformation/web-staging.yaml", Data: []byte("AWSTemplateFormatVersion: \"2010-09-09\"\n"),
		}},
		{Env: "staging", Service: "web", Source: "web.sky:3:5", Obj: cm},
	}
}

// TestDocumentsInTree: documents go to their service's cloudformation/
// and iam/ folders, after a Source comment where the format has comments,
// and read back as they were.
func TestDocumentsInTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	objs := docObjects()
	if err := WriteTree(context.Background(), dir, objs); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"staging/web/cloudformation/web-staging.yaml": "# Source: web.sky:2:1\nAWSTemplateFormatVersion: \"2010-09-09\"\n",
		"staging/web/iam/web-staging.json":            "{\n  \"RoleName\": \"web-staging\"\n}\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	back, err := ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	Sort(objs)
	if len(back) != len(objs) {
		t.Fatalf("read %d objects back, want %d", len(back), len(objs))
	}
	if back[0].Obj == nil || back[0].Obj.GetObjectKind().GroupVersionKind().Kind != "ConfigMap" {
		t.Errorf("first object %s, want the ConfigMap before the documents", back[0])
	}
	for i := 1; i < len(objs); i++ {
		b, o := back[i], objs[i]
		wantSource := o.Source
		if strings.HasSuffix(o.Doc.Path, ".json") {
			wantSource = "" // JSON has no comments to keep it in
		}
		if b.Doc == nil || b.Doc.Path != o.Doc.Path || !bytes.Equal(b.Doc.Data, o.Doc.Data) || b.Doc.Kind != o.Doc.Kind || b.Doc.Name != o.Doc.Name || b.Source != wantSource {
			t.Errorf("read back %+v, want %+v", b.Doc, o.Doc)
		}
		if b.Env != o.Env || b.Service != o.Service {
			t.Errorf("read back %s, want %s", b, o)
		}
	}
}

// TestDocumentsInStream: a stream holds documents after the objects,
// each saying which file it is in a tree.
func TestDocumentsInStream(t *testing.T) {
	objs := docObjects()
	Sort(objs)
	var buf bytes.Buffer
	if err := WriteStream(&buf, objs); err != nil {
		t.Fatal(err)
	}
	want := "# Source: web.sky:3:5\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: team\n" +
		"---\n# Source: web.sky:2:1\n# File: staging/web/cloudformation/web-staging.yaml\nAWSTemplateFormatVersion: \"2010-09-09\"\n" +
		"---\n# Source: web.sky:3:5\n# File: staging/web/iam/web-staging.json\n{\n  \"RoleName\": \"web-staging\"\n}\n"
	if buf.String() != want {
		t.Errorf("stream:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestDocumentErrors: a document outside its kind's folder, or two files
// at one path, are errors.
func TestDocumentErrors(t *testing.T) {
	cases := map[string]struct {
		objs []Object
		want string
	}{
		"wrong folder": {[]Object{{Env: "e", Service: "s", Doc: &Document{Kind: RoleKind, Name: "r", Path: "cloudformation/r.json"}}},
			"is not in the folder of its kind"},
		"nested path": {[]Object{{Env: "e", Service: "s", Doc: &Document{Kind: RoleKind, Name: "r", Path: "iam/../r.json"}}},
			"is not in the folder of its kind"},
		"same path": {[]Object{
			{Env: "e", Service: "s", Doc: &Document{Kind: RoleKind, Name: "r", Path: "iam/r.json"}},
			{Env: "e", Service: "s", Doc: &Document{Kind: RoleKind, Name: "r", Path: "iam/r.json"}},
		}, "would both be written to e/s/iam/r.json"},
		"mixed environments": {[]Object{
			{Env: "e", Service: "s", Doc: &Document{Kind: RoleKind, Name: "r", Path: "iam/r.json"}},
			{Service: "s", Doc: &Document{Kind: RoleKind, Name: "q", Path: "iam/q.json"}},
		}, "cannot share a tree"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := WriteTree(context.Background(), filepath.Join(t.TempDir(), "out"), c.objs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestEncodeJSON: mappings keep their order; the output is what
// encoding/json's MarshalIndent would print for the same order.
func TestEncodeJSON(t *testing.T) {
	cases := map[string]struct {
		tree any
		want string
	}{
		"object": {yaml.MapSlice{{Key: "b", Value: int64(1)}, {Key: "a", Value: []any{"x", true, nil, 1.5}}},
			"{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    true,\n    null,\n    1.5\n  ]\n}\n"},
		"empty":   {yaml.MapSlice{{Key: "l", Value: []any{}}, {Key: "m", Value: yaml.MapSlice{}}}, "{\n  \"l\": [],\n  \"m\": {}\n}\n"},
		"escapes": {"<a href=\"x\">", "\"\\u003ca href=\\\"x\\\"\\u003e\"\n"},
	}
	for name, c := range cases {
		got, err := EncodeJSON(c.tree)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s: got %q, want %q", name, got, c.want)
		}
	}
	if _, err := EncodeJSON(yaml.MapSlice{{Key: 1, Value: "x"}}); err == nil {
		t.Error("a non-string key encoded")
	}
}
