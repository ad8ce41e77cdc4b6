package manifest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// ReadTree reads back a tree that [WriteTree] wrote: one object per file,
// as an *unstructured.Unstructured, with Env and Service from the file's
// place in the tree (DIR/<env>/<service>/ or DIR/<service>/) and Source
// from its "# Source:" line. Documents (in a service's cloudformation/
// and iam/ folders) come back as Objects with Doc set, their Data as
// the maker encoded it. The objects come in canonical order ([Sort]).
// dir must hold [MarkerFile], so that a wrong directory is an error rather
// than an empty render.
func ReadTree(dir string) ([]Object, error) {
	if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err != nil {
		return nil, fmt.Errorf("%s is not a tree written by skyc render -o (no %s): %w", dir, MarkerFile, err)
	}
	var objs []Object
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".yaml") && !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if doc, ok, err := readDocument(path, parts); ok || err != nil {
			if ok {
				objs = append(objs, doc)
			}
			return err
		}
		if !strings.HasSuffix(d.Name(), ".yaml") {
			return nil
		}
		var o Object
		switch len(parts) {
		case 2:
			o.Service = parts[0]
		case 3:
			o.Env, o.Service = parts[0], parts[1]
		default:
			return fmt.Errorf("%s: not at DIR/<env>/<service>/<file> or DIR/<service>/<file>", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.HasPrefix(first, []byte("# Source: ")) {
			o.Source = string(bytes.TrimPrefix(first, []byte("# Source: ")))
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		o.Obj = u
		objs = append(objs, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	Sort(objs)
	return objs, nil
}

// readDocument reads the file at path as a Document if its place in the
// tree (parts, relative to the tree) is a service's document folder:
// <env>/<service>/<folder>/<file> or <service>/<folder>/<file>.
func readDocument(path string, parts []string) (Object, bool, error) {
	var o Object
	var folder, file string
	switch {
	case len(parts) == 4 && documentFolders[parts[2]] != "":
		o.Env, o.Service, folder, file = parts[0], parts[1], parts[2], parts[3]
	case len(parts) == 3 && documentFolders[parts[1]] != "" && (parts[1] == "cloudformation" || strings.HasSuffix(parts[2], ".json")):
		o.Service, folder, file = parts[0], parts[1], parts[2]
	default:
		return o, false, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return o, false, err
	}
	if first, rest, ok := bytes.Cut(data, []byte("\n")); ok && bytes.HasPrefix(first, []byte("# Source: ")) {
		o.Source = string(bytes.TrimPrefix(first, []byte("# Source: ")))
		data = rest
	}
	o.Doc = &Document{
		Kind: documentFolders[folder],
		Name: strings.TrimSuffix(strings.TrimSuffix(file, ".yaml"), ".json"),
		Path: folder + "/" + file,
		Data: data,
	}
	return o, true, nil
}
