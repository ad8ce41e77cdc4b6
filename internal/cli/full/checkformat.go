package full

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/skyc-dev/skyc/check"
	"github.com/skyc-dev/skyc/internal/cli"
)

// isTerminal reports whether w is a terminal that takes colour: not when
// NO_COLOR is set (https://no-color.org) or TERM is "dumb".
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// ANSI colours of the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiDim    = "\x1b[2m"
)

// writeCheckText writes findings grouped by file:
//
//	deploy/web.yaml
//	  17: error: Deployment default/web: spec.replicas: invalid value: -1: ... [k8s-invalid]
//	      hint: ...
//
//	1 error, 0 warnings in 3 objects
func writeCheckText(w io.Writer, rep *checkReport) error {
	paint := func(code, s string) string {
		if !rep.Color {
			return s
		}
		return code + s + ansiReset
	}
	sevColor := map[check.Severity]string{check.Error: ansiRed, check.Warning: ansiYellow, check.Info: ansiBlue}
	var b strings.Builder
	file := "\x00"
	for _, f := range rep.Findings {
		if ff := f.File(); ff != file {
			if file != "\x00" {
				b.WriteString("\n")
			}
			file = ff
			name := file
			if name == "" {
				name = "(no file)"
			}
			b.WriteString(paint(ansiBold, name) + "\n")
		}
		_, line, col := check.SplitSource(f.Source)
		b.WriteString("  ")
		if line > 0 {
			pos := fmt.Sprint(line)
			if col > 0 {
				pos += fmt.Sprintf(":%d", col)
			}
			b.WriteString(pos + ": ")
		}
		b.WriteString(paint(sevColor[f.Severity], f.Severity.String()) + ": ")
		if f.Object != (check.ObjectRef{}) {
			b.WriteString(f.Object.String())
			if f.Env != "" {
				b.WriteString(" (" + f.Env + ")")
			}
			b.WriteString(": ")
		}
		if f.Field != "" {
			b.WriteString(f.Field + ": ")
		}
		b.WriteString(f.Message + " " + paint(ansiDim, "["+f.Rule+"]") + "\n")
		if f.Hint != "" {
			b.WriteString("      hint: " + f.Hint + "\n")
		}
	}
	if len(rep.Findings) > 0 {
		b.WriteString("\n")
	}
	errs, warns := countSeverity(rep.Findings, check.Error), countSeverity(rep.Findings, check.Warning)
	fmt.Fprintf(&b, "%s, %s in %s\n", plural(errs, "error"), plural(warns, "warning"), plural(rep.Objects, "object"))
	_, err := io.WriteString(w, b.String())
	return err
}

func countSeverity(fs []check.Finding, s check.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// jsonReport is the --format json document.
type jsonReport struct {
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	check.Finding
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	HelpURI string `json:"helpUri,omitempty"`
}

type jsonSummary struct {
	Objects  int `json:"objects"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

func writeCheckJSON(w io.Writer, rep *checkReport) error {
	out := jsonReport{
		Findings: []jsonFinding{},
		Summary: jsonSummary{
			Objects:  rep.Objects,
			Errors:   countSeverity(rep.Findings, check.Error),
			Warnings: countSeverity(rep.Findings, check.Warning),
			Infos:    countSeverity(rep.Findings, check.Info),
		},
	}
	for _, f := range rep.Findings {
		file, line, col := check.SplitSource(f.Source)
		jf := jsonFinding{Finding: f, File: file, Line: line, Column: col}
		if r, ok := rep.lookupRule(f.Rule); ok {
			jf.HelpURI = r.HelpURI()
		}
		out.Findings = append(out.Findings, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the
// subset GitHub code scanning reads.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		ShortDescription     sarifText      `json:"shortDescription"`
		HelpURI              string         `json:"helpUri,omitempty"`
		DefaultConfiguration *sarifRuleConf `json:"defaultConfiguration,omitempty"`
	}
	sarifRuleConf struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical  `json:"physicalLocation"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLogical struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind,omitempty"`
	}
)

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// sarifLevel maps a severity to a SARIF result level.
func sarifLevel(s check.Severity) string {
	switch s {
	case check.Error:
		return "error"
	case check.Warning:
		return "warning"
	}
	return "note"
}

func writeCheckSARIF(w io.Writer, rep *checkReport) error {
	driver := sarifDriver{Name: "skyc", Version: cli.Version, InformationURI: check.DocsURL}
	index := map[string]int{}
	addRule := func(r sarifRule) {
		index[r.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, r)
	}
	for _, r := range append(check.Rules(), rep.Rules...) {
		if _, dup := index[r.ID]; dup {
			continue
		}
		addRule(sarifRule{ID: r.ID, ShortDescription: sarifText{r.Summary}, HelpURI: r.HelpURI(),
			DefaultConfiguration: &sarifRuleConf{Level: sarifLevel(r.Severity)}})
	}
	results := []sarifResult{}
	for _, f := range rep.Findings {
		if _, ok := index[f.Rule]; !ok {
			addRule(sarifRule{ID: f.Rule, ShortDescription: sarifText{f.Rule}})
		}
		file, line, col := check.SplitSource(f.Source)
		if line < 1 {
			line = 1 // the file as a whole: SARIF regions start at line 1
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: file},
			Region:           sarifRegion{StartLine: line, StartColumn: col},
		}}
		if f.Object != (check.ObjectRef{}) {
			name := f.Object.String()
			if f.Field != "" {
				name += ": " + f.Field
			}
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: name, Kind: "object"}}
		}
		results = append(results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: findingText(f)},
			Locations: []sarifLocation{loc},
		})
	}
	log := sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// findingText is a finding's message with its object, environment, field
// and hint, for formats that show one text per finding.
func findingText(f check.Finding) string {
	var b strings.Builder
	if f.Object != (check.ObjectRef{}) {
		b.WriteString(f.Object.String())
		if f.Env != "" {
			b.WriteString(" (" + f.Env + ")")
		}
		b.WriteString(": ")
	}
	if f.Field != "" {
		b.WriteString(f.Field + ": ")
	}
	b.WriteString(f.Message)
	if f.Hint != "" {
		b.WriteString("\nhint: " + f.Hint)
	}
	return b.String()
}

// writeCheckGitHub writes one GitHub Actions workflow command per finding,
//
//	::error file=deploy/web.yaml,line=17,title=k8s-invalid::Deployment default/web: ...
//
// which GitHub shows as an annotation on the line.
func writeCheckGitHub(w io.Writer, rep *checkReport) error {
	var b strings.Builder
	for _, f := range rep.Findings {
		cmd := "notice"
		switch f.Severity {
		case check.Error:
			cmd = "error"
		case check.Warning:
			cmd = "warning"
		}
		file, line, col := check.SplitSource(f.Source)
		var props []string
		if file != "" {
			props = append(props, "file="+escapeGitHubProperty(file))
			if line > 0 {
				props = append(props, fmt.Sprintf("line=%d", line))
				if col > 0 {
					props = append(props, fmt.Sprintf("col=%d", col))
				}
			}
		}
		props = append(props, "title="+escapeGitHubProperty("skyc check: "+f.Rule))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeGitHubData(findingText(f)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeGitHubData escapes a workflow command's message as the Actions
// toolkit does: "%", CR and LF.
func escapeGitHubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeGitHubProperty escapes a workflow command's property value: also
// ":" and ",", which separate properties.
func escapeGitHubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
