package fleet

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Shape selects the kinds of workload a fleet is made of.
type Shape int

const (
	// Peer makes every file an autoscaled HTTP service: five objects per
	// file and environment, the object shape of the peer comparison.
	Peer Shape = iota
	// Mixed makes a realistic mix of services, workers and cron jobs.
	Mixed
)

// String returns "peer" or "mixed".
func (s Shape) String() string {
	if s == Mixed {
		return "mixed"
	}
	return "peer"
}

// ParseShape parses "peer" or "mixed".
func ParseShape(s string) (Shape, error) {
	switch s {
	case "peer":
		return Peer, nil
	case "mixed":
		return Mixed, nil
	}
	return 0, fmt.Errorf("unknown fleet shape %q: want peer or mixed", s)
}

// Options describe a fleet. The zero value is one service of the peer shape,
// seed 0, one environment.
type Options struct {
	// N is the number of service files; at least 1.
	N int
	// Seed seeds every random choice.
	Seed uint64
	// Shape selects the kinds of workload.
	Shape Shape
	// Envs names the environments of skyc.yaml; nil means ["production"].
	Envs []string
	// Findings makes some services break platform policies and the API
	// server's validation (some through their team's library) and waive
	// policies, with used, unused and expired waivers, for tests of
	// skyc check. Without it, skyc check finds nothing in a fleet.
	Findings bool
}

// File is one file of a generated repository.
type File struct {
	Path string // slash-separated, relative to the repository root
	Data []byte
}

// Service is one generated service file.
type Service struct {
	Name string
	Team string
	// Kind is "service", "worker" or "cron_job".
	Kind string
	// Path is the file's label, e.g. "services/payments/payments-api-0007.sky".
	Path string
	// Loads are the labels of the repository files it loads, directly or
	// through another file, sorted.
	Loads []string
	// Objects is the number of objects it renders per environment.
	Objects int
}

// Fleet is a generated repository.
type Fleet struct {
	Files    []File
	Services []Service
}

// Objects returns the number of objects the fleet renders per environment.
func (f *Fleet) Objects() int {
	n := 0
	for _, s := range f.Services {
		n += s.Objects
	}
	return n
}

