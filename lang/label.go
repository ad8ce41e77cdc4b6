package lang

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/internal/spell"
)

// maxLabelLen bounds the length of a load() label.
const maxLabelLen = 1024

// LabelError is an invalid or unresolvable load() label.
type LabelError struct {
	Label string
	Msg   string
	Hint  string
}

func (e *LabelError) Error() string { return e.Msg }

// resolveLabel turns a label written in the file named from into a
// canonical label: a root-relative slash path ("lib/x.sky") or a stdlib
// label ("@skyc//x.sky").
func resolveLabel(label, from string) (string, error) {
	bad := func(msg, hint string) error { return &LabelError{Label: label, Msg: msg, Hint: hint} }
	switch {
	case label == "":
		return "", bad("empty load label", `write a path such as "lib/defaults.sky" or "//lib/defaults.sky"`)
	case len(label) > maxLabelLen:
		return "", bad(fmt.Sprintf("load label is %d bytes long, over the limit of %d", len(label), maxLabelLen), "")
	case strings.ContainsRune(label, 0):
		return "", bad(fmt.Sprintf("load label %q contains a NUL byte", label), "")
	case !utf8.ValidString(label):
		return "", bad(fmt.Sprintf("load label %q is not UTF-8", label), "")
	case strings.ContainsRune(label, '\\'):
		return "", bad(fmt.Sprintf("load label %q contains a backslash", label), "labels use forward slashes")
	}
	if rest, ok := strings.CutPrefix(label, StdlibPrefix); ok {
		p := path.Clean(rest)
		if !fs.ValidPath(p) || p != rest {
			return "", bad(fmt.Sprintf("invalid standard library label %q", label), "")
		}
		return StdlibPrefix + p, nil
	}
	if strings.HasPrefix(label, "@") {
		repo, _, _ := strings.Cut(label, "//")
		return "", bad(fmt.Sprintf("unknown repository %q in load label %q", repo, label), `the standard library is "@skyc//"; files of this repository are "//path/file.sky"`)
	}
	if !strings.HasSuffix(label, ".sky") {
		return "", bad(fmt.Sprintf("load label %q does not name a .sky file", label), "")
	}
	var p string
	switch {
	case strings.HasPrefix(label, "//"):
		p = path.Clean(label[2:])
	case strings.HasPrefix(label, "/"):
		return "", bad(fmt.Sprintf("load of absolute path %q", label), `loads stay inside the repository: write "//path/file.sky" for a path from the repository root`)
	default:
		if rest, ok := strings.CutPrefix(from, StdlibPrefix); ok {
			q := path.Clean(path.Join(path.Dir(rest), label))
			if !fs.ValidPath(q) {
				return "", bad(fmt.Sprintf("load label %q escapes the standard library", label), "")
			}
			return StdlibPrefix + q, nil
		}
		p = path.Clean(path.Join(path.Dir(from), label))
	}
	if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return "", bad(fmt.Sprintf("load label %q escapes the repository root", label), "loads stay inside the repository, which is the directory holding skyc.yaml")
	}
	return p, nil
}

