package starproto

import (
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// deploymentByKwargs and deploymentByMutation build the same Deployment,
// one with nested constructor calls, one by assigning attributes of
// unset fields.
const deploymentByKwargs = `
d = apps.Deployment(
    metadata = meta.ObjectMeta(name = "web", namespace = "prod", labels = {"app": "web"}),
    spec = apps.DeploymentSpec(
        replicas = 3,
        selector = meta.LabelSelector(matchLabels = {"app": "web"}),
        template = core.PodTemplateSpec(
            metadata = meta.ObjectMeta(labels = {"app": "web"}),
            spec = core.PodSpec(containers = [
                core.Container(
                    name = "web",
                    image = "nginx:1.27",
                    ports = [core.ContainerPort(name = "http", containerPort = 8080)],
                    resources = core.ResourceRequirements(
                        limits = {"cpu": "1", "memory": "1Gi"},
                        requests = {"cpu": "500m"},
                    ),
                ),
            ]),
        ),
    ),
)
`

const deploymentByMutation = `
d = apps.Deployment()
d.metadata.name = "web"
d.metadata.namespace = "prod"
d.metadata.labels["app"] = "web"
d.spec.replicas = 3
d.spec.selector.matchLabels["app"] = "web"
d.spec.template.metadata.labels = {"app": "web"}
c = core.Container()
c.name = "web"
c.image = "nginx:1.27"
p = core.ContainerPort()
p.name = "http"
p.containerPort = 8080
c.ports.append(p)
c.resources.limits.update(cpu = "1", memory = "1Gi")
c.resources.requests["cpu"] = "500m"
d.spec.template.spec.containers.append(c)
`

func TestConstruct(t *testing.T) {
	reg := bridge(t)
	_ = reg
	var built []proto.Message
	for _, src := range []string{deploymentByKwargs, deploymentByMutation} {
		g := mustExec(t, src)
		m, ok := AsProto(g["d"])
		if !ok {
			t.Fatalf("d is %s, not a message", g["d"].Type())
		}
		built = append(built, m)
		obj, err := testReg.ToObject(m)
		if err != nil {
			t.Fatal(err)
		}
		d := obj.(*appsv1.Deployment)
		c := d.Spec.Template.Spec.Containers[0]
		if d.Name != "web" || *d.Spec.Replicas != 3 || d.Spec.Selector.MatchLabels["app"] != "web" ||
			c.Image != "nginx:1.27" || c.Ports[0].ContainerPort != 8080 ||
			c.Resources.Limits.Memory().String() != "1Gi" || c.Resources.Requests.Cpu().MilliValue() != 500 {
			t.Errorf("unexpected Deployment: %+v", d)
		}
		if d.Spec.Strategy.Type != "" || d.Spec.Template.Spec.RestartPolicy != "" {
			t.Errorf("fields that were never set are set: %+v", d.Spec)
		}
	}
	if !proto.Equal(built[0], built[1]) {
		t.Errorf("keyword and mutation construction differ:\n%v\n%v", built[0], built[1])
	}
}

// frozenBase is run before error cases that need a frozen message.
const frozenBase = `
base = apps.Deployment(
    metadata = meta.ObjectMeta(name = "base", labels = {"app": "base"}),
    spec = apps.DeploymentSpec(replicas = 2, template = core.PodTemplateSpec(spec = core.PodSpec(containers = [core.Container(name = "c")]))),
)
freeze(base)
`

func TestErrors(t *testing.T) {
	cases := map[string]struct {
		src  string
		want string // the exact message, or a regexp if it starts with ^
	}{
		"wrong scalar type by keyword": {
			src:  `apps.DeploymentSpec(replicas = "three")`,
			want: `DeploymentSpec.replicas: got string "three", want int32`,
		},
		"wrong scalar type by assignment": {
			src:  "s = apps.DeploymentSpec()\ns.replicas = \"three\"",
			want: `DeploymentSpec.replicas: got string "three", want int32`,
		},
		"bool for int": {
			src:  `apps.DeploymentSpec(replicas = True)`,
			want: `DeploymentSpec.replicas: got bool, want int32`,
		},
		"int out of range": {
			src:  `apps.DeploymentSpec(replicas = 3000000000)`,
			want: `DeploymentSpec.replicas: 3000000000 is out of range for int32`,
		},
		"decode_any of bytes the decoder panics on": {
			// A CronJob whose encoding holds a map entry with a key of the
			// wrong wire type, from FuzzRoundTrip's corpus.
			src:  "a = proto.encode_any(proto.package(\"k8s.io.api.batch.v1\").CronJob())\na.value = b\"\\n02\\x03000002\\x04000000000000000\\xc0\\xdd\\xc8\\xb1000Z\\n\\n\\x03000\\x080\\xa20\\x00000000000000000000000000000000000000\"\nproto.decode_any(a)",
			want: `^proto.decode_any: the value is not a valid encoding of k8s.io.api.batch.v1.CronJob \(.+\)$`,
		},
		"a Secret's value is not quoted": {
			src:  `core.Secret(stringData = "hunter2")`,
			want: `Secret.stringData: got string (not shown: a Secret's values stay out of messages), want dict of string to string`,
		},
		"a Secret's value is not quoted on assignment": {
			src:  "s = core.Secret()\ns.immutable = \"hunter2\"",
			want: `Secret.immutable: got string (not shown: a Secret's values stay out of messages), want bool`,
		},
		"a ConfigMap's value is quoted": {
			src:  `core.ConfigMap(data = "shown")`,
			want: `ConfigMap.data: got string "shown", want dict of string to string`,
		},
		"unknown field on assignment": {
			src:  "s = apps.DeploymentSpec()\ns.replcas = 3",
			want: `DeploymentSpec has no field "replcas" (did you mean "replicas"?)`,
		},
		"unknown field on read": {
			src:  `apps.DeploymentSpec().replcas`,
			want: `DeploymentSpec has no field "replcas" (did you mean "replicas"?)`,
		},
		"unknown keyword": {
			src:  `apps.DeploymentSpec(replcas = 3)`,
			want: `DeploymentSpec has no field "replcas" (did you mean "replicas"?)`,
		},
		"unknown keyword differing in case": {
			src:  `core.ContainerPort(containerport = 80)`,
			want: `ContainerPort has no field "containerport" (did you mean "containerPort"?)`,
		},
		"unknown keyword far from any": {
			src:  `core.ContainerPort(xyzzy = 80)`,
			want: `ContainerPort has no field "xyzzy"`,
		},
		"field of an embedded struct": {
			src:  `core.Probe().httpGet = core.HTTPGetAction()`,
			want: `Probe has no field "httpGet" (did you mean "handler.httpGet"?)`,
		},
		"positional argument": {
			src:  `apps.DeploymentSpec(3)`,
			want: `DeploymentSpec() takes keyword arguments only (field = value), got 1 positional`,
		},
		"wrong message type": {
			src:  `apps.Deployment(spec = core.PodSpec())`,
			want: `Deployment.spec: got PodSpec, want DeploymentSpec`,
		},
		"list element of wrong type": {
			src:  `core.PodSpec(containers = [core.Container(), core.Container(), 3])`,
			want: `PodSpec.containers[2]: got int, want Container`,
		},
		"appended element of wrong type": {
			src:  "p = core.PodSpec()\np.containers.append(core.Container())\np.containers.append(\"web\")",
			want: `PodSpec.containers[1]: got string "web", want Container`,
		},
		"message for repeated field": {
			src:  `core.PodSpec(containers = core.Container())`,
			want: `PodSpec.containers: got Container, want list of Container`,
		},
		"repeated field for message field": {
			src:  "p = core.PodSpec()\nc = core.Container(resources = p.containers)",
			want: `Container.resources: got list of Container, want ResourceRequirements`,
		},
		"dict for repeated field": {
			src:  `core.PodSpec(containers = {})`,
			want: `PodSpec.containers: got dict, want list of Container`,
		},
		"map value of wrong type": {
			src:  `meta.ObjectMeta(labels = {"app": 1})`,
			want: `ObjectMeta.labels["app"]: got int, want string`,
		},
		"map key of wrong type": {
			src:  "m = meta.ObjectMeta()\nm.labels[1] = \"x\"",
			want: `ObjectMeta.labels: key 1: got int, want string`,
		},
		"list for map field": {
			src:  `meta.ObjectMeta(labels = ["app"])`,
			want: `ObjectMeta.labels: got list, want dict of string to string`,
		},
		"unknown type in package": {
			src:  `apps.Deploymnt`,
			want: `Protobuf type "k8s.io.api.apps.v1.Deploymnt" not found (did you mean "Deployment"?)`,
		},
		"unknown package": {
			src:  `proto.package("k8s.io.api.apps.v2")`,
			want: `proto.package: no protobuf package "k8s.io.api.apps.v2" (did you mean "k8s.io.api.apps.v1"?)`,
		},
		"unhashable": {
			src:  `{apps.Deployment(): 1}`,
			want: `unhashable type: Deployment`,
		},
		"ordered comparison": {
			src:  `apps.Deployment() < apps.Deployment()`,
			want: `Deployment < Deployment not supported: messages compare only with == and !=`,
		},
		"set field of frozen message": {
			src:  frozenBase + "base.spec.replicas = 3",
			want: `cannot set DeploymentSpec.replicas: message is frozen (use proto.clone)`,
		},
		"set unset field of frozen message": {
			src:  frozenBase + `base.spec.strategy.type = "Recreate"`,
			want: `cannot set DeploymentStrategy.type: message is frozen (use proto.clone)`,
		},
		"clear field of frozen message": {
			src:  frozenBase + "base.spec = None",
			want: `cannot set Deployment.spec: message is frozen (use proto.clone)`,
		},
		"append to frozen list": {
			src:  frozenBase + "base.spec.template.spec.containers.append(core.Container())",
			want: `cannot append to PodSpec.containers: message is frozen (use proto.clone)`,
		},
		"set element of frozen list": {
			src:  frozenBase + "base.spec.template.spec.containers[0] = core.Container()",
			want: `cannot set an element of PodSpec.containers: message is frozen (use proto.clone)`,
		},
		"set field of element of frozen list": {
			src:  frozenBase + `base.spec.template.spec.containers[0].name = "x"`,
			want: `cannot set Container.name: message is frozen (use proto.clone)`,
		},
		"set key of frozen map": {
			src:  frozenBase + `base.metadata.labels["a"] = "b"`,
			want: `cannot set ObjectMeta.labels["a"]: message is frozen (use proto.clone)`,
		},
		"merge into frozen message": {
			src:  frozenBase + "proto.merge(base, apps.Deployment())",
			want: `cannot merge into Deployment: message is frozen (use proto.clone)`,
		},
		"clear frozen message": {
			src:  frozenBase + "proto.clear(base)",
			want: `cannot clear Deployment: message is frozen (use proto.clone)`,
		},
		"write through detached child of frozen parent": {
			src:  "d = apps.Deployment()\ns = d.spec\nfreeze(d)\ns.replicas = 1",
			want: `cannot set Deployment.spec: message is frozen (use proto.clone)`,
		},
		"merge of different types": {
			src:  `proto.merge(apps.Deployment(), core.Pod())`,
			want: `proto.merge: cannot merge Pod into Deployment`,
		},
		"clone of non-message": {
			src:  `proto.clone({})`,
			want: `proto.clone: got dict, want a message`,
		},
		"has of unknown field": {
			src:  `proto.has(apps.Deployment(), "sepc")`,
			want: `proto.has: Deployment has no field "sepc" (did you mean "spec"?)`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := exec(t, tc.src)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			got := errMsg(err)
			if strings.HasPrefix(tc.want, "^") {
				if !regexp.MustCompile(tc.want).MatchString(got) {
					t.Errorf("error %q does not match %q", got, tc.want)
				}
			} else if got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestStarlark runs Starlark snippets that check themselves with assert.
func TestStarlark(t *testing.T) {
	cases := map[string]string{
		"unset scalars read as zero": `
s = apps.DeploymentSpec()
assert.eq(s.replicas, 0)
assert.eq(s.paused, False)
assert.eq(core.Container().name, "")
`,
		"presence of zero values": `
s = apps.DeploymentSpec(replicas = 0)
assert.true(proto.has(s, "replicas"))
s.replicas = None
assert.true(not proto.has(s, "replicas"))
assert.eq(apps.DeploymentSpec(replicas = None), apps.DeploymentSpec())
`,
		"equality": `
assert.eq(apps.DeploymentSpec(replicas = 1), apps.DeploymentSpec(replicas = 1))
assert.ne(apps.DeploymentSpec(replicas = 1), apps.DeploymentSpec(replicas = 2))
assert.ne(apps.DeploymentSpec(replicas = 0), apps.DeploymentSpec())
assert.eq(apps.Deployment().spec, apps.DeploymentSpec())
assert.ne(apps.Deployment(), apps.DeploymentSpec())
assert.ne(apps.Deployment(), None)
`,
		"type and str": `
d = apps.Deployment(metadata = meta.ObjectMeta(name = "web", labels = {"b": "2", "a": "1"}), spec = apps.DeploymentSpec(replicas = 3))
assert.eq(type(d), "k8s.io.api.apps.v1.Deployment")
assert.eq(str(d), 'apps.v1.Deployment(metadata=ObjectMeta(name="web", labels={"a": "1", "b": "2"}), spec=DeploymentSpec(replicas=3))')
assert.eq(repr(d.spec), "apps.v1.DeploymentSpec(replicas=3)")
assert.eq(str(apps.Deployment()), "apps.v1.Deployment()")
assert.eq(str(apps.DeploymentSpec), '<proto.MessageType "k8s.io.api.apps.v1.DeploymentSpec">')
assert.eq(str(apps), '<proto.Package "k8s.io.api.apps.v1">')
assert.eq(type(d.metadata.labels), "map<string, string>")
assert.eq(type(d.spec.template.spec.containers), "list<k8s.io.api.core.v1.Container>")
`,
		"attribute names": `
assert.eq(dir(core.ContainerPort()), ["containerPort", "hostIP", "hostPort", "name", "protocol"])
assert.true("Deployment" in dir(apps))
assert.true(hasattr(apps.Deployment(), "spec"))
assert.true(not hasattr(apps.Deployment(), "sepc"))
assert.eq(getattr(apps.Deployment(), "sepc", 1), 1)
`,
		"truth": `
assert.true(apps.Deployment())
assert.true(not core.Container().ports)
assert.true(core.Container(ports = [core.ContainerPort()]).ports)
`,
		"nested packages": `
k8s = proto.package("k8s.io")
assert.eq(k8s.api.apps.v1.Deployment, apps.Deployment)
assert.eq(type(k8s.api.apps), "proto.package")
assert.true("apps" in dir(proto.package("k8s.io.api")))
`,
		"reference semantics": `
s = apps.DeploymentSpec()
d = apps.Deployment(spec = s)
s.replicas = 4
assert.eq(d.spec.replicas, 4)
d.spec.paused = True
assert.eq(s.paused, True)
e = apps.Deployment(spec = s)
assert.eq(e.spec.replicas, 4)
`,
		"lists are copied, their messages shared": `
ports = [core.ContainerPort(containerPort = 1)]
c = core.Container(ports = ports)
ports.append(core.ContainerPort(containerPort = 2))
assert.eq(len(c.ports), 1)
ports[0].containerPort = 9
assert.eq(c.ports[0].containerPort, 9)
c2 = core.Container(ports = c.ports)
c2.ports.append(core.ContainerPort())
assert.eq(len(c.ports), 1)
`,
		"frozen messages are copied on assignment": `
base = apps.DeploymentSpec(replicas = 2)
freeze(base)
d = apps.Deployment(spec = base)
d.spec.replicas = 7
assert.eq(base.replicas, 2)
p = core.PodSpec()
c = core.Container(name = "c")
freeze(c)
p.containers.append(c)
p.containers[0].name = "d"
assert.eq(c.name, "c")
`,
		"clone": `
base = apps.DeploymentSpec(replicas = 2, selector = meta.LabelSelector(matchLabels = {"a": "b"}))
freeze(base)
c = proto.clone(base)
c.replicas = 3
c.selector.matchLabels["a"] = "c"
assert.eq(base.replicas, 2)
assert.eq(base.selector.matchLabels["a"], "b")
assert.eq(c.selector.matchLabels["a"], "c")
`,
		"merge": `
a = meta.ObjectMeta(name = "a", labels = {"x": "1"}, finalizers = ["f1"])
b = meta.ObjectMeta(namespace = "ns", labels = {"y": "2"}, finalizers = ["f2"])
assert.eq(proto.merge(a, b), a)
assert.eq(a, meta.ObjectMeta(name = "a", namespace = "ns", labels = {"x": "1", "y": "2"}, finalizers = ["f1", "f2"]))
b.labels["z"] = "3"
assert.true("z" not in a.labels)
proto.merge(a, a)
assert.eq(list(a.finalizers), ["f1", "f2", "f1", "f2"])
`,
		"clear": `
m = meta.ObjectMeta(name = "a", labels = {"x": "1"})
assert.eq(proto.clear(m), m)
assert.eq(m, meta.ObjectMeta())
proto.clear(apps.Deployment().spec)
`,
		"to_dict": `
d = apps.Deployment(metadata = meta.ObjectMeta(name = "web"), spec = apps.DeploymentSpec(replicas = 0, template = core.PodTemplateSpec(spec = core.PodSpec(containers = [core.Container(name = "c", resources = core.ResourceRequirements(limits = {"cpu": "250m"}))]))))
assert.eq(proto.to_dict(d), {
    "metadata": {"name": "web"},
    "spec": {"replicas": 0, "template": {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "250m"}}}]}}},
})
`,
		"json": `
d = apps.Deployment(metadata = meta.ObjectMeta(name = "web", labels = {"b": "2", "a": "1"}))
s = proto.encode_json(d)
assert.eq(s, '{"metadata":{"name":"web","labels":{"a":"1","b":"2"}}}')
assert.eq(proto.decode_json(apps.Deployment, s), d)
assert.true(proto.encode_json(d, compact = False).startswith('{\n  "metadata"'))
assert.eq(proto.decode_text(apps.Deployment, proto.encode_text(d)), d)
`,
		"any": `
d = apps.Deployment(metadata = meta.ObjectMeta(name = "web"))
a = proto.encode_any(d)
assert.eq(a.type_url, "type.googleapis.com/k8s.io.api.apps.v1.Deployment")
assert.eq(proto.decode_any(a), d)
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) { mustExec(t, src) })
	}
}

// TestLazyAttach checks that reading unset message, list and map fields
// leaves no trace in the output, and that writing through what was read
// attaches it.
func TestLazyAttach(t *testing.T) {
	cases := map[string]struct {
		src  string
		want string // str(d) afterwards
	}{
		"reading a chain of unset fields": {
			src: `
if d.spec.strategy.type == "Recreate" or d.spec.template.spec.containers or d.metadata.labels.get("x"):
    fail("unexpected")
x = d.spec.strategy.rollingUpdate.maxSurge
assert.eq(len(d.spec.template.spec.containers), 0)
assert.true(not proto.has(d, "spec"))
`,
			want: `apps.v1.Deployment()`,
		},
		"writing at the end of a chain": {
			src:  `d.spec.strategy.type = "Recreate"`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(strategy=DeploymentStrategy(type="Recreate")))`,
		},
		"writing through a saved child": {
			src: `
s = d.spec.strategy
assert.true(not proto.has(d, "spec"))
s.type = "Recreate"
assert.true(proto.has(d, "spec"))
`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(strategy=DeploymentStrategy(type="Recreate")))`,
		},
		"two detached siblings": {
			src: `
m = d.spec.template.metadata
p = d.spec.template.spec
m.name = "pod"
p.hostname = "h"
`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(template=PodTemplateSpec(metadata=ObjectMeta(name="pod"), spec=PodSpec(hostname="h"))))`,
		},
		"detached child adopts a field set meanwhile": {
			src: `
s = d.spec
d.spec = apps.DeploymentSpec(replicas = 2)
assert.eq(s.replicas, 2)
s.paused = True
`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(replicas=2, paused=True))`,
		},
		"list append attaches": {
			src: `
ports = d.spec.template.spec.containers
assert.true(not proto.has(d, "spec"))
ports.append(core.Container(name = "c"))
`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(template=PodTemplateSpec(spec=PodSpec(containers=[Container(name="c")]))))`,
		},
		"map store attaches": {
			src: `
labels = d.metadata.labels
assert.eq(len(labels), 0)
assert.true("a" not in labels)
labels["a"] = "b"
`,
			want: `apps.v1.Deployment(metadata=ObjectMeta(labels={"a": "b"}))`,
		},
		"map None store does not attach": {
			src:  `d.metadata.labels["a"] = None`,
			want: `apps.v1.Deployment()`,
		},
		"clearing a detached field does not attach": {
			src:  "d.spec.strategy = None\nd.spec.template.spec.containers.clear()",
			want: `apps.v1.Deployment()`,
		},
		"storing a detached child attaches and shares it": {
			src: `
s = d.spec
e = apps.Deployment(spec = s)
s.replicas = 5
assert.eq(e.spec.replicas, 5)
`,
			want: `apps.v1.Deployment(spec=DeploymentSpec(replicas=5))`,
		},
		"a failed write leaves reads untouched": {
			src:  `assert.fails(lambda: apps.Deployment(spec = d.spec.template), "got PodTemplateSpec, want DeploymentSpec")`,
			want: `apps.v1.Deployment()`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := mustExec(t, "d = apps.Deployment()\n"+tc.src)
			if got := g["d"].String(); got != tc.want {
				t.Errorf("d:\n got %s\nwant %s", got, tc.want)
			}
			m, _ := AsProto(g["d"])
			if got, want := proto.Size(m), proto.Size(mustProto(t, tc.want)); got != want {
				t.Errorf("encoded size %d, want %d", got, want)
			}
		})
	}
}

