package starproto

import (
	"runtime"
	"strings"
	"sync"
	"testing"

	skycfgproto "github.com/stripe/skycfg/go/protomodule"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/proto"

	"github.com/skyc-dev/skyc/internal/cputime"
)

// buildDeploymentSrc builds a realistic Deployment (20 messages, lists,
// maps) with the Starlark both bridges accept: keyword construction,
// appends and map stores, no reading of unset message fields, and
// Quantity and IntOrString built as messages through q and port. The two
// uses of labels get their own dicts: skycfg would alias them, so that
// the store into d.metadata.labels changed the template's labels too.
const buildDeploymentSrc = `
def build(i):
    name = "svc-%d" % i
    labels = {"app": name, "team": "payments", "tier": "backend"}
    container = core.Container(
        name = name,
        image = "registry.example.com/%s:1.2.3" % name,
        args = ["--port=8080", "--log-level=info"],
        ports = [core.ContainerPort(name = "http", containerPort = 8080, protocol = "TCP")],
        env = [
            core.EnvVar(name = "SERVICE", value = name),
            core.EnvVar(name = "REGION", value = "us-east-1"),
        ],
        resources = core.ResourceRequirements(
            limits = {"cpu": q("1"), "memory": q("1Gi")},
            requests = {"cpu": q("500m"), "memory": q("512Mi")},
        ),
        readinessProbe = core.Probe(
            handler = core.ProbeHandler(httpGet = core.HTTPGetAction(path = "/healthz", port = port(8080))),
            periodSeconds = 10,
        ),
        securityContext = core.SecurityContext(runAsNonRoot = True, readOnlyRootFilesystem = True),
    )
    d = apps.Deployment(
        metadata = meta.ObjectMeta(name = name, namespace = "prod", labels = dict(labels), annotations = {"owner": "payments@example.com"}),
        spec = apps.DeploymentSpec(
            replicas = 3,
            selector = meta.LabelSelector(matchLabels = {"app": name}),
            strategy = apps.DeploymentStrategy(
                type = "RollingUpdate",
                rollingUpdate = apps.RollingUpdateDeployment(maxSurge = port(1), maxUnavailable = port(0)),
            ),
            template = core.PodTemplateSpec(
                metadata = meta.ObjectMeta(labels = labels),
                spec = core.PodSpec(containers = [container], serviceAccountName = name, terminationGracePeriodSeconds = 30),
            ),
        ),
    )
    d.spec.template.spec.containers[0].env.append(core.EnvVar(name = "INDEX", value = str(i)))
    d.metadata.labels["version"] = "1.2.3"
    return d
`

// Explicit messages for Quantity and IntOrString (what skycfg needs) or
// plain values (what starproto's boxers take).
const (
	explicitHelpers = `
def q(s):
    return resource.Quantity(string = s)

def port(n):
    return intstr.IntOrString(type = 0, intVal = n, strVal = "")
`
	boxedHelpers = `
def q(s):
    return s

def port(n):
    return n
`
)

// benchBridge is one bridge under benchmark: its proto module and how to
// get the message out of a value.
type benchBridge struct {
	module  *starlarkstruct.Module
	unwrap  func(starlark.Value) (proto.Message, bool)
	helpers string
}

func benchBridges(b *testing.B) map[string]benchBridge {
	bridge(b)
	types := testReg.Types()
	return map[string]benchBridge{
		"starproto":       {NewModule(types, Options{Box: KubernetesBoxers()}), AsProto, explicitHelpers},
		"starproto-boxed": {NewModule(types, Options{Box: KubernetesBoxers()}), AsProto, boxedHelpers},
		"skycfg":          {skycfgproto.NewModule(types), skycfgproto.AsProtoMessage, explicitHelpers},
	}
}

// builder returns the Starlark build function for a bridge.
func builder(b *testing.B, bb benchBridge) starlark.Value {
	pre := starlark.StringDict{}
	for short, name := range k8sPackages {
		v, err := starlark.Call(new(starlark.Thread), bb.module.Members["package"], starlark.Tuple{starlark.String(name)}, nil)
		if err != nil {
			b.Fatal(err)
		}
		pre[short] = v
	}
	g, err := starlark.ExecFileOptions(fileOptions, new(starlark.Thread), "bench.sky", bb.helpers+buildDeploymentSrc, pre)
	if err != nil {
		b.Fatal(errText(err))
	}
	return g["build"]
}

var marshal = proto.MarshalOptions{Deterministic: true}

// render builds Deployment i and encodes it, as rendering a service does.
func render(b *testing.B, thread *starlark.Thread, build starlark.Value, bb benchBridge, i int) int {
	v, err := starlark.Call(thread, build, starlark.Tuple{starlark.MakeInt(i)}, nil)
	if err != nil {
		b.Fatal(errText(err))
	}
	m, ok := bb.unwrap(v)
	if !ok {
		b.Fatalf("build returned %s", v.Type())
	}
	out, err := marshal.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	return len(out)
}

// BenchmarkBuildDeployment builds and encodes one Deployment per
// operation with starproto (explicit and boxed Quantity/IntOrString) and
// with skycfg's protomodule; the fleet3000 variants build 3000 on all
// CPUs per operation.
func BenchmarkBuildDeployment(b *testing.B) {
	bridges := benchBridges(b)
	// The encodings must agree before timing means anything.
	var want []byte
	for _, name := range []string{"skycfg", "starproto", "starproto-boxed"} {
		bb := bridges[name]
		v, err := starlark.Call(new(starlark.Thread), builder(b, bb), starlark.Tuple{starlark.MakeInt(7)}, nil)
		if err != nil {
			b.Fatal(errText(err))
		}
		m, _ := bb.unwrap(v)
		got, _ := marshal.Marshal(m)
		if want == nil {
			want = got
		} else if string(got) != string(want) {
			b.Fatalf("%s encodes the Deployment differently from skycfg", name)
		}
	}
	for _, name := range []string{"starproto", "starproto-boxed", "skycfg"} {
		bb := bridges[name]
		build := builder(b, bb)
		b.Run(name, func(b *testing.B) {
			thread := new(starlark.Thread)
			b.ReportAllocs()
			start := cputime.Process()
			for i := 0; b.Loop(); i++ {
				render(b, thread, build, bb, i)
			}
			// CPU time (the garbage collector's included) is the
			// steadier figure on a shared machine.
			if cpu := cputime.Process() - start; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
	for _, name := range []string{"starproto", "skycfg"} {
		bb := bridges[name]
		build := builder(b, bb)
		b.Run(strings.Join([]string{"fleet3000", name}, "-"), func(b *testing.B) {
			for b.Loop() {
				fleet(b, build, bb, 3000)
			}
		})
	}
}

// fleet renders n Deployments on all CPUs.
func fleet(b *testing.B, build starlark.Value, bb benchBridge, n int) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			thread := new(starlark.Thread)
			for i := w; i < n; i += workers {
				render(b, thread, build, bb, i)
			}
		}()
	}
	wg.Wait()
}
