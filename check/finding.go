package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/skyc-dev/skyc/lang"
)

// Severity is how serious a finding is. It is lang's severity, so findings
// and evaluation diagnostics compare and print alike.
type Severity = lang.Severity

// Severities, from least to most severe.
const (
	Info    = lang.Info
	Warning = lang.Warning
	Error   = lang.Error
)

// ParseSeverity reads a severity name: "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return Error, fmt.Errorf("unknown severity %q: want error, warning or info", s)
}

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
}

// String gives the kind and the namespaced name: "Deployment team/web", or
// "ClusterRole reader" for a cluster-scoped object.
func (r ObjectRef) String() string {
	kind := r.Kind
	if kind == "" {
		kind = "object"
	}
	name := r.Name
	if name == "" {
		name = "(unnamed)"
	}
	if r.Namespace != "" {
		name = r.Namespace + "/" + name
	}
	return kind + " " + name
}

// Finding is one problem with one object: which rule found it, where the
// object came from, the field at fault (as the API server names it) and
// what to do about it.
type Finding struct {
	Severity Severity `json:"severity"`
	// Rule identifies the check that made the finding, e.g. "k8s-invalid";
	// see Rules.
	Rule string `json:"rule"`
	// Object is the object the finding is about; zero for a finding about
	// a whole file, such as a YAML syntax error.
	Object ObjectRef `json:"object"`
	// Env is the environment the object was rendered for, "" for plain
	// manifests and repositories without environments.
	Env string `json:"env,omitempty"`
	// Field is the path of the offending field as the API server reports
	// it, e.g. "spec.template.spec.containers[0].resources", or "" when
	// the finding concerns the object as a whole.
	Field string `json:"field,omitempty"`
	// Message says what is wrong: a lower-case fragment with the value that
	// was wrong and what was expected.
	Message string `json:"message"`
	// Hint says what to do about it, when there is something to say.
	Hint string `json:"hint,omitempty"`
	// Source is where the object was made: "services/api.sky:12:5" for a
	// rendered object, "deploy/web.yaml:14" for a plain manifest (the line
	// of the field when it could be found, else of the document), or ""
	// when unknown.
	Source string `json:"source,omitempty"`
}

// String formats f on one line, as "SOURCE: SEVERITY: OBJECT: FIELD: MESSAGE".
func (f Finding) String() string {
	var b strings.Builder
	if f.Source != "" {
		b.WriteString(f.Source + ": ")
	}
	b.WriteString(f.Severity.String() + ": ")
	if f.Object != (ObjectRef{}) {
		b.WriteString(f.Object.String() + ": ")
	}
	if f.Field != "" {
		b.WriteString(f.Field + ": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// File is the file part of f.Source: the path before ":line[:col]".
func (f Finding) File() string {
	file, _, _ := SplitSource(f.Source)
	return file
}

// SplitSource splits a source position "file:line[:col]" into its parts;
// line and col are 0 when absent.
func SplitSource(src string) (file string, line, col int) {
	file = src
	rest := ""
	// Peel up to two trailing ":number" parts.
	var nums []int
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		var n int
		if _, err := fmt.Sscanf(file[i+1:], "%d", &n); err != nil || fmt.Sprint(n) != file[i+1:] {
			break
		}
		nums = append(nums, n)
		rest = file[i:] + rest
		file = file[:i]
	}
	switch len(nums) {
	case 1:
		line = nums[0]
	case 2:
		line, col = nums[1], nums[0]
	}
	return file, line, col
}

// Sort orders findings by file, line, environment, object, field, rule and
// message, so that output is the same from run to run.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, compare)
}

func compare(a, b Finding) int {
	af, al, ac := SplitSource(a.Source)
	bf, bl, bc := SplitSource(b.Source)
	return cmp.Or(
		cmp.Compare(af, bf),
		cmp.Compare(al, bl),
		cmp.Compare(ac, bc),
		cmp.Compare(a.Env, b.Env),
		cmp.Compare(a.Object.Kind, b.Object.Kind),
		cmp.Compare(a.Object.Namespace, b.Object.Namespace),
		cmp.Compare(a.Object.Name, b.Object.Name),
		cmp.Compare(a.Field, b.Field),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// Count returns how many findings are at or above severity min.
func Count(fs []Finding, min Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= min {
			n++
		}
	}
	return n
}
