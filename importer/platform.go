package importer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/skyc-dev/skyc/schemas"
)

// The standard labels of skyc's platform workloads (stdlib/_platform.sky).
const (
	nameLabel       = "app.kubernetes.io/name"
	componentLabel  = "app.kubernetes.io/component"
	managedByLabel  = "app.kubernetes.io/managed-by"
	teamLabel       = "team"
	costCentreLabel = "cost-centre"
	managedBySkyc   = "skyc"
)

// platformCall is a group of input objects that one service() or
// worker() call renders exactly.
type platformCall struct {
	expr    node
	members []int // indexes into the objects, ascending
	fn      string
	name    string
	// overrides change the call's objects after it, when the call alone
	// does not render the group (a field set by hand, as in
	// api.deployment.spec.template.spec.terminationGracePeriodSeconds = 60).
	overrides []assignment
	// aliases and bytesLiterals are what the overrides' values need
	// (see generator).
	aliases       map[string]protoreflect.FullName
	bytesLiterals bool
}

// writeCall writes c as statements of main binding it to v: the call,
// then its overrides.
func writeCall(b *strings.Builder, c platformCall, v string) {
	b.WriteString("    " + v + " = ")
	layout(b, c.expr, 4, 4+len(v)+3, "")
	b.WriteString("\n")
	for _, a := range c.overrides {
		if a.appends {
			prefix := "    " + v + "." + a.target + ".append("
			b.WriteString(prefix)
			layout(b, a.val, 4, len(prefix), ")")
		} else {
			prefix := "    " + v + "." + a.target + " = "
			b.WriteString(prefix)
			layout(b, a.val, 4, len(prefix), "")
		}
		b.WriteString("\n")
	}
}

// snippet is a service file of c alone.
func snippet(c platformCall) string {
	var b strings.Builder
	for _, a := range sortedAliases(c.aliases) {
		fmt.Fprintf(&b, "%s = proto.package(%s)\n", a, quote(string(c.aliases[a])))
	}
	b.WriteString("def main(ctx):\n")
	writeCall(&b, c, "w")
	b.WriteString("    return w\n")
	return b.String()
}

