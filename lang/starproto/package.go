package starproto

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// index maps protobuf package names to the types and subpackages in
// them. It is built once per bridge and read-only afterwards.
type index struct {
	packages map[protoreflect.FullName]*Package
}

func buildIndex(types *protoregistry.Types, e *env) *index {
	idx := &index{packages: map[protoreflect.FullName]*Package{}}
	pkg := func(name protoreflect.FullName) *Package {
		p, ok := idx.packages[name]
		if !ok {
			p = &Package{name: name, members: map[string]starlark.Value{}}
			idx.packages[name] = p
		}
		return p
	}
	add := func(d protoreflect.Descriptor, v func() starlark.Value) {
		if d.Parent() != d.ParentFile() {
			return // nested: an attribute of its message type
		}
		name := d.ParentFile().Package()
		p := pkg(name)
		// A type wins over a subpackage of the same name.
		if old, dup := p.members[string(d.Name())]; !dup || isPackage(old) {
			p.members[string(d.Name())] = v()
		}
		// Link every enclosing package to its subpackage.
		for name != "" {
			parent := name.Parent()
			pp := pkg(parent)
			if _, ok := pp.members[string(name.Name())]; !ok {
				pp.members[string(name.Name())] = pkg(name)
			}
			name = parent
		}
	}
	types.RangeMessages(func(mt protoreflect.MessageType) bool {
		add(mt.Descriptor(), func() starlark.Value { return newMessageType(types, mt, e) })
		return true
	})
	types.RangeEnums(func(et protoreflect.EnumType) bool {
		add(et.Descriptor(), func() starlark.Value { return &EnumType{desc: et.Descriptor()} })
		return true
	})
	delete(idx.packages, "")
	for _, p := range idx.packages {
		p.names = make([]string, 0, len(p.members))
		for n := range p.members {
			p.names = append(p.names, n)
		}
		slices.Sort(p.names)
	}
	return idx
}

func isPackage(v starlark.Value) bool {
	_, ok := v.(*Package)
	return ok
}

// lookup returns the package of the given name.
func (idx *index) lookup(name string) (*Package, error) {
	if p, ok := idx.packages[protoreflect.FullName(name)]; ok {
		return p, nil
	}
	names := make([]string, 0, len(idx.packages))
	for n := range idx.packages {
		names = append(names, string(n))
	}
	slices.Sort(names)
	return nil, fmt.Errorf("no protobuf package %q%s", name, didYouMean(name, names))
}

// Package is the Starlark value of a protobuf package. Its attributes are
// the message and enum types declared in it and its subpackages:
// proto.package("k8s.io.api").apps.v1.Deployment.
type Package struct {
	name    protoreflect.FullName
	members map[string]starlark.Value // *MessageType, *EnumType, *Package
	names   []string                  // sorted keys of members
}

var _ starlark.HasAttrs = (*Package)(nil)

// String returns <proto.Package "name">, as skycfg does.
func (p *Package) String() string { return fmt.Sprintf("<proto.Package %q>", p.name) }

// Type returns "proto.package".
func (p *Package) Type() string { return "proto.package" }

// Freeze does nothing: packages are immutable.
func (p *Package) Freeze() {}

// Truth reports true.
func (p *Package) Truth() starlark.Bool { return starlark.True }

// Hash fails: packages are unhashable, as in skycfg.
func (p *Package) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", p.Type()) }

// Attr returns a type or subpackage.
func (p *Package) Attr(name string) (starlark.Value, error) {
	if v, ok := p.members[name]; ok {
		return v, nil
	}
	full := string(p.name) + "." + name
	return nil, fmt.Errorf("Protobuf type %q not found%s", full, didYouMean(name, p.names))
}

// AttrNames returns the names of the package's types and subpackages.
func (p *Package) AttrNames() []string { return slices.Clone(p.names) }

// qualifiedName shortens a message's full name to its last two package
// components and its name within the package, e.g. apps.v1.Deployment
// for k8s.io.api.apps.v1.Deployment.
func qualifiedName(md protoreflect.MessageDescriptor) string {
	pkg := string(md.ParentFile().Package())
	rel := strings.TrimPrefix(string(md.FullName()), pkg+".")
	parts := strings.Split(pkg, ".")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	if pkg == "" {
		return rel
	}
	return strings.Join(parts, ".") + "." + rel
}
