package manifest

import (
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// This file is the message path of the encoding: it writes the YAML
// document of an object straight from the protobuf message it would be
// converted from (schemas' Registry.ToObject), without the k8s.io/api Go
// struct in between. skyc render builds every object as a message and,
// before this path, copied each into its Go struct by reflection only to
// walk that struct by reflection again here and throw it away.
//
// It lives in manifest rather than in schemas because what decides the
// bytes is all here: the JSON members of each Go type in emission order
// (structPlan), omitempty and pruning, the fast emitter's quoting and
// layout, the order of map keys, and how Quantity, IntOrString and Time
// are written. What it needs from the protobuf side is small: the field
// numbers of the Go struct fields, read from their `protobuf` tags as the
// describer in schemas writes the descriptors from them. A second copy of
// the emitter's rules in schemas would be the thing to drift.
//
// The result is exactly what Encode gives for the Go object ToObject makes
// of the message (after SetOwnership, with Ownership): the plan of each
// member says what its Go value is for each state of the message field.
// ToObject copies only the fields a message holds, so
//
//   - an unset field leaves the Go zero value: omitted under omitempty, a
//     nil pointer, slice or map (null, pruned), or a struct encoded from
//     its empty message (and pruned if it comes out as {});
//   - a set scalar field of a non-pointer Go field is its value, zero
//     included (omitted under omitempty when zero); of a pointer field, a
//     pointer to it, written even when zero;
//   - a repeated or map field is set only when it has entries.
//
// Wherever it is not certain it gives up (ok == false) and the caller
// takes ToObject and Encode instead, which also report any error: types
// with a MarshalJSON or MarshalText other than Quantity, IntOrString and
// Time (RawExtension, FieldsV1, MicroTime, ...), named slices, interfaces,
// ",string" options, omitzero (but on Time, whose zero value is left out
// anyway), members without a protobuf field other than TypeMeta's (unless
// their zero value is left out), a root whose apiVersion and kind would
// come from the message, Quantity strings ParseQuantity rejects,
// IntOrString of an unknown type, and everything the direct path gives up on (strings
// the fast emitter cannot write, keys it cannot write, floats encoding/json
// rejects, nesting past maxDepth).

// Ownership is what SetOwnership labels an object with: the
// ServiceLabel, and the EnvironmentLabel when Env is not empty.
type Ownership struct {
	Service, Env string
}

// EncodeMessage returns the YAML document of the object that m stands
// for, in a slice of its own: the bytes Encode gives for the value of Go
// type t (a k8s.io/api struct type, not a pointer) that schemas'
// Registry.ToObject makes of m, with apiVersion and kind set from gvk and,
// if own is not nil, labelled by SetOwnership with own.Service and
// own.Env (which the caller has checked are valid label values). ok is
// false if the message path cannot be sure of those bytes; the caller
// then converts m and calls Encode.
func EncodeMessage(m protoreflect.Message, t reflect.Type, gvk schema.GroupVersionKind, own *Ownership) (_ []byte, ok bool) {
	if gvk.Kind == "" || gvk.Version == "" || t == nil || t.Kind() != reflect.Struct {
		return nil, false
	}
	root := rootMsgPlan(m.Descriptor(), t)
	if root == nil {
		return nil, false
	}
	e := msgPool.Get().(*msgEncoder)
	e.buf, e.col, e.depth = e.buf[:0], 0, 0
	e.apiVersion, e.kind, e.own = apiVersion(gvk.GroupVersion()), gvk.Kind, own
	r := root.encode(e, m, 0, false, true)
	var out []byte
	if r != resFail {
		// The root always has apiVersion and kind, so it is never {}.
		e.buf = append(e.buf, '\n')
		out = slices.Clone(e.buf)
	}
	e.own, e.metaOwn, e.ents = nil, nil, e.ents[:0]
	if cap(e.buf) > maxPooledBuffer {
		e.buf = nil
	}
	if cap(e.scratch) > maxPooledBuffer {
		e.scratch = nil
	}
	msgPool.Put(e)
	return out, r != resFail
}

// msgEncoder carries the state of one encoding on the message path.
type msgEncoder struct {
	directEncoder
	apiVersion, kind string     // the root's TypeMeta
	own              *Ownership // labels of the root's metadata, or nil
	metaOwn          *Ownership // own, while the root's metadata is being written
	ents             []mapEntry // map members being sorted, reused
}

var msgPool = sync.Pool{New: func() any { return new(msgEncoder) }}

// msgEnc writes one present value of a message field (a singular value,
// a list element or a map value) whose Go value has a fixed type, as
// yamlEnc does for that Go value.
type msgEnc func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result

func failMsg(*msgEncoder, protoreflect.Value, int, bool) result { return resFail }

// form is how a struct member's Go value follows from its message field.
type form uint8

const (
	formFail     form = iota // the member cannot be written from a message
	formScalar               // a non-pointer bool, number or string
	formPtr                  // a pointer: nil when the field is unset
	formList                 // a slice: nil unless the field has elements
	formBytes                // []byte: nil when unset, else the bytes
	formMap                  // a map: nil unless the field has entries
	formStruct               // a struct value: from the field's message, or its empty message
	formZero                 // no protobuf field: always the zero value, which is not written
	formTypeMeta             // TypeMeta's apiVersion or kind
)

// msgField is a member of a struct on the message path.
type msgField struct {
	key        string                         // "name:" as written, "" if the fast emitter cannot write it
	path       []protoreflect.FieldDescriptor // embedded (inline) message fields, then the member's own field
	index      int                            // of the member's own field in its message (its Index)
	form       form
	omitEmpty  bool
	pruneEmpty bool
	isKind     bool               // formTypeMeta: kind, not apiVersion
	labels     bool               // ObjectMeta's labels, which take the ownership labels
	enc        msgEnc             // of the member's value (a pointer's element)
	status     bool               // the document root's status, which is not written
	meta       bool               // the ObjectMeta member, metadata
	fdKind     protoreflect.Kind  // of the member's own field
	zero       protoreflect.Value // formScalar: its field's zero value, written when absent
}

// msgPlan is the plan of one (message type, Go struct type).
type msgPlan struct {
	md     protoreflect.MessageDescriptor
	slot   *slotpb.MessageType // slotpb.TypeOf(md)
	fields []msgField
	meta   bool // the Go type is metav1.ObjectMeta
}

type msgKey struct {
	md protoreflect.MessageDescriptor
	t  reflect.Type
}

var (
	msgPlans  sync.Map // msgKey → *msgPlan
	msgEncs   sync.Map // msgKey → msgEnc
	rootPlans sync.Map // msgKey → *msgPlan, nil if t cannot be a document root

	objectMetaType = reflect.TypeFor[metav1.ObjectMeta]()
	typeMetaType   = reflect.TypeFor[metav1.TypeMeta]()
)

// rootMsgPlan returns the plan of documents of Go type t from messages of
// type md, or nil if they cannot take the message path: t has a
// MarshalJSON or MarshalText of its own, or no metadata of type
// ObjectMeta for SetOwnership to label.
func rootMsgPlan(md protoreflect.MessageDescriptor, t reflect.Type) *msgPlan {
	k := msgKey{md, t}
	if p, ok := rootPlans.Load(k); ok {
		return p.(*msgPlan)
	}
	var p *msgPlan
	pt := reflect.PointerTo(t)
	if !pt.Implements(marshalerType) && !pt.Implements(textMarshalerType) {
		// The root needs metadata for the ownership labels, and its
		// apiVersion and kind from the group-version-kind, as ToObject
		// sets them, not from the message.
		p = structMsgPlan(md, t)
		meta, typeMeta := false, 0
		for _, f := range p.fields {
			meta = meta || f.meta
			if f.form == formTypeMeta {
				typeMeta++
			}
		}
		if !meta || typeMeta != 2 {
			p = nil
		}
	}
	rootPlans.Store(k, p)
	return p
}

// structMsgPlan returns the cached plan of Go struct type t from
// messages of type md.
func structMsgPlan(md protoreflect.MessageDescriptor, t reflect.Type) *msgPlan {
	k := msgKey{md, t}
	if p, ok := msgPlans.Load(k); ok {
		return p.(*msgPlan)
	}
	p, _ := msgPlans.LoadOrStore(k, newMsgPlan(md, t))
	return p.(*msgPlan)
}

func newMsgPlan(md protoreflect.MessageDescriptor, t reflect.Type) *msgPlan {
	plan := cachedPlan(t)
	p := &msgPlan{md: md, slot: slotpb.TypeOf(md), fields: make([]msgField, len(plan.fields)), meta: t == objectMetaType}
	for i, f := range plan.fields {
		d := msgField{omitEmpty: f.omitEmpty, pruneEmpty: f.pruneEmpty && !f.addrLeaf}
		var k fastEmitter
		if len(f.name) <= yamlMaxSimpleKey && k.str(f.name, false) {
			d.key = string(k.buf) + ":"
		}
		d.status = f.name == "status" && plan.hasStatus
		d.meta = f.name == "metadata" && f.typ == objectMetaType
		d.labels = p.meta && f.name == "labels" && f.typ == stringMapType
		// omitzero is followed for Time only, whose zero value encodes
		// as null and so is left out anyway.
		if !f.quoted && (!f.omitZero || f.typ == timeType || f.typ == reflect.PointerTo(timeType)) {
			planMember(&d, md, t, f)
		}
		p.fields[i] = d
	}
	return p
}

// planMember sets the path, form and encoder of member f of struct type
// t, whose message type is md; d.form stays formFail where the message
// path cannot follow.
func planMember(d *msgField, md protoreflect.MessageDescriptor, t reflect.Type, f field) {
	st := t
	for n, x := range f.index {
		if st.Kind() != reflect.Struct {
			return
		}
		sf := st.Field(x)
		last := n == len(f.index)-1
		tag, tagged := sf.Tag.Lookup("protobuf")
		if !tagged || tag == "-" {
			switch {
			case sf.Type == typeMetaType && n == 0 && len(f.index) == 2:
				// apiVersion and kind of the struct's own TypeMeta: at
				// the root, from the group-version-kind, which ToObject
				// sets there; elsewhere unset (and omitempty).
				d.form, d.isKind = formTypeMeta, f.name == "kind"
			case last && zeroSkipped(f):
				d.form = formZero
			}
			return
		}
		num, ok := tagNumber(tag)
		if !ok {
			return
		}
		fd := md.Fields().ByNumber(protoreflect.FieldNumber(num))
		if fd == nil {
			return
		}
		d.path = append(d.path, fd)
		if !last {
			// An embedded struct whose members are promoted (VolumeSource
			// in Volume): a message field, read as its empty message when
			// unset, as the zero struct it leaves.
			if sf.Type.Kind() != reflect.Struct || fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
				return
			}
			md, st = fd.Message(), sf.Type
			continue
		}
		d.fdKind, d.index = fd.Kind(), fd.Index()
		ft := sf.Type
		switch {
		case fd.IsMap():
			if ft.Kind() != reflect.Map {
				return
			}
			d.form, d.enc = formMap, mapMsgEnc(fd, ft)
		case fd.IsList():
			if ft.Kind() != reflect.Slice || ft.Name() != "" || ft.Elem().Kind() == reflect.Uint8 {
				return
			}
			d.form, d.enc = formList, listMsgEnc(fd, ft)
		case ft.Kind() == reflect.Pointer:
			d.form, d.enc = formPtr, valueMsgEnc(fd, ft.Elem())
		case fd.Kind() == protoreflect.BytesKind:
			if ft.Kind() != reflect.Slice || ft.Elem().Kind() != reflect.Uint8 {
				return
			}
			d.form, d.enc = formBytes, valueMsgEnc(fd, ft)
		case fd.Kind() == protoreflect.MessageKind:
			if ft.Kind() != reflect.Struct {
				return
			}
			d.form, d.enc = formStruct, valueMsgEnc(fd, ft)
		default:
			if !scalarMatches(fd.Kind(), ft) {
				return
			}
			d.form, d.enc, d.zero = formScalar, valueMsgEnc(fd, ft), fd.Default()
		}
	}
}

