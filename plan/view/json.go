package view

import (
	"encoding/json"
	"io"

	"github.com/skyc-dev/skyc/plan"
)

// FormatVersion is the version of the JSON plan schema. It changes only
// when a field is removed or changes meaning; new fields may be added
// within a version.
const FormatVersion = "1"

// jsonPlan is the JSON plan schema, version 1. See the package
// documentation for the meaning of every field.
type jsonPlan struct {
	FormatVersion string        `json:"format_version"`
	Status        string        `json:"status"`
	Summary       jsonSummary   `json:"summary"`
	Targets       []jsonTarget  `json:"targets"`
	Changes       []jsonChange  `json:"changes"`
	Problems      []jsonProblem `json:"problems"`
}

type jsonSummary struct {
	Add         int `json:"add"`
	Change      int `json:"change"`
	Recreate    int `json:"recreate"`
	Delete      int `json:"delete"`
	Destructive int `json:"destructive"`
	Blocked     int `json:"blocked"`
	Unchanged   int `json:"unchanged"`
	Problems    int `json:"problems"`
}

type jsonTarget struct {
	Name        string      `json:"name"`
	Environment string      `json:"environment"`
	Source      string      `json:"source"`
	Context     string      `json:"context,omitempty"`
	Server      string      `json:"server,omitempty"`
	Dir         string      `json:"dir,omitempty"`
	Error       *string     `json:"error"`
	Objects     int         `json:"objects"`
	Summary     jsonSummary `json:"summary"`
}

type jsonChange struct {
	Target      string           `json:"target"`
	Environment string           `json:"environment"`
	Service     string           `json:"service"`
	Source      string           `json:"source,omitempty"`
	Address     string           `json:"address"`
	APIVersion  string           `json:"api_version"`
	Kind        string           `json:"kind"`
	Namespace   string           `json:"namespace,omitempty"`
	Name        string           `json:"name"`
	Action      string           `json:"action"`
	Destructive *jsonDestructive `json:"destructive"`
	Fields      []jsonField      `json:"fields"`
	Notes       []string         `json:"notes"`
	Before      map[string]any   `json:"before"`
	After       map[string]any   `json:"after"`
}

type jsonDestructive struct {
	Reason  string `json:"reason"`
	Allowed bool   `json:"allowed"`
	AllowAs string `json:"allow_as"`
}

type jsonField struct {
	Path      string   `json:"path"`
	Op        string   `json:"op"`
	Class     string   `json:"class"`
	Before    any      `json:"before"`
	After     any      `json:"after"`
	Managers  []string `json:"managers"`
	Sensitive bool     `json:"sensitive"`
	Note      string   `json:"note,omitempty"`
}

type jsonProblem struct {
	Target      string `json:"target"`
	Environment string `json:"environment"`
	Service     string `json:"service,omitempty"`
	Address     string `json:"address,omitempty"`
	Message     string `json:"message"`
}

func summaryJSON(s plan.Summary) jsonSummary {
	return jsonSummary{
		Add: s.Add, Change: s.Change, Recreate: s.Recreate, Delete: s.Delete,
		Destructive: s.Destructive, Blocked: s.Blocked, Unchanged: s.Unchanged, Problems: s.Problems,
	}
}

// JSON writes p in the JSON plan schema (see the package documentation),
// indented, with a trailing newline.
func JSON(w io.Writer, p *plan.Plan) error {
	out := jsonPlan{
		FormatVersion: FormatVersion,
		Status:        string(p.Status()),
		Summary:       summaryJSON(p.Summary("")),
		Targets:       []jsonTarget{},
		Changes:       []jsonChange{},
		Problems:      []jsonProblem{},
	}
	for _, t := range p.Targets {
		jt := jsonTarget{
			Name: t.Name, Environment: t.Env, Source: t.Source, Context: t.Context, Server: t.Server, Dir: t.Dir,
			Objects: t.Objects, Summary: summaryJSON(p.Summary(t.Name)),
		}
		if t.Err != "" {
			e := t.Err
			jt.Error = &e
		}
		out.Targets = append(out.Targets, jt)
	}
	for _, c := range p.Changes {
		jc := jsonChange{
			Target: c.Target, Environment: c.Env, Service: c.Service, Source: c.Source,
			Address: c.Address(), APIVersion: c.APIVersion, Kind: c.Kind, Namespace: c.Namespace, Name: c.Name,
			Action: string(c.Action), Fields: []jsonField{}, Notes: c.Notes, Before: c.Before, After: c.After,
		}
		if jc.Notes == nil {
			jc.Notes = []string{}
		}
		if c.Destructive != "" {
			jc.Destructive = &jsonDestructive{Reason: c.Destructive, Allowed: c.Allowed, AllowAs: allowName(c)}
		}
		for _, f := range c.Fields {
			jf := jsonField{
				Path: f.Path, Op: string(f.Op), Class: string(f.Class), Before: f.Before, After: f.After,
				Managers: f.Managers, Sensitive: f.Sensitive, Note: f.Note,
			}
			if jf.Managers == nil {
				jf.Managers = []string{}
			}
			jc.Fields = append(jc.Fields, jf)
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, pr := range p.Problems {
		out.Problems = append(out.Problems, jsonProblem{
			Target: pr.Target, Environment: pr.Env, Service: pr.Service, Address: pr.Address, Message: pr.Message,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
