package manifest

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// This file is the direct path of Encode: one pass over the Go value that
// writes YAML as it goes, with no document tree in between. It produces
// exactly what the two-pass path (tree.go, then emit.go) produces, and
// gives up (ok == false) wherever that is not certain, so that
// appendEncode takes the two-pass path for the whole object instead:
// strings outside the fast emitter's reach (line breaks, non-ASCII,
// invalid UTF-8, folding near column 80, long keys), map keys that are
// not strings or integers, unsupported types, encoding errors and nesting
// past maxDepth. Unstructured objects and types with their own MarshalJSON
// at the top always take the two-pass path.
//
// Each Go type gets a yamlEnc, built once from the same structPlan as the
// tree walker (members in emission order, omitempty, omitzero, pruning),
// and cached. Pruning is decided after the fact: a struct member's key is
// written, then its value; if the value came out null, or as an empty
// mapping that pruning removes, the buffer is cut back to before the key.
// Map keys are sorted at run time exactly as sortItems sorts them. Leaf
// types with a MarshalJSON method take their JSON text through jsonNode
// and the fast emitter, except resource.Quantity, intstr.IntOrString and
// metav1.Time, which are written from their fields (the same text, none of
// the allocations).

// result says what an encoder wrote.
type result uint8

const (
	resFail  result = iota // outside the direct path: start over on the two-pass path
	resOK                  // a value other than the two below
	resNull                // null
	resEmpty               // an empty mapping, {}
)

// yamlEnc writes one value of a fixed type as YAML. It is called right
// after "key:" (inMapping) or "-", whose collection starts at column ind,
// and writes the separator itself: " scalar", " {}", or the block
// collection on the following lines.
type yamlEnc func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result

// directEncoder carries the state of one direct encoding.
type directEncoder struct {
	fastEmitter
	depth   int
	top     bool   // the next struct is the document root
	scratch []byte // scalar text formatted before it is written
}

// smallMap is the most members a map may have for its encoder to sort
// them on the stack (no allocation, no write barriers).
const smallMap = 16

// mapEntry is one member of a map being written.
type mapEntry struct {
	key  string
	sval string        // the value, for maps of strings
	val  reflect.Value // the value, for other maps
}

var directPool = sync.Pool{New: func() any { return new(directEncoder) }}

// maxPooledBuffer is the largest buffer a pooled encoder keeps.
const maxPooledBuffer = 64 << 10

// appendDirect appends the YAML document of obj to b on the direct path.
// ok is false if obj is outside it; b's contents are then unchanged (its
// length is what it was).
func appendDirect(b []byte, obj runtime.Object) (_ []byte, ok bool) {
	root, enc := directRoot(obj)
	if enc == nil {
		return b, false
	}
	e := directPool.Get().(*directEncoder)
	own := e.buf
	out, ok := e.run(b, root, enc)
	e.buf = own
	e.release()
	return out, ok
}

// encodeDirect returns the YAML document of obj on the direct path, in a
// slice of its own, or ok == false.
func encodeDirect(obj runtime.Object) (_ []byte, ok bool) {
	root, enc := directRoot(obj)
	if enc == nil {
		return nil, false
	}
	e := directPool.Get().(*directEncoder)
	buf, ok := e.run(e.buf[:0], root, enc)
	var out []byte
	if ok {
		out = slices.Clone(buf)
	}
	e.buf = buf[:0]
	e.release()
	return out, ok
}

// run appends the document of root, encoded by enc, to b and returns it;
// on resFail it returns b with its length as it was.
func (e *directEncoder) run(b []byte, root reflect.Value, enc yamlEnc) ([]byte, bool) {
	e.buf, e.col, e.depth, e.top = b, 0, 0, true
	r := enc(e, root, 0, false)
	out := e.buf
	e.buf = nil
	switch r {
	case resFail:
		return out[:len(b)], false
	case resEmpty:
		// An empty root is "{}" on its own; the encoder wrote " {}".
		out = append(out[:len(out)-3], "{}"...)
	}
	return append(out, '\n'), true
}

// release returns e to the pool, dropping oversized buffers.
func (e *directEncoder) release() {
	if cap(e.buf) > maxPooledBuffer {
		e.buf = nil
	}
	if cap(e.scratch) > maxPooledBuffer {
		e.scratch = nil
	}
	directPool.Put(e)
}