// zeroSkipped reports whether member f is left out when it holds its
// zero value: omitempty on a kind whose zero value is empty, or a kind
// whose zero value encodes as null.
func zeroSkipped(f field) bool {
	switch f.typ.Kind() {
	case reflect.Pointer, reflect.Interface:
		return true
	case reflect.Map, reflect.Slice:
		// nil: null, unless a MarshalJSON or MarshalText writes it (or
		// encoding/json rejects the map's keys).
		p := reflect.PointerTo(f.typ)
		return f.omitEmpty || !p.Implements(marshalerType) && !p.Implements(textMarshalerType) &&
			(f.typ.Kind() == reflect.Slice || validMapKey(f.typ.Key()))
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return f.omitEmpty
	}
	return false
}

// tagNumber reads the field number of a protobuf struct tag such as
// "bytes,1,opt,name=metadata", as schemas' describer does.
func tagNumber(tag string) (int, bool) {
	_, rest, ok := cutComma(tag)
	if !ok {
		return 0, false
	}
	num, _, _ := cutComma(rest)
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0
}

func cutComma(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// scalarMatches reports whether a scalar field of kind k holds the values
// of Go type t as ToObject copies them, with no method of t's in the way.
func scalarMatches(k protoreflect.Kind, t reflect.Type) bool {
	if hasMarshaler(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool:
		return k == protoreflect.BoolKind
	case reflect.Int, reflect.Int32, reflect.Int64:
		switch k {
		case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
			protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
			return true
		}
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		switch k {
		case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
			return true
		}
	case reflect.Float32:
		return k == protoreflect.FloatKind
	case reflect.Float64:
		return k == protoreflect.DoubleKind
	case reflect.String:
		return k == protoreflect.StringKind && t != numberType
	}
	return false
}

// hasMarshaler reports whether values of t, addressable or not, may have
// a MarshalJSON or MarshalText method of their own.
func hasMarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		p.Implements(marshalerType) || p.Implements(textMarshalerType)
}

