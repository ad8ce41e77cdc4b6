package schemas

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skyc-dev/skyc/internal/kubescheme"
	"github.com/skyc-dev/skyc/schemas/aws"
	"github.com/skyc-dev/skyc/schemas/crd"
	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// Kind is one Kubernetes kind known to the registry: its group, version and
// kind, the Go type that holds it and the protobuf message type .sky files
// construct it with.
type Kind struct {
	GVK     schema.GroupVersionKind
	GoType  reflect.Type // the struct type, not a pointer; nil for a custom resource
	Message protoreflect.MessageType
	// CRD is the definition of a custom resource's kind (see WithCRDs),
	// nil for a built-in kind.
	CRD *crd.Kind
}

// APIVersion returns the kind's apiVersion field value, e.g. "apps/v1".
func (k *Kind) APIVersion() string { return k.GVK.GroupVersion().String() }

// Registry maps protobuf message types to Kubernetes kinds and back. A
// Registry is immutable after construction and safe for concurrent use.
type Registry struct {
	types  *protoregistry.Types
	files  *protoregistry.Files
	kinds  map[protoreflect.FullName]*Kind
	byGVK  map[schema.GroupVersionKind]*Kind
	sorted []*Kind
	custom []*Kind // custom resource kinds, see WithCRDs
}

var (
	defaultOnce     sync.Once
	defaultRegistry *Registry
	defaultErr      error
)

// Default returns the registry of every output type skyc renders: every
// built-in Kubernetes kind of k8s.io/api (package internal/kubescheme,
// the kinds client-go's scheme knows), and the AWS types
// of package schemas/aws (CloudFormation templates and resources, IAM
// policies). It is built once per process on first use, from the
// descriptors and the table of kinds prebuilt at go generate time (see
// prebuilt.go), without building the scheme.
func Default() (*Registry, error) {
	defaultOnce.Do(func() { defaultRegistry, defaultErr = buildDefault() })
	return defaultRegistry, defaultErr
}

// buildDefault builds what Default returns. It gives what
// Build(kubescheme.Scheme()) does, from the kinds of kinds_gen.go rather
// than the scheme, which it does not build (see prebuilt.go).
func buildDefault() (*Registry, error) {
	goTypes, goKinds := prebuiltKinds()
	r, ok := prebuiltRegistry(goTypes, goKinds)
	if !ok {
		var err error
		if r, err = derive(goTypes, goKinds); err != nil {
			return nil, err
		}
	}
	files, err := aws.Files()
	if err != nil {
		return nil, fmt.Errorf("building the AWS types: %w", err)
	}
	// r is this function's own: add the AWS files to it rather than
	// copy every type into a new registry as Extend does.
	if err := r.addFiles(files); err != nil {
		return nil, fmt.Errorf("extending the registry: %w", err)
	}
	return r, nil
}

// Build derives a registry from the external (versioned) kinds of s whose Go
// types live in k8s.io/api, without the AWS types. Most callers want
// Default.
//
// For kubescheme.Scheme(), Build takes the descriptors prebuilt from it at
// go generate time (prebuilt.go), which a test keeps equal to what
// deriving them gives; any other scheme (client-go's scheme.Scheme too,
// though it has the same kinds), or a kind the prebuilt descriptors lack,
// is derived from the Go types' struct tags.
func Build(s *runtime.Scheme) (*Registry, error) {
	goTypes, goKinds := kindTypes(s)
	if s == kubescheme.Scheme() {
		if r, ok := prebuiltRegistry(goTypes, goKinds); ok {
			return r, nil
		}
	}
	return derive(goTypes, goKinds)
}

// kindTypes returns the Go types of the external kinds of s that live in
// k8s.io/api, in a stable order, and the kind of each.
func kindTypes(s *runtime.Scheme) ([]reflect.Type, map[reflect.Type]schema.GroupVersionKind) {
	goKinds := map[reflect.Type]schema.GroupVersionKind{}
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
			continue
		}
		if prev, dup := goKinds[t]; dup {
			// A Go type registered under several kinds: keep one, deterministically.
			if prev.String() < gvk.String() {
				continue
			}
		}
		goKinds[t] = gvk
	}
	// Sort by typeKey, computed once per type rather than per comparison.
	type keyed struct {
		key string
		t   reflect.Type
	}
	keys := make([]keyed, 0, len(goKinds))
	for t := range goKinds {
		keys = append(keys, keyed{typeKey(t), t})
	}
	slices.SortFunc(keys, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	goTypes := make([]reflect.Type, len(keys))
	for i, k := range keys {
		goTypes[i] = k.t
	}
	return goTypes, goKinds
}

