package starproto

import (
	"sync"
	"testing"
)

// TestFrozenConcurrentReads reads one frozen Deployment from several
// goroutines at once, as service files evaluated in parallel read a
// shared module's globals. Run with -race: reads of frozen values,
// including unset fields, must not write.
func TestFrozenConcurrentReads(t *testing.T) {
	b := bridge(t)
	base := mustExec(t, deploymentByKwargs+"d.spec.template.spec.containers[0].ports[0].name = \"http\"\n")["d"]
	pre := predeclared(t, b, k8sPackages)
	pre["base"] = base
	const src = `
c = base.spec.template.spec.containers[0]
assert.eq(c.ports[0].containerPort, 8080)
assert.eq(str(c.resources.limits["cpu"]), "1")
assert.eq(base.spec.strategy.type, "")
assert.eq(len(base.spec.template.spec.initContainers), 0)
assert.eq(base.metadata.annotations.get("x"), None)
assert.eq([k for k in base.metadata.labels], ["app"])
s = str(base)
dct = proto.to_dict(base)
mine = apps.Deployment(spec = base.spec)
mine.spec.replicas = 9
copy = proto.clone(base)
copy.metadata.labels["mine"] = "yes"
assert.eq(base.spec.replicas, 3)
assert.true("mine" not in base.metadata.labels)
`
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := execWith(t, pre, src); err != nil {
					t.Error(errText(err))
					return
				}
			}
		}()
	}
	wg.Wait()
}