// valueMsgEnc returns the encoder of one value of field fd (an element,
// for a list or map) whose Go value has type t; a pointer is followed.
func valueMsgEnc(fd protoreflect.FieldDescriptor, t reflect.Type) msgEnc {
	if t.Kind() == reflect.Pointer {
		elem := valueMsgEnc(fd, t.Elem())
		return func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
			if !e.enter() {
				return resFail
			}
			r := elem(e, v, ind, inMapping)
			e.depth--
			return r
		}
	}
	switch fd.Kind() {
	case protoreflect.MessageKind:
		if t.Kind() != reflect.Struct {
			return failMsg
		}
		return messageMsgEnc(fd.Message(), t)
	case protoreflect.BytesKind:
		if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 || hasMarshaler(t) || hasMarshaler(t.Elem()) {
			return failMsg
		}
		return bytesMsg
	}
	if !scalarMatches(fd.Kind(), t) {
		return failMsg
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolMsg
	case reflect.Int, reflect.Int32, reflect.Int64:
		return intMsg
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		return uintMsg
	case reflect.Float32:
		return float32Msg
	case reflect.Float64:
		return float64Msg
	case reflect.String:
		return stringMsg
	}
	return failMsg
}

// messageMsgEnc returns the cached encoder of messages of type md whose
// Go value has struct type t.
func messageMsgEnc(md protoreflect.MessageDescriptor, t reflect.Type) msgEnc {
	return cachedEncoder(&msgEncs, msgKey{md, t}, func() msgEnc { return newMessageMsgEnc(md, t) },
		func(get func() msgEnc) msgEnc {
			return func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
				return get()(e, v, ind, inMapping)
			}
		})
}