func sortedAliases(m map[string]protoreflect.FullName) []string {
	out := make([]string, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// recognize finds the groups of objs that the standard library's
// service() or worker() reproduce exactly, and returns a call for each.
// A group is a Deployment carrying the platform's standard labels and the
// objects of the same workload beside it (ServiceAccount, Service,
// PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy, Ingress).
// The call's arguments are read off the objects; the call is kept only if
// rendering it gives the group back, semantically equal, and nothing
// more.
func recognize(ctx context.Context, reg *schemas.Registry, objs []Object) []platformCall {
	var calls []platformCall
	taken := map[int]bool{}
	for i, o := range objs {
		c, ok := inferCall(o, objs, i, taken)
		if !ok {
			continue
		}
		got, err := RenderSource(ctx, []byte(snippet(c)))
		if err != nil {
			continue
		}
		var group []Object
		for _, m := range c.members {
			group = append(group, objs[m])
		}
		if len(Compare(group, got)) > 0 {
			// Perhaps fields were set after the call.
			g := &generator{reg: reg, extra: map[string]protoreflect.FullName{}}
			as, ok := overrides(reg, g, group, got)
			if !ok || len(as) == 0 {
				continue
			}
			c.overrides, c.aliases, c.bytesLiterals = as, g.extra, g.bytesLiterals
			got, err := RenderSource(ctx, []byte(snippet(c)))
			if err != nil || len(Compare(group, got)) > 0 {
				continue
			}
		}
		for _, m := range c.members {
			taken[m] = true
		}
		calls = append(calls, c)
	}
	return calls
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// defaultReplicas are the replicas service() and worker() default to.
var defaultReplicas = map[string]int32{"service": 2, "worker": 1}

// inferCall reads service(), worker() or cron_job() arguments off the
// workload objs[i] (a Deployment or CronJob with the platform's labels)
// and the objects of the same workload.
func inferCall(o Object, objs []Object, i int, taken map[int]bool) (platformCall, bool) {
	var (
		labels map[string]string
		tmpl   *corev1.PodTemplateSpec
		fn     string
		d      *appsv1.Deployment
		cj     *batchv1.CronJob
	)
	switch w := o.Obj.(type) {
	case *appsv1.Deployment:
		d, labels, tmpl = w, w.Labels, &w.Spec.Template
		fn = map[string]string{"server": "service", "worker": "worker"}[labels[componentLabel]]
	case *batchv1.CronJob:
		cj, labels, tmpl = w, w.Labels, &w.Spec.JobTemplate.Spec.Template
		if labels[componentLabel] == "cron-job" {
			fn = "cron_job"
		}
	}
	if fn == "" || labels[managedByLabel] != managedBySkyc {
		return platformCall{}, false
	}
	name, team := labels[nameLabel], labels[teamLabel]
	spec := tmpl.Spec
	if name == "" || name != o.Name() || team == "" || len(spec.Containers) != 1 {
		return platformCall{}, false
	}
	ns := o.Namespace()
	c := spec.Containers[0]
	expr := &call{fn: fn}
	arg := func(k string, v node) { expr.args = append(expr.args, kwarg{k, v}) }
	arg("name", atom(quote(name)))
	arg("team", atom(quote(team)))
	arg("image", atom(quote(c.Image)))
	if cj != nil {
		arg("schedule", atom(quote(cj.Spec.Schedule)))
	}

	members := []int{i}
	// find returns the index of the input object of the workload with the
	// given kind and name.
	find := func(kind, objName string) (int, bool) {
		for j, o := range objs {
			if taken[j] || j == i || o.GVK().Kind != kind || o.Name() != objName || o.Namespace() != ns {
				continue
			}
			acc, err := meta.Accessor(o.Obj)
			if err != nil || acc.GetLabels()[managedByLabel] != managedBySkyc || acc.GetLabels()[nameLabel] != name {
				continue
			}
			members = append(members, j)
			return j, true
		}
		return 0, false
	}

	if fn == "service" {
		port := int32(0)
		for _, p := range c.Ports {
			if p.Name == "http" {
				port = p.ContainerPort
			}
		}
		if port == 0 {
			return platformCall{}, false
		}
		if _, ok := find("Service", name); !ok {
			return platformCall{}, false
		}
		if port != 8080 {
			arg("port", atom(strconv.Itoa(int(port))))
		}
	}
	if len(c.Command) > 0 {
		arg("command", stringList(c.Command))
	}
	if len(c.Args) > 0 {
		arg("args", stringList(c.Args))
	}
	if cj != nil {
		if tz := cj.Spec.TimeZone; tz != nil && *tz != "Etc/UTC" {
			arg("time_zone", atom(quote(*tz)))
		}
		if t := cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds; t != nil && *t != 3600 {
			arg("timeout_seconds", atom(strconv.FormatInt(*t, 10)))
		}
		if r := cj.Spec.JobTemplate.Spec.BackoffLimit; r != nil && *r != 2 {
			arg("retries", atom(strconv.Itoa(int(*r))))
		}
	}
	if d == nil {
		// a cron job: no autoscaling or replicas
	} else if j, ok := find("HorizontalPodAutoscaler", name); ok {
		hpa, ok := objs[j].Obj.(*autoscalingv2.HorizontalPodAutoscaler)
		if !ok || hpa.Spec.MinReplicas == nil || len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource == nil ||
			hpa.Spec.Metrics[0].Resource.Target.AverageUtilization == nil {
			return platformCall{}, false
		}
		arg("autoscale", &call{fn: "autoscale", args: []kwarg{
			{"min", atom(strconv.Itoa(int(*hpa.Spec.MinReplicas)))},
			{"max", atom(strconv.Itoa(int(hpa.Spec.MaxReplicas)))},
			{"cpu_percent", atom(strconv.Itoa(int(*hpa.Spec.Metrics[0].Resource.Target.AverageUtilization)))},
		}})
	} else if d.Spec.Replicas != nil && *d.Spec.Replicas != defaultReplicas[fn] {
		arg("replicas", atom(strconv.Itoa(int(*d.Spec.Replicas))))
	}
	// Arguments equal to the defaults are left out; the render check
	// catches a default that changed.
	if q, ok := c.Resources.Requests[corev1.ResourceCPU]; ok && q.String() != "250m" {
		arg("cpu", atom(quote(q.String())))
	}
	if q, ok := c.Resources.Requests[corev1.ResourceMemory]; ok && q.String() != "512Mi" {
		arg("memory", atom(quote(q.String())))
	}
	if _, ok := find("NetworkPolicy", name+"-egress"); ok {
		arg("block_egress", atom("True"))
	}
	if len(c.Env) > 0 {
		env := &dict{}
		for _, e := range c.Env {
			env.keys = append(env.keys, quote(e.Name))
			switch {
			case e.ValueFrom == nil:
				env.vals = append(env.vals, atom(quote(e.Value)))
			case e.ValueFrom.SecretKeyRef != nil && e.Value == "":
				ref := e.ValueFrom.SecretKeyRef
				env.vals = append(env.vals, &call{fn: "secret_env", args: []kwarg{
					{"", atom(quote(ref.Name))}, {"", atom(quote(ref.Key))},
				}})
			default:
				return platformCall{}, false
			}
		}
		arg("env", env)
	}
	if ns != team {
		arg("namespace", atom(quote(ns)))
	}
	if fn == "service" {
		if p := c.ReadinessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/ready" {
			arg("ready_path", atom(quote(p.HTTPGet.Path)))
		}
		if p := c.LivenessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/healthz" {
			arg("health_path", atom(quote(p.HTTPGet.Path)))
		}
		if j, ok := find("Ingress", name); ok {
			ing, ok := objs[j].Obj.(*networkingv1.Ingress)
			if !ok || len(ing.Spec.Rules) != 1 {
				return platformCall{}, false
			}
			arg("ingress_host", atom(quote(ing.Spec.Rules[0].Host)))
		}
	}
	if cc := labels[costCentreLabel]; cc != "" {
		arg("cost_centre", atom(quote(cc)))
	}
	extra := &dict{}
	for _, k := range sortedKeys(labels) {
		switch k {
		case nameLabel, componentLabel, managedByLabel, teamLabel, costCentreLabel:
			continue
		}
		extra.keys = append(extra.keys, quote(k))
		extra.vals = append(extra.vals, atom(quote(labels[k])))
	}
	if len(extra.keys) > 0 {
		arg("labels", extra)
	}
	if a := tmpl.Annotations; len(a) > 0 {
		ann := &dict{}
		for _, k := range sortedKeys(a) {
			ann.keys = append(ann.keys, quote(k))
			ann.vals = append(ann.vals, atom(quote(a[k])))
		}
		arg("annotations", ann)
	}
	sa := spec.ServiceAccountName
	if sa != "" && sa != name {
		arg("service_account", atom(quote(sa)))
	}
	if sa == "" {
		sa = name
	}
	find("ServiceAccount", sa)
	if d != nil {
		find("PodDisruptionBudget", name)
	}
	return platformCall{expr: expr, members: sorted(members), fn: fn, name: name}, true
}

func sorted(xs []int) []int {
	sort.Ints(xs)
	return xs
}

func stringList(ss []string) node {
	l := &list{}
	for _, s := range ss {
		l.elems = append(l.elems, atom(quote(s)))
	}
	return l
}

func describeCall(c platformCall, objs []Object) string {
	s := fmt.Sprintf("%s() %s:", c.fn, c.name)
	for k, m := range c.members {
		if k > 0 {
			s += ","
		}
		s += " " + objs[m].GVK().Kind
	}
	return s
}
