package starproto

import (
	"sync"
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// testFiles describes message types that Kubernetes lacks: a recursive
// message, enums, oneofs, proto2 defaults, a reserved-word field, scalar
// kinds, and meta.v1.Duration, which no built-in kind uses.
const testFiles = `
file {
  name: "skyc/test/v1/test.proto"
  package: "skyc.test.v1"
  syntax: "proto2"
  enum_type { name: "Color" value { name: "RED" number: 0 } value { name: "GREEN" number: 1 } value { name: "BLUE" number: 2 } }
  message_type {
    name: "Node"
    field { name: "name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "child" number: 2 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node" }
    field { name: "children" number: 3 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node" }
    field { name: "byName" number: 4 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node.ByNameEntry" }
    field { name: "color" number: 5 label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".skyc.test.v1.Color" default_value: "GREEN" }
    field { name: "count" number: 6 label: LABEL_OPTIONAL type: TYPE_INT32 default_value: "7" }
    field { name: "a" number: 7 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
    field { name: "b" number: 8 label: LABEL_OPTIONAL type: TYPE_INT64 oneof_index: 0 }
    field { name: "from" number: 9 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "nums" number: 10 label: LABEL_REPEATED type: TYPE_INT64 }
    field { name: "byNum" number: 11 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node.ByNumEntry" }
    field { name: "data" number: 12 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field { name: "ratio" number: 13 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
    field { name: "small" number: 14 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "inner" number: 15 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node.Inner" }
    field { name: "colors" number: 16 label: LABEL_REPEATED type: TYPE_ENUM type_name: ".skyc.test.v1.Color" }
    nested_type {
      name: "ByNameEntry" options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".skyc.test.v1.Node" }
    }
    nested_type {
      name: "ByNumEntry" options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
    }
    nested_type {
      name: "Inner"
      field { name: "on" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL }
    }
    oneof_decl { name: "choice" }
  }
}
file {
  name: "k8s.io/apimachinery/pkg/apis/meta/v1/duration.proto"
  package: "k8s.io.apimachinery.pkg.apis.meta.v1"
  syntax: "proto2"
  message_type {
    name: "Duration"
    field { name: "duration" number: 1 label: LABEL_OPTIONAL type: TYPE_INT64 }
  }
  message_type {
    name: "Timeouts"
    field { name: "idle" number: 1 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".k8s.io.apimachinery.pkg.apis.meta.v1.Duration" }
    field { name: "steps" number: 2 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".k8s.io.apimachinery.pkg.apis.meta.v1.Duration" }
  }
}
`

var (
	testTypesOnce sync.Once
	testTypes     *protoregistry.Types // slotpb, as skyc's registry
	testDynTypes  *protoregistry.Types // the same types as dynamicpb
)

// testTypesRegistry returns the registry of testFiles, with slotpb
// message types as schemas registers.
func testTypesRegistry(tb testing.TB) *protoregistry.Types {
	tb.Helper()
	buildTestTypes(tb)
	return testTypes
}

// testDynamicRegistry returns the registry of testFiles with dynamicpb
// message types, the other implementation the bridge must work with.
func testDynamicRegistry(tb testing.TB) *protoregistry.Types {
	tb.Helper()
	buildTestTypes(tb)
	return testDynTypes
}

func buildTestTypes(tb testing.TB) {
	tb.Helper()
	var err error
	testTypesOnce.Do(func() {
		set := new(descriptorpb.FileDescriptorSet)
		if err = prototext.Unmarshal([]byte(testFiles), set); err != nil {
			return
		}
		var files *protoregistry.Files
		if files, err = protodesc.NewFiles(set); err != nil {
			return
		}
		register := func(newType func(protoreflect.MessageDescriptor) protoreflect.MessageType) *protoregistry.Types {
			types := new(protoregistry.Types)
			files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
				for i := 0; i < fd.Enums().Len(); i++ {
					if err = types.RegisterEnum(dynamicpb.NewEnumType(fd.Enums().Get(i))); err != nil {
						return false
					}
				}
				for i := 0; i < fd.Messages().Len(); i++ {
					if err = types.RegisterMessage(newType(fd.Messages().Get(i))); err != nil {
						return false
					}
				}
				return true
			})
			return types
		}
		testTypes = register(func(md protoreflect.MessageDescriptor) protoreflect.MessageType { return slotpb.TypeOf(md) })
		if err == nil {
			testDynTypes = register(dynamicpb.NewMessageType)
		}
	})
	if err != nil || testTypes == nil || testDynTypes == nil {
		tb.Fatalf("building test types: %v", err)
	}
}

// execTest runs src with proto over the test types, the test package as
// test and the meta.v1 package as meta. It runs src twice, over slotpb
// and over dynamicpb messages, and fails the test if the two runs end
// differently; it returns the slotpb run's globals.
func execTest(tb testing.TB, src string) (starlark.StringDict, error) {
	tb.Helper()
	run := func(types *protoregistry.Types) (starlark.StringDict, error) {
		b := New(types, Options{Box: KubernetesBoxers()})
		pre := predeclared(tb, b, map[string]string{"test": "skyc.test.v1", "meta": "k8s.io.apimachinery.pkg.apis.meta.v1"})
		return execWith(tb, pre, src)
	}
	_, dynErr := run(testDynamicRegistry(tb))
	g, err := run(testTypesRegistry(tb))
	ending := func(err error) string {
		if err == nil {
			return "ok"
		}
		return errText(err)
	}
	if ending(err) != ending(dynErr) {
		tb.Errorf("slotpb and dynamicpb messages end differently:\nslotpb:    %s\ndynamicpb: %s", ending(err), ending(dynErr))
	}
	return g, err
}

// execBoth runs src with the Kubernetes shortcuts and the test package as
// test, each from its own bridge.
func execBoth(tb testing.TB, src string) (starlark.StringDict, error) {
	tb.Helper()
	pre := predeclared(tb, bridge(tb), k8sPackages)
	tp := predeclared(tb, New(testTypesRegistry(tb), Options{}), map[string]string{"test": "skyc.test.v1"})
	pre["test"] = tp["test"]
	return execWith(tb, pre, src)
}
