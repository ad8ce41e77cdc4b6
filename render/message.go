package render

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/manifest"
)

// This file is the render's message path: an object that is only going
// to be encoded (skyc render, with or without the cache) is written as
// YAML straight from the message main returned (manifest.EncodeMessage)
// and kept as its identity and document, as encodeJob would leave it,
// without the k8s.io/api Go struct ToObject would make. What needs the Go
// structs (Options.Visit and VisitCache, FieldOrigins, waivers limited to
// one object, the AWS side's check of service accounts) gets them: the
// first three turn the message path off for the job before it starts,
// the last converts the job's objects afterwards (materialize).

// messagePath reports whether this render's objects are only encoded:
// encodeJob is what the worker does with each job's result.
func (r *Renderer) messagePath() bool {
	return r.opts.VisitCache == nil && r.opts.Visit == nil && (r.cache != nil || r.opts.Encode)
}

// validOwnership reports whether SetOwnership accepts service and env as
// label values.
func validOwnership(service, env string) bool {
	return manifest.CheckOwnership(service, env) == nil
}

// messageIndex is an object of a job's objects written from message m.
type messageIndex struct {
	i int
	m proto.Message
}

// messageObject returns m as an object whose Obj is its identity (as
// identityOf gives it) and whose Encoded is its document, labelled with
// own, if m can take the message path: a built-in kind with a name
// (flatten's ToObject path reports a missing one), which EncodeMessage
// takes.
func (r *Renderer) messageObject(m proto.Message, own *manifest.Ownership) (manifest.Object, bool) {
	pm := m.ProtoReflect()
	k, ok := r.reg.KindOf(pm.Descriptor().FullName())
	if !ok || k.GoType == nil {
		return manifest.Object{}, false
	}
	name, namespace := objectName(pm)
	if name == "" {
		return manifest.Object{}, false
	}
	doc, ok := manifest.EncodeMessage(pm, k.GoType, k.GVK, own)
	if !ok {
		r.messageFallbacks.Add(1)
		return manifest.Object{}, false
	}
	r.messageObjects.Add(1)
	id := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: k.APIVersion(), Kind: k.GVK.Kind}}
	id.Name, id.Namespace = name, namespace
	return manifest.Object{Obj: id, Encoded: doc}, true
}

// objectName returns metadata.name and metadata.namespace of m, a
// message of a built-in kind.
func objectName(m protoreflect.Message) (name, namespace string) {
	mfd := m.Descriptor().Fields().ByName("metadata")
	if mfd == nil || mfd.Message() == nil || mfd.IsList() || mfd.IsMap() {
		return "", ""
	}
	md := m.Get(mfd).Message()
	fields := mfd.Message().Fields()
	if fd := fields.ByName("name"); fd != nil && fd.Kind() == protoreflect.StringKind && !fd.IsList() {
		name = md.Get(fd).String()
	}
	if fd := fields.ByName("namespace"); fd != nil && fd.Kind() == protoreflect.StringKind && !fd.IsList() {
		namespace = md.Get(fd).String()
	}
	return name, namespace
}

// materialize converts the objects of out written from their messages
// into their Go structs, labelled, for the AWS side: their documents are
// dropped, for encodeJob to encode the structs, and their origins follow
// them.
func (r *Renderer) materialize(out *jobResult, from []messageIndex) error {
	for _, x := range from {
		o := &out.objects[x.i]
		obj, err := r.reg.ToObject(x.m)
		if err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		id := o.Obj
		o.Obj, o.Encoded = obj, nil
		if err := manifest.SetOwnership(*o); err != nil {
			return fmt.Errorf("service name %w", err)
		}
		if p, ok := out.origins[id]; ok {
			delete(out.origins, id)
			out.origins[obj] = p
		}
	}
	return nil
}
