//go:build corpus

package importer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/skyc-dev/skyc/internal/skyfmt"
)

// corpusKnown lists the corpus files that cannot be imported as
// published, with the reason. Every other file must round-trip exactly.
var corpusKnown = map[string]string{
	"argocd-example-apps__sync-waves__manifests.yaml":               "a hook Job named by metadata.generateName only; skyc render needs metadata.name",
	"aws-lb-controller__cognito-ingress-template.yaml":              "a <service-port> placeholder stands where a port number goes",
	"ingress-nginx__customization__ssl-dh-param__ssl-dh-param.yaml": "Secret data is a placeholder, not base64",
	"k8s-website__secret__tls-auth-secret.yaml":                     "Secret data is not base64 as published (corpus README)",
	"kube-prometheus__manifests__prometheusAdapter-apiService.yaml": "APIService (kube-aggregator) is not in client-go's scheme",
}

// TestCorpusImport imports every file of $SKYC_CORPUS/k8s (see make
// corpus), renders the result and expects the same objects back.
func TestCorpusImport(t *testing.T) {
	dir := os.Getenv("SKYC_CORPUS")
	if dir == "" {
		t.Fatal("SKYC_CORPUS is not set; run make corpus")
	}
	files, err := filepath.Glob(filepath.Join(dir, "k8s", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s/k8s: %v", dir, err)
	}
	reg := registry(t)
	objects, imported := 0, 0
	for _, f := range files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Import(context.Background(), reg, []Input{{Name: name, Data: data}}, ImportOptions{})
		if reason, known := corpusKnown[name]; known {
			if err == nil {
				t.Errorf("%s: imported, but is listed as known not to (%s); drop it from corpusKnown", name, reason)
			} else {
				t.Logf("%s: not imported as expected (%s): %v", name, reason, firstLine(err))
			}
			continue
		}
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		again, err := Import(context.Background(), reg, []Input{{Name: name, Data: data}}, ImportOptions{})
		if err != nil || string(again.Source) != string(res.Source) {
			t.Errorf("%s: a second import gave different source (%v)", name, err)
		}
		if !bytes.Contains(res.Source, []byte(`b"`)) {
			if ok, err := skyfmt.IsFormatted(name, res.Source); !ok || err != nil {
				t.Errorf("%s: the generated source is not as skyc fmt prints it (%v)", name, err)
			}
		}
		got, err := RenderSource(context.Background(), res.Source)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diffs := Compare(res.Objects, got); len(diffs) > 0 {
			for _, d := range diffs {
				t.Errorf("%s: %s", name, d)
			}
			continue
		}
		objects += len(res.Objects)
		imported++
	}
	t.Logf("%d objects from %d of %d files round-tripped exactly; %d files known not to import", objects, imported, len(files), len(corpusKnown))
	if objects < 100 {
		t.Errorf("only %d objects round-tripped, want over 100", objects)
	}
}

func firstLine(err error) string {
	for {
		u, ok := err.(interface{ Unwrap() []error })
		if !ok {
			break
		}
		errs := u.Unwrap()
		if len(errs) == 0 {
			break
		}
		err = errs[0]
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Error()
	}
	return err.Error()
}
