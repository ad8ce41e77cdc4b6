package crd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Kind is one kind, at one version, that a CRD defines.
type Kind struct {
	// GVK is the kind's group, version and kind.
	GVK schema.GroupVersionKind
	// Namespaced says the kind's objects live in namespaces.
	Namespaced bool
	// Schema is the version's openAPIV3Schema.
	Schema *apiextv1.JSONSchemaProps
	// File is the manifest the CRD was read from.
	File string
}

// Package returns the protobuf package of the types of a group and
// version: "monitoring.coreos.com.v1".
func Package(group, version string) string {
	return strings.ReplaceAll(group, "-", "_") + "." + strings.ReplaceAll(version, "-", "_")
}

// Read reads CRD manifests (several documents to a file), named by
// slash paths relative to dir, and returns the kinds they define, one per
// served version, in the order read. A file that holds something else
// than CustomResourceDefinitions of apiextensions.k8s.io/v1 with a schema
// for every served version is an error, and so is a kind defined twice.
func Read(dir string, names []string) ([]*Kind, error) {
	var out []*Kind
	seen := map[schema.GroupVersionKind]string{}
	for _, p := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%s: no such file", p)
			}
			return nil, fmt.Errorf("reading CRDs: %w", err)
		}
		kinds, err := Parse(p, data)
		if err != nil {
			return nil, err
		}
		for _, k := range kinds {
			if prev, dup := seen[k.GVK]; dup {
				return nil, fmt.Errorf("%s: %s is defined in %s too", p, k.GVK, prev)
			}
			seen[k.GVK] = p
			out = append(out, k)
		}
	}
	return out, nil
}

// Parse reads the CRDs of one manifest file; name names it in errors.
func Parse(name string, data []byte) ([]*Kind, error) {
	var out []*Kind
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(raw, &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", name, doc, err)
		}
		if tm.APIVersion != "apiextensions.k8s.io/v1" || tm.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("%s: document %d is %s %s, want an apiextensions.k8s.io/v1 CustomResourceDefinition", name, doc, tm.APIVersion, tm.Kind)
		}
		var crd apiextv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &crd); err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", name, doc, err)
		}
		s := crd.Spec
		if s.Group == "" || s.Names.Kind == "" {
			return nil, fmt.Errorf("%s: CustomResourceDefinition %s: spec.group and spec.names.kind are required", name, crd.Name)
		}
		for _, v := range s.Versions {
			if !v.Served {
				continue
			}
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s: CustomResourceDefinition %s: version %s has no openAPIV3Schema", name, crd.Name, v.Name)
			}
			out = append(out, &Kind{
				GVK:        schema.GroupVersionKind{Group: s.Group, Version: v.Name, Kind: s.Names.Kind},
				Namespaced: s.Scope == apiextv1.NamespaceScoped,
				Schema:     v.Schema.OpenAPIV3Schema,
				File:       filepath.ToSlash(name),
			})
		}
	}
	return out, nil
}

// stripComments drops the comment lines of a YAML document, to tell an
// empty one.
func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("---")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// Lookup returns the kind of a group, version and kind among kinds.
func Lookup(kinds []*Kind, gvk schema.GroupVersionKind) (*Kind, bool) {
	i := slices.IndexFunc(kinds, func(k *Kind) bool { return k.GVK == gvk })
	if i < 0 {
		return nil, false
	}
	return kinds[i], true
}
