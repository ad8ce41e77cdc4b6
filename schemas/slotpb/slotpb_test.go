package slotpb

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// testFile has a message of every shape: scalars of each kind, an enum,
// bytes, a nested message, repeated scalars and messages, maps with
// scalar and message values and int keys, a oneof, a recursive field;
// proto2 (presence) and proto3 (implicit presence) variants.
const testFile = `
name: "t.proto" package: "t" syntax: "%s"
enum_type { name: "Color" value { name: "RED" number: 0 } value { name: "BLUE" number: 1 } }
message_type {
  name: "M"
  field { name: "s" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING %s }
  field { name: "i32" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 %s }
  field { name: "i64" number: 3 label: LABEL_OPTIONAL type: TYPE_INT64 }
  field { name: "u32" number: 4 label: LABEL_OPTIONAL type: TYPE_UINT32 }
  field { name: "u64" number: 5 label: LABEL_OPTIONAL type: TYPE_FIXED64 }
  field { name: "b" number: 6 label: LABEL_OPTIONAL type: TYPE_BOOL }
  field { name: "f" number: 7 label: LABEL_OPTIONAL type: TYPE_FLOAT }
  field { name: "d" number: 8 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
  field { name: "by" number: 9 label: LABEL_OPTIONAL type: TYPE_BYTES }
  field { name: "e" number: 10 label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".t.Color" }
  field { name: "sub" number: 11 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".t.M" }
  field { name: "rs" number: 12 label: LABEL_REPEATED type: TYPE_STRING }
  field { name: "rm" number: 13 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".t.M" }
  field { name: "ms" number: 14 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".t.M.MsEntry" }
  field { name: "mm" number: 15 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".t.M.MmEntry" }
  field { name: "oa" number: 16 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
  field { name: "ob" number: 17 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".t.M" oneof_index: 0 }
  field { name: "re" number: 18 label: LABEL_REPEATED type: TYPE_ENUM type_name: ".t.Color" }
  nested_type { name: "MsEntry" options { map_entry: true }
    field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING } }
  nested_type { name: "MmEntry" options { map_entry: true }
    field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_INT64 }
    field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".t.M" } }
  oneof_decl { name: "o" }
}
`

func testDescriptor(t testing.TB, syntax string) protoreflect.MessageDescriptor {
	t.Helper()
	def := ""
	if syntax == "proto2" {
		def = `default_value: "7"`
	}
	fdp := new(descriptorpb.FileDescriptorProto)
	if err := prototext.Unmarshal([]byte(fmt.Sprintf(testFile, syntax, "", def)), fdp); err != nil {
		t.Fatal(err)
	}
	fd, err := protodesc.NewFile(fdp, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fd.Messages().ByName("M")
}

// fill makes the same random changes to a and b, through the reflection
// API only, and checks they read the same after each.
func fill(t *testing.T, r *rand.Rand, a, b protoreflect.Message, depth int) {
	t.Helper()
	fds := a.Descriptor().Fields()
	for n := r.IntN(12); n > 0; n-- {
		fd := fds.Get(r.IntN(fds.Len()))
		switch {
		case r.IntN(8) == 0:
			a.Clear(fd)
			b.Clear(fd)
		case fd.IsMap():
			ma, mb := a.Mutable(fd).Map(), b.Mutable(fd).Map()
			for k := r.IntN(24); k > 0; k-- {
				var key protoreflect.MapKey
				if fd.MapKey().Kind() == protoreflect.StringKind {
					key = protoreflect.ValueOfString(fmt.Sprint("k", r.IntN(30))).MapKey()
				} else {
					key = protoreflect.ValueOfInt64(int64(r.IntN(30) - 15)).MapKey()
				}
				switch {
				case r.IntN(5) == 0:
					ma.Clear(key)
					mb.Clear(key)
				case fd.MapValue().Message() != nil:
					if depth < 2 {
						fill(t, r, ma.Mutable(key).Message(), mb.Mutable(key).Message(), depth+1)
					}
				default:
					v := fmt.Sprint("v", r.IntN(100))
					ma.Set(key, protoreflect.ValueOfString(v))
					mb.Set(key, protoreflect.ValueOfString(v))
				}
				if ma.Has(key) != mb.Has(key) || ma.Len() != mb.Len() {
					t.Fatalf("%s[%v]: map differs", fd.Name(), key)
				}
			}
		case fd.IsList():
			la, lb := a.Mutable(fd).List(), b.Mutable(fd).List()
			for k := r.IntN(4); k > 0; k-- {
				switch {
				case r.IntN(4) == 0 && la.Len() > 0:
					la.Truncate(la.Len() - 1)
					lb.Truncate(lb.Len() - 1)
				case fd.Message() != nil:
					if depth < 2 {
						fill(t, r, la.AppendMutable().Message(), lb.AppendMutable().Message(), depth+1)
					}
				default:
					v := scalar(r, fd)
					la.Append(v)
					lb.Append(v)
				}
			}
		case fd.Message() != nil:
			if depth < 2 {
				fill(t, r, a.Mutable(fd).Message(), b.Mutable(fd).Message(), depth+1)
			}
		default:
			v := scalar(r, fd)
			a.Set(fd, v)
			b.Set(fd, v)
		}
		for i := 0; i < fds.Len(); i++ {
			fd := fds.Get(i)
			if a.Has(fd) != b.Has(fd) {
				t.Fatalf("%s: Has %v, dynamicpb %v", fd.Name(), a.Has(fd), b.Has(fd))
			}
			if fd.Message() == nil && !fd.IsList() && !a.Get(fd).Equal(b.Get(fd)) {
				t.Fatalf("%s: Get %v, dynamicpb %v", fd.Name(), a.Get(fd), b.Get(fd))
			}
		}
	}
}

func scalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	zero := r.IntN(3) == 0 // zeros matter for implicit presence
	n := r.IntN(1000)
	if zero {
		n = 0
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		if zero {
			return protoreflect.ValueOfString("")
		}
		return protoreflect.ValueOfString(fmt.Sprint("s", n))
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(n))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(-n))
	case protoreflect.Uint32Kind:
		return protoreflect.ValueOfUint32(uint32(n))
	case protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(n))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(n%2 == 1)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(n) / 4)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(n) / 8)
	case protoreflect.BytesKind:
		if zero {
			return protoreflect.ValueOfBytes([]byte{})
		}
		return protoreflect.ValueOfBytes([]byte(fmt.Sprint(n)))
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n % 2))
	}
	panic(fd.Kind())
}