func newMessageMsgEnc(md protoreflect.MessageDescriptor, t reflect.Type) msgEnc {
	switch t {
	case quantityType:
		if fd := md.Fields().ByNumber(1); quantityCache >= 0 && fd != nil && fd.Kind() == protoreflect.StringKind && !fd.IsList() {
			return func(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
				return e.quantity(v.Message(), fd)
			}
		}
		return failMsg
	case intOrStringType:
		fields := md.Fields()
		typ, i, s := fields.ByNumber(1), fields.ByNumber(2), fields.ByNumber(3)
		if typ == nil || i == nil || s == nil || !scalarMatches(typ.Kind(), reflect.TypeFor[intstr.Type]()) ||
			!scalarMatches(i.Kind(), reflect.TypeFor[int32]()) || s.Kind() != protoreflect.StringKind {
			return failMsg
		}
		return func(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
			m := v.Message()
			switch intstr.Type(m.Get(typ).Int()) {
			case intstr.Int:
				e.write(" ")
				e.number(strconv.AppendInt(e.buf, m.Get(i).Int(), 10))
				return resOK
			case intstr.String:
				return e.scalarStr(m.Get(s).String())
			}
			return resFail // MarshalJSON's error
		}
	case timeType:
		fields := md.Fields()
		secs, nanos := fields.ByNumber(1), fields.ByNumber(2)
		if secs == nil || nanos == nil {
			return failMsg
		}
		return func(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
			m := v.Message()
			// As ToObject: an empty message is the zero time.
			if !m.Has(secs) && !m.Has(nanos) {
				return e.null()
			}
			t := time.Unix(m.Get(secs).Int(), m.Get(nanos).Int())
			if t.IsZero() {
				return e.null()
			}
			e.scratch = t.UTC().AppendFormat(e.scratch[:0], time.RFC3339)
			return e.scalarScratch()
		}
	}
	if hasMarshaler(t) {
		return failMsg
	}
	p := structMsgPlan(md, t)
	return func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
		return p.encode(e, v.Message(), ind, inMapping, false)
	}
}

