package render

import (
	"strconv"
	"strings"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
)

// This file remembers, when Options.FieldOrigins asks for it, which line
// of the user's code gave each field of an object its value, so that a
// finding about a field (spec.template.spec.hostNetwork) points at the
// override that set it rather than at the service() call that made the
// object.

// fieldKey is one field of one message.
type fieldKey struct {
	m  proto.Message
	fd protoreflect.FieldDescriptor
}

// write is where a field was last written, and when: seq orders the
// writes of one evaluation.
type write struct {
	pos lang.Pos
	seq int
}

// writes records, during one evaluation, where each field was last
// written: its record method is the evaluation's starproto.SetHook.
type writes struct {
	last map[fieldKey]write
	seq  int
}

func newWrites() *writes { return &writes{last: map[fieldKey]write{}} }

func (w *writes) record(thread *starlark.Thread, m proto.Message, fd protoreflect.FieldDescriptor) {
	if p := userPos(thread); p.IsValid() {
		w.seq++
		w.last[fieldKey{m, fd}] = write{p, w.seq}
	}
}

// at returns where field fd of m was last written.
func (w *writes) at(m protoreflect.Message, fd protoreflect.FieldDescriptor) (lang.Pos, bool) {
	x, ok := w.last[fieldKey{m.Interface(), fd}]
	return x.pos, ok
}

// latestWithin returns the last write to m or to any message below it.
func (w *writes) latestWithin(m protoreflect.Message) (write, bool) {
	var best write
	found := false
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		// Every field, set or not: clearing a field is a write too.
		fields := m.Descriptor().Fields()
		for i := 0; i < fields.Len(); i++ {
			if x, ok := w.last[fieldKey{m.Interface(), fields.Get(i)}]; ok && x.seq > best.seq {
				best, found = x, true
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					visit(l.Get(i).Message())
				}
			case fd.IsMap() && fd.MapValue().Message() != nil:
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					visit(mv.Message())
					return true
				})
			case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
				visit(v.Message())
			}
			return true
		})
	}
	visit(m)
	return best, found
}

// provenance is what one evaluation recorded about its objects' fields.
type provenance struct {
	made  origins
	wrote *writes
}

// objectFields is what Locate needs of one object: the message it was
// converted from and the evaluation's records.
type objectFields struct {
	root proto.Message
	prov *provenance
}

// Locate returns the line of the user's code that gave obj's field its
// value: the last assignment to the field or to a message on its path
// (for a field that is a message, the last assignment anywhere inside
// it), else the construction of the deepest message on the path that the
// user's code made, else where obj was made. field is a path as the API
// server writes it, "spec.template.spec.containers[0].image"; "" asks for
// the object. It needs a render with Options.FieldOrigins; without, or for
// an object made otherwise, it returns the object's Origins entry.
func (res *Result) Locate(obj runtime.Object, field string) (lang.Pos, bool) {
	of, ok := res.fields[obj]
	if !ok {
		p, ok := res.Origins[obj]
		return p, ok
	}
	best, found := of.prov.made.at(of.root.ProtoReflect())
	note := func(p lang.Pos, ok bool) {
		if ok && p.IsValid() {
			best, found = p, true
		}
	}
	cur := of.root.ProtoReflect()
	segs := splitPath(field)
	// atMessage says the walk so far ended on the message cur.
	atMessage := false
walk:
	for i := 0; i < len(segs); i++ {
		atMessage = false
		seg := segs[i]
		if seg.index {
			break
		}
		fd, via := fieldByJSONName(cur.Descriptor(), seg.name)
		if fd == nil {
			break
		}
		if via != nil {
			// A field of an embedded struct that JSON flattens (Volume's
			// volumeSource, Probe's handler).
			note(of.prov.wrote.at(cur, via))
			if !cur.Has(via) {
				break
			}
			cur = cur.Get(via).Message()
			note(of.prov.made.at(cur))
		}
		note(of.prov.wrote.at(cur, fd))
		if !cur.Has(fd) || (fd.Message() == nil && !fd.IsMap()) {
			break // unset, or a scalar or a list of scalars
		}
		switch {
		case fd.IsList():
			if i+1 == len(segs) || !segs[i+1].index {
				break walk
			}
			i++
			n, err := strconv.Atoi(segs[i].name)
			l := cur.Get(fd).List()
			if err != nil || n < 0 || n >= l.Len() {
				break walk
			}
			cur = l.Get(n).Message()
		case fd.IsMap():
			if i+1 < len(segs) && segs[i+1].index {
				i++ // a key: the map's write is the best there is
			}
			break walk
		default:
			cur = cur.Get(fd).Message()
		}
		note(of.prov.made.at(cur))
		atMessage = true
	}
	if atMessage && field != "" {
		if w, ok := of.prov.wrote.latestWithin(cur); ok {
			best, found = w.pos, true
		}
	}
	return best, found
}

// pathSegment is one step of a field path: a field name, or an index or
// key in brackets.
type pathSegment struct {
	name  string
	index bool
}

// splitPath splits "a.b[0].c" into a, b, [0], c.
func splitPath(path string) []pathSegment {
	var out []pathSegment
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return out
			}
			out = append(out, pathSegment{name: path[1:end], index: true})
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			out = append(out, pathSegment{name: path[:end]})
			path = path[end:]
		}
	}
	return out
}

// fieldByJSONName finds the field of md a JSON path names: a field of md,
// or one of a singular message field that JSON flattens into md (then
// via is that field).
func fieldByJSONName(md protoreflect.MessageDescriptor, name string) (fd, via protoreflect.FieldDescriptor) {
	fields := md.Fields()
	if fd := fields.ByJSONName(name); fd != nil {
		return fd, nil
	}
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd, nil
	}
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		if f.Message() == nil || f.IsList() || f.IsMap() {
			continue
		}
		if inner := f.Message().Fields().ByName(protoreflect.Name(name)); inner != nil && isEmbedded(f) {
			return inner, f
		}
	}
	return nil, nil
}

// isEmbedded reports whether a message field is one of the Go structs
// Kubernetes embeds and JSON flattens: its name is its type's, lower-cased
// at the start (volumeSource VolumeSource, handler ProbeHandler).
func isEmbedded(f protoreflect.FieldDescriptor) bool {
	typ := string(f.Message().Name())
	name := string(f.Name())
	return strings.EqualFold(name, typ) || strings.HasSuffix(strings.ToLower(typ), strings.ToLower(name))
}