// directRoot returns the struct value of obj and its encoder, or a nil
// encoder if obj takes the two-pass path (which also reports every error).
func directRoot(obj runtime.Object) (reflect.Value, yamlEnc) {
	if obj == nil {
		return reflect.Value{}, nil
	}
	if _, ok := obj.(runtime.Unstructured); ok {
		return reflect.Value{}, nil
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}, nil
	}
	enc := rootEncFor(v.Type())
	if enc == nil {
		return reflect.Value{}, nil
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return reflect.Value{}, nil
	}
	return v.Elem(), enc
}

var rootCache sync.Map // reflect.Type (a pointer) → yamlEnc, nil if not on the direct path

// rootEncFor returns the encoder of the struct *p points to as a document
// root, or nil if objects of type p take the two-pass path: p is not a
// pointer to a struct, or the struct has its own MarshalJSON or
// MarshalText.
func rootEncFor(p reflect.Type) yamlEnc {
	if f, ok := rootCache.Load(p); ok {
		return f.(yamlEnc)
	}
	var enc yamlEnc
	if p.Elem().Kind() == reflect.Struct && !p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
		enc = directEncFor(p.Elem())
	}
	rootCache.Store(p, enc)
	return enc
}

var directCache sync.Map // reflect.Type → yamlEnc

// directEncFor returns the cached direct encoder for t, building it on
// first use.
func directEncFor(t reflect.Type) yamlEnc {
	return cachedEncoder(&directCache, t, func() yamlEnc { return newDirectEnc(t) },
		func(get func() yamlEnc) yamlEnc {
			return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
				return get()(e, v, ind, inMapping)
			}
		})
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	timeType        = reflect.TypeFor[metav1.Time]()

	// quantityCache is the index of Quantity's cached text, the unexported
	// field s that MarshalJSON prints when it is set; -1 if there is none.
	quantityCache = func() int {
		f, ok := quantityType.FieldByName("s")
		if !ok || f.Type.Kind() != reflect.String || len(f.Index) != 1 {
			return -1
		}
		return f.Index[0]
	}()
	// intOrString* are the indices of IntOrString's fields.
	intOrStringFields = func() [3]int {
		idx := [3]int{-1, -1, -1}
		for i, name := range []string{"Type", "IntVal", "StrVal"} {
			if f, ok := intOrStringType.FieldByName(name); ok && len(f.Index) == 1 {
				idx[i] = f.Index[0]
			}
		}
		return idx
	}()
)

// newDirectEnc builds the direct encoder for t, following newTypeEnc.
func newDirectEnc(t reflect.Type) yamlEnc {
	switch t {
	case quantityType:
		if quantityCache >= 0 {
			return quantityEnc
		}
	case intOrStringType:
		if intOrStringFields[0] >= 0 && intOrStringFields[1] >= 0 && intOrStringFields[2] >= 0 {
			return intOrStringEnc
		}
	case timeType:
		return timeEnc
	}
	if t.Kind() == reflect.Pointer {
		// A pointer's MarshalJSON or MarshalText (its own or its
		// element's) is the element's, which is addressable: encoding the
		// element does the same.
		return newPtrDirect(t)
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType) ||
		t.Implements(marshalerType) ||
		t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType) ||
		t.Implements(textMarshalerType) {
		// Leaves: the tree walker's encoder makes the node.
		return nodeEnc(typeEnc(t))
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolDirect
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intDirect
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintDirect
	case reflect.String:
		if t == numberType {
			return nodeEnc(numberEnc)
		}
		return stringDirect
	case reflect.Float32:
		return nodeEnc(float32Enc)
	case reflect.Float64:
		return nodeEnc(float64Enc)
	case reflect.Interface:
		return interfaceDirect
	case reflect.Struct:
		return newStructDirect(t)
	case reflect.Map:
		return newMapDirect(t)
	case reflect.Slice:
		return newSliceDirect(t)
	case reflect.Array:
		return newArrayDirect(t)
	}
	return failDirect
}

func failDirect(*directEncoder, reflect.Value, int, bool) result { return resFail }

// nodeEnc adapts an encoder of the tree walker: it makes the node and
// writes it with the fast emitter.
func nodeEnc(enc encFunc) yamlEnc {
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		// The walker starts at the depth reached here, so that it gives up
		// where the tree walker would.
		w := walker{depth: e.depth}
		n, err := enc(&w, v)
		if err != nil {
			return resFail
		}
		return e.node(n, ind, inMapping)
	}
}

// node writes a document tree node as fastEmitter.value does.
func (e *directEncoder) node(n any, ind int, inMapping bool) result {
	if !e.value(n, ind, inMapping) {
		return resFail
	}
	switch n := n.(type) {
	case nil:
		return resNull
	case yaml.MapSlice:
		if len(n) == 0 {
			return resEmpty
		}
	}
	return resOK
}

