package full

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/manifest"
	"github.com/skyc-dev/skyc/render"
)

// The findings cache: skyc check keeps, per service file and environment
// (a job of the render), what the Kubernetes validation and the policies
// found about its objects before the waivers are applied
// (check.GroupFindings), in the render cache's store (render.VisitCache)
// under the job's render key and checkSalt. A job whose key is unchanged
// is then neither evaluated nor validated nor policy-checked. What is
// computed across jobs (the waivers' application and unused waivers, two
// services rendering the same object, plain manifests) is computed anew
// on every check from what the jobs kept.

// checkCacheVersion changes whenever the meaning of what the findings
// cache keeps changes: the encoding, or what the checkers find.
const checkCacheVersion = "skyc check findings 2"

// checkSalt is what a job's findings depend on besides the render's
// inputs (the binary, which the render cache's salt covers; skyc.yaml,
// with the policies' settings, and the CRDs; the environment, --var
// values and limits; the files of the load graph): the checkers run.
// The date waivers are checked against is not in it: render.VisitCache
// serves a job with waivers only while none of them has changed from
// unexpired to expired.
func checkSalt(policies bool) string {
	return fmt.Sprintf("%s\x00policies=%t", checkCacheVersion, policies)
}

// checkedGroups counts the groups (service files in an environment)
// validated rather than served from the cache, for tests.
var checkedGroups atomic.Int64

// checkerSetUps counts the checkers' set-ups (checkSetup.ready), for
// tests.
var checkerSetUps atomic.Int64

// visitCache returns the render's VisitCache: Visit checks the objects of
// one service in one environment and adds the findings to the stream,
// Cached adds those kept for one.
//
// The checkers are set up (cs.ready) by the first Visit; Cached needs
// only their number. If they cannot be set up, Visit keeps nothing.
func (cs *checkSetup) visitCache(ctx context.Context) *render.VisitCache {
	return &render.VisitCache{
		Visit: func(objs []manifest.Object, locate func(obj runtime.Object, field string) (lang.Pos, bool), keep bool) []byte {
			if cs.ready() != nil {
				return nil
			}
			checkedGroups.Add(1)
			// Checked with the sources as the render gives them
			// (repository labels), which is what is kept, then made
			// relative to the working directory.
			g, err := cs.stream.CheckGroup(ctx, objs, func(o manifest.Object, field string) string {
				pos, ok := locate(o.Obj, field)
				if !ok || !pos.IsValid() {
					return ""
				}
				return pos.String()
			})
			if err != nil {
				// Checked again as before, for an error that names
				// the files as the user does.
				cs.visit(ctx)(objs, locate)
				return nil
			}
			var data []byte
			if keep {
				data = encodeGroupFindings(g)
			}
			cs.addRelative(g)
			return data
		},
		Cached: func(env, label string, data []byte) error {
			g, err := decodeGroupFindings(data, cs.checkers)
			if err != nil {
				return err
			}
			cs.addRelative(g)
			return nil
		},
	}
}

// addRelative adds a group's findings to the stream with their sources
// made relative to the working directory, as visit gives them; until the
// stream is set up, to those pending.
func (cs *checkSetup) addRelative(g check.GroupFindings) {
	rc := cs.rc
	found := false
	for ci := range g.Found {
		for i := range g.Found[ci] {
			found = true
			g.Found[ci][i].Source = relativeSource(rc.root, rc.cwd, g.Found[ci][i].Source)
			g.Located[ci][i] = relativeSource(rc.root, rc.cwd, g.Located[ci][i])
		}
	}
	cs.mu.Lock()
	stream := cs.stream
	if stream == nil {
		cs.pending = append(cs.pending, g)
		cs.served = true
		cs.anyFound = cs.anyFound || found
	}
	cs.mu.Unlock()
	if stream != nil {
		stream.AddGroup(g, nil)
	}
}

// A group's findings are encoded as
//
//	env service checkers (n finding*n)*checkers
//	finding: severity rule apiVersion kind namespace name env field message hint source located
//
// strings as a uvarint length and bytes, numbers as uvarints.

// encodeGroupFindings encodes what CheckGroup found in a group.
func encodeGroupFindings(g check.GroupFindings) []byte {
	b := make([]byte, 0, 256)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(g.Env)
	str(g.Service)
	b = binary.AppendUvarint(b, uint64(len(g.Found)))
	for ci, fs := range g.Found {
		b = binary.AppendUvarint(b, uint64(len(fs)))
		for i, f := range fs {
			b = binary.AppendUvarint(b, uint64(f.Severity))
			str(f.Rule)
			str(f.Object.APIVersion)
			str(f.Object.Kind)
			str(f.Object.Namespace)
			str(f.Object.Name)
			str(f.Env)
			str(f.Field)
			str(f.Message)
			str(f.Hint)
			str(f.Source)
			str(g.Located[ci][i])
		}
	}
	return b
}

var errFindings = errors.New("malformed findings in the check cache")

// decodeGroupFindings decodes what encodeGroupFindings encoded, for a
// stream of checkers checkers. The strings are copied: the stream keeps
// them after the cache is closed.
func decodeGroupFindings(b []byte, checkers int) (check.GroupFindings, error) {
	fail := false
	num := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			fail = true
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := num()
		if fail || n > uint64(len(b)) {
			fail = true
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	g := check.GroupFindings{Env: str(), Service: str()}
	if n := num(); fail || n != uint64(checkers) {
		return check.GroupFindings{}, errFindings
	}
	g.Found = make([][]check.Finding, checkers)
	g.Located = make([][]string, checkers)
	for ci := range checkers {
		n := num()
		if fail || n > uint64(len(b)) {
			return check.GroupFindings{}, errFindings
		}
		if n == 0 {
			continue
		}
		fs := make([]check.Finding, n)
		loc := make([]string, n)
		for i := range fs {
			sev := num()
			if sev > uint64(check.Error) {
				fail = true
			}
			fs[i] = check.Finding{
				Severity: check.Severity(sev),
				Rule:     str(),
				Object:   check.ObjectRef{APIVersion: str(), Kind: str(), Namespace: str(), Name: str()},
				Env:      str(),
				Field:    str(),
				Message:  str(),
				Hint:     str(),
				Source:   str(),
			}
			loc[i] = str()
			if fail {
				return check.GroupFindings{}, errFindings
			}
		}
		g.Found[ci], g.Located[ci] = fs, loc
	}
	if fail || len(b) != 0 {
		return check.GroupFindings{}, errFindings
	}
	return g, nil
}
