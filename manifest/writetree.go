package manifest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// MarkerFile is the name of the file WriteTree puts at the top of every tree
// it writes. WriteTree replaces a non-empty directory only if it holds this
// file, so that a mistyped output directory (-o ~/) is never wiped.
const MarkerFile = ".skyc-tree"

const markerText = "This directory is written by skyc and replaced as a whole on every write.\n" +
	"Do not edit files here: edit the .sky sources and render again.\n"

// Names of WriteTree's working directories next to DIR: ".DIR.skyc-tmp-*"
// (a tree being written) and ".DIR.skyc-old-*" (a replaced tree being
// removed). Leftovers of a crashed writer are removed by the next one.
const (
	tmpInfix = ".skyc-tmp-"
	oldInfix = ".skyc-old-"
)

// WriteTree writes objs as a tree of YAML files, one object per file:
//
//	DIR/<env>/<service>/<kind>-<name>.yaml
//
// with the kind in lower case. Objects whose Env is "" go to
// DIR/<service>/<kind>-<name>.yaml; objects with and without an environment
// cannot be mixed in one tree. When two objects of a service would get the
// same file name, the file names of both carry the namespace too
// (<kind>-<namespace>_<name>.yaml), and when two kinds of the same name from
// different API groups meet, the kind carries the group
// (<kind>.<group>-<name>.yaml). A file starts with "# Source: ..." when its
// object has a Source. Files have mode 0644 and directories 0755.
//
// The write is all or nothing. The tree is written into a new directory
// next to DIR, every file and directory is synced to disk, and then the new
// tree takes DIR's place in one rename (on Linux the two are exchanged
// atomically; elsewhere DIR is briefly absent). On any error the previous
// tree is left as it was; after a crash DIR holds either the previous tree
// or the new one, never a mix. Files of services that are no longer in objs
// disappear with the old tree.
//
// WriteTree replaces DIR only if it does not exist, is empty, or holds
// MarkerFile, and refuses anything else. Concurrent calls for the same DIR,
// from goroutines or processes, are serialized by a lock (flock on DIR's
// parent directory, where the platform has it); the last one wins with its
// whole tree. ctx cancels waiting for the lock and the write itself.
func WriteTree(ctx context.Context, dir string, objs []Object) error {
	return writeTree(ctx, dir, objs, treeOptions{})
}

// treeOptions are WriteTree's knobs for tests.
type treeOptions struct {
	// failAfter, if positive, makes the write fail after that many object
	// files are written, before the swap.
	failAfter int
	// noExchange makes the swap use the fallback of two renames.
	noExchange bool
}

var errInjected = errors.New("injected failure")

// errNoExchange says that two directories cannot be swapped atomically here.
var errNoExchange = errors.New("atomic exchange not supported")

// treeFile is one file of a tree.
type treeFile struct {
	path string // slash-separated, relative to the tree's root
	obj  Object
	data []byte
}

func writeTree(ctx context.Context, dir string, objs []Object, opts treeOptions) error {
	files, err := planTree(objs)
	if err != nil {
		return fmt.Errorf("writing tree %s: %w", dir, err)
	}
	if err := encodeFiles(files); err != nil {
		return fmt.Errorf("writing tree %s: %w", dir, err)
	}
	if err := commitTree(ctx, dir, files, opts); err != nil {
		return fmt.Errorf("writing tree %s: %w", dir, err)
	}
	return nil
}

// planTree decides the path of every object's and document's file.
func planTree(all []Object) ([]treeFile, error) {
	objs, docs := splitDocuments(all)
	files, err := planObjects(objs)
	if err != nil {
		return nil, err
	}
	return addDocuments(files, docs)
}