// describeKinds derives the file descriptors of goTypes and everything
// they reach from their struct tags.
func describeKinds(goTypes []reflect.Type, goKinds map[reflect.Type]schema.GroupVersionKind) (*describer, error) {
	d := newDescriber()
	for _, t := range goTypes {
		if _, err := d.message(t); err != nil {
			return nil, fmt.Errorf("describing %s: %w", goKinds[t], err)
		}
	}
	return d, nil
}

// derive builds a registry of goTypes from descriptors derived from their
// struct tags.
func derive(goTypes []reflect.Type, goKinds map[reflect.Type]schema.GroupVersionKind) (*Registry, error) {
	d, err := describeKinds(goTypes, goKinds)
	if err != nil {
		return nil, err
	}
	r, err := newRegistry(d.fileSet())
	if err != nil {
		return nil, err
	}
	if err := r.addKinds(goTypes, goKinds); err != nil {
		return nil, err
	}
	return r, nil
}

// addKinds registers the kind of each of goTypes, whose messages r's
// types must hold under the names the describer gives them.
func (r *Registry) addKinds(goTypes []reflect.Type, goKinds map[reflect.Type]schema.GroupVersionKind) error {
	for _, t := range goTypes {
		name := messageName(t)
		mt, err := r.types.FindMessageByName(name)
		if err != nil {
			return fmt.Errorf("registering %s: %w", name, err)
		}
		k := &Kind{GVK: goKinds[t], GoType: t, Message: mt}
		r.kinds[name] = k
		r.byGVK[k.GVK] = k
		r.sorted = append(r.sorted, k)
	}
	sort.Slice(r.sorted, func(i, j int) bool {
		return r.sorted[i].Message.Descriptor().FullName() < r.sorted[j].Message.Descriptor().FullName()
	})
	return nil
}

// newRegistry registers every message of set as a slotpb message type.
func newRegistry(set *descriptorpb.FileDescriptorSet) (*Registry, error) {
	files, err := protodesc.NewFiles(set)
	if err != nil {
		return nil, fmt.Errorf("building descriptors: %w", err)
	}
	r := &Registry{
		types: new(protoregistry.Types),
		files: files,
		kinds: map[protoreflect.FullName]*Kind{},
		byGVK: map[schema.GroupVersionKind]*Kind{},
	}
	var regErr error
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		regErr = registerMessages(r.types, fd.Messages())
		return regErr == nil
	})
	return r, regErr
}

// Extend returns a registry with r's kinds and types and every message
// and enum of files, which must not define a name r defines. The new
// types share files' descriptors, so messages built against either agree.
// r is not changed.
func (r *Registry) Extend(files *protoregistry.Files) (*Registry, error) {
	out := &Registry{
		types:  new(protoregistry.Types),
		files:  new(protoregistry.Files),
		kinds:  r.kinds,
		byGVK:  r.byGVK,
		sorted: r.sorted,
		custom: r.custom,
	}
	var err error
	r.types.RangeMessages(func(mt protoreflect.MessageType) bool {
		err = out.types.RegisterMessage(mt)
		return err == nil
	})
	if err == nil {
		r.types.RangeEnums(func(et protoreflect.EnumType) bool {
			err = out.types.RegisterEnum(et)
			return err == nil
		})
	}
	if err == nil {
		r.files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
			err = out.files.RegisterFile(fd)
			return err == nil
		})
	}
	if err == nil {
		err = out.addFiles(files)
	}
	if err != nil {
		return nil, fmt.Errorf("extending the registry: %w", err)
	}
	return out, nil
}

// addFiles registers every file of files in r, their messages as slotpb
// types and their enums as dynamicpb types. It changes r: only for a
// registry nobody else holds yet.
func (r *Registry) addFiles(files *protoregistry.Files) error {
	var err error
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if err = r.files.RegisterFile(fd); err != nil {
			return false
		}
		err = registerMessages(r.types, fd.Messages())
		if err == nil {
			err = registerEnums(r.types, fd.Enums(), fd.Messages())
		}
		return err == nil
	})
	return err
}

// registerEnums registers the enums of a file (top level and nested in
// its messages) as dynamic enum types.
func registerEnums(types *protoregistry.Types, enums protoreflect.EnumDescriptors, msgs protoreflect.MessageDescriptors) error {
	for i := 0; i < enums.Len(); i++ {
		if err := types.RegisterEnum(dynamicpb.NewEnumType(enums.Get(i))); err != nil {
			return err
		}
	}
	for i := 0; i < msgs.Len(); i++ {
		if err := registerEnums(types, msgs.Get(i).Enums(), msgs.Get(i).Messages()); err != nil {
			return err
		}
	}
	return nil
}

func registerMessages(types *protoregistry.Types, msgs protoreflect.MessageDescriptors) error {
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		if md.IsMapEntry() {
			continue
		}
		if err := types.RegisterMessage(slotpb.TypeOf(md)); err != nil {
			return err
		}
		if err := registerMessages(types, md.Messages()); err != nil {
			return err
		}
	}
	return nil
}

