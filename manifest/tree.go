package manifest

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v2"
)

// This file turns a Go value into a document tree: the value that
// sigs.k8s.io/yaml would get by decoding json.Marshal's output with yaml.v2,
// minus the fields that pruning removes (see doc.go). The tree's nodes are
//
//	nil                  JSON null
//	bool, string
//	int64, uint64, float64 (a number, typed as yaml.v2 resolves its JSON text)
//	[]any                a JSON array
//	yaml.MapSlice        a JSON object, items in emission order (keyLess)
//
// The walk follows encoding/json's rules (field names, omitempty, omitzero,
// embedded structs, Marshaler and TextMarshaler, []byte as base64, invalid
// UTF-8 replaced) so that the tree is what the reference path decodes.

// maxDepth bounds the nesting of a value, so that a pointer cycle is an error
// rather than a stack overflow.
const maxDepth = 10000

// walker carries the state of one encoding.
type walker struct {
	depth int
}

// encFunc encodes one value of a fixed type into a node.
type encFunc func(w *walker, v reflect.Value) (any, error)

var encCache sync.Map // reflect.Type → encFunc

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	numberType        = reflect.TypeFor[json.Number]()
)

// typeEnc returns the cached encoder for t, building it on first use.
func typeEnc(t reflect.Type) encFunc {
	return cachedEncoder(&encCache, t, func() encFunc { return newTypeEnc(t, true) },
		func(get func() encFunc) encFunc {
			return func(w *walker, v reflect.Value) (any, error) { return get()(w, v) }
		})
}

// cachedEncoder returns the encoder cache holds for t (a type, or a key
// naming one with something more), building it with
// build on first use. A recursive type reaches itself while its encoder
// is being built: an indirection made by indirect, which waits for the
// encoder being built (get) and calls it, is published first, as
// encoding/json does.
func cachedEncoder[K comparable, F any](cache *sync.Map, t K, build func() F, indirect func(get func() F) F) F {
	if f, ok := cache.Load(t); ok {
		return f.(F)
	}
	var (
		wg sync.WaitGroup
		f  F
	)
	wg.Add(1)
	fi, loaded := cache.LoadOrStore(t, indirect(func() F { wg.Wait(); return f }))
	if loaded {
		return fi.(F)
	}
	f = build()
	wg.Done()
	cache.Store(t, f)
	return f
}

// newTypeEnc builds the encoder for t. allowAddr says whether a method with a
// pointer receiver may be used when the value is addressable.
func newTypeEnc(t reflect.Type, allowAddr bool) encFunc {
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(marshalerType) {
		return condAddrEnc(addrMarshalerEnc, newTypeEnc(t, false))
	}
	if t.Implements(marshalerType) {
		return marshalerEnc
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(textMarshalerType) {
		return condAddrEnc(addrTextMarshalerEnc, newTypeEnc(t, false))
	}
	if t.Implements(textMarshalerType) {
		return textMarshalerEnc
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolEnc
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intEnc
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintEnc
	case reflect.Float32:
		return float32Enc
	case reflect.Float64:
		return float64Enc
	case reflect.String:
		if t == numberType {
			return numberEnc
		}
		return stringEnc
	case reflect.Interface:
		return interfaceEnc
	case reflect.Struct:
		return newStructEnc(t)
	case reflect.Map:
		return newMapEnc(t)
	case reflect.Slice:
		return newSliceEnc(t)
	case reflect.Array:
		return newArrayEnc(t)
	case reflect.Pointer:
		return newPtrEnc(t)
	}
	return func(_ *walker, v reflect.Value) (any, error) {
		return nil, fmt.Errorf("unsupported type %s", v.Type())
	}
}

func condAddrEnc(canAddr, elseEnc encFunc) encFunc {
	return func(w *walker, v reflect.Value) (any, error) {
		if v.CanAddr() {
			return canAddr(w, v)
		}
		return elseEnc(w, v)
	}
}

func marshalerEnc(_ *walker, v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok {
		return nil, nil
	}
	return marshalerNode(m, v.Type())
}

func addrMarshalerEnc(_ *walker, v reflect.Value) (any, error) {
	return marshalerNode(v.Addr().Interface().(json.Marshaler), v.Type())
}

func marshalerNode(m json.Marshaler, t reflect.Type) (any, error) {
	b, err := m.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("calling MarshalJSON for type %s: %w", t, err)
	}
	n, err := jsonNode(b)
	if err != nil {
		return nil, fmt.Errorf("calling MarshalJSON for type %s: %w", t, err)
	}
	return n, nil
}

