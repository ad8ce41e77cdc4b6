package stdlib

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // for the compiled programs
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/lang"
)

// Parsing and compiling the library's .sky files cost about half of
// loading it, in every process that evaluates a file. So they are
// compiled at go generate time: compiled.bin holds, for every embedded
// file, the program starlark's compiler makes of it (Program.Write) with
// the names the library's files see predeclared, and the file's module
// docstring. It is written by
//
//	go generate ./stdlib
//
// and TestCompiledCurrent fails when it differs from what compiling the
// sources gives now. A program is only used for the source and the
// predeclared names it was compiled from (both are hashed into its key):
// a file edited since, or a runtime with other builtins, is compiled from
// source as before, as is every file when starlark's compiled form has
// changed version.

//go:generate go test -run ^TestCompiledCurrent$ -update .

//go:embed compiled.bin
var compiledData []byte

// compiledMagic starts compiled.bin.
const compiledMagic = "skyc stdlib programs 1\n"

// compiledFile is one file's entry in compiled.bin.
type compiledFile struct {
	srcSum [sha256.Size]byte // of the source
	key    [sha256.Size]byte // of the source, label and predeclared names: see programKey
	doc    string            // the module docstring, see moduleDoc
	prog   []byte            // Program.Write's output

	// decoded is prog decoded, once per process: a Program is immutable
	// and may run (Init) any number of times, concurrently.
	decoded func() (*starlark.Program, error)
}

var compiledFiles = sync.OnceValue(func() map[string]*compiledFile {
	files, err := decodeCompiled(compiledData)
	if err != nil {
		return nil // compile everything from source
	}
	return files
})

// Program returns the precompiled program of a standard-library file,
// for lang.Options.StdlibProgram: the one compiled from src with
// predeclared's names predeclared, or nil if compiled.bin has none.
func Program(label string, src []byte, predeclared starlark.StringDict) *starlark.Program {
	f := compiledFiles()[label]
	if f == nil || f.key != programKey(label, sha256.Sum256(src), predeclared) {
		return nil
	}
	prog, err := f.decoded()
	if err != nil {
		return nil // another version of starlark's compiled form
	}
	return prog
}

// programKey identifies what a program is compiled from: the file's
// label, its source, the names predeclared in it and the universal ones
// (the compiler resolves a name to one or the other).
func programKey(label string, srcSum [sha256.Size]byte, predeclared starlark.StringDict) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(compiledMagic))
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(srcSum[:])
	writeNames(h, predeclared)
	u := universeSum()
	h.Write(u[:])
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// universeSum hashes the names of starlark.Universe, once per process.
var universeSum = sync.OnceValue(func() [sha256.Size]byte {
	h := sha256.New()
	writeNames(h, starlark.Universe)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
})

// writeNames writes d's names to w in order, each ended by a NUL.
func writeNames(w io.Writer, d starlark.StringDict) {
	for _, n := range d.Keys() { // sorted
		io.WriteString(w, n)
		w.Write([]byte{0})
	}
}

// compiledDoc returns the module docstring of an embedded file recorded
// in compiled.bin, if it is current.
func compiledDoc(file string, src []byte) (string, bool) {
	f := compiledFiles()[lang.StdlibPrefix+file]
	if f == nil || f.srcSum != sha256.Sum256(src) {
		return "", false
	}
	return f.doc, true
}

// encodeCompiled writes files (by label) in compiled.bin's form: the
// magic line, then per file in label order its label, source hash, key,
// docstring and program, strings prefixed by their uvarint length.
func encodeCompiled(files map[string]*compiledFile) []byte {
	out := []byte(compiledMagic)
	str := func(b []byte) { out = append(binary.AppendUvarint(out, uint64(len(b))), b...) }
	labels := make([]string, 0, len(files))
	for l := range files {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, l := range labels {
		f := files[l]
		str([]byte(l))
		out = append(out, f.srcSum[:]...)
		out = append(out, f.key[:]...)
		str([]byte(f.doc))
		str(f.prog)
	}
	return out
}

// decodeCompiled reads compiled.bin. The programs share data's bytes.
func decodeCompiled(data []byte) (map[string]*compiledFile, error) {
	rest, ok := bytes.CutPrefix(data, []byte(compiledMagic))
	if !ok {
		return nil, errors.New("compiled.bin: no magic line")
	}
	bad := errors.New("compiled.bin: truncated")
	str := func() ([]byte, error) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || uint64(len(rest)-k) < n {
			return nil, bad
		}
		s := rest[k : k+int(n)]
		rest = rest[k+int(n):]
		return s, nil
	}
	files := map[string]*compiledFile{}
	for len(rest) > 0 {
		label, err := str()
		if err != nil {
			return nil, err
		}
		if len(rest) < 2*sha256.Size {
			return nil, bad
		}
		f := &compiledFile{}
		copy(f.srcSum[:], rest)
		copy(f.key[:], rest[sha256.Size:])
		rest = rest[2*sha256.Size:]
		doc, err := str()
		if err != nil {
			return nil, err
		}
		if f.prog, err = str(); err != nil {
			return nil, err
		}
		f.doc = string(doc)
		f.decoded = sync.OnceValues(func() (*starlark.Program, error) {
			return starlark.CompiledProgram(bytes.NewReader(f.prog))
		})
		files[string(label)] = f
	}
	return files, nil
}

// embeddedFiles returns the names of every embedded .sky file, sorted.
func embeddedFiles() ([]string, error) {
	var out []string
	err := fs.WalkDir(sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sky") {
			out = append(out, p)
		}
		return err
	})
	slices.Sort(out)
	return out, err
}