// mustProto evaluates a Starlark expression that builds a message.
func mustProto(t *testing.T, expr string) proto.Message {
	t.Helper()
	expr = strings.Replace(expr, "apps.v1.Deployment(", "apps.Deployment(", 1)
	for _, short := range []string{"DeploymentSpec", "DeploymentStrategy"} {
		expr = strings.ReplaceAll(expr, short+"(", "apps."+short+"(")
	}
	for _, short := range []string{"PodTemplateSpec", "PodSpec", "Container"} {
		expr = strings.ReplaceAll(expr, short+"(", "core."+short+"(")
	}
	expr = strings.ReplaceAll(expr, "ObjectMeta(", "meta.ObjectMeta(")
	g := mustExec(t, "x = "+expr)
	m, _ := AsProto(g["x"])
	return m
}

// TestToObject checks boxed values end to end: built in Starlark, read
// back in Go through the wire format.
func TestToObject(t *testing.T) {
	g := mustExec(t, `
svc = core.Service(spec = core.ServiceSpec(ports = [
    core.ServicePort(name = "http", port = 80, targetPort = 8080),
    core.ServicePort(name = "named", port = 81, targetPort = "web"),
]))
pod = core.Pod(
    metadata = meta.ObjectMeta(name = "p", creationTimestamp = "2024-05-01T12:00:00Z"),
    spec = core.PodSpec(containers = [core.Container(name = "c", resources = core.ResourceRequirements(
        limits = {"cpu": 2, "memory": "1.5Gi"},
        requests = {"cpu": 0.25},
    ))]),
)
`)
	m, _ := AsProto(g["svc"])
	obj, err := testReg.ToObject(m)
	if err != nil {
		t.Fatal(err)
	}
	ports := obj.(*corev1.Service).Spec.Ports
	if ports[0].TargetPort.IntValue() != 8080 || ports[1].TargetPort.String() != "web" {
		t.Errorf("target ports: %+v", ports)
	}
	m, _ = AsProto(g["pod"])
	obj, err = testReg.ToObject(m)
	if err != nil {
		t.Fatal(err)
	}
	pod := obj.(*corev1.Pod)
	if got := pod.CreationTimestamp.UTC().Format("2006-01-02T15:04:05Z"); got != "2024-05-01T12:00:00Z" {
		t.Errorf("creationTimestamp = %s", got)
	}
	r := pod.Spec.Containers[0].Resources
	if r.Limits.Cpu().Value() != 2 || r.Limits.Memory().Value() != 3<<29 || r.Requests.Cpu().MilliValue() != 250 {
		t.Errorf("resources: %+v", r)
	}
}
