//go:build corpus

package schemas

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestCorpusRoundTrip takes every object of the real-world manifests in
// $SKYC_CORPUS/k8s (see make corpus) through the type bridge — Go struct,
// wire format, dynamic message, wire format, Go struct — and expects the
// object unchanged.
func TestCorpusRoundTrip(t *testing.T) {
	dir := os.Getenv("SKYC_CORPUS")
	if dir == "" {
		t.Fatal("SKYC_CORPUS is not set; run make corpus")
	}
	files, err := filepath.Glob(filepath.Join(dir, "k8s", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s/k8s: %v", dir, err)
	}
	r := registry(t)
	decode := scheme.Codecs.UniversalDeserializer().Decode
	objects := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rd := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for doc := 1; ; doc++ {
			raw, err := rd.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: document %d: %v", filepath.Base(f), doc, err)
				break
			}
			if len(bytes.TrimSpace(raw)) == 0 || isComments(raw) {
				continue
			}
			obj, _, err := decode(raw, nil, nil)
			if reason, ok := corpusKnown[filepath.Base(f)]; ok && err != nil {
				t.Logf("%s: document %d: %v (known: %s)", filepath.Base(f), doc, err, reason)
				continue
			}
			if err != nil {
				t.Errorf("%s: document %d: %v", filepath.Base(f), doc, err)
				continue
			}
			m, err := r.FromObject(obj)
			if err != nil {
				t.Errorf("%s: document %d: %v", filepath.Base(f), doc, err)
				continue
			}
			back, err := r.ToObject(m)
			if err != nil {
				t.Errorf("%s: document %d: %v", filepath.Base(f), doc, err)
				continue
			}
			clearItemTypeMeta(t, obj)
			if !equality.Semantic.DeepEqual(obj, back) {
				t.Errorf("%s: document %d: the round trip changed the object:\n got %#v\nwant %#v", filepath.Base(f), doc, back, obj)
			}
			objects++
		}
	}
	t.Logf("%d objects from %d files round-tripped", objects, len(files))
	if objects < 100 {
		t.Errorf("only %d objects round-tripped, want the whole corpus (over 100)", objects)
	}
}

// corpusKnown lists corpus files that cannot be decoded, with the reason.
var corpusKnown = map[string]string{
	"aws-lb-controller__cognito-ingress-template.yaml":              "a <service-port> placeholder stands where a port number goes",
	"ingress-nginx__customization__ssl-dh-param__ssl-dh-param.yaml": "Secret data is a placeholder, not base64",
	"k8s-website__secret__tls-auth-secret.yaml":                     "Secret data is not base64 as published (corpus README)",
	"kube-prometheus__manifests__prometheusAdapter-apiService.yaml": "APIService (kube-aggregator) is not in client-go's scheme",
}

// clearItemTypeMeta drops apiVersion/kind from the items of a List: the
// wire format does not carry them, and the API server fills them in.
func clearItemTypeMeta(t *testing.T, obj runtime.Object) {
	if !meta.IsListType(obj) {
		return
	}
	items, err := meta.ExtractList(obj)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		it.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	}
	if err := meta.SetList(obj, items); err != nil {
		t.Fatal(err)
	}
}

func isComments(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			return false
		}
	}
	return true
}
