package fleet

import (
	"fmt"
	"strings"
)

// This file makes a fleet that skyc check has something to say about
// (Options.Findings): services that break platform policies and the
// API server's validation, in their own file and through their team's
// library, and waivers that are used, unused and expired.

// teamHarden is what a team library adds with Options.Findings: a helper
// that breaks two rules, so that findings point into the library.
const teamHarden = `
def harden(svc):
    """Puts the service on the node's network, on a port that does not exist."""
    svc.deployment.spec.template.spec.hostNetwork = True
    svc.deployment.spec.template.spec.containers[0].ports[0].containerPort = 70000
`

// mistakes returns the lines a service file with Options.Findings adds
// before main returns v, its i-th service: each rule is broken by every
// so many services, so that a service may break several or none. Only
// service() and worker() results (v = "svc") are changed.
func mistakes(i int, kind, v string) []string {
	if kind == "cron_job" {
		return nil
	}
	pod := v + ".deployment.spec.template.spec"
	var out []string
	add := func(every int, format string, args ...any) {
		if i%every == 0 {
			out = append(out, "    "+fmt.Sprintf(format, args...))
		}
	}
	add(7, "%s.hostNetwork = True", pod)
	add(11, "%s.containers[0].livenessProbe = None", pod)
	add(22, `waive("no-probes", reason = "no health endpoint yet", owner = "platform", expires = "2099-01-01")`)
	add(13, `%s.restartPolicy = "Never"`, pod)
	add(17, `waive("privileged", reason = "never needed", owner = "platform", expires = "2099-01-01", object = %s.deployment)`, v)
	add(19, `waive("host-network", reason = "long ago", owner = "platform", expires = "2020-01-01")`)
	add(21, `waive("host-network", reason = "metrics agent", owner = "platform", expires = "2099-01-01")`)
	add(23, `%s.containers[0].image = "nginx:latest"`, pod)
	if kind == "service" {
		add(31, "harden(%s)", v) // needs a port
	}
	add(37, `%s.deployment.metadata.labels.pop("team")`, v)
	add(41, "%s.containers[0].securityContext.privileged = True", pod)
	add(43, `%s.template.metadata.labels.pop("team")`, v+".deployment.spec")
	add(47, `%s.volumes = [k8s.core.Volume(name = "host", volumeSource = k8s.core.VolumeSource(hostPath = k8s.core.HostPathVolumeSource(path = "/var")))]`, pod)
	add(53, "%s.containers[0].securityContext.runAsNonRoot = False", pod)
	add(59, `%s.containers[0].resources.limits.pop("cpu")`, pod)
	return out
}

// withMistakes inserts lines before the last "    return " line of a
// service file, and loads the team library's harden when they use it.
func withMistakes(src, team string, lines []string) string {
	if len(lines) == 0 {
		return src
	}
	at := strings.LastIndex(src, "\n    return ")
	if at < 0 {
		return src
	}
	src = src[:at+1] + strings.Join(lines, "\n") + src[at:]
	for _, l := range lines {
		if strings.HasPrefix(l, "    harden(") {
			load := fmt.Sprintf(`load("//lib/teams/%s.sky", `, team)
			src = strings.Replace(src, load, load+`"harden", `, 1)
			break
		}
	}
	return src
}