// planObjects decides the path of every Kubernetes object's file.
func planObjects(objs []Object) ([]treeFile, error) {
	withEnv := -1
	withoutEnv := -1
	type entry struct {
		obj    Object
		id     identity
		folder string
		kind   string // lower-case kind, maybe with the group
		name   string // name, maybe with the namespace
	}
	entries := make([]entry, len(objs))
	for i, o := range objs {
		if o.Obj == nil {
			return nil, fmt.Errorf("object %d of service %q has no Obj", i, o.Service)
		}
		id := identify(o.Obj)
		if err := checkName("service", o.Service); err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		folder := o.Service
		if o.Env != "" {
			if err := checkName("environment", o.Env); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			folder = o.Env + "/" + o.Service
			withEnv = i
		} else {
			withoutEnv = i
		}
		for _, c := range []struct{ what, value string }{
			{"kind", id.gvk.Kind}, {"name", id.name},
		} {
			if err := checkName(c.what, c.value); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
		}
		for _, c := range []struct{ what, value string }{
			{"API group", id.gvk.Group}, {"namespace", id.namespace},
		} {
			if c.value == "" {
				continue
			}
			if err := checkName(c.what, c.value); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
		}
		entries[i] = entry{obj: o, id: id, folder: folder, kind: strings.ToLower(id.gvk.Kind), name: id.name}
	}
	if withEnv >= 0 && withoutEnv >= 0 {
		return nil, fmt.Errorf("objects with an environment (%s) and without one (%s) cannot share a tree",
			objs[withEnv], objs[withoutEnv])
	}

	// Fold in the group where two groups' kinds of one name meet in a
	// folder, then the namespace where two objects' names meet.
	type kindKey struct{ folder, kind string }
	groups := map[kindKey]map[string]bool{}
	for _, e := range entries {
		k := kindKey{e.folder, e.kind}
		if groups[k] == nil {
			groups[k] = map[string]bool{}
		}
		groups[k][e.id.gvk.Group] = true
	}
	for i := range entries {
		e := &entries[i]
		if len(groups[kindKey{e.folder, e.kind}]) > 1 && e.id.gvk.Group != "" {
			e.kind += "." + e.id.gvk.Group
		}
	}
	type nameKey struct{ folder, kind, name string }
	namespaces := map[nameKey]map[string]bool{}
	for _, e := range entries {
		k := nameKey{e.folder, e.kind, e.name}
		if namespaces[k] == nil {
			namespaces[k] = map[string]bool{}
		}
		namespaces[k][e.id.namespace] = true
	}
	for i := range entries {
		e := &entries[i]
		if len(namespaces[nameKey{e.folder, e.kind, e.name}]) > 1 && e.id.namespace != "" {
			e.name = e.id.namespace + "_" + e.name
		}
	}

	files := make([]treeFile, len(entries))
	seen := map[string]int{}
	for i, e := range entries {
		base := e.kind + "-" + e.name + ".yaml"
		if len(base) > 255 {
			return nil, fmt.Errorf("%s: file name %q is longer than 255 bytes", e.obj, base)
		}
		p := e.folder + "/" + base
		if j, ok := seen[p]; ok {
			return nil, fmt.Errorf("%s and %s would both be written to %s", objs[j], e.obj, p)
		}
		seen[p] = i
		files[i] = treeFile{path: p, obj: e.obj}
	}
	slices.SortFunc(files, func(a, b treeFile) int { return strings.Compare(a.path, b.path) })
	return files, nil
}

// checkName rejects a name that cannot be used safely in a file path.
func checkName(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", what)
	case strings.ContainsAny(s, "/\\\x00"):
		return fmt.Errorf("%s %q contains a path separator or NUL", what, s)
	case strings.Contains(s, ".."):
		return fmt.Errorf("%s %q contains \"..\"", what, s)
	case strings.HasPrefix(s, "."):
		return fmt.Errorf("%s %q starts with a dot", what, s)
	}
	return nil
}