// quantity writes the Quantity ToObject makes of m: the zero Quantity
// for an empty message, else what resource.ParseQuantity makes of its
// string, as its String (and MarshalJSON) gives it.
func (e *msgEncoder) quantity(m protoreflect.Message, fd protoreflect.FieldDescriptor) result {
	var q resource.Quantity
	if m.Has(fd) {
		var err error
		if q, err = resource.ParseQuantity(m.Get(fd).String()); err != nil {
			return resFail // ToObject's error
		}
	}
	// As quantityEnc: the text ParseQuantity kept, else the canonical
	// form, which String would compute and keep.
	if s := *(*string)(unsafe.Add(unsafe.Pointer(&q), quantityCacheOffset)); s != "" {
		return e.scalarStr(s)
	}
	number, suffix := q.CanonicalizeBytes(e.scratch[:0])
	e.scratch = append(append(e.scratch[:0], number...), suffix...)
	return e.scalarScratch()
}

// quantityCacheOffset is the offset of Quantity's cached text in it
// (quantityCache is its index).
var quantityCacheOffset = func() uintptr {
	if quantityCache < 0 {
		return 0
	}
	return quantityType.Field(quantityCache).Offset
}()

// apiVersions holds the apiVersion of each group and version seen.
var apiVersions sync.Map // schema.GroupVersion → string

func apiVersion(gv schema.GroupVersion) string {
	if s, ok := apiVersions.Load(gv); ok {
		return s.(string)
	}
	s := gv.String()
	apiVersions.Store(gv, s)
	return s
}

func boolMsg(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
	return e.boolScalar(v.Bool())
}

func intMsg(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
	return e.intScalar(v.Int())
}

func uintMsg(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
	return e.uintScalar(v.Uint())
}

func float32Msg(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
	n, err := floatNode(float64(float32(v.Float())), 32)
	if err != nil {
		return resFail
	}
	return e.node(n, ind, inMapping)
}

func float64Msg(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
	n, err := floatNode(v.Float(), 64)
	if err != nil {
		return resFail
	}
	return e.node(n, ind, inMapping)
}

func stringMsg(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
	return e.scalarStr(v.String())
}

func bytesMsg(e *msgEncoder, v protoreflect.Value, _ int, _ bool) result {
	return e.bytesScalar(v.Bytes())
}

// listMsgEnc returns the encoder of the elements of repeated field fd,
// whose Go value has slice type t.
func listMsgEnc(fd protoreflect.FieldDescriptor, t reflect.Type) msgEnc {
	elem := valueMsgEnc(fd, t.Elem())
	return func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
		if !e.enter() {
			return resFail
		}
		l := v.List()
		n := l.Len()
		// Set only with elements (see form): never "[]".
		if !inMapping {
			ind += 2
		}
		for i := range n {
			if i == 0 && !inMapping {
				e.pad(ind)
			} else {
				e.indent(ind)
			}
			e.write("-")
			if elem(e, l.Get(i), ind, false) == resFail {
				return resFail
			}
		}
		e.depth--
		return resOK
	}
}

