package schemas

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	clientgo "k8s.io/client-go/kubernetes/scheme"

	"github.com/skyc-dev/skyc/internal/kubescheme"
)

var update = flag.Bool("update", false, "rewrite k8s.binpb from the k8s.io/api Go types")

// derivedSet returns the wire form of the descriptors derived from
// kubescheme's scheme: what k8s.binpb must hold.
func derivedSet(t testing.TB) []byte {
	t.Helper()
	goTypes, goKinds := kindTypes(kubescheme.Scheme())
	d, err := describeKinds(goTypes, goKinds)
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(d.fileSet())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPrebuiltCurrent fails when k8s.binpb is not what deriving the
// descriptors gives today. go generate ./schemas (this test with -update)
// rewrites it.
func TestPrebuiltCurrent(t *testing.T) {
	want := derivedSet(t)
	if again := derivedSet(t); !bytes.Equal(want, again) {
		t.Fatal("deriving the descriptors twice gave different bytes")
	}
	if *update {
		if err := os.WriteFile("k8s.binpb", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(prebuiltSet, want) {
		t.Fatalf("k8s.binpb (%d bytes) is stale: deriving the descriptors gives %d other bytes; run go generate ./schemas",
			len(prebuiltSet), len(want))
	}
}

// TestPrebuiltMatchesDerived checks that the registry built from the
// prebuilt descriptors answers as one built from derived ones: the same
// kinds in the same order, the same files with the same descriptors, the
// same types.
func TestPrebuiltMatchesDerived(t *testing.T) {
	goTypes, goKinds := kindTypes(kubescheme.Scheme())
	pre, ok := prebuiltRegistry(goTypes, goKinds)
	if !ok {
		t.Fatal("the prebuilt descriptors cannot build the registry; run go generate ./schemas")
	}
	der, err := derive(goTypes, goKinds)
	if err != nil {
		t.Fatal(err)
	}
	built, err := Build(kubescheme.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	if len(built.Kinds()) != len(pre.Kinds()) || built.files.NumFiles() != pre.files.NumFiles() {
		t.Error("Build(kubescheme.Scheme()) did not take the prebuilt descriptors")
	}

	if len(pre.Kinds()) != len(der.Kinds()) {
		t.Fatalf("%d kinds, derived %d", len(pre.Kinds()), len(der.Kinds()))
	}
	for i, k := range pre.Kinds() {
		d := der.Kinds()[i]
		if k.GVK != d.GVK || k.GoType != d.GoType || k.Message.Descriptor().FullName() != d.Message.Descriptor().FullName() {
			t.Errorf("kind %d: %v %v %s, derived %v %v %s", i,
				k.GVK, k.GoType, k.Message.Descriptor().FullName(), d.GVK, d.GoType, d.Message.Descriptor().FullName())
		}
		if k2, ok := pre.KindFor(d.GVK); !ok || k2 != k {
			t.Errorf("KindFor(%v) does not find %s", d.GVK, k.Message.Descriptor().FullName())
		}
		if k2, ok := pre.KindOf(d.Message.Descriptor().FullName()); !ok || k2 != k {
			t.Errorf("KindOf(%s) does not find it", d.Message.Descriptor().FullName())
		}
	}

	if pre.files.NumFiles() != der.files.NumFiles() {
		t.Errorf("%d files, derived %d", pre.files.NumFiles(), der.files.NumFiles())
	}
	var preOrder, derOrder []string
	pre.files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		preOrder = append(preOrder, fd.Path())
		return true
	})
	der.files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		derOrder = append(derOrder, fd.Path())
		want := protodesc.ToFileDescriptorProto(fd)
		pfd, err := pre.files.FindFileByPath(fd.Path())
		if err != nil {
			t.Errorf("%s: %v", fd.Path(), err)
			return true
		}
		if got := protodesc.ToFileDescriptorProto(pfd); !proto.Equal(got, want) {
			t.Errorf("%s: prebuilt descriptor differs from the derived one", fd.Path())
		}
		return true
	})
	if len(preOrder) != len(derOrder) {
		t.Errorf("files in order %v, derived %v", preOrder, derOrder)
	}

	names := func(r *Registry) map[protoreflect.FullName]bool {
		out := map[protoreflect.FullName]bool{}
		r.types.RangeMessages(func(mt protoreflect.MessageType) bool {
			out[mt.Descriptor().FullName()] = true
			return true
		})
		r.types.RangeEnums(func(et protoreflect.EnumType) bool {
			out[et.Descriptor().FullName()] = true
			return true
		})
		return out
	}
	pn, dn := names(pre), names(der)
	if len(pn) != len(dn) {
		t.Errorf("%d types, derived %d", len(pn), len(dn))
	}
	for n := range dn {
		if !pn[n] {
			t.Errorf("%s is not a prebuilt type", n)
		}
	}
}

// TestBuildClientGoScheme: Build still takes client-go's scheme.Scheme
// (deriving its descriptors, as it is not kubescheme's), and gives the
// same kinds, Go types and message names as from kubescheme's.
func TestBuildClientGoScheme(t *testing.T) {
	der, err := Build(clientgo.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := Build(kubescheme.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	if len(der.Kinds()) != len(pre.Kinds()) {
		t.Fatalf("%d kinds from client-go's scheme, %d from kubescheme's", len(der.Kinds()), len(pre.Kinds()))
	}
	for i, k := range der.Kinds() {
		p := pre.Kinds()[i]
		if k.GVK != p.GVK || k.GoType != p.GoType || k.Message.Descriptor().FullName() != p.Message.Descriptor().FullName() {
			t.Errorf("kind %d: %v %v %s, from kubescheme's %v %v %s", i,
				k.GVK, k.GoType, k.Message.Descriptor().FullName(), p.GVK, p.GoType, p.Message.Descriptor().FullName())
		}
	}
}

// BenchmarkDerive is what Build costs without the prebuilt descriptors:
// deriving them from the Go types and checking them with protodesc.
func BenchmarkDerive(b *testing.B) {
	goTypes, goKinds := kindTypes(kubescheme.Scheme())
	for b.Loop() {
		if _, err := derive(goTypes, goKinds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefault is what Default costs once per process: the prebuilt
// Kubernetes descriptors and the AWS types.
func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := buildDefault(); err != nil {
			b.Fatal(err)
		}
	}
}