// TestMatchesDynamicpb makes the same random changes to a slot-backed
// and a dynamicpb message and checks that every way of reading them
// agrees: Has and Get, the wire form, proto.Equal (both ways), JSON and
// a round trip through Unmarshal, Clone and Merge.
func TestMatchesDynamicpb(t *testing.T) {
	for _, syntax := range []string{"proto2", "proto3"} {
		md := testDescriptor(t, syntax)
		for seed := range uint64(300) {
			r := rand.New(rand.NewPCG(seed, 1))
			a, b := TypeOf(md).New(), dynamicpb.NewMessage(md)
			fill(t, r, a, b, 0)
			det := proto.MarshalOptions{Deterministic: true}
			wa, err := det.Marshal(a.Interface())
			if err != nil {
				t.Fatal(err)
			}
			wb, _ := det.Marshal(b)
			if string(wa) != string(wb) {
				t.Fatalf("%s seed %d: wire forms differ", syntax, seed)
			}
			if !proto.Equal(a.Interface(), b) || !proto.Equal(b, a.Interface()) {
				t.Fatalf("%s seed %d: not proto.Equal", syntax, seed)
			}
			ja, err := protojson.Marshal(a.Interface())
			if err != nil {
				t.Fatal(err)
			}
			jb, _ := protojson.Marshal(b)
			if !jsonEqual(t, ja, jb) {
				t.Fatalf("%s seed %d: JSON differs:\n%s\n%s", syntax, seed, ja, jb)
			}
			back := TypeOf(md).New()
			if err := proto.Unmarshal(wb, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(back.Interface(), b) {
				t.Fatalf("%s seed %d: Unmarshal gives a different message", syntax, seed)
			}
			c := proto.Clone(a.Interface())
			if _, ok := c.(*Message); !ok || !proto.Equal(c, b) {
				t.Fatalf("%s seed %d: Clone gives %T, or a different message", syntax, seed, c)
			}
			merged := TypeOf(md).New()
			proto.Merge(merged.Interface(), b)
			if !proto.Equal(merged.Interface(), a.Interface()) {
				t.Fatalf("%s seed %d: Merge from dynamicpb differs", syntax, seed)
			}
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	// protojson's output has randomized whitespace: compare the decoded
	// values.
	var ma, mb any
	if err := json.Unmarshal(a, &ma); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &mb); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(ma, mb)
}

// TestRangeOrder checks that Range visits fields in declaration order
// and skips unset and empty ones.
func TestRangeOrder(t *testing.T) {
	md := testDescriptor(t, "proto3")
	m := TypeOf(md).NewMessage()
	fds := md.Fields()
	m.Set(fds.ByName("e"), protoreflect.ValueOfEnum(1))
	m.Set(fds.ByName("s"), protoreflect.ValueOfString("x"))
	m.Set(fds.ByName("i32"), protoreflect.ValueOfInt32(0)) // implicit presence: unset
	m.Mutable(fds.ByName("rs"))                            // empty: unset
	m.Mutable(fds.ByName("sub"))
	var got []string
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		got = append(got, string(fd.Name()))
		return true
	})
	if strings.Join(got, ",") != "s,e,sub" {
		t.Errorf("Range visits %v, want s, e, sub", got)
	}
	var byIndex []string
	for i := range m.NumFields() {
		if fd, v := m.Field(i); v.IsValid() {
			byIndex = append(byIndex, string(fd.Name()))
		}
	}
	if !slices.Equal(byIndex, got) {
		t.Errorf("Field gives %v, Range %v", byIndex, got)
	}
}

