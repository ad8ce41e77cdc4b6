package aws

import (
	"bytes"
	goflag "flag"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
)

var update = goflag.Bool("update", false, "rewrite aws.binpb from FileSet")

func fileSetBytes(t testing.TB) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(FileSet())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPrebuiltCurrent fails when aws.binpb is not FileSet's wire form.
// go generate ./schemas/aws (this test with -update) rewrites it.
func TestPrebuiltCurrent(t *testing.T) {
	want := fileSetBytes(t)
	if again := fileSetBytes(t); !bytes.Equal(want, again) {
		t.Fatal("FileSet gave different bytes twice")
	}
	if *update {
		if err := os.WriteFile("aws.binpb", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(prebuiltSet, want) {
		t.Fatal("aws.binpb is stale: FileSet gives other descriptors; run go generate ./schemas/aws")
	}
}

// TestPrebuiltMatchesFileSet checks that the prebuilt files are the ones
// protodesc makes of FileSet, field by field.
func TestPrebuiltMatchesFileSet(t *testing.T) {
	pre, err := prebuiltFiles()
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	if files.NumFiles() != pre.NumFiles() {
		t.Error("Files did not take the prebuilt descriptors")
	}
	set := FileSet()
	if pre.NumFiles() != len(set.File) {
		t.Errorf("%d prebuilt files, FileSet has %d", pre.NumFiles(), len(set.File))
	}
	ref, err := protodesc.NewFiles(set)
	if err != nil {
		t.Fatal(err)
	}
	ref.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		pfd, err := pre.FindFileByPath(fd.Path())
		if err != nil {
			t.Errorf("%s: %v", fd.Path(), err)
			return true
		}
		if got, want := protodesc.ToFileDescriptorProto(pfd), protodesc.ToFileDescriptorProto(fd); !proto.Equal(got, want) {
			t.Errorf("%s: prebuilt descriptor differs from FileSet's", fd.Path())
		}
		sameFields(t, pfd.Messages(), fd.Messages())
		return true
	})
}

// sameFields compares what a descriptor proto does not spell out: JSON
// names and presence, which the descriptor computes.
func sameFields(t *testing.T, got, want protoreflect.MessageDescriptors) {
	t.Helper()
	for i := 0; i < want.Len(); i++ {
		g, w := got.Get(i), want.Get(i)
		for j := 0; j < w.Fields().Len(); j++ {
			gf, wf := g.Fields().Get(j), w.Fields().Get(j)
			if gf.JSONName() != wf.JSONName() || gf.HasPresence() != wf.HasPresence() || gf.HasDefault() != wf.HasDefault() ||
				gf.Default().Interface() != wf.Default().Interface() {
				t.Errorf("%s differs from FileSet's", wf.FullName())
			}
		}
		sameFields(t, g.Messages(), w.Messages())
	}
}

// BenchmarkFiles is what Files costs once per process.
func BenchmarkFiles(b *testing.B) {
	b.Run("prebuilt", func(b *testing.B) {
		for b.Loop() {
			if _, err := prebuiltFiles(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FileSet+protodesc", func(b *testing.B) {
		for b.Loop() {
			if _, err := protodesc.NewFiles(FileSet()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