// mapMsgEnc returns the encoder of map field fd, whose Go value has map
// type t.
func mapMsgEnc(fd protoreflect.FieldDescriptor, t reflect.Type) msgEnc {
	kt := t.Key()
	if fd.MapKey().Kind() != protoreflect.StringKind || kt.Kind() != reflect.String || kt.Implements(textMarshalerType) {
		return failMsg
	}
	vfd := fd.MapValue()
	if t.Elem().Kind() == reflect.String && vfd.Kind() == protoreflect.StringKind && scalarMatches(vfd.Kind(), t.Elem()) {
		return stringMapMsg
	}
	elem := valueMsgEnc(vfd, t.Elem())
	return func(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
		if !e.enter() {
			return resFail
		}
		pm := v.Map()
		base := len(e.ents)
		ents := e.mapMembers(pm, false, nil)
		sortEntries(ents)
		ind += 2
		for i := range ents {
			if i == 0 && !inMapping {
				e.pad(ind)
			} else {
				e.indent(ind)
			}
			k := ents[i].key
			if len(k) > yamlMaxSimpleKey || !e.str(k, false) {
				return resFail
			}
			e.write(":")
			if elem(e, pm.Get(protoreflect.ValueOfString(k).MapKey()), ind, true) == resFail {
				return resFail
			}
		}
		e.ents = e.ents[:base]
		e.depth--
		return resOK
	}
}

// mapMembers appends the keys of pm (and its values, when they are
// strings) to e.ents and returns the part appended; own, for the labels
// of the root's metadata, adds the ownership labels, which replace
// those of the same keys.
func (e *msgEncoder) mapMembers(pm protoreflect.Map, strs bool, own *Ownership) []mapEntry {
	base := len(e.ents)
	if spm, ok := pm.(*slotpb.Map); ok {
		for i := range spm.Len() {
			k, v := spm.Entry(i)
			s := ""
			if strs {
				s = v.String()
			}
			e.addMember(k.String(), s, own)
		}
	} else if pm != nil {
		pm.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			s := ""
			if strs {
				s = v.String()
			}
			e.addMember(k.String(), s, own)
			return true
		})
	}
	if own != nil {
		e.ents = append(e.ents, mapEntry{key: ServiceLabel, sval: own.Service})
		if own.Env != "" {
			e.ents = append(e.ents, mapEntry{key: EnvironmentLabel, sval: own.Env})
		}
	}
	return e.ents[base:]
}

// addMember adds member k (with string value s) of a map to e.ents,
// unless it is an ownership label of own, which replaces it.
func (e *msgEncoder) addMember(k, s string, own *Ownership) {
	if own != nil && (k == ServiceLabel || k == EnvironmentLabel && own.Env != "") {
		return
	}
	e.ents = append(e.ents, mapEntry{key: k, sval: s})
}

func stringMapMsg(e *msgEncoder, v protoreflect.Value, ind int, inMapping bool) result {
	return e.stringMap(v.Map(), nil, ind, inMapping)
}

// stringMap writes a map of strings, pm (nil: none) with the ownership
// labels of own (nil: none), sorted.
func (e *msgEncoder) stringMap(pm protoreflect.Map, own *Ownership, ind int, inMapping bool) result {
	if !e.enter() {
		return resFail
	}
	base := len(e.ents)
	ents := e.mapMembers(pm, true, own)
	sortEntries(ents)
	r := e.mapEntries(ents, ind, inMapping, nil)
	e.ents = e.ents[:base]
	e.depth--
	return r
}

