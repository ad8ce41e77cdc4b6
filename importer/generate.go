package importer

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/internal/skyfmt"
	"github.com/skyc-dev/skyc/schemas"
)

// Options configures Generate. The zero value is usable.
type Options struct {
	// Header is a comment written at the top of the file, one "# " line
	// per line of it. Empty means a line naming the input files.
	Header string

	// platform are the groups of objects written as service() or
	// worker() calls (see recognize).
	platform []platformCall
}

// stdPackages are the protobuf packages the standard library's k8s
// struct names, by the attribute that names them (see stdlib/k8s.sky).
var stdPackages = map[protoreflect.FullName]string{
	"k8s.io.api.core.v1":                   "k8s.core",
	"k8s.io.api.apps.v1":                   "k8s.apps",
	"k8s.io.api.batch.v1":                  "k8s.batch",
	"k8s.io.api.policy.v1":                 "k8s.policy",
	"k8s.io.api.autoscaling.v2":            "k8s.autoscaling",
	"k8s.io.api.networking.v1":             "k8s.networking",
	"k8s.io.api.rbac.v1":                   "k8s.rbac",
	"k8s.io.apimachinery.pkg.apis.meta.v1": "k8s.meta",
	"k8s.io.apimachinery.pkg.util.intstr":  "k8s.intstr",
	"k8s.io.apimachinery.pkg.api.resource": "k8s.resource",
}

// Full names of the types written as plain values (see
// starproto.KubernetesBoxers).
const (
	quantityName    protoreflect.FullName = "k8s.io.apimachinery.pkg.api.resource.Quantity"
	intOrStringName protoreflect.FullName = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
	timeName        protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
	microTimeName   protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"
	durationName    protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration"
)

// reserved holds Starlark's keywords and reserved words: a field named
// like one takes a trailing underscore as a keyword argument.
var reserved = map[string]bool{
	"and": true, "break": true, "continue": true, "def": true, "elif": true,
	"else": true, "for": true, "if": true, "in": true, "lambda": true,
	"load": true, "not": true, "or": true, "pass": true, "return": true,
	"as": true, "assert": true, "async": true, "await": true, "class": true,
	"del": true, "except": true, "finally": true, "from": true, "global": true,
	"import": true, "is": true, "nonlocal": true, "raise": true, "try": true,
	"while": true, "with": true, "yield": true,
}

// fileModes are the fields holding file permission bits, written in
// octal.
var fileModes = map[string]bool{"defaultMode": true, "mode": true}

// Generate returns .sky source whose main(ctx) returns objs, in order.
func Generate(reg *schemas.Registry, objs []Object, opts Options) ([]byte, error) {
	g := &generator{reg: reg, extra: map[string]protoreflect.FullName{}}
	top := &list{}
	first := map[int]platformCall{}
	member := map[int]bool{}
	for _, c := range opts.platform {
		first[c.members[0]] = c
		for _, m := range c.members {
			member[m] = true
		}
	}
	var stmts strings.Builder // main's statements before the return
	vars := map[string]bool{}
	for i, o := range objs {
		if c, ok := first[i]; ok {
			top.comments = append(top.comments, describeCall(c, objs))
			if len(c.overrides) == 0 {
				top.elems = append(top.elems, c.expr)
				continue
			}
			v := varName(c.name, vars)
			if stmts.Len() > 0 {
				stmts.WriteString("\n")
			}
			writeCall(&stmts, c, v)
			top.elems = append(top.elems, atom(v))
			for a, pkg := range c.aliases {
				g.extra[a] = pkg
			}
			g.bytesLiterals = g.bytesLiterals || c.bytesLiterals
			continue
		}
		if member[i] {
			continue
		}
		m, err := reg.FromObject(o.Obj)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", o.File, o.Doc, err)
		}
		k, _ := reg.KindOf(m.ProtoReflect().Descriptor().FullName())
		n, err := g.message(m.ProtoReflect(), k.GoType, "")
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %s %s: %w", o.File, o.Doc, o.GVK().Kind, o.Name(), err)
		}
		top.elems = append(top.elems, n)
		top.comments = append(top.comments, describeObject(o))
	}

	var b strings.Builder
	header := opts.Header
	if header == "" {
		header = "Imported by skyc import from " + fileList(objs) + "."
	}
	for _, line := range strings.Split(header, "\n") {
		b.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	b.WriteString("\n")
	if len(g.extra) > 0 {
		aliases := make([]string, 0, len(g.extra))
		for a := range g.extra {
			aliases = append(aliases, a)
		}
		sort.Strings(aliases)
		for _, a := range aliases {
			fmt.Fprintf(&b, "%s = proto.package(%s)\n", a, quote(string(g.extra[a])))
		}
		b.WriteString("\n")
	}
	b.WriteString("def main(ctx):\n")
	if stmts.Len() > 0 {
		b.WriteString(stmts.String())
		b.WriteString("\n")
	}
	b.WriteString("    return ")
	layout(&b, top, 4, 11, "")
	b.WriteString("\n")
	if g.bytesLiterals {
		// buildtools' parser predates bytes literals; the layout above
		// is what it would print anyway.
		return []byte(b.String()), nil
	}
	src, err := skyfmt.Format("import.sky", []byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("formatting the generated source: %w", err)
	}
	return src, nil
}

