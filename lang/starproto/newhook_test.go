package starproto

import (
	"testing"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
)

// TestNewHook checks that a thread's NewHook sees every message a message
// type constructs, with the thread, so that it can tell where the message
// was made; and that the message it sees is the one Unwrap returns.
func TestNewHook(t *testing.T) {
	b := bridge(t)
	pre := predeclared(t, b, k8sPackages)
	type made struct {
		msg  proto.Message
		line int32
	}
	var seen []made
	thread := &starlark.Thread{Name: "hook"}
	thread.SetLocal(NewHook, func(th *starlark.Thread, m proto.Message) {
		seen = append(seen, made{m, th.CallFrame(1).Pos.Line}) // frame 0 is the message type
	})
	g, err := starlark.ExecFile(thread, "hook.sky", `
c = core.Container(name = "app")
d = apps.Deployment(
    spec = apps.DeploymentSpec(replicas = 2),
)
d.spec.template.spec.containers.append(c)
`, pre)
	if err != nil {
		t.Fatal(err)
	}
	// The container (line 2), then the spec (line 4) and the Deployment
	// (line 3), in the order their calls return.
	wantLines := []int32{2, 4, 3}
	if len(seen) != len(wantLines) {
		t.Fatalf("hook saw %d messages, want %d", len(seen), len(wantLines))
	}
	for i, w := range wantLines {
		if seen[i].line != w {
			t.Errorf("message %d made on line %d, want %d", i, seen[i].line, w)
		}
	}
	if m, ok := b.Unwrap(g["d"]); !ok || m != seen[2].msg {
		t.Error("the hook's Deployment is not the message Unwrap returns")
	}

	// Without a hook, or with a value of another type, nothing happens.
	other := &starlark.Thread{}
	other.SetLocal(NewHook, "not a function")
	if _, err := starlark.ExecFile(other, "plain.sky", `d = apps.Deployment()`, pre); err != nil {
		t.Fatal(err)
	}
}
