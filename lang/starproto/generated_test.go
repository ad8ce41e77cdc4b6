package starproto

import (
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// TestGeneratedMessages uses the bridge with generated Go message types
// (descriptorpb) instead of dynamic ones, and mixes the two: a dynamic
// message stored into a generated one is copied.
func TestGeneratedMessages(t *testing.T) {
	b := New(protoregistry.GlobalTypes, Options{})
	pre := predeclared(t, b, map[string]string{"pb": "google.protobuf"})
	file := &descriptorpb.FileDescriptorProto{}
	pre["file"] = b.NewMessage(file)
	dyn := dynamicpb.NewMessage((&descriptorpb.DescriptorProto{}).ProtoReflect().Descriptor())
	pre["dyn"] = NewMessage(dyn)
	mustExecWith(t, pre, `
file.name = "x.proto"
file.message_type.append(pb.DescriptorProto(name = "A", field = [
    pb.FieldDescriptorProto(name = "a", number = 1, label = "LABEL_OPTIONAL", type = pb.FieldDescriptorProto.Type.TYPE_STRING),
]))
file.message_type[0].options.map_entry = False
file.options.go_package = "example.com/x"
assert.eq(file.message_type[0].field[0].type, pb.FieldDescriptorProto.Type.TYPE_STRING)
assert.eq(file.message_type[0].field[0].label.name, "LABEL_OPTIONAL")
x = file.source_code_info.location
assert.true(not proto.has(file, "source_code_info"))
dyn.name = "B"
file.message_type.append(dyn)
dyn.name = "C"
assert.eq(file.message_type[1].name, "B")
m = pb.DescriptorProto()
file.message_type.insert(0, m)
m.name = "Z"
assert.eq(file.message_type[0].name, "Z")
file.message_type.pop(0)
`)
	want := &descriptorpb.FileDescriptorProto{
		Name: proto.String("x.proto"),
		MessageType: []*descriptorpb.DescriptorProto{
			{
				Name: proto.String("A"),
				Field: []*descriptorpb.FieldDescriptorProto{{
					Name: proto.String("a"), Number: proto.Int32(1),
					Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
					Type:  descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
				}},
				Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(false)},
			},
			{Name: proto.String("B")},
		},
		Options: &descriptorpb.FileOptions{GoPackage: proto.String("example.com/x")},
	}
	if !proto.Equal(file, want) {
		t.Errorf("got %v\nwant %v", file, want)
	}
	if _, err := starlark.Call(new(starlark.Thread), b.Module().Members["to_dict"], starlark.Tuple{b.NewMessage(file)}, nil); err != nil {
		t.Error(err)
	}
}