// describeObject is the comment above an object: kind, name and source.
func describeObject(o Object) string {
	name := o.Name()
	if ns := o.Namespace(); ns != "" {
		name = ns + "/" + name
	}
	return fmt.Sprintf("%s %s (%s, document %d)", o.GVK().Kind, name, filepath.Base(o.File), o.Doc)
}

func fileList(objs []Object) string {
	var names []string
	seen := map[string]bool{}
	for _, o := range objs {
		n := filepath.Base(o.File)
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "no objects"
	}
	return strings.Join(names, ", ")
}

type generator struct {
	reg   *schemas.Registry
	extra map[string]protoreflect.FullName // module-level package aliases
	// bytesLiterals is set once a b"..." literal is written.
	bytesLiterals bool
}

// ctor returns the constructor expression of a message type.
func (g *generator) ctor(md protoreflect.MessageDescriptor) string {
	pkg := md.ParentFile().Package()
	rel := strings.TrimPrefix(string(md.FullName()), string(pkg)+".")
	if alias, ok := stdPackages[pkg]; ok {
		return alias + "." + rel
	}
	alias := string(pkg)
	for _, p := range []string{"k8s.io.api.", "k8s.io.apimachinery.pkg.apis.", "k8s.io.apimachinery.pkg.", "k8s.io."} {
		if rest, ok := strings.CutPrefix(alias, p); ok {
			alias = rest
			break
		}
	}
	alias = strings.NewReplacer(".", "_", "-", "_").Replace(alias)
	g.extra[alias] = pkg
	return alias + "." + rel
}

