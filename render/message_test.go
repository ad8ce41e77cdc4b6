package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/manifest"
)

// TestMessagePathFleet renders generated fleets (the peer shape of the
// benchmarks, and the mixed shape: every kind the fleet makes, two
// environments) with Options.Encode, which writes the objects from their
// messages, and without, which converts them to Go structs, and expects
// the same stream; and that the message path took every object.
func TestMessagePathFleet(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	for _, shape := range []fleet.Shape{fleet.Peer, fleet.Mixed} {
		root := t.TempDir()
		f := fleet.Generate(fleet.Options{N: n, Seed: 5, Shape: shape, Envs: []string{"staging", "production"}})
		if err := f.Write(root); err != nil {
			t.Fatal(err)
		}
		services := filepath.Join(root, "services") + "/..."
		_, typed := renderPaths(t, Options{}, services)
		if typed.Failed() {
			t.Fatal(typed.Diagnostics[0])
		}
		r, direct := renderPaths(t, Options{Encode: true}, services)
		if direct.Failed() {
			t.Fatal(direct.Diagnostics[0])
		}
		want, got := stream(t, typed.Output()), stream(t, direct.Output())
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: the message path's stream differs from the Go structs' (-structs +messages):\n%s", shape, lineDiff(string(want), string(got)))
		}
		if fb := r.messageFallbacks.Load(); fb != 0 {
			t.Errorf("%s: %d objects of the fleet fell back from the message path", shape, fb)
		}
		if took := r.messageObjects.Load(); took != int64(len(direct.Objects)) {
			t.Errorf("%s: %d of %d objects written from their messages", shape, took, len(direct.Objects))
		}
		kinds := map[string]int{}
		for _, o := range direct.Objects {
			kinds[o.Obj.GetObjectKind().GroupVersionKind().Kind]++
		}
		t.Logf("%s: %d objects: %v", shape, len(direct.Objects), kinds)
	}
}

// TestMessagePathExamples renders the examples, whose services have AWS
// resources (their objects are written from messages, then converted to
// Go structs for the AWS side's check), through the message path, with
// and without the render cache, and expects the golden streams.
func TestMessagePathExamples(t *testing.T) {
	cache := &CacheOptions{Dir: t.TempDir(), Salt: "test"}
	for _, env := range []string{"staging", "production"} {
		want, err := os.ReadFile(filepath.Join("testdata", "examples-"+env+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for name, opts := range map[string]Options{
			"encode": {Envs: []string{env}, Encode: true},
			"cache":  {Envs: []string{env}, Cache: cache},
		} {
			for round := range 2 { // the second from the cache
				_, res := renderPaths(t, opts, "../examples/...")
				if res.Failed() {
					t.Fatal(res.Diagnostics[0])
				}
				if got := stream(t, res.Output()); !bytes.Equal(got, want) {
					t.Fatalf("%s %s #%d: differs from the golden stream:\n%s", env, name, round, lineDiff(string(want), string(got)))
				}
			}
		}
	}
}

// TestMessagePathAWS: the AWS side checks the service accounts of a
// service whose objects were written from their messages as it checks
// Go structs.
func TestMessagePathAWS(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(webService, ""), "    return api\n", "    api.service_account.metadata.name = \"renamed\"\n    return api\n", 1)
	root := repo(t, map[string]string{"skyc.yaml": awsConfig, "web.sky": src})
	var got [][]string
	for _, encode := range []bool{false, true} {
		_, res := renderPaths(t, Options{Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), Encode: encode}, filepath.Join(root, "web.sky"))
		got = append(got, errorsOf(res))
	}
	if len(got[0]) != 1 || !strings.Contains(got[0][0], "ServiceAccount payments/renamed is annotated with the role") {
		t.Fatalf("diagnostics %q, want the renamed account's", got[0])
	}
	if !slices.Equal(got[0], got[1]) {
		t.Errorf("with Encode: %q\nwithout: %q", got[1], got[0])
	}
}

// TestMessagePathOff: a waiver limited to one object needs the Go structs
// (the message path is off for the job), and a service name that is not
// a label value is reported as without the message path.
func TestMessagePathOff(t *testing.T) {
	root := repo(t, map[string]string{
		"skyc.yaml": "environments:\n  staging: {}\n",
		"svc/api.sky": `
def main(ctx):
    api = service(name = "api", team = "web", image = "x/api:1.0", replicas = 2)
    waive("no-probes", reason = "r", owner = "web", expires = "2099-01-01", object = api.deployment)
    return api
`,
		"bad/api-.sky": "def main(ctx):\n    return worker(name = \"api\", team = \"web\", image = \"x/api:1.0\")\n",
	})
	_, typed := renderPaths(t, Options{}, filepath.Join(root, "svc/..."))
	r, direct := renderPaths(t, Options{Encode: true}, filepath.Join(root, "svc/..."))
	if typed.Failed() || direct.Failed() {
		t.Fatalf("render: %v %v", typed.Diagnostics, direct.Diagnostics)
	}
	if got, want := stream(t, direct.Output()), stream(t, typed.Output()); !bytes.Equal(got, want) {
		t.Fatalf("differs from the Go structs' stream:\n%s", lineDiff(string(want), string(got)))
	}
	if len(direct.Waivers) != 1 || direct.Waivers[0].Object == nil {
		t.Fatalf("waivers %+v, want one limited to the deployment", direct.Waivers)
	}
	if r.messageObjects.Load() != 0 || r.messageFallbacks.Load() != 0 {
		t.Errorf("%d objects from messages, %d fallbacks; the message path should have been off", r.messageObjects.Load(), r.messageFallbacks.Load())
	}
	for _, opts := range []Options{{}, {Encode: true}} {
		_, res := renderPaths(t, opts, filepath.Join(root, "bad/api-.sky"))
		if !res.Failed() || !strings.Contains(res.Diagnostics[0].Message, `service name "api-" can't label the objects it owns`) {
			t.Errorf("Encode %v: diagnostics %v, want the invalid service name", opts.Encode, res.Diagnostics)
		}
	}
}

// BenchmarkFleetEncodeMessage writes the messages main returned as YAML
// documents, from the messages (manifest.EncodeMessage) and, for
// comparison, through the Go structs (ToObject, SetOwnership, Encode).
func BenchmarkFleetEncodeMessage(b *testing.B) {
	n := benchN()
	root, files, _ := benchFleet(b, n)
	ev := evaluate(b, newBenchRenderer(b, root), files)
	msgs := ev.messages(b)
	reg := ev.r.reg
	own := &manifest.Ownership{Service: "web", Env: "production"}
	b.Run(fmt.Sprintf("messages/N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			for _, m := range msgs {
				k, _ := reg.KindOf(m.ProtoReflect().Descriptor().FullName())
				if _, ok := manifest.EncodeMessage(m.ProtoReflect(), k.GoType, k.GVK, own); !ok {
					b.Fatalf("%s: not on the message path", k.GVK)
				}
			}
		})
	})
	b.Run(fmt.Sprintf("structs/N=%d", n), func(b *testing.B) {
		loop(b, n, func() {
			for _, m := range msgs {
				obj, err := reg.ToObject(m)
				if err != nil {
					b.Fatal(err)
				}
				if err := manifest.SetOwnership(manifest.Object{Obj: obj, Service: own.Service, Env: own.Env}); err != nil {
					b.Fatal(err)
				}
				if _, err := manifest.Encode(obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
