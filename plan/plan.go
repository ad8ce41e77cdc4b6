package plan

import (
	"cmp"
	"slices"
	"strings"
)

// Plan is the difference between a render and the live state of its
// targets: what applying the render would change, object by object.
type Plan struct {
	// Targets are the clusters (or the previous render) compared against,
	// in a fixed order.
	Targets []*Target
	// Changes are the objects that would change, grouped by target, in
	// the order an apply would go: namespaces and CRDs first, deletions
	// last.
	Changes []*Change
	// Problems are the objects that could not be compared. A plan with
	// problems is incomplete.
	Problems []*Problem
}

// Target is one place a render is compared against.
type Target struct {
	// Name identifies the target: "<env>/<context>" for a cluster,
	// "<env>" for a previous render.
	Name string
	// Env is the environment rendered for the target.
	Env string
	// Source is "kubernetes", "aws" or "render" (skyc diff --against).
	Source string
	// Context is the kubeconfig context, Server the API server's URL
	// (empty until connected), Dir the previous render's directory.
	Context, Server, Dir string
	// Err says why the target could not be compared at all, "" if it
	// could. Its changes are then unknown, not absent.
	Err string
	// Objects is how many rendered objects were compared, Unchanged how
	// many of them would not change.
	Objects, Unchanged int
}

// Action is what applying a plan does to one object.
type Action string

// Actions.
const (
	Create   Action = "create"
	Update   Action = "update"
	Recreate Action = "recreate" // delete, then create: an immutable field changes
	Delete   Action = "delete"
)

// Class says whose value a changed field holds.
type Class string

// Classes of a changed field.
const (
	// Config: the render changes the field (or stops setting it); the
	// live value is skyc's own or nobody's.
	Config Class = "config"
	// Drift: another field manager (kubectl edit or scale, a controller,
	// an autoscaler) set the live value; applying puts skyc's back.
	Drift Class = "drift"
	// Immutable: the field can't change in place; the object is deleted
	// and created again (for CloudFormation: the resource is replaced).
	Immutable Class = "immutable"
	// Broadening: an IAM policy grants more than before: new actions,
	// wider resources, new principals, fewer denials or conditions.
	Broadening Class = "broadening"
)

// Op is what happens to one field.
type Op string

// Ops of a changed field.
const (
	Add    Op = "add"
	Remove Op = "remove"
	Modify Op = "change"
)

// Field is one changed field of an object.
type Field struct {
	// Path locates the field: spec.template.spec.containers[name=api].image.
	Path string
	Op   Op
	// Before and After are the live and the predicted value, nil when the
	// field is absent on that side. Sensitive values are markers (see
	// [Hide]), never the value.
	Before, After any
	Class         Class
	// Managers are the field managers that own the live value, when that
	// is not skyc (drift).
	Managers []string
	// Sensitive says Before and After are markers of hidden values.
	Sensitive bool
	// Note explains the class when the values alone don't, e.g. which
	// actions an IAM statement adds.
	Note string
}

// Change is one object that applying would change.
type Change struct {
	// Target is the name of the target the change is in, Env its
	// environment.
	Target, Env string
	// Service and Source name the service (and .sky file) that renders
	// the object; for a deletion, the service the object's labels name.
	Service, Source string
	// APIVersion, Kind, Namespace and Name identify the object.
	APIVersion, Kind, Namespace, Name string
	Action                            Action
	// Fields are the changed fields of an update or recreate.
	Fields []Field
	// Before is the live object, After the object as it would be (for a
	// creation: as rendered), both without server-maintained fields and
	// with sensitive values hidden; nil when absent.
	Before, After map[string]any
	// Destructive says why the change destroys something (a deletion, a
	// recreation), "" if it does not.
	Destructive string
	// Allowed says a destructive change was allowed (--allow-destructive).
	Allowed bool
	// Notes are remarks on the change, such as a namespace that does not
	// exist yet.
	Notes []string
}

// Address identifies the object within its target: Kind/namespace/name,
// or Kind/name for cluster-scoped objects.
func (c *Change) Address() string {
	if c.Namespace == "" {
		return c.Kind + "/" + c.Name
	}
	return c.Kind + "/" + c.Namespace + "/" + c.Name
}

// Problem is an object, or a whole target, that could not be compared.
type Problem struct {
	Target, Env, Service, Source string
	// Address is the object's (see [Change.Address]), "" for a problem
	// of the whole target.
	Address string
	// Message says what went wrong; sensitive values are redacted.
	Message string
}

// Summary counts a plan's changes.
type Summary struct {
	Add, Change, Recreate, Delete int
	// Destructive counts deletions and recreations, Blocked those of them
	// not allowed.
	Destructive, Blocked int
	// Unchanged counts compared objects that would not change.
	Unchanged int
	// Problems counts objects and targets that could not be compared.
	Problems int
}

// Summary counts p's changes, for all targets when target is "", else for
// that one.
func (p *Plan) Summary(target string) Summary {
	var s Summary
	for _, c := range p.Changes {
		if target != "" && c.Target != target {
			continue
		}
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Recreate:
			s.Recreate++
		case Delete:
			s.Delete++
		}
		if c.Destructive != "" {
			s.Destructive++
			if !c.Allowed {
				s.Blocked++
			}
		}
	}
	for _, t := range p.Targets {
		if target == "" || t.Name == target {
			s.Unchanged += t.Unchanged
			if t.Err != "" {
				s.Problems++
			}
		}
	}
	for _, pr := range p.Problems {
		if target == "" || pr.Target == target {
			s.Problems++
		}
	}
	return s
}

// Status is a plan's verdict.
type Status string

// Statuses, from best to worst.
const (
	// NoChanges: every target was compared and nothing would change.
	NoChanges Status = "no_changes"
	// Changes: everything was compared; there are changes and none is
	// destructive unless allowed.
	Changes Status = "changes"
	// Blocked: there are destructive changes that were not allowed.
	Blocked Status = "blocked"
	// Incomplete: some target or object could not be compared, so the
	// plan may miss changes.
	Incomplete Status = "incomplete"
)

// Status returns p's verdict. An incomplete plan is never reported as
// anything else, so that a failure can't pass for "no changes".
func (p *Plan) Status() Status {
	s := p.Summary("")
	switch {
	case s.Problems > 0:
		return Incomplete
	case s.Blocked > 0:
		return Blocked
	case len(p.Changes) > 0:
		return Changes
	}
	return NoChanges
}

// Merge appends q's targets, changes and problems to p.
func (p *Plan) Merge(q *Plan) {
	p.Targets = append(p.Targets, q.Targets...)
	p.Changes = append(p.Changes, q.Changes...)
	p.Problems = append(p.Problems, q.Problems...)
}

// sortTargets orders targets by name and, within one, keeps changes in
// their apply order.
func (p *Plan) sortTargets() {
	slices.SortStableFunc(p.Targets, func(a, b *Target) int { return strings.Compare(a.Name, b.Name) })
	rank := map[string]int{}
	for i, t := range p.Targets {
		rank[t.Name] = i
	}
	slices.SortStableFunc(p.Changes, func(a, b *Change) int { return cmp.Compare(rank[a.Target], rank[b.Target]) })
	slices.SortStableFunc(p.Problems, func(a, b *Problem) int {
		return cmp.Or(cmp.Compare(rank[a.Target], rank[b.Target]), strings.Compare(a.Address, b.Address))
	})
}
