package starproto

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// List is the Starlark value of a repeated field: a live view of the
// field of its message, not a copy. It behaves like a Starlark list whose
// elements are type-checked as they are stored; reading an unset field
// gives an empty List that attaches the field to its message when
// something is first stored in it.
type List struct {
	owner *Message
	fd    protoreflect.FieldDescriptor
}

var (
	_ starlark.Sequence    = (*List)(nil)
	_ starlark.Indexable   = (*List)(nil)
	_ starlark.Sliceable   = (*List)(nil)
	_ starlark.HasSetIndex = (*List)(nil)
	_ starlark.HasAttrs    = (*List)(nil)
	_ starlark.HasBinary   = (*List)(nil)
	_ starlark.Container   = (*List)(nil)
	_ starlark.Comparable  = (*List)(nil)
)

// list returns the protobuf list to read from.
func (l *List) list() protoreflect.List { return l.owner.read().Get(l.fd).List() }

// mutable returns the protobuf list to write to, attaching it to its
// message; verb says what the write is, for the error when frozen.
func (l *List) mutable(verb string) (protoreflect.List, error) {
	if l.owner.frozen {
		return nil, l.owner.frozenError(verb + " " + l.path())
	}
	if err := l.owner.attach(); err != nil {
		return nil, err
	}
	l.owner.wrote(l.fd)
	return l.owner.m.Mutable(l.fd).List(), nil
}

func (l *List) path() string { return l.owner.path(l.fd) }

func (l *List) slot() slot { return slot{l.owner.m, l.fd, l.fd} }

// convert converts v for storing at index i.
func (l *List) convert(i int, v starlark.Value) (protoreflect.Value, error) {
	pv, err := l.owner.env.toProto(l.slot(), v)
	if err != nil {
		return protoreflect.Value{}, fmt.Errorf("%s[%d]: %w", l.path(), i, err)
	}
	return pv, nil
}

// String returns the list in Starlark syntax.
func (l *List) String() string {
	var b strings.Builder
	writeList(&b, l.owner.env, l.fd, l.list(), 0)
	return b.String()
}

// Type returns "list<T>" with T the element type, as skycfg does.
func (l *List) Type() string { return "list<" + fullTypeName(l.fd) + ">" }

// Freeze freezes the message the field belongs to.
func (l *List) Freeze() { l.owner.Freeze() }

// Truth reports whether the list is non-empty.
func (l *List) Truth() starlark.Bool { return l.Len() > 0 }

// Hash fails: lists are unhashable.
func (l *List) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", l.Type()) }

// Len returns the number of elements.
func (l *List) Len() int { return l.list().Len() }

// Index returns element i.
func (l *List) Index(i int) starlark.Value {
	return l.owner.adopt(l.owner.env.toStarlark(l.fd, l.list().Get(i), l.owner.frozen))
}

// Slice returns a new Starlark list of the selected elements; message
// elements are shared.
func (l *List) Slice(start, end, step int) starlark.Value {
	pl := l.list()
	var out []starlark.Value
	for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
		out = append(out, l.owner.adopt(l.owner.env.toStarlark(l.fd, pl.Get(i), l.owner.frozen)))
	}
	return starlark.NewList(out)
}

// Iterate iterates over the elements present when iteration starts.
func (l *List) Iterate() starlark.Iterator { return &listIterator{l: l, n: l.Len()} }

type listIterator struct {
	l    *List
	i, n int
}

func (it *listIterator) Next(p *starlark.Value) bool {
	pl := it.l.list()
	if it.i >= it.n || it.i >= pl.Len() {
		return false
	}
	*p = it.l.owner.adopt(it.l.owner.env.toStarlark(it.l.fd, pl.Get(it.i), it.l.owner.frozen))
	it.i++
	return true
}

func (it *listIterator) Done() {}

// SetIndex stores v at index i.
func (l *List) SetIndex(i int, v starlark.Value) error {
	pl, err := l.mutable("set an element of")
	if err != nil {
		return err
	}
	pv, err := l.convert(i, v)
	if err != nil {
		return err
	}
	pl.Set(i, pv)
	return nil
}

// Has reports whether v is an element (x in list).
func (l *List) Has(v starlark.Value) (bool, error) {
	pl := l.list()
	for i := 0; i < pl.Len(); i++ {
		if eq, err := starlark.Equal(l.owner.env.toStarlark(l.fd, pl.Get(i), l.owner.frozen), v); err != nil || eq {
			return eq, err
		}
	}
	return false, nil
}

// Binary implements + with lists, tuples and other repeated fields; the
// result is a new Starlark list.
func (l *List) Binary(op syntax.Token, y starlark.Value, side starlark.Side) (starlark.Value, error) {
	if op != syntax.PLUS {
		return nil, nil
	}
	switch y.(type) {
	case *starlark.List, starlark.Tuple, *List:
	default:
		return nil, nil
	}
	elems := l.elems()
	other := iterValues(y.(starlark.Iterable))
	if side == starlark.Left {
		return starlark.NewList(append(elems, other...)), nil
	}
	return starlark.NewList(append(other, elems...)), nil
}

