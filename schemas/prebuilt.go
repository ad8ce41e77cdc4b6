package schemas

import (
	_ "embed" // for the prebuilt descriptors
	"errors"
	"fmt"
	"reflect"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/runtime/protoimpl"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Deriving the descriptors of every k8s.io/api kind from struct tags and
// checking them with protodesc costs about 16 ms and 7 MB, in every
// process that evaluates a .sky file. So the descriptors derived from
// kubescheme.Scheme() are prebuilt: k8s.binpb is the FileDescriptorSet
// that deriving gives (describe.go, in dependency order), written by
//
//	go generate ./schemas
//
// TestPrebuiltCurrent fails when it differs from what deriving gives now
// (after an upgrade of k8s.io/api, or a change to describe.go).
//
// The files are built the way generated protobuf code builds its own:
// protoimpl.DescBuilder reads a file's names at once and the rest of it
// (fields, their types) on first use, so a render that only constructs
// apps, core and policy kinds reads only the files it needs. The
// descriptors are the ones deriving gives, so every answer of the
// registry is the same; TestPrebuiltMatchesDerived checks that.
//
// Knowing which Go type stands for which kind takes the scheme, and
// building the scheme (every group-version's AddToScheme) and reading its
// kinds cost a fresh process about 2.5 ms of CPU and 3,000 allocations,
// more than the rest of Default (BenchmarkDefaultFreshProcess). So go
// generate also writes kinds_gen.go: the kinds that
// kindTypes(kubescheme.Scheme()) gives, in its order, each with its Go
// type, and Default builds the registry from that table and k8s.binpb
// without building the scheme. TestPrebuiltCurrent fails when
// kinds_gen.go is stale too, and TestPrebuiltKinds when its table is not
// what kindTypes gives. go generate builds without kinds_gen.go (build
// tag skyc_regen, kinds_regen.go), so a stale one naming a Go type that
// k8s.io/api no longer has does not keep it from rewriting the file.

//go:generate go test -tags skyc_regen -run ^TestPrebuiltCurrent$ -update .

//go:embed k8s.binpb
var prebuiltSet []byte

// prebuiltKind is one row of the table of kinds_gen.go: a kind and the
// Go type that holds it.
type prebuiltKind struct {
	goType reflect.Type
	gvk    schema.GroupVersionKind
}

// prebuiltKinds returns the Go types of the kinds of kinds_gen.go, in
// its order, and the kind of each: what kindTypes(kubescheme.Scheme())
// gives, without building the scheme.
func prebuiltKinds() ([]reflect.Type, map[reflect.Type]schema.GroupVersionKind) {
	table := prebuiltKindTable()
	goTypes := make([]reflect.Type, len(table))
	goKinds := make(map[reflect.Type]schema.GroupVersionKind, len(table))
	for i, k := range table {
		goTypes[i] = k.goType
		goKinds[k.goType] = k.gvk
	}
	return goTypes, goKinds
}

// prebuiltRegistry returns the registry of goTypes built from the
// prebuilt descriptors, or false if they lack a kind (then they are
// stale and the caller derives the descriptors instead).
func prebuiltRegistry(goTypes []reflect.Type, goKinds map[reflect.Type]schema.GroupVersionKind) (*Registry, bool) {
	r := &Registry{
		types: new(protoregistry.Types),
		files: new(protoregistry.Files),
		kinds: make(map[protoreflect.FullName]*Kind, len(goTypes)),
		byGVK: make(map[schema.GroupVersionKind]*Kind, len(goTypes)),
	}
	if err := addRawFiles(r, prebuiltSet); err != nil {
		return nil, false
	}
	if err := r.addKinds(goTypes, goKinds); err != nil {
		return nil, false
	}
	return r, true
}

// addRawFiles builds the files of a wire-encoded FileDescriptorSet, in
// its order (dependencies first), registers them in r's files and their
// messages as slotpb types in r's types. The files' bytes are kept, not
// copied: set must not change.
func addRawFiles(r *Registry, set []byte) (err error) {
	defer func() {
		// DescBuilder panics where protodesc would return an error.
		if p := recover(); p != nil {
			err = fmt.Errorf("building prebuilt descriptors: %v", p)
		}
	}()
	for len(set) > 0 {
		num, typ, n := protowire.ConsumeTag(set)
		if n < 0 {
			return protowire.ParseError(n)
		}
		set = set[n:]
		if num != 1 || typ != protowire.BytesType { // FileDescriptorSet.file
			return errors.New("prebuilt descriptors: not a FileDescriptorSet")
		}
		raw, n := protowire.ConsumeBytes(set)
		if n < 0 {
			return protowire.ParseError(n)
		}
		set = set[n:]
		out := protoimpl.DescBuilder{RawDescriptor: raw, FileRegistry: r.files}.Build()
		if err := registerMessages(r.types, out.File.Messages()); err != nil {
			return err
		}
	}
	return nil
}
