package starproto

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// Map is the Starlark value of a map field: a live view of the field of
// its message, behaving like a Starlark dict whose keys and values are
// type-checked as they are stored and which iterates in sorted key order.
// Storing None under a key deletes it, as in skycfg. Reading an unset
// field gives an empty Map that attaches the field to its message when
// something is first stored in it.
type Map struct {
	owner *Message
	fd    protoreflect.FieldDescriptor
}

var (
	_ starlark.IterableMapping = (*Map)(nil)
	_ starlark.Sequence        = (*Map)(nil)
	_ starlark.HasSetKey       = (*Map)(nil)
	_ starlark.HasAttrs        = (*Map)(nil)
	_ starlark.Comparable      = (*Map)(nil)
)

func (d *Map) pmap() protoreflect.Map { return d.owner.read().Get(d.fd).Map() }

func (d *Map) mutable(verb string, k starlark.Value) (protoreflect.Map, error) {
	if d.owner.frozen {
		what := verb + " " + d.path()
		if k != nil {
			what += "[" + k.String() + "]"
		}
		return nil, d.owner.frozenError(what)
	}
	if err := d.owner.attach(); err != nil {
		return nil, err
	}
	d.owner.wrote(d.fd)
	return d.owner.m.Mutable(d.fd).Map(), nil
}

func (d *Map) path() string { return d.owner.path(d.fd) }

func (d *Map) key(k starlark.Value) (protoreflect.MapKey, error) {
	mk, err := d.owner.env.toMapKey(d.fd, k)
	if err != nil {
		return mk, fmt.Errorf("%s: key %s: %w", d.path(), k, err)
	}
	return mk, nil
}

func (d *Map) value(v protoreflect.Value) starlark.Value {
	return d.owner.adopt(d.owner.env.toStarlark(d.fd.MapValue(), v, d.owner.frozen))
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m protoreflect.Map) []protoreflect.MapKey {
	keys := make([]protoreflect.MapKey, 0, m.Len())
	m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, compareKeys)
	return keys
}

func compareKeys(a, b protoreflect.MapKey) int {
	switch x := a.Interface().(type) {
	case string:
		return strings.Compare(x, b.String())
	case bool:
		switch {
		case x == b.Bool():
			return 0
		case x:
			return 1
		}
		return -1
	case int32, int64:
		return cmp.Compare(a.Int(), b.Int())
	default:
		return cmp.Compare(a.Uint(), b.Uint())
	}
}

// String returns the dict in Starlark syntax, keys sorted.
func (d *Map) String() string {
	var b strings.Builder
	writeMap(&b, d.owner.env, d.fd, d.pmap(), 0)
	return b.String()
}

// Type returns "map<K, V>", as skycfg does.
func (d *Map) Type() string {
	return "map<" + fullTypeName(d.fd.MapKey()) + ", " + fullTypeName(d.fd.MapValue()) + ">"
}

// Freeze freezes the message the field belongs to.
func (d *Map) Freeze() { d.owner.Freeze() }

// Truth reports whether the map is non-empty.
func (d *Map) Truth() starlark.Bool { return d.Len() > 0 }

// Hash fails: maps are unhashable.
func (d *Map) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", d.Type()) }

// Len returns the number of entries.
func (d *Map) Len() int { return d.pmap().Len() }

// Get returns the value for key k (d[k], k in d).
func (d *Map) Get(k starlark.Value) (starlark.Value, bool, error) {
	mk, err := d.key(k)
	if err != nil {
		return nil, false, err
	}
	v := d.pmap().Get(mk)
	if !v.IsValid() {
		return nil, false, nil
	}
	return d.value(v), true, nil
}

// SetKey stores v under k; None deletes k.
func (d *Map) SetKey(k, v starlark.Value) error {
	mk, err := d.key(k)
	if err != nil {
		return err
	}
	if v == starlark.None {
		if d.owner.frozen {
			return d.owner.frozenError("delete " + d.path() + "[" + k.String() + "]")
		}
		if d.owner.read(); d.owner.parent == nil {
			d.owner.m.Get(d.fd).Map().Clear(mk)
			d.owner.wrote(d.fd)
		}
		return nil
	}
	pm, err := d.mutable("set", k)
	if err != nil {
		return err
	}
	pv, err := d.owner.env.toProto(fieldSlot(d.owner.m, d.fd), v)
	if err != nil {
		return fmt.Errorf("%s[%s]: %w", d.path(), k, err)
	}
	slotpb.StoreEntry(pm, mk, pv)
	return nil
}

// Items returns the entries in key order.
func (d *Map) Items() []starlark.Tuple {
	pm := d.pmap()
	keys := sortedKeys(pm)
	items := make([]starlark.Tuple, len(keys))
	for i, k := range keys {
		items[i] = starlark.Tuple{d.keyValue(k), d.value(pm.Get(k))}
	}
	return items
}

