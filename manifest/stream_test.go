package manifest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// manyObjects returns n objects, several stream chunks' worth, cycling
// through the fixtures with distinct names and some without a Source.
func manyObjects(n int) []Object {
	fx := fixtures()
	objs := make([]Object, n)
	for i := range objs {
		objs[i] = Object{Env: "prod", Service: fmt.Sprintf("svc-%03d", i), Obj: fx[i%len(fx)].obj}
		if i%3 != 0 {
			objs[i].Source = fmt.Sprintf("services/svc-%03d.sky:1:1", i)
		}
	}
	return objs
}

// TestWriteStreamParallel checks that the stream WriteStream encodes on
// several goroutines is the documents of Encode, in order, whatever the
// number of CPUs.
func TestWriteStreamParallel(t *testing.T) {
	objs := manyObjects(5*streamChunk + 7)
	var want bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			want.WriteString("---\n")
		}
		want.WriteString(header(o))
		b, err := Encode(o.Obj)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(b)
	}
	for _, procs := range []int{1, 2, 8} {
		prev := runtime.GOMAXPROCS(procs)
		var got bytes.Buffer
		err := WriteStream(&got, objs)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("GOMAXPROCS=%d: stream differs from the documents of Encode:\n%s", procs, lineDiff(want.String(), got.String()))
		}
	}
}

// TestWriteStreamFirstError checks that of several objects that do not
// encode, in different chunks, the error names the first, and nothing is
// written.
func TestWriteStreamFirstError(t *testing.T) {
	objs := manyObjects(4 * streamChunk)
	for _, i := range []int{3*streamChunk + 1, streamChunk + 5, 2 * streamChunk} {
		bad := deployment()
		bad.Kind = ""
		objs[i].Obj = bad
	}
	for range 20 {
		var buf bytes.Buffer
		err := WriteStream(&buf, objs)
		if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("writing stream: prod/svc-%03d:", streamChunk+5)) {
			t.Fatalf("error = %v, want one naming prod/svc-%03d", err, streamChunk+5)
		}
		if buf.Len() != 0 {
			t.Fatalf("WriteStream wrote %d bytes before failing", buf.Len())
		}
	}
}

// preEncoded returns objs as the render cache hands them out: the
// document already encoded, and only the identity left of the object.
func preEncoded(t *testing.T, objs []Object) []Object {
	t.Helper()
	out := make([]Object, len(objs))
	for i, o := range objs {
		b, err := Encode(o.Obj)
		if err != nil {
			t.Fatal(err)
		}
		id := identify(o.Obj)
		o.Obj = &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{APIVersion: id.gvk.GroupVersion().String(), Kind: id.gvk.Kind},
			ObjectMeta: metav1.ObjectMeta{Namespace: id.namespace, Name: id.name},
		}
		o.Encoded = b
		out[i] = o
	}
	return out
}

// TestWriteEncodedObjects checks that objects with Encoded set and only
// their identity in Obj are written exactly as the full objects are.
func TestWriteEncodedObjects(t *testing.T) {
	full := manyObjects(2*streamChunk + 3)
	enc := preEncoded(t, full)
	Sort(full)
	Sort(enc)
	var want, got bytes.Buffer
	if err := WriteStream(&want, full); err != nil {
		t.Fatal(err)
	}
	if err := WriteStream(&got, enc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("stream of pre-encoded objects differs:\n%s", lineDiff(want.String(), got.String()))
	}
	dirs := [2]string{filepath.Join(t.TempDir(), "full"), filepath.Join(t.TempDir(), "enc")}
	for i, objs := range [][]Object{full, enc} {
		if err := WriteTree(context.Background(), dirs[i], objs); err != nil {
			t.Fatal(err)
		}
	}
	if w, g := readTree(t, dirs[0]), readTree(t, dirs[1]); !reflect.DeepEqual(w, g) {
		t.Fatalf("tree of pre-encoded objects differs: %d files, want %d", len(g), len(w))
	}
}