// TestReadOnly checks that unset composite fields read as shared
// read-only values that refuse writes, and that a message of the type
// is only accepted in a field of that type.
func TestReadOnly(t *testing.T) {
	md := testDescriptor(t, "proto2")
	m := TypeOf(md).NewMessage()
	fds := md.Fields()
	sub := m.Get(fds.ByName("sub")).Message()
	if sub.IsValid() || sub != TypeOf(md).Zero() {
		t.Error("an unset message field does not read as the read-only zero message")
	}
	if m.Get(fds.ByName("rs")).List().IsValid() || m.Get(fds.ByName("ms")).Map().IsValid() {
		t.Error("unset list or map fields read as valid")
	}
	if got := m.Get(fds.ByName("i32")).Int(); got != 7 {
		t.Errorf("unset i32 reads %d, want its default 7", got)
	}
	sub.Clear(fds.ByName("s")) // nothing to clear: no panic, as dynamicpb
	mustPanic(t, "Set on the zero message", func() { sub.Set(fds.ByName("s"), protoreflect.ValueOfString("x")) })
	mustPanic(t, "Append to an unset list", func() { m.Get(fds.ByName("rs")).List().Append(protoreflect.ValueOfString("x")) })
	mustPanic(t, "Set of a string field to an int", func() { m.Set(fds.ByName("s"), protoreflect.ValueOfInt32(1)) })
	mustPanic(t, "Append of an int to strings", func() { m.Mutable(fds.ByName("rs")).List().Append(protoreflect.ValueOfInt64(1)) })
	mustPanic(t, "Set of a foreign field", func() { m.Set(testDescriptor(t, "proto2").Fields().ByName("s"), protoreflect.ValueOfString("x")) })
	other := dynamicpb.NewMessage(md)
	m.Set(fds.ByName("sub"), protoreflect.ValueOfMessage(other)) // any implementation of the type
	if !m.Has(fds.ByName("sub")) {
		t.Error("a dynamicpb message of the type was not stored")
	}
}

// TestOneof checks that setting a field of a oneof clears the others.
func TestOneof(t *testing.T) {
	md := testDescriptor(t, "proto3")
	m := TypeOf(md).NewMessage()
	fds := md.Fields()
	m.Set(fds.ByName("oa"), protoreflect.ValueOfString(""))
	if !m.Has(fds.ByName("oa")) {
		t.Error("an empty string in a oneof does not count as set")
	}
	m.Mutable(fds.ByName("ob"))
	if m.Has(fds.ByName("oa")) || m.WhichOneof(md.Oneofs().Get(0)) != fds.ByName("ob") {
		t.Error("setting ob did not clear oa")
	}
}

// TestMapIndex checks a map past the size where it starts indexing its
// keys: lookups, replacement, deletion.
func TestMapIndex(t *testing.T) {
	md := testDescriptor(t, "proto3")
	m := TypeOf(md).NewMessage()
	mp := m.Mutable(md.Fields().ByName("ms")).Map()
	key := func(i int) protoreflect.MapKey { return protoreflect.ValueOfString(fmt.Sprint(i)).MapKey() }
	for i := range 100 {
		mp.Set(key(i), protoreflect.ValueOfString(fmt.Sprint("v", i)))
	}
	mp.Set(key(50), protoreflect.ValueOfString("again"))
	mp.Clear(key(10))
	mp.Set(key(200), protoreflect.ValueOfString("new"))
	var ranged []string
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		ranged = append(ranged, k.String()+"="+v.String())
		return true
	})
	var entries []string
	for i := range mp.(*Map).Len() {
		k, v := mp.(*Map).Entry(i)
		entries = append(entries, k.String()+"="+v.String())
	}
	if !slices.Equal(ranged, entries) || ranged[0] != "0=v0" {
		t.Errorf("Entry gives %v, Range %v", entries, ranged)
	}
	if mp.Len() != 100 || mp.Has(key(10)) || mp.Get(key(50)).String() != "again" || mp.Get(key(99)).String() != "v99" || mp.Get(key(200)).String() != "new" {
		t.Errorf("map after 100 sets, a replacement, a deletion and an addition is wrong: len %d", mp.Len())
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
