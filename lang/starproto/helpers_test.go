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

// k8sPackages are the package shortcuts of the Kubernetes tests.
var k8sPackages = map[string]string{
	"apps":     "k8s.io.api.apps.v1",
	"core":     "k8s.io.api.core.v1",
	"meta":     "k8s.io.apimachinery.pkg.apis.meta.v1",
	"resource": "k8s.io.apimachinery.pkg.api.resource",
	"intstr":   "k8s.io.apimachinery.pkg.util.intstr",
}

// predeclared returns proto, the given package shortcuts and
// starlarktest's assert module and freeze function.
func predeclared(tb testing.TB, b *Bridge, packages map[string]string) starlark.StringDict {
	tb.Helper()
	mod := b.Module()
	d, err := starlarktest.LoadAssertModule()
	if err != nil {
		tb.Fatal(err)
	}
	d["proto"] = mod
	for short, name := range packages {
		v, err := starlark.Call(new(starlark.Thread), mod.Members["package"], starlark.Tuple{starlark.String(name)}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		d[short] = v
	}
	return d
}

var fileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}

// execWith runs src with predeclared names pre and returns its globals.
func execWith(tb testing.TB, pre starlark.StringDict, src string) (starlark.StringDict, error) {
	tb.Helper()
	thread := &starlark.Thread{Name: tb.Name()}
	starlarktest.SetReporter(thread, tb.(starlarktest.Reporter))
	return starlark.ExecFileOptions(fileOptions, thread, tb.Name()+".sky", src, pre)
}

// exec runs src over the Kubernetes types.
func exec(tb testing.TB, src string) (starlark.StringDict, error) {
	tb.Helper()
	b := bridge(tb)
	return execWith(tb, predeclared(tb, b, k8sPackages), src)
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

// mergeDicts returns d with the entries of extra added.
func mergeDicts(d starlark.StringDict, extra map[string]any) starlark.StringDict {
	for k, v := range extra {
		d[k] = v.(starlark.Value)
	}
	return d
}

// testRegistry returns the default Kubernetes registry.
func testRegistry(tb testing.TB) *schemas.Registry {
	tb.Helper()
	bridge(tb)
	return testReg
}