// message returns the constructor call for m, whose Go type is t (nil
// when unknown). path names the place in errors.
func (g *generator) message(m protoreflect.Message, t reflect.Type, path string) (node, error) {
	md := m.Descriptor()
	if n, ok, err := boxed(m); ok || err != nil {
		return n, err
	}
	t = deref(t)
	gofields := goFields(t)
	c := &call{fn: g.ctor(md)}
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		ft, known := gofields[fd.Number()]
		name := string(fd.Name())
		fpath := joinPath(path, name)
		v := m.Get(fd)
		var (
			n   node
			err error
		)
		switch {
		case fd.IsList():
			if v.List().Len() == 0 {
				continue
			}
			n, err = g.list(fd, v.List(), elemType(ft), fpath)
		case fd.IsMap():
			if v.Map().Len() == 0 {
				continue
			}
			n, err = g.dict(fd, v.Map(), elemType(ft), fpath)
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			if known && ft.Kind() != reflect.Pointer && isBoxed(fd.Message()) && isZeroMessage(v.Message()) {
				continue // e.g. creationTimestamp: null
			}
			n, err = g.message(v.Message(), ft, fpath)
			if cl, ok := n.(*call); ok && known && ft.Kind() != reflect.Pointer && len(cl.args) == 0 {
				continue // an empty struct held by value: the same as none
			}
		default:
			if known && ft.Kind() != reflect.Pointer && isZeroScalar(fd, v) {
				continue
			}
			n, err = g.scalar(fd, v)
			if fileModes[name] && fd.Kind() == protoreflect.Int32Kind && v.Int() >= 0 {
				n = atom(fmt.Sprintf("0o%o", v.Int())) // permission bits read as octal
			}
		}
		if err != nil {
			if path == "" {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return nil, err
		}
		if reserved[name] {
			name += "_"
		}
		c.args = append(c.args, kwarg{name: name, val: n})
	}
	return c, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (g *generator) list(fd protoreflect.FieldDescriptor, l protoreflect.List, et reflect.Type, path string) (node, error) {
	out := &list{}
	for i := 0; i < l.Len(); i++ {
		var (
			n   node
			err error
		)
		if fd.Kind() == protoreflect.MessageKind {
			n, err = g.message(l.Get(i).Message(), et, fmt.Sprintf("%s[%d]", path, i))
		} else {
			n, err = g.scalar(fd, l.Get(i))
		}
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, i, err)
		}
		out.elems = append(out.elems, n)
	}
	return out, nil
}

func (g *generator) dict(fd protoreflect.FieldDescriptor, m protoreflect.Map, vt reflect.Type, path string) (node, error) {
	type entry struct {
		key protoreflect.MapKey
		s   string
	}
	var entries []entry
	m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		entries = append(entries, entry{k, fmt.Sprint(k.Interface())})
		return true
	})
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i].key.Interface(), entries[j].key.Interface()
		if ai, ok := a.(int64); ok {
			return ai < b.(int64)
		}
		return entries[i].s < entries[j].s
	})
	out := &dict{}
	for _, e := range entries {
		k, err := g.scalar(fd.MapKey(), e.key.Value())
		if err != nil {
			return nil, fmt.Errorf("%s: key %q: %w", path, e.s, err)
		}
		vfd := fd.MapValue()
		var n node
		if vfd.Kind() == protoreflect.MessageKind {
			n, err = g.message(m.Get(e.key).Message(), vt, fmt.Sprintf("%s[%q]", path, e.s))
		} else {
			n, err = g.scalar(vfd, m.Get(e.key))
		}
		if err != nil {
			return nil, fmt.Errorf("%s[%q]: %w", path, e.s, err)
		}
		out.keys = append(out.keys, string(k.(atom)))
		out.vals = append(out.vals, n)
	}
	return out, nil
}

// scalar writes a non-message value.
func (g *generator) scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) (node, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if v.Bool() {
			return atom("True"), nil
		}
		return atom("False"), nil
	case protoreflect.StringKind:
		if !utf8.ValidString(v.String()) {
			return nil, fmt.Errorf("string is not valid UTF-8")
		}
		return atom(quote(v.String())), nil
	case protoreflect.BytesKind:
		if canString(v.Bytes()) {
			return atom(quote(string(v.Bytes()))), nil
		}
		g.bytesLiterals = true
		return atom(quoteBytes(v.Bytes())), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return atom(strconv.FormatInt(v.Int(), 10)), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return atom(strconv.FormatUint(v.Uint(), 10)), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return atom(formatFloat(v.Float())), nil
	case protoreflect.EnumKind:
		return atom(strconv.FormatInt(int64(v.Enum()), 10)), nil
	}
	return nil, fmt.Errorf("cannot write a %s value", fd.Kind())
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return `float("nan")`
	case math.IsInf(f, 1):
		return `float("inf")`
	case math.IsInf(f, -1):
		return `-float("inf")`
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// boxed writes a message of a boxed type as its plain value.
func boxed(m protoreflect.Message) (node, bool, error) {
	md := m.Descriptor()
	field := func(name protoreflect.Name) protoreflect.Value {
		fd := md.Fields().ByName(name)
		if fd == nil {
			return protoreflect.Value{}
		}
		return m.Get(fd)
	}
	switch md.FullName() {
	case quantityName:
		return atom(quote(field("string").String())), true, nil
	case intOrStringName:
		if field("type").Int() == 1 {
			return atom(quote(field("strVal").String())), true, nil
		}
		return atom(strconv.FormatInt(field("intVal").Int(), 10)), true, nil
	case timeName, microTimeName:
		t := time.Unix(field("seconds").Int(), field("nanos").Int()).UTC()
		return atom(quote(t.Format(time.RFC3339Nano))), true, nil
	case durationName:
		return atom(quote(time.Duration(field("duration").Int()).String())), true, nil
	}
	return nil, false, nil
}