// null writes a null value.
func (e *directEncoder) null() result {
	e.write(" null")
	return resNull
}

// scalarStr writes the string scalar s after a space.
func (e *directEncoder) scalarStr(s string) result {
	e.write(" ")
	if !e.str(s, true) {
		return resFail
	}
	return resOK
}

// scalarBytes writes the string scalar held in e.scratch after a space.
func (e *directEncoder) scalarScratch() result {
	if len(e.scratch) == 0 {
		return e.scalarStr("")
	}
	return e.scalarStr(unsafe.String(&e.scratch[0], len(e.scratch)))
}

// The scalar writers below are shared by the encoders of Go values and
// of protobuf messages (message.go): each writes " " and the scalar.

func (e *directEncoder) boolScalar(b bool) result {
	if b {
		e.write(" true")
	} else {
		e.write(" false")
	}
	return resOK
}

func (e *directEncoder) intScalar(i int64) result {
	e.write(" ")
	e.number(strconv.AppendInt(e.buf, i, 10))
	return resOK
}

// uintScalar writes u; uintNode's int64 and uint64 print the same digits.
func (e *directEncoder) uintScalar(u uint64) result {
	e.write(" ")
	e.number(strconv.AppendUint(e.buf, u, 10))
	return resOK
}

// bytesScalar writes b in base64, as encoding/json writes a []byte.
func (e *directEncoder) bytesScalar(b []byte) result {
	e.scratch = base64.StdEncoding.AppendEncode(e.scratch[:0], b)
	return e.scalarScratch()
}

func boolDirect(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	return e.boolScalar(v.Bool())
}

func intDirect(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	return e.intScalar(v.Int())
}

func uintDirect(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	return e.uintScalar(v.Uint())
}

func stringDirect(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	// A string that is not valid UTF-8 has bytes the fast emitter refuses,
	// so validString would change nothing that gets written.
	return e.scalarStr(v.String())
}

func interfaceDirect(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
	if v.IsNil() {
		return e.null()
	}
	el := v.Elem()
	return directEncFor(el.Type())(e, el, ind, inMapping)
}

// quantityEnc writes a resource.Quantity as its MarshalJSON does: the
// cached text if there is one, else the canonical form.
func quantityEnc(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	if s := v.Field(quantityCache).String(); s != "" {
		return e.scalarStr(s)
	}
	var q *resource.Quantity
	if v.CanAddr() {
		q = (*resource.Quantity)(v.Addr().UnsafePointer())
	} else if v.CanInterface() {
		c := v.Interface().(resource.Quantity)
		q = &c
	} else {
		return resFail
	}
	number, suffix := q.CanonicalizeBytes(e.scratch[:0])
	e.scratch = append(append(e.scratch[:0], number...), suffix...)
	return e.scalarScratch()
}

// intOrStringEnc writes an intstr.IntOrString as its MarshalJSON does.
func intOrStringEnc(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	switch intstr.Type(v.Field(intOrStringFields[0]).Int()) {
	case intstr.Int:
		e.write(" ")
		e.number(strconv.AppendInt(e.buf, v.Field(intOrStringFields[1]).Int(), 10))
		return resOK
	case intstr.String:
		return e.scalarStr(v.Field(intOrStringFields[2]).String())
	}
	return resFail // MarshalJSON's error
}

// timeEnc writes a metav1.Time as its MarshalJSON does: null when zero,
// else RFC 3339 in UTC.
func timeEnc(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	var t time.Time
	switch {
	case v.CanAddr():
		t = (*metav1.Time)(v.Addr().UnsafePointer()).Time
	case v.CanInterface():
		t = v.Interface().(metav1.Time).Time
	default:
		return resFail
	}
	if t.IsZero() {
		return e.null()
	}
	e.scratch = t.UTC().AppendFormat(e.scratch[:0], time.RFC3339)
	return e.scalarScratch()
}

// enter counts one more level of nesting and reports whether it is within
// maxDepth. The direct path counts at least every level the tree walker
// counts, so that it never succeeds where that walker reports a value
// nested too deeply.
func (e *directEncoder) enter() bool {
	e.depth++
	return e.depth <= maxDepth
}

func newPtrDirect(t reflect.Type) yamlEnc {
	elem := directEncFor(t.Elem())
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		if v.IsNil() {
			return e.null()
		}
		if !e.enter() {
			return resFail
		}
		r := elem(e, v.Elem(), ind, inMapping)
		e.depth--
		return r
	}
}

func newSliceDirect(t reflect.Type) yamlEnc {
	if t.Elem().Kind() == reflect.Uint8 {
		p := reflect.PointerTo(t.Elem())
		if !p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
			return bytesDirect
		}
	}
	arr := newArrayDirect(t)
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		if v.IsNil() {
			return e.null()
		}
		return arr(e, v, ind, inMapping)
	}
}

