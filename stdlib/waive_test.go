package stdlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/skyc-dev/skyc/lang/starproto"
)

// TestWaivers: waive() records who waived what, until when and where; a
// waiver past its date is recorded as expired (the render reports it),
// and object = ... limits a waiver to one object.
func TestWaivers(t *testing.T) {
	cases := map[string]struct {
		body    string
		expired bool
		object  bool
	}{
		"current": {`waive("iam-no-wildcard-action", reason = "r", owner = "o", expires = "2026-06-01")`, false, false},
		"expired": {`waive("iam-no-wildcard-action", reason = "r", owner = "o", expires = "2026-05-31")`, true, false},
		"one object": {`w = worker(name = "web", team = "payments", image = "r/web:1")
    waive("iam-no-wildcard-action", reason = "r", owner = "o", expires = "2027-01-01", object = w.deployment)
    return w`, false, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			v, sess, err := runMain(t, "def main(ctx):\n    "+c.body+"\n", testPlatform())
			if err != nil {
				t.Fatal(err)
			}
			if len(sess.Waivers) != 1 {
				t.Fatalf("%d waivers recorded, want 1", len(sess.Waivers))
			}
			w := sess.Waivers[0]
			if w.Rule != "iam-no-wildcard-action" || w.Reason != "r" || w.Owner != "o" || w.Pos.File != "web.sky" || w.Pos.Line < 2 {
				t.Errorf("waiver %+v", w)
			}
			if w.Expired != c.expired {
				t.Errorf("Expired = %v, want %v", w.Expired, c.expired)
			}
			if (w.Object != nil) != c.object {
				t.Fatalf("Object = %v, want one: %v", w.Object, c.object)
			}
			if c.object {
				d, _ := v.(starlark.HasAttrs).Attr("deployment")
				if m, _ := starproto.AsProto(d); m != w.Object {
					t.Error("the waiver's object is not the Deployment's message")
				}
			}
		})
	}
	_, _, err := runMain(t, "def main(ctx):\n    waive(\"iam-no-wildcard-action\", reason = \"r\", owner = \"o\", expires = \"2027-01-01\", object = \"web\")\n", testPlatform())
	if err == nil || !strings.Contains(err.Error(), "waive: object: got string, want one of the objects main returns") {
		t.Errorf("error %v for an object that is not a message", err)
	}
}
