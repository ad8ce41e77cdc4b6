package render

import (
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
)

// A Visitor receives the objects of one service file in one environment
// as soon as they are rendered (see Options.Visit): objs in the order
// main returned them, with Env, Service and Source (the file's label)
// set, and locate, which gives the position of a field of one of them
// as Result.Locate does. Neither may be kept after the call; objs must
// not be modified.
type Visitor func(objs []manifest.Object, locate func(obj kruntime.Object, field string) (lang.Pos, bool))

// visitJob hands a job's objects to v, then drops all but their
// identities and the records of where their fields were set.
func visitJob(v Visitor, jr *jobResult) {
	if len(jr.objects) == 0 {
		return
	}
	loc := &Result{Origins: jr.origins, fields: jr.fields}
	v(jr.objects, loc.Locate)
	for i := range jr.objects {
		jr.objects[i].Obj = identityOf(jr.objects[i].Obj)
	}
	jr.origins, jr.fields = nil, nil
}