func textMarshalerEnc(_ *walker, v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return nil, nil
	}
	return textNode(m, v.Type())
}

func addrTextMarshalerEnc(_ *walker, v reflect.Value) (any, error) {
	return textNode(v.Addr().Interface().(encoding.TextMarshaler), v.Type())
}

func textNode(m encoding.TextMarshaler, t reflect.Type) (any, error) {
	b, err := m.MarshalText()
	if err != nil {
		return nil, fmt.Errorf("calling MarshalText for type %s: %w", t, err)
	}
	return validString(string(b)), nil
}

func boolEnc(_ *walker, v reflect.Value) (any, error) { return v.Bool(), nil }

func intEnc(_ *walker, v reflect.Value) (any, error) { return v.Int(), nil }

func uintEnc(_ *walker, v reflect.Value) (any, error) { return uintNode(v.Uint()), nil }

func uintNode(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return u
}

func float32Enc(_ *walker, v reflect.Value) (any, error) { return floatNode(v.Float(), 32) }

func float64Enc(_ *walker, v reflect.Value) (any, error) { return floatNode(v.Float(), 64) }

// floatNode formats f as encoding/json does and then types the text as yaml.v2
// resolves a plain scalar: an integer if it parses as one, else a float.
func floatNode(f float64, bits int) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("unsupported value %s", strconv.FormatFloat(f, 'g', -1, bits))
	}
	return numberNode(string(appendJSONFloat(nil, f, bits)))
}

// appendJSONFloat appends f in the format of encoding/json: like %g but with
// ES6 exponent cut-offs and no zero-padding of exponents.
func appendJSONFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// numberNode types the text of a JSON number as yaml.v2 resolves it.
func numberNode(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return i, nil
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return u, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number literal %q", s)
	}
	return f, nil
}

func numberEnc(_ *walker, v reflect.Value) (any, error) {
	s := v.String()
	if s == "" {
		s = "0"
	}
	if !isJSONNumber(s) {
		return nil, fmt.Errorf("invalid number literal %q", s)
	}
	return numberNode(s)
}

// isJSONNumber reports whether s is a number in JSON's grammar.
func isJSONNumber(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	switch {
	case strings.HasPrefix(s, "0"):
		s = s[1:]
	case digits() == 0:
		return false
	}
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	}
	if strings.HasPrefix(s, "e") || strings.HasPrefix(s, "E") {
		s = s[1:]
		if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

func stringEnc(_ *walker, v reflect.Value) (any, error) { return validString(v.String()), nil }

// validString replaces every byte of s that is not part of valid UTF-8 with
// U+FFFD, as encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func interfaceEnc(w *walker, v reflect.Value) (any, error) {
	if v.IsNil() {
		return nil, nil
	}
	return w.value(v.Elem())
}

// value encodes v by its dynamic type.
func (w *walker) value(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	return typeEnc(v.Type())(w, v)
}

func (w *walker) enter(t reflect.Type) error {
	w.depth++
	if w.depth > maxDepth {
		return fmt.Errorf("value of type %s nested deeper than %d levels (a pointer cycle?)", t, maxDepth)
	}
	return nil
}

func newPtrEnc(t reflect.Type) encFunc {
	elem := typeEnc(t.Elem())
	return func(w *walker, v reflect.Value) (any, error) {
		if v.IsNil() {
			return nil, nil
		}
		if err := w.enter(t); err != nil {
			return nil, err
		}
		n, err := elem(w, v.Elem())
		w.depth--
		return n, err
	}
}

func newSliceEnc(t reflect.Type) encFunc {
	if t.Elem().Kind() == reflect.Uint8 {
		p := reflect.PointerTo(t.Elem())
		if !p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
			return bytesEnc
		}
	}
	arr := newArrayEnc(t)
	return func(w *walker, v reflect.Value) (any, error) {
		if v.IsNil() {
			return nil, nil
		}
		return arr(w, v)
	}
}

func bytesEnc(_ *walker, v reflect.Value) (any, error) {
	if v.IsNil() {
		return nil, nil
	}
	return base64.StdEncoding.EncodeToString(v.Bytes()), nil
}

