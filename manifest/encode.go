package manifest

import (
	"fmt"
	"io"
	"os"
	"reflect"
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/runtime"
)

// Encode returns obj as a YAML document: the fields an author set, in the
// form kubectl prints them, without status and without empty values that
// only stand for unset fields. The same object always gives the same bytes.
// See the package documentation for the exact rules.
//
// obj must be a non-nil pointer to a struct with apiVersion and kind set
// (a k8s.io/api type), or an unstructured object with both set.
func Encode(obj runtime.Object) ([]byte, error) {
	if out, ok := encodeDirect(obj); ok {
		return out, nil
	}
	return appendEncodeTree(nil, obj)
}

// appendEncode appends the YAML document of obj to b, as Encode returns it.
// On error b is returned unchanged.
func appendEncode(b []byte, obj runtime.Object) ([]byte, error) {
	if out, ok := appendDirect(b, obj); ok {
		return out, nil
	}
	return appendEncodeTree(b, obj)
}

// appendEncodeTree is appendEncode on the two-pass path: the document tree
// (tree.go), then the fast emitter (emit.go) or yaml.v2. The direct path
// (direct.go) hands every object it cannot encode to it.
func appendEncodeTree(b []byte, obj runtime.Object) ([]byte, error) {
	tree, err := encodeTree(obj)
	if err != nil {
		return b, err
	}
	if out, ok := appendFastYAML(b, tree); ok {
		return out, nil
	}
	doc, err := emitSlow(tree)
	if err != nil {
		return b, fmt.Errorf("encoding %s: %w", describe(obj), err)
	}
	return append(b, doc...), nil
}

// encodeTree returns the document tree of obj (see tree.go).
func encodeTree(obj runtime.Object) (yaml.MapSlice, error) {
	if obj == nil || reflect.ValueOf(obj).Kind() == reflect.Pointer && reflect.ValueOf(obj).IsNil() {
		return nil, fmt.Errorf("encoding object: object is nil")
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return nil, fmt.Errorf("encoding %s: apiVersion and kind must be set", describe(obj))
	}
	var w walker
	if u, ok := obj.(runtime.Unstructured); ok {
		root, err := w.value(reflect.ValueOf(u.UnstructuredContent()))
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", describe(obj), err)
		}
		m, _ := root.(yaml.MapSlice)
		return pruneUnstructured(m), nil
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("encoding %s: want a pointer to a struct, got %T", describe(obj), obj)
	}
	t := v.Elem().Type()
	var (
		root any
		err  error
	)
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		// A type with its own MarshalJSON: take its output as it is, like
		// an unstructured object.
		root, err = w.value(v)
		if m, ok := root.(yaml.MapSlice); ok && err == nil {
			return pruneUnstructured(m), nil
		}
	} else {
		root, err = w.value(v.Elem())
		if m, ok := root.(yaml.MapSlice); ok && cachedPlan(t).hasStatus {
			root = dropKey(m, "status")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", describe(obj), err)
	}
	m, ok := root.(yaml.MapSlice)
	if !ok {
		return nil, fmt.Errorf("encoding %s: %T does not encode as an object", describe(obj), obj)
	}
	return m, nil
}

// pruneUnstructured drops status and a null metadata.creationTimestamp from
// the document of an unstructured object; the rest is the author's.
func pruneUnstructured(m yaml.MapSlice) yaml.MapSlice {
	out := m[:0:0]
	for _, it := range m {
		switch it.Key {
		case "status":
			continue
		case "metadata":
			if md, ok := it.Value.(yaml.MapSlice); ok {
				it.Value = dropNull(md, "creationTimestamp")
			}
		}
		out = append(out, it)
	}
	return out
}

// dropNull removes the member key from m if its value is null.
func dropNull(m yaml.MapSlice, key string) yaml.MapSlice {
	for _, it := range m {
		if it.Key == key && it.Value == nil {
			return dropKey(m, key)
		}
	}
	return m
}