// encodeFiles encodes every file's object, in parallel. The error is that of
// the first failing file in path order, so it does not depend on timing.
func encodeFiles(files []treeFile) error {
	errs := make([]error, len(files))
	workers := min(runtime.GOMAXPROCS(0), len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if files[i].obj.Doc != nil {
					continue // encoded by its maker
				}
				b := files[i].obj.Encoded
				if b == nil {
					var err error
					if b, err = Encode(files[i].obj.Obj); err != nil {
						errs[i] = fmt.Errorf("%s: %w", files[i].path, err)
						continue
					}
				}
				files[i].data = withHeader(files[i].obj, b)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// withHeader prepends the object's comment header to its document.
func withHeader(o Object, doc []byte) []byte {
	if o.Source == "" {
		return doc
	}
	return append([]byte(header(o)), doc...)
}

// commitTree writes files into a new directory and swaps it in for dir.
func commitTree(ctx context.Context, dir string, files []treeFile, opts treeOptions) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// Work on the real directory if dir is a symbolic link to one.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if parent == dir {
		return fmt.Errorf("cannot replace the root directory")
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	unlock, err := lockDir(ctx, parent)
	if err != nil {
		return fmt.Errorf("locking %s: %w", parent, err)
	}
	defer unlock()

	exists, err := checkReplaceable(dir)
	if err != nil {
		return err
	}
	removeLeftovers(parent, base)

	tmp, err := os.MkdirTemp(parent, "."+base+tmpInfix)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			removeTree(tmp)
		}
	}()
	if err := writeFiles(ctx, tmp, files, opts); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if !exists {
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		done = true
		return syncDir(parent)
	}
	err = errNoExchange
	if !opts.noExchange {
		err = exchange(tmp, dir)
	}
	switch {
	case err == nil:
		// tmp now holds the previous tree.
		done = true
		serr := syncDir(parent)
		removeTree(tmp)
		return serr
	case !errors.Is(err, errNoExchange):
		return err
	}
	// No atomic exchange: move the old tree aside, then the new one in.
	old := filepath.Join(parent, "."+base+oldInfix+filepath.Base(tmp)[len(base)+len(tmpInfix)+1:])
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w (and restoring the previous tree from %s: %v)", err, old, rerr)
		}
		return err
	}
	done = true
	serr := syncDir(parent)
	removeTree(old)
	return serr
}

// checkReplaceable reports whether dir exists, and fails unless WriteTree may
// replace it: absent, an empty directory, or a tree with the marker file.
func checkReplaceable(dir string) (exists bool, err error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !fi.IsDir():
		return false, fmt.Errorf("%s exists and is not a directory", dir)
	}
	if mi, err := os.Lstat(filepath.Join(dir, MarkerFile)); err == nil && mi.Mode().IsRegular() {
		return true, nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) == 0 && (err == nil || errors.Is(err, io.EOF)) {
		return true, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return false, fmt.Errorf("refusing to replace %s: the directory is not empty and has no %s file, so it is not a tree skyc wrote", dir, MarkerFile)
}

// removeLeftovers removes the working directories of writers that crashed.
// The caller holds the lock, so no live writer owns them.
func removeLeftovers(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || !strings.HasPrefix(n, "."+base+".skyc-") {
			continue
		}
		rest := n[len(base)+1:]
		if !strings.HasPrefix(rest, tmpInfix) && !strings.HasPrefix(rest, oldInfix) {
			continue
		}
		// Only directories that look like our trees: the marker is the
		// first file written, so a writer that died before it left an
		// empty directory.
		p := filepath.Join(parent, n)
		if _, err := os.Lstat(filepath.Join(p, MarkerFile)); err != nil {
			os.Remove(p) // fails unless empty
			continue
		}
		removeTree(p)
	}
}

// removeTree removes a tree that WriteTree wrote, the marker file last, so
// that a crash midway leaves a directory that removeLeftovers recognizes.
func removeTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != MarkerFile {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return os.RemoveAll(dir)
}

// writeFiles writes the marker and every file under root, synced to disk.
func writeFiles(ctx context.Context, root string, files []treeFile, opts treeOptions) error {
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	marker := filepath.Join(root, MarkerFile)
	if err := writeFile(marker, []byte(markerText)); err != nil {
		return err
	}
	paths := []string{marker}
	dirs := []string{root}
	made := map[string]bool{}
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if opts.failAfter > 0 && i == opts.failAfter {
			return errInjected
		}
		rel := filepath.FromSlash(f.path)
		// Make the parent directories, one component at a time, with
		// mode 0755 whatever the umask.
		d := ""
		parts := strings.Split(filepath.Dir(rel), string(filepath.Separator))
		for _, p := range parts {
			d = filepath.Join(d, p)
			if made[d] {
				continue
			}
			abs := filepath.Join(root, d)
			if err := os.Mkdir(abs, 0o755); err != nil {
				return err
			}
			if err := os.Chmod(abs, 0o755); err != nil {
				return err
			}
			made[d] = true
			dirs = append(dirs, abs)
		}
		p := filepath.Join(root, rel)
		if err := writeFile(p, f.data); err != nil {
			return err
		}
		paths = append(paths, p)
	}
	// Everything must be on disk before the rename makes the tree visible.
	return syncTree(root, paths, dirs)
}

// writeFile creates path with mode 0644 and writes data (syncTree syncs it).
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
