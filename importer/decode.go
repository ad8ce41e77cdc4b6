package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/skyc-dev/skyc/internal/kubescheme"
)

// Object is one decoded object and where it came from.
type Object struct {
	// Obj is the object as its k8s.io/api Go type, with apiVersion and
	// kind set and status cleared.
	Obj runtime.Object
	// File and Doc say where it was read: the file name given to Decode
	// and the 1-based document number in it.
	File string
	Doc  int
}

// GVK returns the object's group, version and kind.
func (o Object) GVK() schema.GroupVersionKind { return o.Obj.GetObjectKind().GroupVersionKind() }

// Name returns the object's metadata.name.
func (o Object) Name() string {
	if acc, err := meta.Accessor(o.Obj); err == nil {
		return acc.GetName()
	}
	return ""
}

// Namespace returns the object's metadata.namespace.
func (o Object) Namespace() string {
	if acc, err := meta.Accessor(o.Obj); err == nil {
		return acc.GetNamespace()
	}
	return ""
}

// DecodeError is an object that cannot be imported, with its place.
type DecodeError struct {
	File string
	Doc  int // 1-based; 0 when the file as a whole is at fault
	Err  error
	// Unknown is set when the object is well-formed but of a kind skyc
	// has no type for (a custom resource, an aggregated API).
	Unknown bool
}

func (e *DecodeError) Error() string {
	if e.Doc == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: document %d: %v", e.File, e.Doc, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads the objects of one manifest file: YAML or JSON, one or
// more documents. Lists are flattened into their items. Decoding stops at
// a document that is not valid YAML; a document that is valid but cannot
// be imported (an unknown kind, a field of the wrong type) is reported as
// a *DecodeError in errs and decoding goes on.
func Decode(file string, data []byte) (objs []Object, errs []error) {
	rd := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return objs, append(errs, &DecodeError{File: file, Doc: doc, Err: err})
		}
		if isBlank(raw) {
			continue
		}
		got, err := decodeDoc(raw)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.File, de.Doc = file, doc
			} else {
				err = &DecodeError{File: file, Doc: doc, Err: err}
			}
			errs = append(errs, err)
		}
		for _, o := range got {
			objs = append(objs, Object{Obj: o, File: file, Doc: doc})
		}
	}
	return objs, errs
}

// isBlank reports whether a document holds nothing but comments, blank
// lines or a null.
func isBlank(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && string(line) != "null" && string(line) != "---" {
			return false
		}
	}
	return true
}

// decodeDoc decodes one document into its objects: one, or a list's
// items.
func decodeDoc(raw []byte) ([]runtime.Object, error) {
	json, err := yaml.ToJSON(raw)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(json), []byte("null")) {
		return nil, nil
	}
	obj, gvk, err := kubescheme.Deserializer().Decode(json, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			kind := ""
			if gvk != nil {
				kind = gvk.Kind + " (" + gvk.GroupVersion().String() + ")"
			}
			return nil, &DecodeError{Unknown: true, Err: fmt.Errorf("%s is not a built-in Kubernetes kind; skyc has no type for it", kind)}
		}
		if runtime.IsMissingKind(err) || runtime.IsMissingVersion(err) {
			return nil, fmt.Errorf("not a Kubernetes object: %v", err)
		}
		return nil, err
	}
	if meta.IsListType(obj) {
		return flattenList(obj, *gvk)
	}
	obj.GetObjectKind().SetGroupVersionKind(*gvk)
	clearStatus(obj)
	return []runtime.Object{obj}, nil
}

// flattenList returns the items of a list: decoded from their own
// apiVersion and kind in a v1 List, of the list's item kind in a typed
// one (RoleList holds Roles).
func flattenList(list runtime.Object, gvk schema.GroupVersionKind) ([]runtime.Object, error) {
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	var out []runtime.Object
	for i, it := range items {
		if u, ok := it.(*runtime.Unknown); ok {
			objs, err := decodeDoc(u.Raw)
			if err != nil {
				return out, fmt.Errorf("items[%d]: %w", i, err)
			}
			out = append(out, objs...)
			continue
		}
		item := gvk
		item.Kind = trimSuffix(gvk.Kind, "List")
		it.GetObjectKind().SetGroupVersionKind(item)
		clearStatus(it)
		out = append(out, it)
	}
	return out, nil
}

func trimSuffix(s, suffix string) string {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)]
	}
	return s
}

// clearStatus zeroes an object's Status field, if it has one.
func clearStatus(obj runtime.Object) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	if f := v.Elem().FieldByName("Status"); f.IsValid() && f.CanSet() {
		f.Set(reflect.Zero(f.Type()))
	}
}