// Write writes the fleet's files below dir, creating directories as needed.
func (f *Fleet) Write(dir string) error {
	for _, file := range f.Files {
		p := filepath.Join(dir, filepath.FromSlash(file.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, file.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// PlatformLib is the label of the organisation-wide library every service
// loads.
const PlatformLib = "lib/platform.sky"

// TeamLib returns the label of a team's library.
func TeamLib(team string) string { return "lib/teams/" + team + ".sky" }

var teamWords = []string{
	"payments", "ledger", "search", "checkout", "identity", "catalog",
	"shipping", "pricing", "reviews", "notify", "fraud", "billing",
	"inventory", "recs", "analytics", "messaging", "media", "maps",
	"support", "growth", "ads", "orders", "loyalty", "risk",
}

var componentWords = []string{
	"api", "gateway", "sync", "indexer", "router", "store", "feed",
	"export", "auth", "events", "query", "render", "ingest", "cache",
}

// Generate returns the fleet that opts describe.
func Generate(opts Options) *Fleet {
	n := max(opts.N, 1)
	envs := opts.Envs
	if len(envs) == 0 {
		envs = []string{"production"}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5c7c))
	f := &Fleet{}
	f.add("skyc.yaml", configFile(envs))
	f.add(PlatformLib, platformLib)

	teams := teamNames(max(1, n/25))
	for i, t := range teams {
		lib := teamLib(t, 1000+i*7)
		if opts.Findings {
			lib += teamHarden
		}
		f.add(TeamLib(t), lib)
	}
	for i := 0; i < n; i++ {
		team := teams[i%len(teams)]
		g := &gen{rng: rng, team: team, index: i}
		p, src := g.file(opts.Shape)
		if opts.Findings {
			src = withMistakes(src, team, mistakes(i, g.kind, "svc"))
		}
		f.add(p, src)
		f.Services = append(f.Services, Service{
			Name:    g.name,
			Team:    team,
			Kind:    g.kind,
			Path:    g.path(),
			Loads:   []string{PlatformLib, TeamLib(team)},
			Objects: g.objects,
		})
	}
	sort.Slice(f.Files, func(i, j int) bool { return f.Files[i].Path < f.Files[j].Path })
	return f
}

func (f *Fleet) add(p string, data string) {
	f.Files = append(f.Files, File{Path: p, Data: []byte(data)})
}

func teamNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		w := teamWords[i%len(teamWords)]
		if round := i / len(teamWords); round > 0 {
			w = fmt.Sprintf("%s-%d", w, round+1)
		}
		names[i] = w
	}
	return names
}

func configFile(envs []string) string {
	var b strings.Builder
	b.WriteString("# A generated benchmark fleet (internal/fleet).\ndefaults:\n  vars:\n    log_level: info\n    registry: registry.example.com\n\nenvironments:\n")
	for i, e := range envs {
		scale := "large"
		if i < len(envs)-1 {
			scale = "small"
		}
		fmt.Fprintf(&b, "  %s:\n    cluster: eu-central-%s\n    region: eu-central-1\n    vars:\n      scale: %s\n", e, e, scale)
	}
	return b.String()
}

const platformLib = `"""Organisation-wide helpers that every team's library builds on."""

def image(ctx, team, name, tag):
    """The image of a team's component in the environment's registry."""
    return "%s/%s/%s:%s" % (ctx.vars["registry"], team, name, tag)

def sized(ctx, small, large):
    """Picks a value by the environment's scale."""
    return large if ctx.vars.get("scale") == "large" else small

def common_env(ctx, name):
    """The environment variables every workload gets."""
    return {
        "LOG_LEVEL": ctx.vars["log_level"],
        "SERVICE_NAME": name,
        "ENVIRONMENT": ctx.env,
        "REGION": ctx.region,
    }
`

func teamLib(team string, costCentre int) string {
	return fmt.Sprintf(`"""Defaults the %[1]s team shares between its services."""

load("//lib/platform.sky", "common_env", "image")

TEAM = %[1]q
COST_CENTRE = "cc-%[2]d"
ONCALL = "%[1]s-oncall@example.com"

def team_image(ctx, name, tag):
    """The image of one of the team's components."""
    return image(ctx, TEAM, name, tag)

def team_env(ctx, name):
    """The environment variables of the team's workloads."""
    env = common_env(ctx, name)
    env["TEAM"] = TEAM
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://otel-collector.observability:4317"
    return env
`, team, costCentre)
}

// gen generates one service file.
type gen struct {
	rng     *rand.Rand
	team    string
	index   int
	name    string
	kind    string
	objects int
	b       strings.Builder
}

func (g *gen) path() string {
	return path.Join("services", g.team, g.name+".sky")
}

func (g *gen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.rng.Float64() < p }

func (g *gen) line(format string, args ...any) {
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

func (g *gen) file(shape Shape) (string, string) {
	component := componentWords[g.rng.IntN(len(componentWords))]
	g.name = fmt.Sprintf("%s-%s-%04d", g.team, component, g.index)
	g.kind = "service"
	autoscaled := true
	if shape == Mixed {
		switch r := g.rng.Float64(); {
		case r < 0.60:
		case r < 0.75:
			autoscaled = false
		case r < 0.90:
			g.kind = "worker"
			autoscaled = g.chance(0.5)
		default:
			g.kind = "cron_job"
			autoscaled = false
		}
	}
	switch g.kind {
	case "cron_job":
		g.cronJob()
	default:
		g.workload(shape, autoscaled)
	}
	return g.path(), g.b.String()
}

func (g *gen) header(what string) {
	g.line(`"""%s: a generated %s of the benchmark fleet."""`, g.name, what)
	g.line("")
	g.line(`load("//lib/platform.sky", "sized")`)
	g.line(`load("//lib/teams/%s.sky", "COST_CENTRE", "ONCALL", "TEAM", "team_env", "team_image")`, g.team)
	g.line("")
	g.line("def main(ctx):")
	g.line("    env = team_env(ctx, %q)", g.name)
	for _, i := range g.rng.Perm(len(extraEnv))[:g.rng.IntN(4)] {
		g.line("    env[%q] = %q", extraEnv[i][0], extraEnv[i][1])
	}
	if g.chance(0.6) {
		g.line("    env[\"DATABASE_PASSWORD\"] = secret_env(%q, \"password\")", g.name+"-db")
	}
	if g.chance(0.2) {
		g.line("    env[\"API_TOKEN\"] = secret_env(%q, \"token\")", g.team+"-tokens")
	}
}

// extraEnv are the environment variables services set beyond their team's.
var extraEnv = [][2]string{
	{"FEATURE_FLAGS", "checkout-v2,fast-path"},
	{"CACHE_TTL", "300"},
	{"MAX_CONNECTIONS", "64"},
	{"UPSTREAM_URL", "http://upstream.internal:8080"},
	{"BATCH_SIZE", "100"},
	{"GOMAXPROCS", "2"},
	{"JAVA_OPTS", "-Xmx512m"},
}

func (g *gen) resources() {
	g.line("        cpu = %s,", g.pick("millicores(250)", "millicores(500)", "cores(1)", "cores(2)", `"750m"`))
	g.line("        memory = %s,", g.pick("megabytes(256)", "megabytes(512)", "megabytes(768)", "gigabytes(1)", "gigabytes(2)", `"1536Mi"`))
}

func (g *gen) common() {
	g.line("        env = env,")
	g.line("        cost_centre = COST_CENTRE,")
	if g.chance(0.5) {
		g.line("        labels = {%q: %q},", "tier", g.pick("frontend", "backend", "data"))
	}
	g.line("        annotations = {%q: ONCALL},", "example.com/oncall")
}

func (g *gen) workload(shape Shape, autoscaled bool) {
	what := "HTTP service"
	if g.kind == "worker" {
		what = "queue worker"
	}
	g.header(what)
	port := 8080
	if g.chance(0.3) {
		port = 8000 + g.rng.IntN(1000)
	}
	tag := fmt.Sprintf("%d.%d.%d", 1+g.rng.IntN(3), g.rng.IntN(40), g.rng.IntN(10))
	v := "svc"
	g.line("    %s = %s(", v, g.kind)
	g.line("        name = %q,", g.name)
	g.line("        team = TEAM,")
	g.line("        image = team_image(ctx, %q, %q),", g.name, tag)
	if g.kind == "service" {
		g.line("        port = %d,", port)
		if g.chance(0.5) {
			g.line("        command = [%q, %q],", "./server", fmt.Sprintf("--port=%d", port))
		}
	} else {
		g.line("        args = [%q, %q],", "--queue="+g.name, fmt.Sprintf("--concurrency=%d", 1+g.rng.IntN(16)))
	}
	g.resources()
	replicas := 1
	if autoscaled {
		lo := 2 + g.rng.IntN(2)
		hi := lo + 2 + g.rng.IntN(20)
		g.line("        autoscale = autoscale(min = sized(ctx, 2, %d), max = %d, cpu_percent = %d),", lo, hi, 50+5*g.rng.IntN(8))
	} else {
		replicas = 1 + g.rng.IntN(3)
		if g.kind == "worker" || replicas != 2 {
			g.line("        replicas = %d,", replicas)
		}
	}
	egress, ingress := false, false
	if shape == Mixed {
		egress = g.chance(0.1)
		ingress = g.kind == "service" && g.chance(0.1)
	}
	if egress {
		g.line("        block_egress = True,")
	}
	if ingress {
		g.line("        ingress_host = \"%s.%%s.example.com\" %% ctx.env,", g.name)
	}
	g.common()
	g.line("    )")
	g.overrides(v)
	g.line("    return %s", v)

	g.objects = 2 // Deployment, ServiceAccount
	if g.kind == "service" {
		g.objects++
	}
	if autoscaled {
		g.objects += 2 // PodDisruptionBudget (min ≥ 2), HorizontalPodAutoscaler
	} else if replicas > 1 {
		g.objects++
	}
	if egress {
		g.objects++
	}
	if ingress {
		g.objects++
	}
}

// overrides changes generated fields after the call, as service owners do.
func (g *gen) overrides(v string) {
	pod := v + ".deployment.spec.template.spec"
	options := []string{
		fmt.Sprintf("%s.terminationGracePeriodSeconds = %d", pod, 15*(1+g.rng.IntN(8))),
		fmt.Sprintf("%s.deployment.spec.minReadySeconds = %d", v, 5*(1+g.rng.IntN(6))),
		fmt.Sprintf("%s.deployment.metadata.annotations[%q] = %q", v, "deploy.example.com/revision", fmt.Sprint(g.rng.IntN(100000))),
		fmt.Sprintf("%s.containers[0].env.append(k8s.core.EnvVar(name = %q, value = %q))", pod, "POD_PRIORITY", g.pick("high", "normal")),
	}
	if g.kind == "service" {
		options = append(options,
			fmt.Sprintf("%s.containers[0].readinessProbe.periodSeconds = %d", pod, 1+g.rng.IntN(10)),
			fmt.Sprintf("%s.service.spec.sessionAffinity = %q", v, "ClientIP"),
		)
	}
	for _, i := range g.rng.Perm(len(options))[:g.rng.IntN(3)] {
		g.line("    %s", options[i])
	}
}

func (g *gen) cronJob() {
	g.header("nightly job")
	g.line("    job = cron_job(")
	g.line("        name = %q,", g.name)
	g.line("        team = TEAM,")
	g.line("        image = team_image(ctx, %q, %q),", g.name, fmt.Sprintf("0.%d.%d", g.rng.IntN(30), g.rng.IntN(10)))
	g.line("        schedule = \"%d %d * * *\",", g.rng.IntN(60), g.rng.IntN(24))
	g.line("        command = [%q, %q],", "./job", "--since=24h")
	g.resources()
	if g.chance(0.5) {
		g.line("        retries = %d,", g.rng.IntN(5))
	}
	g.common()
	g.line("    )")
	if g.chance(0.3) {
		g.line("    job.cron_job.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds = %d", 60*(1+g.rng.IntN(5)))
	}
	g.line("    return job")
	g.objects = 2 // CronJob, ServiceAccount
}