// Types returns the protobuf type registry that the Starlark bridge
// resolves message constructors from.
func (r *Registry) Types() *protoregistry.Types { return r.types }

// Files returns the file descriptors of every registered message.
func (r *Registry) Files() *protoregistry.Files { return r.files }

// Kinds returns every registered kind, ordered by message name.
func (r *Registry) Kinds() []*Kind { return r.sorted }

// KindOf returns the kind a message type stands for, if it is one.
func (r *Registry) KindOf(name protoreflect.FullName) (*Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// KindFor returns the kind registered for a group-version-kind.
func (r *Registry) KindFor(gvk schema.GroupVersionKind) (*Kind, bool) {
	k, ok := r.byGVK[gvk]
	return k, ok
}

// wireObject is what every k8s.io/api kind implements through its
// generated code.
type wireObject interface {
	runtime.Object
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// wireOptions encode a message only for a k8s.io/api type's Unmarshal to
// read it back. That needs no deterministic order (map entries land in a
// Go map, repeated fields keep their order either way) and no check of
// required fields (the descriptors declare none), so both are off.
var wireOptions = proto.MarshalOptions{AllowPartial: true}

// wireBufs are buffers for the wire form between Marshal and Unmarshal.
// k8s.io/api's Unmarshal copies what it keeps, so a buffer is free again
// once Unmarshal returns.
var wireBufs = sync.Pool{New: func() any { return new([]byte) }}

// ToObject converts a message of a registered kind into the k8s.io/api Go
// struct for it, with apiVersion and kind set; a custom resource's into
// an *unstructured.Unstructured.
func (r *Registry) ToObject(m proto.Message) (runtime.Object, error) {
	name := m.ProtoReflect().Descriptor().FullName()
	k, ok := r.kinds[name]
	if !ok {
		return nil, fmt.Errorf("%s is not a Kubernetes kind", name)
	}
	if k.GoType == nil {
		return toUnstructured(m, k)
	}
	if obj, ok := reflect.New(k.GoType).Interface().(runtime.Object); ok {
		if err := copyMessage(m.ProtoReflect(), reflect.ValueOf(obj).Elem()); err == nil {
			obj.GetObjectKind().SetGroupVersionKind(k.GVK)
			return obj, nil
		}
		// What the copier cannot do, the wire form can: fall through to
		// it, which reports the error if there is one.
	}
	return r.wireToObject(m, k)
}

// wireToObject converts m through its wire form: proto.Marshal, then the
// Go struct's generated Unmarshal. It is the reference that the direct
// copy (direct.go) must agree with.
func (r *Registry) wireToObject(m proto.Message, k *Kind) (runtime.Object, error) {
	name := k.Message.Descriptor().FullName()
	buf := wireBufs.Get().(*[]byte)
	defer wireBufs.Put(buf)
	b, err := wireOptions.MarshalAppend((*buf)[:0], m)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	*buf = b
	obj, ok := reflect.New(k.GoType).Interface().(wireObject)
	if !ok {
		return nil, fmt.Errorf("%s has no wire codec", k.GoType)
	}
	if err := obj.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("decoding %s into %s: %w", name, k.GoType, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(k.GVK)
	return obj, nil
}

// FromObject converts a k8s.io/api Go struct of a registered kind into a
// message of its type, and a custom resource of a kind WithCRDs
// registered into its message.
func (r *Registry) FromObject(obj runtime.Object) (proto.Message, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return r.fromUnstructured(u)
	}
	t := reflect.TypeOf(obj)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	w, ok := obj.(wireObject)
	if !ok {
		return nil, fmt.Errorf("%s has no wire codec", t)
	}
	k, ok := r.byGVK[obj.GetObjectKind().GroupVersionKind()]
	if !ok || k.GoType != t {
		k = nil
		for _, cand := range r.sorted {
			if cand.GoType == t {
				k = cand
				break
			}
		}
	}
	if k == nil {
		return nil, fmt.Errorf("%s is not a registered kind", t)
	}
	m := k.Message.New()
	if err := fillMessage(reflect.ValueOf(obj).Elem(), m); err == nil {
		return m.Interface(), nil
	}
	// What the direct fill cannot do, the wire form can, or it says why.
	return r.wireFromObject(w, k)
}

// wireFromObject converts obj through its wire form: the Go struct's
// generated Marshal, then proto.Unmarshal. It is the reference that the
// direct fill (fromgo.go) must agree with.
func (r *Registry) wireFromObject(w wireObject, k *Kind) (proto.Message, error) {
	t := k.GoType
	b, err := w.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", t, err)
	}
	m := k.Message.New().Interface()
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", k.Message.Descriptor().FullName(), err)
	}
	return m, nil
}
