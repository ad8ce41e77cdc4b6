package stdlib

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/schemas"
)

var update = flag.Bool("update", false, "rewrite compiled.bin from the embedded sources")

// libraryRuntime returns a runtime over the embedded library with the
// builtins a render gives its files, and program as its StdlibProgram.
func libraryRuntime(t *testing.T, program func(string, []byte, starlark.StringDict) *starlark.Program) *lang.Runtime {
	t.Helper()
	reg, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	br, err := NewBridge(reg)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := lang.New(lang.Options{Stdlib: sources, StdlibPredeclared: builtins(reg, br), StdlibProgram: program})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// loadEvery loads every embedded file into rt (a file that fails at its
// top level has been compiled all the same).
func loadEvery(t *testing.T, rt *lang.Runtime) []string {
	t.Helper()
	files, err := embeddedFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rt.Load(context.Background(), lang.StdlibPrefix+f)
	}
	return files
}

// compileAll compiles every embedded file as a render's runtime sees it,
// and returns what compiled.bin must hold.
func compileAll(t *testing.T) []byte {
	t.Helper()
	var mu sync.Mutex
	out := map[string]*compiledFile{}
	record := func(label string, src []byte, predeclared starlark.StringDict) *starlark.Program {
		_, prog, err := starlark.SourceProgramOptions(&syntax.FileOptions{}, label, src, predeclared.Has)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			return nil
		}
		var buf bytes.Buffer
		if err := prog.Write(&buf); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(src)
		mu.Lock()
		defer mu.Unlock()
		out[label] = &compiledFile{
			srcSum: sum,
			key:    programKey(label, sum, predeclared),
			doc:    parseModuleDoc(strings.TrimPrefix(label, lang.StdlibPrefix), src),
			prog:   buf.Bytes(),
		}
		return prog
	}
	for _, f := range loadEvery(t, libraryRuntime(t, record)) {
		if out[lang.StdlibPrefix+f] == nil {
			t.Errorf("%s was not compiled", f)
		}
	}
	return encodeCompiled(out)
}

// TestCompiledCurrent fails when compiled.bin is not what compiling the
// embedded sources gives today. go generate ./stdlib (this test with
// -update) rewrites it.
func TestCompiledCurrent(t *testing.T) {
	want := compileAll(t)
	if again := compileAll(t); !bytes.Equal(want, again) {
		t.Fatal("compiling the library twice gave different programs")
	}
	if *update {
		if err := os.WriteFile("compiled.bin", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(compiledData, want) {
		t.Fatal("compiled.bin is stale: the embedded sources (or starlark's compiler) changed since it was written; run go generate ./stdlib")
	}
}

// TestCompiledUsed checks that a render's runtime finds every embedded
// file precompiled, with its docstring, and that a changed source or
// other predeclared names are compiled anew.
func TestCompiledUsed(t *testing.T) {
	var mu sync.Mutex
	used := map[string]bool{}
	var predeclared starlark.StringDict
	rt := libraryRuntime(t, func(label string, src []byte, p starlark.StringDict) *starlark.Program {
		prog := Program(label, src, p)
		mu.Lock()
		defer mu.Unlock()
		used[label] = prog != nil
		predeclared = p
		return prog
	})
	for _, f := range loadEvery(t, rt) {
		label := lang.StdlibPrefix + f
		if !used[label] {
			t.Errorf("%s was compiled from source, not precompiled", label)
		}
		src, err := sources.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if doc, ok := compiledDoc(f, src); !ok || doc != parseModuleDoc(f, src) {
			t.Errorf("%s: docstring %q, %v; want %q", f, doc, ok, parseModuleDoc(f, src))
		}
	}

	label := lang.StdlibPrefix + "k8s.sky"
	src, err := sources.ReadFile("k8s.sky")
	if err != nil {
		t.Fatal(err)
	}
	if Program(label, src, predeclared) == nil {
		t.Fatal("k8s.sky is not precompiled")
	}
	if Program(label, append(src[:len(src):len(src)], '\n'), predeclared) != nil {
		t.Error("an edited source got the precompiled program")
	}
	if _, ok := compiledDoc("k8s.sky", append(src[:len(src):len(src)], '\n')); ok {
		t.Error("an edited source got the precompiled docstring")
	}
	other := starlark.StringDict{"extra": starlark.None}
	for k, v := range predeclared {
		other[k] = v
	}
	if Program(label, src, other) != nil {
		t.Error("other predeclared names got the precompiled program")
	}
}
