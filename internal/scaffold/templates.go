package scaffold

// The templates are executed with Options, What and Func (from the maps
// below) and Quoted, the options as Starlark string literals. Their output is in skyc fmt's canonical form
// and passes skyc lint (a test checks both).

var skyTemplates = map[string]string{
	"service": `"""{{.Name}}: an HTTP service of the {{.Team}} team."""

def main(ctx):
    """{{.Name}}'s objects in the environment being rendered (ctx.env)."""
    return service(
        name = {{.Quoted.Name}},
        team = {{.Quoted.Team}},
        image = {{.Quoted.Image}},
        port = 8080,
        replicas = 2,
        cpu = millicores(250),
        memory = megabytes(512),
        env = {
            "ENVIRONMENT": ctx.env,
        },
    )
`,
	"worker": `"""{{.Name}}: a worker of the {{.Team}} team; it takes no inbound traffic."""

def main(ctx):
    """{{.Name}}'s objects in the environment being rendered (ctx.env)."""
    return worker(
        name = {{.Quoted.Name}},
        team = {{.Quoted.Team}},
        image = {{.Quoted.Image}},
        replicas = 1,
        cpu = millicores(250),
        memory = megabytes(512),
        env = {
            "ENVIRONMENT": ctx.env,
        },
    )
`,
	"cron": `"""{{.Name}}: a scheduled job of the {{.Team}} team."""

def main(ctx):
    """{{.Name}}'s objects in the environment being rendered (ctx.env)."""
    return cron_job(
        name = {{.Quoted.Name}},
        team = {{.Quoted.Team}},
        image = {{.Quoted.Image}},
        schedule = {{.Quoted.Schedule}},
        cpu = millicores(250),
        memory = megabytes(512),
        env = {
            "ENVIRONMENT": ctx.env,
        },
    )
`,
}

var testTemplate = `"""Tests of {{.Name}}.sky: skyc test runs every test_* function."""

load("{{.Name}}.sky", "main")

def test_renders():
    """{{.Name}}.sky has the main function that skyc render calls."""
    if type(main) != "function":
        fail("main is a %s, want a function" % type(main))
`

// what describes each kind in a sentence of the README.
var what = map[string]string{
	"service": "an HTTP service",
	"worker":  "a worker (a Deployment that takes no inbound traffic)",
	"cron":    "a scheduled job",
}

// funcs names the standard-library function each kind calls.
var funcs = map[string]string{"service": "service", "worker": "worker", "cron": "cron_job"}

var readmeTemplate = `# {{.Name}}

{{.Name}} is {{.What}} of the {{.Team}} team, described for skyc in
[` + "`{{.Name}}.sky`" + `]({{.Name}}.sky).

From this directory:

- ` + "`skyc render {{.Name}}.sky`" + ` prints its Kubernetes objects for every
  environment of the repository's skyc.yaml.
- ` + "`skyc test .`" + ` runs the tests in ` + "`{{.Name}}_test.sky`" + `.
- ` + "`skyc explain {{.Func}}`" + ` lists every argument of ` + "`{{.Func}}()`" + `.
`
