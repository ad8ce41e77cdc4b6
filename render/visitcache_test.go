package render

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/config"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/stdlib"
)

// visitedJob is a job with two objects and a waiver limited to the
// second, which expires on 2027-03-01.
func visitedJob() (job, *jobResult) {
	j := job{env: &config.Environment{Name: "staging"}, label: "svc/api.sky"}
	objs := []manifest.Object{
		{Env: "staging", Service: "api", Source: "svc/api.sky", Obj: &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api"}}},
		{Env: "staging", Service: "api", Source: "svc/api.sky", Obj: &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "api"}}},
	}
	w := &stdlib.Waiver{Rule: "no-probes", Reason: "r", Owner: "o", Expires: "2027-03-01", Pos: lang.Pos{File: "svc/api.sky", Line: 4, Col: 5}}
	return j, &jobResult{objects: objs, waivers: []Waiver{{Waiver: w, File: j.label, Env: "staging", Object: objs[1].Obj}}}
}

func TestVisitedRoundTrip(t *testing.T) {
	j, jr := visitedJob()
	payload := encodeVisited(jr, "", []byte("findings"))
	got, data, err := decodeVisited(payload, j, "2027-03-01", &visitSlab{})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "findings" {
		t.Errorf("data = %q", data)
	}
	if len(got.objects) != 2 || got.objects[1].Obj.(*metav1.PartialObjectMetadata).Kind != "Service" || got.objects[0].Service != "api" || got.objects[0].Env != "staging" {
		t.Errorf("objects = %+v", got.objects)
	}
	for i, o := range got.objects {
		id := o.Obj.(*metav1.PartialObjectMetadata)
		if want := idHash("staging", id.APIVersion, id.Kind, id.Namespace, id.Name); len(got.ids) != 2 || got.ids[i] != want {
			t.Errorf("ids = %x, want %x at %d", got.ids, want, i)
		}
	}
	if len(got.waivers) != 1 || got.waivers[0].Object != got.objects[1].Obj || got.waivers[0].Pos.Line != 4 || got.waivers[0].Expires != "2027-03-01" || got.waivers[0].File != j.label {
		t.Errorf("waivers = %+v", got.waivers)
	}
}

// TestVisitedDate checks that a job is not served on a day its waivers
// would be judged otherwise, nor a job with AWS documents on another day.
func TestVisitedDate(t *testing.T) {
	j, jr := visitedJob()
	payload := encodeVisited(jr, "", nil)
	for today, ok := range map[string]bool{"2026-01-01": true, "2027-03-01": true, "2027-03-02": false} {
		if _, _, err := decodeVisited(payload, j, today, &visitSlab{}); (err == nil) != ok {
			t.Errorf("unexpired waiver, today %s: served %v, want %v", today, err == nil, ok)
		}
	}
	jr.waivers[0].Expired = true
	payload = encodeVisited(jr, "", nil)
	if _, _, err := decodeVisited(payload, j, "2027-03-01", &visitSlab{}); err == nil {
		t.Errorf("a waiver kept as expired is served on its last day")
	}
	payload = encodeVisited(jr, "2027-03-05", nil)
	for today, ok := range map[string]bool{"2027-03-05": true, "2027-03-06": false} {
		if _, _, err := decodeVisited(payload, j, today, &visitSlab{}); (err == nil) != ok {
			t.Errorf("kept on 2027-03-05, today %s: served %v, want %v", today, err == nil, ok)
		}
	}
}

// TestVisitedTruncated checks that a damaged payload is an error, never
// a panic or a job with fewer objects.
func TestVisitedTruncated(t *testing.T) {
	j, jr := visitedJob()
	payload := encodeVisited(jr, "", nil)
	for n := range len(payload) {
		if got, _, err := decodeVisited(payload[:n], j, "2026-01-01", &visitSlab{}); err == nil {
			t.Errorf("%d of %d bytes: decoded %d objects", n, len(payload), len(got.objects))
		}
	}
}

// TestVisitedSlab checks that jobs decoded from one visitSlab, across its
// chunks, keep their own objects: appending to one job's objects does not
// overwrite the next's.
func TestVisitedSlab(t *testing.T) {
	j, jr := visitedJob()
	payload := encodeVisited(jr, "", nil)
	var slab visitSlab
	var all []jobResult
	for range visitSlabChunk { // two objects each: two chunks and more
		got, _, err := decodeVisited(payload, j, "2027-03-01", &slab)
		if err != nil {
			t.Fatal(err)
		}
		if cap(got.objects) != 2 || cap(got.ids) != 2 {
			t.Fatalf("capacities %d, %d, want 2", cap(got.objects), cap(got.ids))
		}
		all = append(all, got)
	}
	_ = append(all[0].objects, manifest.Object{Service: "appended"})
	for i, got := range all {
		id := got.objects[1].Obj.(*metav1.PartialObjectMetadata)
		id.Name += "-changed"
		if got.objects[0].Service != "api" || got.objects[0].Source != j.label || got.waivers[0].Object != got.objects[1].Obj {
			t.Fatalf("job %d: objects = %+v", i, got.objects)
		}
	}
	for i, got := range all {
		if name := got.objects[1].Obj.(*metav1.PartialObjectMetadata).Name; name != "api-changed" {
			t.Fatalf("job %d: name %q, want api-changed: identities shared between jobs", i, name)
		}
	}
}