func bytesDirect(e *directEncoder, v reflect.Value, _ int, _ bool) result {
	if v.IsNil() {
		return e.null()
	}
	return e.bytesScalar(v.Bytes())
}

func newArrayDirect(t reflect.Type) yamlEnc {
	elem := directEncFor(t.Elem())
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		// Depth is counted as the tree walker counts it, empty sequences
		// too: the direct path must not succeed where that walker fails.
		if !e.enter() {
			return resFail
		}
		n := v.Len()
		if n == 0 {
			e.write(" []")
			e.depth--
			return resOK
		}
		// A sequence under a key is not indented; one in a sequence
		// item starts on the item's line.
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
			if elem(e, v.Index(i), ind, false) == resFail {
				return resFail
			}
		}
		e.depth--
		return resOK
	}
}

// directField is a struct member on the direct path.
type directField struct {
	field
	key     string // "key:" as written, "" if the fast emitter cannot write the key
	nilNull bool   // a nil value of this kind encodes as null
	enc     yamlEnc
}

func newStructDirect(t reflect.Type) yamlEnc {
	plan := cachedPlan(t)
	fields := make([]directField, len(plan.fields))
	status := -1
	for i, f := range plan.fields {
		d := directField{field: f, enc: directEncFor(f.typ)}
		var k fastEmitter
		if len(f.name) <= yamlMaxSimpleKey && k.str(f.name, false) {
			d.key = string(k.buf) + ":"
		}
		switch f.typ.Kind() {
		case reflect.Pointer, reflect.Interface:
			d.nilNull = true
		case reflect.Map, reflect.Slice:
			p := reflect.PointerTo(f.typ)
			d.nilNull = !p.Implements(marshalerType) && !p.Implements(textMarshalerType) &&
				(f.typ.Kind() == reflect.Slice || validMapKey(f.typ.Key()))
		}
		if f.name == "status" && plan.hasStatus {
			status = i
		}
		fields[i] = d
	}
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		skip := -1
		keyInd, inline := ind+2, !inMapping
		if e.top {
			e.top = false
			skip, keyInd, inline = status, 0, true
		}
		if !e.enter() {
			return resFail
		}
		n := 0
	fields:
		for i := range fields {
			f := &fields[i]
			if i == skip {
				continue
			}
			var fv reflect.Value
			if len(f.index) == 1 {
				fv = v.Field(f.index[0])
			} else {
				fv = v
				for _, x := range f.index {
					if fv.Kind() == reflect.Pointer {
						if fv.IsNil() {
							continue fields
						}
						fv = fv.Elem()
					}
					fv = fv.Field(x)
				}
			}
			if f.nilNull && fv.IsNil() {
				continue
			}
			if f.omitEmpty && isEmptyValue(fv) ||
				f.omitZero && (f.isZero == nil && fv.IsZero() || f.isZero != nil && f.isZero(fv)) {
				continue
			}
			if f.key == "" {
				return resFail
			}
			m := mark{len(e.buf), e.col}
			if n == 0 && inline {
				e.pad(keyInd)
			} else {
				e.indent(keyInd)
			}
			e.write(f.key)
			var r result
			if f.quoted {
				qn, err := quotedNode(fv)
				if err != nil {
					return resFail
				}
				r = e.node(qn, keyInd, true)
			} else {
				r = f.enc(e, fv, keyInd, true)
			}
			switch r {
			case resFail:
				return resFail
			case resNull:
				e.reset(m)
				continue
			case resEmpty:
				if f.pruneEmpty && (!f.addrLeaf || !fv.CanAddr()) {
					e.reset(m)
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
}

// mark is a position in the output to go back to.
type mark struct{ n, col int }

func (e *directEncoder) reset(m mark) {
	e.buf = e.buf[:m.n]
	e.col = m.col
}

// validMapKey reports whether encoding/json accepts map keys of type t.
func validMapKey(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return t.Implements(textMarshalerType)
}

var stringMapType = reflect.TypeFor[map[string]string]()

func newMapDirect(t reflect.Type) yamlEnc {
	kt := t.Key()
	if !validMapKey(kt) {
		return failDirect
	}
	if kt.Kind() != reflect.String && kt.Implements(textMarshalerType) {
		return failDirect // rare; the two-pass path has the details
	}
	if t == stringMapType {
		return stringMapDirect
	}
	elem := directEncFor(t.Elem())
	// Map members are copied out of the map as the iteration reaches
	// them (reflect allocates a copy per key and value). Into slots from
	// a pool instead, unless the element type encodes differently when
	// addressable, as slots are.
	var slots *sync.Pool
	if !addrSensitive(t.Elem()) {
		slots = &sync.Pool{New: func() any { return &mapSlots{key: reflect.New(kt).Elem()} }}
	}
	return func(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
		if v.IsNil() {
			return e.null()
		}
		if !e.enter() {
			return resFail
		}
		var ms *mapSlots
		if slots != nil {
			ms = slots.Get().(*mapSlots)
			for len(ms.vals) < v.Len() {
				ms.vals = append(ms.vals, reflect.New(t.Elem()).Elem())
			}
		}
		var local [smallMap]mapEntry
		ents := local[:0]
		if n := v.Len(); n > smallMap {
			ents = make([]mapEntry, 0, n)
		}
		var it reflect.MapIter
		it.Reset(v)
		for it.Next() {
			var k, ev reflect.Value
			if ms != nil {
				k, ev = ms.key, ms.vals[len(ents)]
				k.SetIterKey(&it)
				ev.SetIterValue(&it)
			} else {
				k, ev = it.Key(), it.Value()
			}
			var ks string
			switch k.Kind() {
			case reflect.String:
				ks = k.String()
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				ks = strconv.FormatInt(k.Int(), 10)
			default:
				ks = strconv.FormatUint(k.Uint(), 10)
			}
			ents = append(ents, mapEntry{key: ks, val: ev})
		}
		sortEntries(ents)
		r := e.mapEntries(ents, ind, inMapping, elem)
		if ms != nil {
			if r != resFail {
				// Let go of what the slots point to; a failed run is
				// not worth the effort.
				ms.key.SetZero()
				for _, ev := range ms.vals[:min(len(ms.vals), v.Len())] {
					ev.SetZero()
				}
			}
			slots.Put(ms)
		}
		e.depth--
		return r
	}
}

// mapSlots are addressable variables to copy the members of a map into.
type mapSlots struct {
	key  reflect.Value
	vals []reflect.Value
}

// addrSensitive reports whether values of type t may encode differently
// when addressable: t, or a struct member or array element of t, has a
// MarshalJSON or MarshalText method on its pointer type only.
func addrSensitive(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer || t.Implements(marshalerType) {
		return false
	}
	p := reflect.PointerTo(t)
	switch {
	case p.Implements(marshalerType):
		return true
	case t.Implements(textMarshalerType):
		return false
	case p.Implements(textMarshalerType):
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if addrSensitive(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return addrSensitive(t.Elem())
	}
	return false
}

func stringMapDirect(e *directEncoder, v reflect.Value, ind int, inMapping bool) result {
	if v.IsNil() {
		return e.null()
	}
	if !v.CanInterface() {
		return resFail
	}
	if !e.enter() {
		return resFail
	}
	m := v.Interface().(map[string]string)
	var local [smallMap]mapEntry
	ents := local[:0]
	if len(m) > smallMap {
		ents = make([]mapEntry, 0, len(m))
	}
	for k, s := range m {
		ents = append(ents, mapEntry{key: k, sval: s})
	}
	sortEntries(ents)
	r := e.mapEntries(ents, ind, inMapping, nil)
	e.depth--
	return r
}

// mapEntries writes the members of a map, sorted, with elem for their
// values (nil: the values are strings, in sval).
func (e *directEncoder) mapEntries(ents []mapEntry, ind int, inMapping bool, elem yamlEnc) result {
	if len(ents) == 0 {
		e.write(" {}")
		return resEmpty
	}
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
		var r result
		if elem == nil {
			r = e.scalarStr(ents[i].sval)
		} else {
			r = elem(e, ents[i].val, ind, true)
		}
		if r == resFail {
			return resFail
		}
	}
	return resOK
}

// sortEntries puts map members into emission order, as sortItems does:
// by bytes, then stably by keyLess. Up to 20 members (every map of a
// typical object) slices.SortStableFunc is an insertion sort; this is the
// same insertion sort, on keyLess directly.
func sortEntries(ents []mapEntry) {
	if len(ents) < 2 {
		return
	}
	if len(ents) > 20 {
		slices.SortFunc(ents, func(x, y mapEntry) int { return strings.Compare(x.key, y.key) })
		slices.SortStableFunc(ents, func(x, y mapEntry) int { return keyCompare(x.key, y.key) })
		return
	}
	// Map keys are distinct, so any sort by bytes gives the same order.
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && ents[j].key < ents[j-1].key; j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && keyLess(ents[j].key, ents[j-1].key); j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
}
