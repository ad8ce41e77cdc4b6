package importer

import (
	"context"
	"os"
	"testing"
)

// FuzzImport feeds manifests to Import. Whatever it accepts must render
// and give the same objects back; whatever it rejects must be rejected
// with an error, never a panic.
func FuzzImport(f *testing.F) {
	for _, file := range inputs(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: \"\\x00\"}\n"))
	reg := registry(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(context.Background(), reg, []Input{{Name: "fuzz.yaml", Data: data}}, ImportOptions{})
		if err != nil {
			return
		}
		got, err := RenderSource(context.Background(), res.Source)
		if err != nil {
			t.Fatalf("imported source does not render: %v\n%s", err, res.Source)
		}
		for _, d := range Compare(res.Objects, got) {
			t.Errorf("round trip: %s", d)
		}
	})
}