// isBoxed reports whether messages of type md are written as plain
// values.
func isBoxed(md protoreflect.MessageDescriptor) bool {
	switch md.FullName() {
	case quantityName, intOrStringName, timeName, microTimeName, durationName:
		return true
	}
	return false
}

// isZeroMessage reports whether a message held by value in Go stands for
// the Go zero value: nothing set, or (for a boxed type) its zero.
func isZeroMessage(m protoreflect.Message) bool {
	zero := true
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			zero = v.List().Len() == 0
		case fd.IsMap():
			zero = v.Map().Len() == 0
		case fd.Kind() == protoreflect.MessageKind:
			zero = isZeroMessage(v.Message())
		default:
			zero = isZeroScalar(fd, v)
		}
		return zero
	})
	return zero
}

func isZeroScalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return !v.Bool()
	case protoreflect.StringKind:
		return v.String() == ""
	case protoreflect.BytesKind:
		return len(v.Bytes()) == 0
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float() == 0
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return v.Uint() == 0
	case protoreflect.EnumKind:
		return v.Enum() == 0
	}
	return v.Int() == 0
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// elemType returns the element type of a Go slice or map field type.
func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Map) {
		return nil
	}
	return t.Elem()
}

var goFieldCache sync.Map // reflect.Type → map[protoreflect.FieldNumber]reflect.Type

// goFields maps the protobuf field numbers of Go struct type t to the Go
// types of its fields, from their protobuf struct tags. A named slice
// type is the message wrapping it, with the slice as field 1.
func goFields(t reflect.Type) map[protoreflect.FieldNumber]reflect.Type {
	if t == nil {
		return nil
	}
	if m, ok := goFieldCache.Load(t); ok {
		return m.(map[protoreflect.FieldNumber]reflect.Type)
	}
	m := map[protoreflect.FieldNumber]reflect.Type{}
	switch t.Kind() {
	case reflect.Slice:
		m[1] = t
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, ok := sf.Tag.Lookup("protobuf")
			if !ok {
				continue
			}
			parts := strings.Split(tag, ",")
			if len(parts) < 2 {
				continue
			}
			if n, err := strconv.Atoi(parts[1]); err == nil {
				m[protoreflect.FieldNumber(n)] = sf.Type
			}
		}
	}
	goFieldCache.Store(t, m)
	return m
}

// predeclared are names a variable of main must not shadow.
var predeclared = map[string]bool{
	"ctx": true, "main": true, "k8s": true, "proto": true, "service": true, "worker": true,
	"cron_job": true, "autoscale": true, "secret_env": true, "struct": true, "list": true,
	"dict": true, "str": true, "int": true, "len": true, "type": true, "fail": true,
}

// varName returns a fresh Starlark variable name for a workload.
func varName(name string, taken map[string]bool) string {
	v := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '_'
	}, name)
	if v == "" || (v[0] >= '0' && v[0] <= '9') || reserved[v] || predeclared[v] {
		v = "w_" + v
	}
	base := v
	for n := 2; taken[v]; n++ {
		v = fmt.Sprintf("%s_%d", base, n)
	}
	taken[v] = true
	return v
}