// dropKey removes the member key from m, in a copy.
func dropKey(m yaml.MapSlice, key string) yaml.MapSlice {
	for i, it := range m {
		if it.Key == key {
			out := make(yaml.MapSlice, 0, len(m)-1)
			out = append(out, m[:i]...)
			return append(out, m[i+1:]...)
		}
	}
	return m
}

// emit writes a document tree as YAML: through the fast path (emit.go)
// when it can, else with yaml.v2.
func emit(tree yaml.MapSlice) ([]byte, error) {
	if b, ok := appendFastYAML(nil, tree); ok {
		return b, nil
	}
	return emitSlow(tree)
}

// emitSlow writes a document tree as YAML with yaml.v2.
func emitSlow(tree yaml.MapSlice) (b []byte, err error) {
	defer func() {
		// yaml.v2 reports some errors by panicking with a string.
		if r := recover(); r != nil {
			err = fmt.Errorf("emitting YAML: %v", r)
		}
	}()
	return yaml.Marshal(tree)
}

// describe names obj in error messages: "apps/v1 Deployment team/web".
func describe(obj runtime.Object) string {
	if obj == nil {
		return "object"
	}
	id := identify(obj)
	s := id.gvk.Kind
	if gv := id.gvk.GroupVersion().String(); gv != "" {
		s = gv + " " + s
	}
	switch {
	case id.namespace != "":
		s += " " + id.namespace + "/" + id.name
	case id.name != "":
		s += " " + id.name
	}
	return s
}

