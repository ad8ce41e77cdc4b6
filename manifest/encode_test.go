package manifest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// updating reports whether golden files are to be rewritten: -update or
// SKYC_UPDATE=1.
func updating() bool { return *update || os.Getenv("SKYC_UPDATE") == "1" }

// golden compares got with testdata/name, or rewrites the file when updating.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./manifest -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./manifest -update rewrites it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

type fixture struct {
	name string
	obj  runtime.Object
}

func fixtures() []fixture {
	return []fixture{
		{"deployment", deployment()},
		{"service", service()},
		{"secret", secret()},
		{"configmap", configMap()},
		{"cronjob", cronJob()},
		{"pdb", pdb()},
		{"custom-resource", customResource()},
	}
}

func TestEncodeGolden(t *testing.T) {
	for _, c := range fixtures() {
		t.Run(c.name, func(t *testing.T) {
			got, err := Encode(c.obj)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "encode/"+c.name+".yaml", got)
			again, err := Encode(c.obj)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, again) {
				t.Error("a second Encode gave different bytes")
			}
		})
	}
}

// TestEncodePruning states the pruning rules on small cases.
func TestEncodePruning(t *testing.T) {
	tests := map[string]struct {
		obj      runtime.Object
		contains []string
		absent   []string
	}{
		"zero structs from non-pointer fields are dropped": {
			obj:    deployment(),
			absent: []string{"strategy:", "creationTimestamp", "status:", "resources: {}", "{}\n        name: web"},
		},
		"empty structs set through pointers stay": {
			obj:      deployment(),
			contains: []string{"securityContext: {}\n", "- emptyDir: {}\n"},
		},
		"empty maps with omitempty are dropped": {
			obj:    secret(),
			absent: []string{"stringData"},
		},
		"secret data is base64": {
			obj:      secret(),
			contains: []string{"password: czNjcjN0Cg==\n"},
		},
		"unstructured keeps empty values but not status": {
			obj:      customResource(),
			contains: []string{"dataFrom: []\n", "template: {}\n", "optional: null\n"},
			absent:   []string{"status", "creationTimestamp", "conditions"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := Encode(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(string(b), s) {
					t.Errorf("output lacks %q:\n%s", s, b)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(string(b), s) {
					t.Errorf("output has %q:\n%s", s, b)
				}
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	noKind := deployment()
	noKind.TypeMeta = metav1.TypeMeta{}
	noKindCR := customResource()
	noKindCR.SetKind("")
	tests := map[string]struct {
		obj  runtime.Object
		want string
	}{
		"nil":                       {nil, "object is nil"},
		"no kind":                   {noKind, "encoding Deployment shop/web: apiVersion and kind must be set"},
		"nil pointer":               {(*corev1.Service)(nil), "object is nil"},
		"unstructured without kind": {noKindCR, "apiVersion and kind must be set"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Encode(tc.obj)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Encode error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWriteStreamGolden(t *testing.T) {
	var objs []Object
	for i, c := range fixtures() {
		o := Object{Env: "prod", Service: "web", Obj: c.obj}
		if i%2 == 0 {
			o.Source = "services/web.sky:" + string(rune('1'+i)) + ":5"
		}
		objs = append(objs, o)
	}
	Sort(objs)
	var buf bytes.Buffer
	if err := WriteStream(&buf, objs); err != nil {
		t.Fatal(err)
	}
	golden(t, "stream.yaml", buf.Bytes())
}

func TestWriteStreamError(t *testing.T) {
	bad := deployment()
	bad.Kind = ""
	objs := []Object{
		{Env: "prod", Service: "web", Obj: service()},
		{Env: "prod", Service: "web", Source: "services/web.sky:7:1", Obj: bad},
	}
	var buf bytes.Buffer
	err := WriteStream(&buf, objs)
	want := "writing stream: prod/web (services/web.sky:7:1): encoding apps/v1 Deployment shop/web: apiVersion and kind must be set"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
	if buf.Len() != 0 {
		t.Errorf("WriteStream wrote %d bytes before failing", buf.Len())
	}
}

// TestEncodeConcurrent encodes the same objects from several goroutines;
// run with -race it shows that Encode does not write to the objects (as
// resource.Quantity.String would) or to shared state unsafely.
func TestEncodeConcurrent(t *testing.T) {
	objs := fixtures()
	want := make([][]byte, len(objs))
	for i, c := range objs {
		b, err := Encode(c.obj)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, c := range objs {
				b, err := Encode(c.obj)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(b, want[i]) {
					t.Errorf("%s: concurrent Encode gave different bytes", c.name)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkEncode(b *testing.B) {
	obj := deployment()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeReference measures the reference path, for comparison.
func BenchmarkEncodeReference(b *testing.B) {
	obj := deployment()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := referenceEncode(obj); err != nil {
			b.Fatal(err)
		}
	}
}