func (l *List) elems() []starlark.Value {
	pl := l.list()
	out := make([]starlark.Value, pl.Len())
	for i := range out {
		out[i] = l.owner.adopt(l.owner.env.toStarlark(l.fd, pl.Get(i), l.owner.frozen))
	}
	return out
}

func iterValues(it starlark.Iterable) []starlark.Value {
	var out []starlark.Value
	iter := it.Iterate()
	defer iter.Done()
	var v starlark.Value
	for iter.Next(&v) {
		out = append(out, v)
	}
	return out
}

// CompareSameType compares two repeated fields element by element.
func (l *List) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return starlark.CompareDepth(op, starlark.Tuple(l.elems()), starlark.Tuple(y.(*List).elems()), depth)
}

var listMethods = map[string]func(l *List, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error){
	"append": (*List).append,
	"clear":  (*List).clear,
	"extend": (*List).extend,
	"index":  (*List).index,
	"insert": (*List).insert,
	"pop":    (*List).pop,
	"remove": (*List).remove,
}

// Attr returns a list method.
func (l *List) Attr(name string) (starlark.Value, error) {
	method, ok := listMethods[name]
	if !ok {
		return nil, nil
	}
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return method(l, fn, args, kwargs)
	}).BindReceiver(l), nil
}

// AttrNames returns the names of the list methods.
func (l *List) AttrNames() []string {
	names := make([]string, 0, len(listMethods))
	for n := range listMethods {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (l *List) append(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	pl, err := l.mutable("append to")
	if err != nil {
		return nil, err
	}
	pv, err := l.convert(pl.Len(), v)
	if err != nil {
		return nil, err
	}
	slotpb.Append(pl, pv)
	return starlark.None, nil
}

func (l *List) clear(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	if l.owner.frozen {
		return nil, l.owner.frozenError("clear " + l.path())
	}
	if m := l.owner.read(); l.owner.parent == nil {
		m.Clear(l.fd)
		l.owner.wrote(l.fd)
	}
	return starlark.None, nil
}

func (l *List) extend(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var it starlark.Iterable
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &it); err != nil {
		return nil, err
	}
	pl, err := l.mutable("extend")
	if err != nil {
		return nil, err
	}
	// Convert everything first, so that l.extend(l) ends and a type error
	// leaves the list as it was.
	vals := iterValues(it)
	pvs := make([]protoreflect.Value, len(vals))
	for i, v := range vals {
		if pvs[i], err = l.convert(pl.Len()+i, v); err != nil {
			return nil, err
		}
	}
	for _, pv := range pvs {
		pl.Append(pv)
	}
	return starlark.None, nil
}

func (l *List) index(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	start, end := 0, l.Len()
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v, &start, &end); err != nil {
		return nil, err
	}
	start, end = clampIndex(start, l.Len()), clampIndex(end, l.Len())
	for i := start; i < end; i++ {
		if eq, err := starlark.Equal(l.Index(i), v); err != nil {
			return nil, err
		} else if eq {
			return starlark.MakeInt(i), nil
		}
	}
	return nil, fmt.Errorf("index: value not in %s", l.path())
}

// clampIndex resolves a negative index and clamps it to [0, n], as
// Python's list.insert and list.index do.
func clampIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return max(0, min(i, n))
}

func (l *List) insert(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		i int
		v starlark.Value
	)
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 2, &i, &v); err != nil {
		return nil, err
	}
	pl, err := l.mutable("insert into")
	if err != nil {
		return nil, err
	}
	i = clampIndex(i, pl.Len())
	pv, err := l.convert(i, v)
	if err != nil {
		return nil, err
	}
	pl.Append(pv)
	for j := pl.Len() - 1; j > i; j-- {
		pl.Set(j, pl.Get(j-1))
	}
	pl.Set(i, pv)
	return starlark.None, nil
}

func (l *List) pop(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	i := -1
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0, &i); err != nil {
		return nil, err
	}
	n := l.Len()
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil, fmt.Errorf("pop: index %d out of range for %s of length %d", i, l.path(), n)
	}
	pl, err := l.mutable("pop from")
	if err != nil {
		return nil, err
	}
	v := l.owner.adopt(l.owner.env.toStarlark(l.fd, pl.Get(i), false))
	l.deleteAt(pl, i)
	return v, nil
}

func (l *List) deleteAt(pl protoreflect.List, i int) {
	for j := i; j < pl.Len()-1; j++ {
		pl.Set(j, pl.Get(j+1))
	}
	pl.Truncate(pl.Len() - 1)
}

func (l *List) remove(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	if l.owner.frozen {
		return nil, l.owner.frozenError("remove from " + l.path())
	}
	for i, n := 0, l.Len(); i < n; i++ {
		if eq, err := starlark.Equal(l.Index(i), v); err != nil {
			return nil, err
		} else if eq {
			pl, err := l.mutable("remove from")
			if err != nil {
				return nil, err
			}
			l.deleteAt(pl, i)
			return starlark.None, nil
		}
	}
	return nil, fmt.Errorf("remove: value not in %s", l.path())
}