func newArrayEnc(t reflect.Type) encFunc {
	elem := typeEnc(t.Elem())
	return func(w *walker, v reflect.Value) (any, error) {
		if err := w.enter(t); err != nil {
			return nil, err
		}
		defer func() { w.depth-- }()
		out := make([]any, v.Len())
		for i := range out {
			n, err := elem(w, v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
}

func newMapEnc(t reflect.Type) encFunc {
	kt := t.Key()
	switch kt.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !kt.Implements(textMarshalerType) {
			return func(_ *walker, _ reflect.Value) (any, error) {
				return nil, fmt.Errorf("unsupported type %s", t)
			}
		}
	}
	elem := typeEnc(t.Elem())
	return func(w *walker, v reflect.Value) (any, error) {
		if v.IsNil() {
			return nil, nil
		}
		if err := w.enter(t); err != nil {
			return nil, err
		}
		defer func() { w.depth-- }()
		items := make(yaml.MapSlice, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, err := mapKey(it.Key())
			if err != nil {
				return nil, fmt.Errorf("encoding map key of type %s: %w", t, err)
			}
			n, err := elem(w, it.Value())
			if err != nil {
				return nil, err
			}
			items = append(items, yaml.MapItem{Key: validString(k), Value: n})
		}
		sortItems(items)
		return items, nil
	}
}

// mapKey turns a map key into a string as encoding/json does.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	default:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
}

// field is one JSON member of a struct type, as encoding/json finds it.
type field struct {
	name      string
	index     []int
	typ       reflect.Type // the field's declared type
	tagged    bool         // the name came from a json tag
	omitEmpty bool
	omitZero  bool
	isZero    func(reflect.Value) bool
	quoted    bool // the ",string" option applies
	enc       encFunc

	// pruneEmpty: the field is a struct (not a pointer) that is encoded
	// member by member, so an empty object in its place is a zero value
	// that the author could not have meant, and is dropped. addrLeaf: *typ
	// has MarshalJSON, which replaces the member-by-member encoding when the
	// value is addressable.
	pruneEmpty bool
	addrLeaf   bool
}

// structPlan is the encoding plan of a struct type.
type structPlan struct {
	fields    []field // in emission order (keyLess of the names); enc unset
	hasStatus bool    // a member "status" is a struct or a pointer to one
}

var planCache sync.Map // reflect.Type → *structPlan

func cachedPlan(t reflect.Type) *structPlan {
	if p, ok := planCache.Load(t); ok {
		return p.(*structPlan)
	}
	p, _ := planCache.LoadOrStore(t, newStructPlan(t))
	return p.(*structPlan)
}

func newStructEnc(t reflect.Type) encFunc {
	fields := slices.Clone(cachedPlan(t).fields)
	for i := range fields {
		fields[i].enc = typeEnc(fields[i].typ)
	}
	return func(w *walker, v reflect.Value) (any, error) {
		return w.structNode(fields, v)
	}
}

// structNode encodes the struct v member by member.
func (w *walker) structNode(fields []field, v reflect.Value) (any, error) {
	if err := w.enter(v.Type()); err != nil {
		return nil, err
	}
	defer func() { w.depth-- }()
	items := make(yaml.MapSlice, 0, len(fields))
fields:
	for i := range fields {
		f := &fields[i]
		fv := v
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		if f.omitEmpty && isEmptyValue(fv) ||
			f.omitZero && (f.isZero == nil && fv.IsZero() || f.isZero != nil && f.isZero(fv)) {
			continue
		}
		var n any
		var err error
		if f.quoted {
			n, err = quotedNode(fv)
		} else {
			n, err = f.enc(w, fv)
		}
		if err != nil {
			return nil, err
		}
		if n == nil {
			continue // null member: the value is unset
		}
		if f.pruneEmpty && (!f.addrLeaf || !fv.CanAddr()) {
			if m, ok := n.(yaml.MapSlice); ok && len(m) == 0 {
				continue
			}
		}
		items = append(items, yaml.MapItem{Key: f.name, Value: n})
	}
	return items, nil
}

// quotedNode encodes a field with the ",string" option: the JSON text of the
// value, as a string.
func quotedNode(v reflect.Value) (any, error) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		bits := 64
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("unsupported value %s", strconv.FormatFloat(f, 'g', -1, bits))
		}
		return string(appendJSONFloat(nil, f, bits)), nil
	case reflect.String:
		if v.Type() == numberType {
			s := v.String()
			if s == "" {
				s = "0"
			}
			if !isJSONNumber(s) {
				return nil, fmt.Errorf("invalid number literal %q", s)
			}
			return s, nil
		}
		b, err := json.Marshal(v.String())
		return string(b), err
	}
	return nil, fmt.Errorf("the ,string option on type %s", v.Type())
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// newStructPlan finds the JSON members of struct type t by encoding/json's
// rules: exported fields named by their json tag or Go name, "-" skipped,
// fields of untagged embedded structs promoted (a tag name such as
// `json:",inline"` is empty, so TypeMeta is promoted), and among fields of the
// same name the shallowest wins, then a tagged one; otherwise all are dropped.
func newStructPlan(t reflect.Type) *structPlan {
	type queued struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	next := []queued{{typ: t}}
	visited := map[reflect.Type]bool{}
	// count: how often each type queued for this level was embedded at it.
	var count, nextCount map[reflect.Type]int
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, q := range current {
			if visited[q.typ] {
				continue
			}
			visited[q.typ] = true
			for i := 0; i < q.typ.NumField(); i++ {
				sf := q.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clip(q.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					nextCount[ft]++
					if nextCount[ft] == 1 {
						next = append(next, queued{typ: ft, index: index})
					}
					continue
				}
				f := field{
					name:      name,
					tagged:    name != "",
					index:     index,
					typ:       sf.Type,
					omitEmpty: hasOption(opts, "omitempty"),
					omitZero:  hasOption(opts, "omitzero"),
				}
				if f.name == "" {
					f.name = sf.Name
				}
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						f.quoted = !sf.Type.Implements(marshalerType) && !sf.Type.Implements(textMarshalerType)
					}
				}
				if f.omitZero {
					f.isZero = isZeroFunc(sf.Type)
				}
				if sf.Type.Kind() == reflect.Struct && !sf.Type.Implements(marshalerType) && !sf.Type.Implements(textMarshalerType) {
					f.pruneEmpty = true
					p := reflect.PointerTo(sf.Type)
					f.addrLeaf = p.Implements(marshalerType) || p.Implements(textMarshalerType)
				}
				fields = append(fields, f)
				if count[q.typ] > 1 {
					// The same embedded type twice at this depth: a
					// duplicate makes the name ambiguous below.
					fields = append(fields, f)
				}
			}
		}
	}

	// Resolve name conflicts: per name, the shallowest field wins, then the
	// tagged one; two equally good candidates cancel out.
	slices.SortStableFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return +1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []field
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		i = j
		if len(group) > 1 {
			first, second := group[0], group[1]
			if len(first.index) == len(second.index) && first.tagged == second.tagged {
				continue
			}
		}
		out = append(out, group[0])
	}

	slices.SortStableFunc(out, func(a, b field) int { return keyCompare(a.name, b.name) })
	p := &structPlan{fields: out}
	for _, f := range out {
		if f.name != "status" {
			continue
		}
		ft := f.typ
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		p.hasStatus = ft.Kind() == reflect.Struct
	}
	return p
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTagName reports whether name may be used as a JSON key from a tag, by
// encoding/json's rule.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// isZeroFunc returns how an omitzero field of type t is tested, or nil to use
// reflect.Value.IsZero.
func isZeroFunc(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() ||
				v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() ||
				v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	return nil
}

// jsonNode decodes the JSON text b (the output of a MarshalJSON method) into
// a node, as yaml.v2 decodes JSON.
func jsonNode(b []byte) (any, error) {
	// Fast paths for the shapes leaf types produce: null, a number, and a
	// string without escapes (resource.Quantity, metav1.Time).
	switch {
	case string(b) == "null":
		return nil, nil
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"':
		s := b[1 : len(b)-1]
		if bytes.IndexByte(s, '"') < 0 && bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) && !hasControl(s) {
			return string(s), nil
		}
	case len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9'):
		if isJSONNumber(string(b)) {
			return numberNode(string(b))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("invalid JSON: data after the top-level value")
	}
	return genericNode(v)
}

func hasControl(s []byte) bool {
	for _, c := range s {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// genericNode converts a value decoded by encoding/json (with UseNumber) into
// a node.
func genericNode(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		items := make(yaml.MapSlice, 0, len(v))
		for k, e := range v {
			n, err := genericNode(e)
			if err != nil {
				return nil, err
			}
			items = append(items, yaml.MapItem{Key: k, Value: n})
		}
		sortItems(items)
		return items, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := genericNode(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case json.Number:
		return numberNode(string(v))
	}
	return v, nil // nil, bool, string
}