// WriteStream writes objs to w as one multi-document YAML stream, in the
// given order (call Sort first for the canonical one), with "---" between
// documents. A document whose object has a Source starts with the comment
// "# Source: <Source>"; a Document object's (a CloudFormation template,
// an IAM role's JSON) then has "# File: <env>/<service>/<Path>", the file
// it is in a tree. Every object is encoded before anything is written,
// so an object that does not encode leaves w untouched; if several do not,
// the error names the first.
//
// Objects are encoded on all CPUs, in runs of consecutive objects whose
// documents are written in order. Runs whose objects are all encoded
// already (Encoded, Doc) are assembled only as they are written, in one
// reused buffer, or, when w is an *os.File on Linux, not at all:
// their documents go to the kernel as they are, with vectored writes.
func WriteStream(w io.Writer, objs []Object) error {
	chunks := make([][]byte, (len(objs)+streamChunk-1)/streamChunk)
	errs := make([]error, len(chunks))
	// To a file, the runs encoded already become lists of buffers for a
	// vectored write, on all CPUs too.
	f, vectored := w.(*os.File)
	vectored = vectored && len(objs) >= streamChunk && canWriteVectored
	var bufs [][][]byte
	if vectored {
		bufs = make([][][]byte, len(chunks))
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(goruntime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			// Size each run's buffer by the previous run's bytes per
			// object, so that it rarely grows (and copies) on the way.
			perObject := 0
			for {
				c := int(next.Add(1) - 1)
				if c >= len(chunks) {
					return
				}
				lo, hi := c*streamChunk, min((c+1)*streamChunk, len(objs))
				if encoded(objs[lo:hi]) {
					if vectored {
						bufs[c] = chunkBuffers(objs, lo, hi)
					}
					continue
				}
				var b []byte
				if perObject > 0 {
					b = make([]byte, 0, perObject*(hi-lo)+perObject*(hi-lo)/8)
				}
				chunks[c], errs[c] = appendStream(b, objs, lo, hi)
				if vectored {
					bufs[c] = [][]byte{chunks[c]}
				}
				perObject = len(chunks[c]) / (hi - lo)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if vectored {
		if done, err := writeVectored(f, slices.Concat(bufs...)); done {
			if err != nil {
				return fmt.Errorf("writing stream: %w", err)
			}
			return nil
		}
	}
	var scratch []byte
	for c, b := range chunks {
		if b == nil {
			scratch, _ = appendStream(scratch[:0], objs, c*streamChunk, min((c+1)*streamChunk, len(objs)))
			b = scratch
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("writing stream: %w", err)
		}
	}
	return nil
}

// chunkBuffers returns the stream of objs[lo:hi], objects encoded
// already, as a list of buffers for a vectored write: their documents
// themselves (not copies), each after its separator and header, which
// consecutive objects of one Source share. No buffer is empty.
func chunkBuffers(objs []Object, lo, hi int) [][]byte {
	// The separators and headers go into one buffer first, as offsets:
	// slices of it are taken once it has stopped growing.
	type span struct{ lo, hi int }
	var heads []byte
	spans := make([]span, hi-lo)
	prev := -1 // the object whose separator and header objs[i] can share
	for i := lo; i < hi; i++ {
		o := &objs[i]
		if o.Doc == nil && prev > 0 && objs[prev].Doc == nil && sameString(o.Source, objs[prev].Source) {
			spans[i-lo] = spans[prev-lo]
			continue
		}
		start := len(heads)
		if i > 0 {
			heads = append(heads, "---\n"...)
		}
		if o.Doc != nil {
			heads = append(heads, documentHeader(*o, true)...)
		} else {
			heads = appendHeader(heads, *o)
		}
		spans[i-lo] = span{start, len(heads)}
		prev = i
	}
	bufs := make([][]byte, 0, 2*(hi-lo))
	for i := lo; i < hi; i++ {
		if sp := spans[i-lo]; sp.hi > sp.lo {
			bufs = append(bufs, heads[sp.lo:sp.hi:sp.hi])
		}
		doc := objs[i].Encoded
		if objs[i].Doc != nil {
			doc = objs[i].Doc.Data
		}
		if len(doc) > 0 {
			bufs = append(bufs, doc)
		}
	}
	return bufs
}

// sameString is a == b, without comparing the bytes of a string with
// itself.
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// encoded reports whether every object of objs has its document already.
func encoded(objs []Object) bool {
	for _, o := range objs {
		if o.Encoded == nil && o.Doc == nil {
			return false
		}
	}
	return true
}

// streamChunk is the number of consecutive objects one goroutine of
// WriteStream encodes at a time.
const streamChunk = 64

// appendStream appends the documents of objs[lo:hi] to b as WriteStream
// writes them, stopping at the first object that does not encode.
func appendStream(b []byte, objs []Object, lo, hi int) ([]byte, error) {
	for i := lo; i < hi; i++ {
		if i > 0 {
			b = append(b, "---\n"...)
		}
		if o := objs[i]; o.Doc != nil {
			b = append(b, documentHeader(o, true)...)
			b = append(b, o.Doc.Data...)
			continue
		}
		b = appendHeader(b, objs[i])
		if objs[i].Encoded != nil {
			b = append(b, objs[i].Encoded...)
			continue
		}
		var err error
		if b, err = appendEncode(b, objs[i].Obj); err != nil {
			return b, fmt.Errorf("writing stream: %s: %w", objs[i].origin(), err)
		}
	}
	return b, nil
}

// header returns the comment lines that precede an object's document.
func header(o Object) string {
	if o.Source == "" {
		return ""
	}
	return string(appendHeader(nil, o))
}

// appendHeader appends header(o) to b: "# Source: " and o.Source with
// control characters replaced by '?' (and invalid UTF-8 by U+FFFD).
func appendHeader(b []byte, o Object) []byte {
	if o.Source == "" {
		return b
	}
	b = append(b, "# Source: "...)
	if printableASCII(o.Source) {
		b = append(b, o.Source...)
		return append(b, '\n')
	}
	for _, r := range o.Source {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		b = utf8.AppendRune(b, r)
	}
	return append(b, '\n')
}

// printableASCII reports whether s is ASCII without control characters,
// which appendHeader copies as they are.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