// readRepoFile reads the root-relative file p, refusing anything whose real
// path (after symbolic links) lies outside the root.
func (r *Runtime) readRepoFile(p string) ([]byte, error) {
	if r.root == "" {
		return nil, &LabelError{Label: p, Msg: fmt.Sprintf("cannot load %s: no repository root is configured", p)}
	}
	abs := filepath.Join(r.root, filepath.FromSlash(p))
	if realDir, ok := r.realDir(filepath.Dir(abs)); ok {
		// The common case, a regular file in a directory already
		// resolved, read in four system calls.
		if real := filepath.Join(realDir, filepath.Base(abs)); within(r.realRoot, real) {
			if b, ok := readRegularFile(real, r.opts.maxFileSize()); ok {
				return b, nil
			}
		}
	}
	real, info, ok := r.realFile(abs)
	if !ok {
		var err error
		real, err = filepath.EvalSymlinks(abs)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, &LabelError{Label: p, Msg: fmt.Sprintf("no such file: %s", p), Hint: r.nearbyFiles(p)}
			}
			return nil, &LabelError{Label: p, Msg: fmt.Sprintf("cannot read %s: %v", p, unwrapPathError(err))}
		}
		if info, err = os.Stat(real); err != nil {
			return nil, &LabelError{Label: p, Msg: fmt.Sprintf("cannot read %s: %v", p, unwrapPathError(err))}
		}
	}
	if !within(r.realRoot, real) {
		return nil, &LabelError{Label: p, Msg: fmt.Sprintf("%s is a symbolic link that leads outside the repository root", p), Hint: "loads stay inside the repository; copy the file in instead"}
	}
	if !info.Mode().IsRegular() {
		return nil, &LabelError{Label: p, Msg: fmt.Sprintf("%s is not a regular file", p)}
	}
	if max := r.opts.maxFileSize(); info.Size() > max {
		return nil, &LabelError{Label: p, Msg: fmt.Sprintf("%s is %d bytes, over the limit of %d bytes for a .sky file", p, info.Size(), max)}
	}
	return os.ReadFile(real)
}

// realFile is the fast way to the real path of the file abs, for the
// common case of a regular file in a directory already resolved: one
// Lstat instead of one per path component. ok is false if it does not
// apply (the file is a symbolic link, missing, or its directory cannot be
// resolved); the caller then resolves abs itself. Directories are
// resolved once per Runtime, so a directory replaced by a symbolic link
// during a render is noticed by the next one.
func (r *Runtime) realFile(abs string) (real string, info fs.FileInfo, ok bool) {
	realDir, ok := r.realDir(filepath.Dir(abs))
	if !ok {
		return "", nil, false
	}
	real = filepath.Join(realDir, filepath.Base(abs))
	info, err := os.Lstat(real)
	if err != nil || info.Mode()&fs.ModeSymlink != 0 {
		return "", nil, false
	}
	return real, info, true
}

// realDir returns the real path of the directory dir, resolved once per
// Runtime; ok is false if it cannot be resolved.
func (r *Runtime) realDir(dir string) (string, bool) {
	if v, found := r.realDirs.Load(dir); found {
		return v.(string), true
	}
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", false
	}
	r.realDirs.Store(dir, d)
	return d, true
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	if err.Error() == "EvalSymlinks: too many links" {
		// filepath's own message, for a cycle of symbolic links.
		return errors.New("too many levels of symbolic links")
	}
	return err
}

// within reports whether path p lies inside directory dir (both absolute
// and clean).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// nearbyFiles suggests a .sky file in the same directory as a missing one.
func (r *Runtime) nearbyFiles(p string) string {
	dir := path.Dir(p)
	// List only directories inside the root: suggesting names from one a
	// symbolic link leads outside would disclose them.
	real, err := filepath.EvalSymlinks(filepath.Join(r.root, filepath.FromSlash(dir)))
	if err != nil || !within(r.realRoot, real) {
		return ""
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return ""
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sky") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if n := spell.Nearest(path.Base(p), names); n != "" {
		return fmt.Sprintf("did you mean %q?", path.Join(dir, n))
	}
	return ""
}

// checkUTF8 refuses source that is not UTF-8, e.g. saved as Latin-1:
// Starlark would read it, and the bytes would reach the output mangled.
// The error is a syntax error at the first byte that is not.
func checkUTF8(label string, src []byte) error {
	if utf8.Valid(src) {
		return nil
	}
	line, col := int32(1), int32(1)
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			return syntax.Error{
				Pos: syntax.MakePosition(&label, line, col),
				Msg: fmt.Sprintf("the file is not UTF-8: byte 0x%02x (save it as UTF-8)", src[i]),
			}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}
