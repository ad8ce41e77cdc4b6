package lang

import (
	"io/fs"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Default limits, used when Options leaves them zero.
const (
	DefaultMaxSteps    = 50_000_000
	DefaultTimeout     = 30 * time.Second
	DefaultMaxFileSize = 4 << 20
)

// StdlibPrefix starts the labels of modules of the embedded standard
// library, e.g. "@skyc//service.sky".
const StdlibPrefix = "@skyc//"

// Options configures a Runtime. The zero value is usable: no predeclared
// names beyond Starlark's universe, the current directory as root and the
// default limits.
type Options struct {
	// Root is the repository root. load() never resolves outside it.
	Root string

	// Predeclared names are visible in every user file, e.g. the standard
	// library's exports. They must be frozen.
	Predeclared starlark.StringDict

	// Stdlib holds the embedded standard library's sources, addressed by
	// labels starting with StdlibPrefix. May be nil.
	Stdlib fs.FS

	// StdlibPredeclared names are visible in standard-library files (Go
	// builtins, the proto module). They must be frozen.
	StdlibPredeclared starlark.StringDict

	// StdlibProgram, if set, may return a standard-library file compiled
	// ahead of time, to spare parsing and compiling it: what
	// starlark.SourceProgramOptions gives for src with the default
	// syntax.FileOptions, label as the file name and the names of
	// predeclared (StdlibPredeclared with the sandbox's builtins) as the
	// predeclared ones. It returns nil to have src compiled.
	StdlibProgram func(label string, src []byte, predeclared starlark.StringDict) *starlark.Program

	// MaxSteps bounds the Starlark execution steps of one evaluation: of
	// one file's top level (each file it loads has its own budget), or of
	// one call of a service's main. Zero means DefaultMaxSteps.
	MaxSteps uint64

	// Timeout bounds the wall-clock time of one evaluation. Zero means
	// DefaultTimeout.
	Timeout time.Duration

	// MaxFileSize bounds the size of a .sky file. Zero means
	// DefaultMaxFileSize.
	MaxFileSize int64

	// MaxMemory bounds the Go heap, in bytes, while evaluations run: past
	// it every running evaluation stops with a memory LimitError. Zero
	// means DefaultMaxMemory. The bound is for the whole process, as the
	// heap is shared.
	MaxMemory uint64

	// Print receives the output of print(). Nil discards it.
	Print func(pos string, msg string)

	// Source, if set, may give the content of a repository file, and its
	// syntax tree, instead of the runtime reading and parsing it: a caller
	// that has read and parsed the file already (skyc render's cache, to
	// hash it and find its loads) spares doing it twice, and the runtime
	// then evaluates exactly the content the caller saw. It is called
	// each time a repository file is to be evaluated; ok false has the
	// runtime read the file as usual.
	//
	// src must be the content of the file at the label under Root, which
	// the caller has checked is a regular file with no symbolic link on
	// the way from Root (the runtime still checks its size and encoding).
	// f, if not nil, must be what (&syntax.FileOptions{}).Parse(label,
	// src, 0) returned, not yet resolved: the runtime resolves it, which
	// mutates it, so the caller must not hand it out again.
	Source func(label string) (src []byte, f *syntax.File, ok bool)
}

func (o *Options) maxSteps() uint64 {
	if o.MaxSteps == 0 {
		return DefaultMaxSteps
	}
	return o.MaxSteps
}

func (o *Options) timeout() time.Duration {
	if o.Timeout == 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o *Options) maxMemory() uint64 {
	if o.MaxMemory == 0 {
		return DefaultMaxMemory
	}
	return o.MaxMemory
}

func (o *Options) maxFileSize() int64 {
	if o.MaxFileSize == 0 {
		return DefaultMaxFileSize
	}
	return o.MaxFileSize
}
