package importer

import (
	"fmt"
	"reflect"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/schemas"
)

// maxOverrides is the most field assignments a service() or worker()
// call may need to render its objects; past it the objects stay typed
// constructors, which read better than a call buried in changes.
const maxOverrides = 8

// assignment is one override after a platform call: target (a path
// below the call's result) = val.
type assignment struct {
	target string
	val    node
	// appends is set for target.append(val) rather than target = val.
	appends bool
}

// structFields names the field of service()'s and worker()'s result
// that holds an object of each kind.
var structFields = map[string]string{
	"Deployment":              "deployment",
	"Service":                 "service",
	"ServiceAccount":          "service_account",
	"PodDisruptionBudget":     "pod_disruption_budget",
	"HorizontalPodAutoscaler": "horizontal_pod_autoscaler",
	"NetworkPolicy":           "network_policy",
	"Ingress":                 "ingress",
	"CronJob":                 "cron_job",
}

// overrides returns the assignments that turn the objects a platform call
// rendered (got) into the group's objects (want), or false if that takes
// more than assignments (an object too many or too few).
func overrides(reg *schemas.Registry, g *generator, want []Object, got []runtime.Object) ([]assignment, bool) {
	byKey := map[string]runtime.Object{}
	for _, o := range got {
		byKey[key(o)] = o
	}
	if len(byKey) != len(want) {
		return nil, false
	}
	var out []assignment
	for _, w := range want {
		o, ok := byKey[key(w.Obj)]
		field := structFields[w.GVK().Kind]
		if !ok || field == "" {
			return nil, false
		}
		clearStatus(o)
		dropOwnership(w.Obj, o)
		wm, err1 := reg.FromObject(w.Obj)
		gm, err2 := reg.FromObject(o)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		k, _ := reg.KindOf(wm.ProtoReflect().Descriptor().FullName())
		as, err := g.diff(field, wm.ProtoReflect(), gm.ProtoReflect(), k.GoType)
		if err != nil {
			return nil, false
		}
		out = append(out, as...)
		if len(out) > maxOverrides {
			return nil, false
		}
	}
	return out, true
}

// diff returns the assignments below path that make got equal want.
func (g *generator) diff(path string, want, got protoreflect.Message, t reflect.Type) ([]assignment, error) {
	var out []assignment
	gofields := goFields(deref(t))
	fields := want.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		wh, gh := want.Has(fd), got.Has(fd)
		if !wh && !gh {
			continue
		}
		name := string(fd.Name())
		if reserved[name] {
			name += "_"
		}
		fpath := path + "." + name
		ft := gofields[fd.Number()]
		wv, gv := want.Get(fd), got.Get(fd)
		set := func(n node, err error) error {
			if err != nil {
				return err
			}
			out = append(out, assignment{target: fpath, val: n})
			return nil
		}
		var err error
		switch {
		case fd.IsList():
			wl, gl := wv.List(), gv.List()
			if listsEqual(wl, gl) {
				continue
			}
			if gl.Len() > 0 && gl.Len() < wl.Len() && listsEqual(truncated(wl, gl.Len()), gl) {
				// Elements appended after the call.
				for j := gl.Len(); j < wl.Len(); j++ {
					var n node
					if fd.Kind() == protoreflect.MessageKind {
						n, err = g.message(wl.Get(j).Message(), elemType(ft), fpath)
					} else {
						n, err = g.scalar(fd, wl.Get(j))
					}
					if err != nil {
						return nil, err
					}
					out = append(out, assignment{target: fpath, val: n, appends: true})
				}
				continue
			}
			if wl.Len() == gl.Len() && fd.Kind() == protoreflect.MessageKind && !isBoxed(fd.Message()) {
				for j := 0; j < wl.Len(); j++ {
					as, err := g.diff(fmt.Sprintf("%s[%d]", fpath, j), wl.Get(j).Message(), gl.Get(j).Message(), elemType(ft))
					if err != nil {
						return nil, err
					}
					out = append(out, as...)
				}
				continue
			}
			if wl.Len() == 0 {
				err = set(&list{}, nil)
			} else {
				err = set(g.list(fd, wl, elemType(ft), fpath))
			}
		case fd.IsMap():
			if mapsEqual(wv.Map(), gv.Map()) {
				continue
			}
			if wv.Map().Len() == 0 {
				err = set(&dict{}, nil)
			} else {
				err = set(g.dict(fd, wv.Map(), elemType(ft), fpath))
			}
		case fd.Kind() == protoreflect.MessageKind:
			switch {
			case !wh:
				err = set(atom("None"), nil)
			case !gh || isBoxed(fd.Message()):
				if gh && proto.Equal(wv.Message().Interface(), gv.Message().Interface()) {
					continue
				}
				err = set(g.message(wv.Message(), ft, fpath))
			default:
				as, derr := g.diff(fpath, wv.Message(), gv.Message(), ft)
				out, err = append(out, as...), derr
			}
		default:
			switch {
			case wh && gh && wv.Equal(gv):
				continue
			case !wh:
				err = set(atom("None"), nil)
			default:
				n, serr := g.scalar(fd, wv)
				if serr == nil && fileModes[string(fd.Name())] && fd.Kind() == protoreflect.Int32Kind && wv.Int() >= 0 {
					n = atom(fmt.Sprintf("0o%o", wv.Int()))
				}
				err = set(n, serr)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prefix is a read-only view of the first n elements of a list.
type prefix struct {
	protoreflect.List
	n int
}

func (p prefix) Len() int { return p.n }

func truncated(l protoreflect.List, n int) protoreflect.List { return prefix{l, n} }

func listsEqual(a, b protoreflect.List) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := 0; i < a.Len(); i++ {
		if !valuesEqual(a.Get(i), b.Get(i)) {
			return false
		}
	}
	return true
}

func mapsEqual(a, b protoreflect.Map) bool {
	if a.Len() != b.Len() {
		return false
	}
	equal := true
	a.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		equal = b.Has(k) && valuesEqual(v, b.Get(k))
		return equal
	})
	return equal
}

func valuesEqual(a, b protoreflect.Value) bool {
	if am, ok := a.Interface().(protoreflect.Message); ok {
		bm, ok := b.Interface().(protoreflect.Message)
		return ok && proto.Equal(am.Interface(), bm.Interface())
	}
	return a.Equal(b)
}
