package render

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	kruntime "k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/check/awscheck"
	"github.com/skyc-dev/skyc/lang"
	"github.com/skyc-dev/skyc/stdlib"
)

// Rule IDs of the diagnostics about waivers.
const (
	// RuleWaiverExpired: a waiver's expiry date has passed; it waives
	// nothing and fails the render and the check.
	RuleWaiverExpired = "waiver-expired"
	// RuleWaiverUnused: a waiver waives nothing.
	RuleWaiverUnused = "waiver-unused"
)

// Waiver is a waive() declaration of a platform policy, made by one
// service's main in one environment. skyc check applies it to the
// policies' findings.
type Waiver struct {
	*stdlib.Waiver
	// File is the label of the service's file; Env the environment.
	File, Env string
	// Object is the one object the waiver is limited to; nil means all of
	// the service's objects.
	Object kruntime.Object
}

// isAWSRule reports whether rule is one of the render's own (IAM
// least-privilege) rules, whose waivers the render applies.
func isAWSRule(rule string) bool {
	_, ok := awscheck.LookupRule(rule)
	return ok
}

// waivers returns the service's waivers of policies, and diags with a
// finding for each expired waiver and each waiver limited to an object
// main did not return. made maps the messages of main's objects to them.
func waivers(j job, sess *stdlib.Session, made map[proto.Message]kruntime.Object, diags []*lang.Diagnostic) ([]Waiver, []*lang.Diagnostic) {
	var out []Waiver
	for _, w := range sess.Waivers {
		if w.Expired {
			diags = append(diags, &lang.Diagnostic{Severity: lang.Error, Pos: w.Pos, Rule: RuleWaiverExpired,
				Message: fmt.Sprintf("waive: %s: the waiver expired on %s: fix the finding or renew the waiver with a reason [%s]", w.Rule, w.Expires, RuleWaiverExpired),
				Hint:    fmt.Sprintf("%s owns it: %s", w.Owner, w.Reason)})
		}
		if isAWSRule(w.Rule) {
			continue
		}
		pw := Waiver{Waiver: w, File: j.label, Env: j.env.Name}
		if w.Object != nil {
			obj, ok := made[w.Object]
			if !ok {
				diags = append(diags, &lang.Diagnostic{Severity: lang.Warning, Pos: w.Pos, Rule: RuleWaiverUnused,
					Message: fmt.Sprintf("the waiver of %s is limited to an object main does not return, so it waives nothing [%s]", w.Rule, RuleWaiverUnused),
					Hint:    "pass one of the objects main returns, e.g. svc.deployment"})
				continue
			}
			pw.Object = obj
		}
		out = append(out, pw)
	}
	return out, diags
}