func (d *Map) keyValue(k protoreflect.MapKey) starlark.Value {
	return d.owner.env.toStarlark(d.fd.MapKey(), k.Value(), true)
}

func (d *Map) keys() []starlark.Value {
	keys := sortedKeys(d.pmap())
	out := make([]starlark.Value, len(keys))
	for i, k := range keys {
		out[i] = d.keyValue(k)
	}
	return out
}

// Iterate iterates over the keys in sorted order, as they are when
// iteration starts.
func (d *Map) Iterate() starlark.Iterator { return &keyIterator{keys: d.keys()} }

type keyIterator struct{ keys []starlark.Value }

func (it *keyIterator) Next(p *starlark.Value) bool {
	if len(it.keys) == 0 {
		return false
	}
	*p, it.keys = it.keys[0], it.keys[1:]
	return true
}

func (it *keyIterator) Done() {}

// CompareSameType compares two map fields entry by entry.
func (d *Map) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	e := y.(*Map)
	switch op {
	case syntax.EQL, syntax.NEQ:
	default:
		return false, fmt.Errorf("%s %s %s not supported", d.Type(), op, e.Type())
	}
	eq := d.Len() == e.Len()
	for _, kv := range d.Items() {
		if !eq {
			break
		}
		w, found, err := e.Get(kv[0])
		if err != nil {
			return false, err
		}
		if !found {
			eq = false
			break
		}
		if eq, err = starlark.EqualDepth(kv[1], w, depth-1); err != nil {
			return false, err
		}
	}
	return eq == (op == syntax.EQL), nil
}

var mapMethods = map[string]func(d *Map, thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error){
	"clear":      (*Map).clear,
	"get":        (*Map).get,
	"items":      (*Map).items,
	"keys":       (*Map).keysMethod,
	"pop":        (*Map).pop,
	"setdefault": (*Map).setdefault,
	"update":     (*Map).update,
	"values":     (*Map).values,
}

// Attr returns a dict method.
func (d *Map) Attr(name string) (starlark.Value, error) {
	method, ok := mapMethods[name]
	if !ok {
		return nil, nil
	}
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return method(d, thread, fn, args, kwargs)
	}).BindReceiver(d), nil
}

// AttrNames returns the names of the dict methods.
func (d *Map) AttrNames() []string {
	names := make([]string, 0, len(mapMethods))
	for n := range mapMethods {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (d *Map) clear(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	if d.owner.frozen {
		return nil, d.owner.frozenError("clear " + d.path())
	}
	if m := d.owner.read(); d.owner.parent == nil {
		m.Clear(d.fd)
		d.owner.wrote(d.fd)
	}
	return starlark.None, nil
}

func (d *Map) get(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var k, dflt starlark.Value = nil, starlark.None
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
		return nil, err
	}
	v, found, err := d.Get(k)
	if err != nil || !found {
		return dflt, err
	}
	return v, nil
}

func (d *Map) items(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	items := d.Items()
	out := make([]starlark.Value, len(items))
	for i, kv := range items {
		out[i] = kv
	}
	return starlark.NewList(out), nil
}

func (d *Map) keysMethod(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return starlark.NewList(d.keys()), nil
}

func (d *Map) values(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	items := d.Items()
	out := make([]starlark.Value, len(items))
	for i, kv := range items {
		out[i] = kv[1]
	}
	return starlark.NewList(out), nil
}

func (d *Map) pop(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var k, dflt starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
		return nil, err
	}
	v, found, err := d.Get(k)
	if err != nil {
		return nil, err
	}
	if !found {
		if dflt != nil {
			return dflt, nil
		}
		return nil, fmt.Errorf("pop: key %s not in %s", k, d.path())
	}
	pm, err := d.mutable("pop from", nil)
	if err != nil {
		return nil, err
	}
	mk, _ := d.key(k)
	pm.Clear(mk)
	return v, nil
}

func (d *Map) setdefault(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var k, dflt starlark.Value = nil, starlark.None
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
		return nil, err
	}
	if v, found, err := d.Get(k); err != nil || found {
		return v, err
	}
	if err := d.SetKey(k, dflt); err != nil {
		return nil, err
	}
	if v, found, err := d.Get(k); err != nil || found {
		return v, err
	}
	return starlark.None, nil
}

func (d *Map) update(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	// Let a Starlark dict interpret the arguments (a mapping, pairs,
	// keywords), then store its entries with type checks.
	tmp := starlark.NewDict(0)
	upd, _ := tmp.Attr("update")
	if _, err := starlark.Call(thread, upd, args, kwargs); err != nil {
		return nil, err
	}
	for _, kv := range tmp.Items() {
		if err := d.SetKey(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return starlark.None, nil
}
