package starproto

import (
	"fmt"
	"slices"
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TestSetHook checks that a thread's SetHook sees every write to a field
// of a message the thread made, however it is reached (through a field,
// a list element, a map), at the line of the write, and not the fields a
// constructor's keyword arguments set.
func TestSetHook(t *testing.T) {
	b := bridge(t)
	pre := predeclared(t, b, k8sPackages)
	cases := map[string]struct {
		src  string
		want []string // "Message.field@line"
	}{
		"constructor arguments are not writes": {`
d = apps.Deployment(spec = apps.DeploymentSpec(replicas = 2))
`, nil},
		"a field, through detached messages": {`
d = apps.Deployment()
d.spec.template.spec.hostNetwork = True
`, []string{"PodSpec.hostNetwork@3"}},
		"clearing a field": {`
c = core.Container(name = "app", livenessProbe = core.Probe())
c.livenessProbe = None
`, []string{"Container.livenessProbe@3"}},
		"a list element": {`
d = apps.Deployment(spec = apps.DeploymentSpec(template = core.PodTemplateSpec(spec = core.PodSpec(containers = [core.Container(name = "a")]))))
d.spec.template.spec.containers[0].image = "x:1"
def privileged():
    for c in d.spec.template.spec.containers:
        c.securityContext.privileged = True
privileged()
`, []string{"Container.image@3", "SecurityContext.privileged@6"}},
		"list and map changes in place": {`
p = core.PodSpec()
p.volumes.append(core.Volume(name = "v"))
m = meta.ObjectMeta()
m.labels["team"] = "web"
m.labels.clear()
`, []string{"PodSpec.volumes@3", "ObjectMeta.labels@5", "ObjectMeta.labels@6"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			var msgs []proto.Message
			thread := &starlark.Thread{Name: "hook"}
			thread.SetLocal(SetHook, func(th *starlark.Thread, m proto.Message, fd protoreflect.FieldDescriptor) {
				// A list or map method is a frame of its own, without a line.
				line := th.CallFrame(0).Pos.Line
				if line == 0 {
					line = th.CallFrame(1).Pos.Line
				}
				got = append(got, fmt.Sprintf("%s.%s@%d", m.ProtoReflect().Descriptor().Name(), fd.Name(), line))
				msgs = append(msgs, m)
			})
			if _, err := starlark.ExecFile(thread, "hook.sky", c.src, pre); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("writes %q, want %q", got, c.want)
			}
			for i, m := range msgs {
				if !m.ProtoReflect().IsValid() {
					t.Errorf("write %d reported a read-only message", i)
				}
			}
		})
	}

	// A message made on a thread without the hook reports nothing, even
	// when written on one with it.
	plain := &starlark.Thread{}
	g, err := starlark.ExecFile(plain, "plain.sky", `d = apps.Deployment()`, pre)
	if err != nil {
		t.Fatal(err)
	}
	hooked := &starlark.Thread{}
	called := false
	hooked.SetLocal(SetHook, func(*starlark.Thread, proto.Message, protoreflect.FieldDescriptor) { called = true })
	pre2 := starlark.StringDict{"d": g["d"]}
	for k, v := range pre {
		pre2[k] = v
	}
	if _, err := starlark.ExecFile(hooked, "w.sky", `d.spec.replicas = 3`, pre2); err == nil && called {
		t.Error("a write to a message made on a thread without the hook was reported")
	}
}