// encode writes message m, whose Go value is a struct of this plan, as
// newStructDirect writes the struct; root says it is the document root.
func (p *msgPlan) encode(e *msgEncoder, m protoreflect.Message, ind int, inMapping, root bool) result {
	sm, _ := m.(*slotpb.Message)
	if sm != nil && sm.MessageType() != p.slot || sm == nil && m.Descriptor() != p.md {
		return resFail // a message of another registry's type
	}
	keyInd, inline := ind+2, !inMapping
	if root {
		keyInd, inline = 0, true
	}
	// The ownership labels go to the root's metadata only.
	var own *Ownership
	if p.meta {
		own, e.metaOwn = e.metaOwn, nil
	}
	if !e.enter() {
		return resFail
	}
	// Which fields are set, read in the order of their slots (the
	// members come in the order of their names): most are not.
	var set [4]uint64
	if sm != nil {
		if nf := sm.NumFields(); nf <= 64*len(set) {
			for i := range nf {
				if _, v := sm.Field(i); v.IsValid() {
					set[i/64] |= 1 << (i % 64)
				}
			}
		} else {
			sm = nil
		}
	}
	n := 0
	for i := range p.fields {
		f := &p.fields[i]
		if root && f.status {
			continue
		}
		var (
			v       protoreflect.Value
			present bool
		)
		switch f.form {
		case formFail:
			return resFail
		case formZero:
			continue
		case formTypeMeta:
			s := ""
			if root {
				s = e.apiVersion
				if f.isKind {
					s = e.kind
				}
			}
			if s == "" { // omitempty
				continue
			}
			v, present = protoreflect.ValueOfString(s), true
		default:
			if sm != nil && len(f.path) == 1 {
				if set[f.index/64]&(1<<(f.index%64)) != 0 {
					_, v = sm.Field(f.index)
					present = true
				}
			} else {
				v, present = fieldValue(m, sm, f)
			}
		}
		switch f.form {
		case formScalar:
			if !present {
				if f.omitEmpty {
					continue
				}
				v = f.zero
			} else if f.omitEmpty && isZeroScalar(v, f.fdKind) {
				continue
			}
		case formPtr, formList:
			if !present {
				continue
			}
		case formBytes:
			if !present || f.omitEmpty && len(v.Bytes()) == 0 {
				continue
			}
		case formMap:
			if !present && !(f.labels && own != nil) {
				continue
			}
		case formStruct:
			if !present {
				v = emptyMessage(m, f.path)
			}
		}
		if f.key == "" {
			return resFail
		}
		mk := mark{len(e.buf), e.col}
		if n == 0 && inline {
			e.pad(keyInd)
		} else {
			e.indent(keyInd)
		}
		e.write(f.key)
		var r result
		switch {
		case f.form == formTypeMeta:
			r = e.scalarStr(v.String())
		case f.labels && own != nil:
			var pm protoreflect.Map
			if present {
				pm = v.Map()
			}
			r = e.stringMap(pm, own, keyInd, true)
		case f.form == formPtr:
			if !e.enter() {
				return resFail
			}
			r = f.enc(e, v, keyInd, true)
			e.depth--
		case root && f.meta:
			e.metaOwn = e.own
			r = f.enc(e, v, keyInd, true)
			e.metaOwn = nil
		default:
			r = f.enc(e, v, keyInd, true)
		}
		switch r {
		case resFail:
			return resFail
		case resNull:
			e.reset(mk)
			continue
		case resEmpty:
			if f.form == formStruct && f.pruneEmpty {
				e.reset(mk)
				continue
			}
		}
		n++
	}
	e.depth--
	if n == 0 {
		e.write(" {}")
		return resEmpty
	}
	return resOK
}

// fieldValue returns the value of the field path leads to from m (sm, if
// m is a slot message) and whether it is set: unset embedded messages
// read as empty ones.
func fieldValue(m protoreflect.Message, sm *slotpb.Message, f *msgField) (protoreflect.Value, bool) {
	path := f.path
	if len(path) > 1 {
		for len(path) > 1 {
			m = m.Get(path[0]).Message()
			path = path[1:]
		}
		sm, _ = m.(*slotpb.Message)
	}
	fd := path[0]
	if sm != nil {
		_, v := sm.Field(f.index)
		return v, v.IsValid()
	}
	if !m.Has(fd) {
		return protoreflect.Value{}, false
	}
	return m.Get(fd), true
}

// emptyMessage returns the empty message an unset message field (at the
// end of path from m) reads as.
func emptyMessage(m protoreflect.Message, path []protoreflect.FieldDescriptor) protoreflect.Value {
	for len(path) > 1 {
		m = m.Get(path[0]).Message()
		path = path[1:]
	}
	return m.Get(path[0])
}

// isZeroScalar reports whether v, a value of a scalar field of kind k,
// is the zero value of its Go type (for omitempty).
func isZeroScalar(v protoreflect.Value, k protoreflect.Kind) bool {
	switch k {
	case protoreflect.BoolKind:
		return !v.Bool()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int() == 0
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return v.Uint() == 0
	case protoreflect.FloatKind:
		return float32(v.Float()) == 0
	case protoreflect.DoubleKind:
		return v.Float() == 0
	case protoreflect.StringKind:
		return v.String() == ""
	}
	return false
}
