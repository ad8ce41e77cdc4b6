package starproto

import (
	"errors"
	"sync"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
	"go.starlark.net/syntax"

	"github.com/skyc-dev/skyc/schemas"
)

var (
	testOnce   sync.Once
	testBridge *Bridge
	testReg    *schemas.Registry
	testErr    error
)

// bridge returns a bridge over the default Kubernetes registry with the
// Kubernetes boxers, built once for all tests.
func bridge(tb testing.TB) *Bridge {
	tb.Helper()
	testOnce.Do(func() {
		testReg, testErr = schemas.Default()
		if testErr == nil {
			testBridge = New(testReg.Types(), Options{Box: KubernetesBoxers()})
		}
	})
	if testErr != nil {
		tb.Fatal(testErr)
	}
	return testBridge
}

// predeclared returns proto, the package shortcuts the tests use and
// starlarktest's assert module.
func predeclared(tb testing.TB, b *Bridge) starlark.StringDict {
	tb.Helper()
	mod := b.Module()
	pkg := func(name string) starlark.Value {
		thread := new(starlark.Thread)
		v, err := starlark.Call(thread, mod.Members["package"], starlark.Tuple{starlark.String(name)}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	d := starlark.StringDict{
		"proto":    mod,
		"apps":     pkg("k8s.io.api.apps.v1"),
		"core":     pkg("k8s.io.api.core.v1"),
		"meta":     pkg("k8s.io.apimachinery.pkg.apis.meta.v1"),
		"resource": pkg("k8s.io.apimachinery.pkg.api.resource"),
		"intstr":   pkg("k8s.io.apimachinery.pkg.util.intstr"),
	}
	return d
}

var fileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}

// exec runs src with the test predeclared names and returns its globals.
func exec(tb testing.TB, src string) (starlark.StringDict, error) {
	tb.Helper()
	b := bridge(tb)
	thread := &starlark.Thread{Name: tb.Name()}
	starlarktest.SetReporter(thread, tb.(starlarktest.Reporter))
	assert, err := starlarktest.LoadAssertModule()
	if err != nil {
		tb.Fatal(err)
	}
	pre := predeclared(tb, b)
	for k, v := range assert {
		pre[k] = v
	}
	return starlark.ExecFileOptions(fileOptions, thread, tb.Name()+".sky", src, pre)
}

// mustExec runs src and fails the test on error.
func mustExec(tb testing.TB, src string) starlark.StringDict {
	tb.Helper()
	g, err := exec(tb, src)
	if err != nil {
		tb.Fatalf("%s", errText(err))
	}
	return g
}

// errText returns an error's message with its Starlark backtrace.
func errText(err error) string {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return ee.Backtrace()
	}
	return err.Error()
}

// errMsg returns the bare message of a Starlark evaluation error.
func errMsg(err error) string {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return ee.Msg
	}
	return err.Error()
}
