package plan

import (
	"strings"
	"testing"

	"github.com/skyc-dev/skyc/manifest"
)

func TestOffline(t *testing.T) {
	prev := []manifest.Object{
		rendered(t, deployment),
		rendered(t, "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: team}\nspec: {clusterIP: 10.0.0.1}"),
		rendered(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: team}"),
		rendered(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\nstringData: {k: old-secret-value}"),
	}
	cur := []manifest.Object{
		rendered(t, strings.Replace(deployment, "web:1", "web:2", 1)),
		rendered(t, "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: team}\nspec: {clusterIP: None}"),
		rendered(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: team}"),
		rendered(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team}\nstringData: {k: new-secret-value}"),
	}
	other := rendered(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prod-only, namespace: team}")
	other.Env = "production"
	p := Offline(cur, append(prev, other), "base", Options{})
	want := "update Secret/team/s\n" +
		"  config stringData.k " + Hide("old-secret-value") + " → " + Hide("new-secret-value") + " change\n" +
		"create ConfigMap/team/new\n" +
		"recreate Service/team/web [destructive]\n" +
		"  immutable spec.clusterIP 10.0.0.1 → None change\n" +
		"update Deployment/team/web\n" +
		"  config spec.template.spec.containers[name=web].image web:1 → web:2 change\n" +
		"delete ConfigMap/team/old [destructive]\n"
	if got := planLines(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(p.Targets) != 1 || p.Targets[0].Name != "staging" || p.Targets[0].Source != "render" {
		t.Errorf("targets: %+v", p.Targets)
	}
}
