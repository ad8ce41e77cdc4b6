package skytest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/skyc-dev/skyc/lang"
)

// TextOptions configures WriteText.
type TextOptions struct {
	// List names every test, not only the failed ones.
	List bool
	// Verbose shows standard-library frames in failures.
	Verbose bool
	// Source returns a file's source for snippets (lang.Runtime.Source).
	Source func(label string) []byte
}

// WriteText writes the report for people: each failure with its
// position, the test's line and a diff, then one line a file.
func WriteText(w io.Writer, rep *Report, opts TextOptions) {
	tests, failed := 0, 0
	for _, f := range rep.Files {
		name := f.Label
		if name == "" {
			name = f.File
		}
		if f.Err != nil {
			lang.Render(w, f.Err, opts.Source, opts.Verbose)
			fmt.Fprintf(w, "FAIL\t%s [load error]\n", name)
			continue
		}
		for _, t := range f.Tests {
			tests++
			for _, u := range t.Updated {
				fmt.Fprintf(w, "updated %s\n", u)
			}
			if !t.Failed() {
				if opts.List {
					fmt.Fprintf(w, "--- PASS: %s\n", t.Name)
				}
				continue
			}
			failed++
			fmt.Fprintf(w, "--- FAIL: %s\n", t.Name)
			lang.Render(w, t.Failure, opts.Source, opts.Verbose)
			if t.Detail != "" {
				fmt.Fprint(w, indent(t.Detail, "    "))
			}
		}
		switch n := f.Failures(); {
		case len(f.Tests) == 0:
			fmt.Fprintf(w, "ok  \t%s [no tests to run]\n", name)
		case n > 0:
			fmt.Fprintf(w, "FAIL\t%s (%d of %d %s failed)\n", name, n, len(f.Tests), plural(len(f.Tests), "test"))
		default:
			fmt.Fprintf(w, "ok  \t%s (%d %s)\n", name, len(f.Tests), plural(len(f.Tests), "test"))
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func indent(s, pad string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimRight(s, "\n")+"\n", "\n") {
		if line != "" {
			b.WriteString(pad + line)
		}
	}
	return b.String()
}

// JUnit XML, as CI systems read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
	Error    *junitFault `xml:"error,omitempty"`
}

type junitCase struct {
	Name      string      `xml:"name,attr"`
	Classname string      `xml:"classname,attr"`
	Time      string      `xml:"time,attr,omitempty"`
	Failure   *junitFault `xml:"failure,omitempty"`
}

type junitFault struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnitOptions configures WriteJUnit.
type JUnitOptions struct {
	// Times adds each test's duration; off, the output is the same for
	// the same results.
	Times bool
	// Source returns a file's source for snippets.
	Source func(label string) []byte
}

// WriteJUnit writes the report as JUnit XML: a testsuite per file, a
// testcase per test, a failure with the rendered diagnostic and diff.
func WriteJUnit(w io.Writer, rep *Report, opts JUnitOptions) error {
	out := junitSuites{}
	for _, f := range rep.Files {
		name := f.Label
		if name == "" {
			name = f.File
		}
		s := junitSuite{Name: name, Tests: len(f.Tests), Failures: f.Failures()}
		if f.Err != nil {
			s.Errors = 1
			var b bytes.Buffer
			lang.Render(&b, f.Err, opts.Source, false)
			s.Error = &junitFault{Message: f.Err.Message, Type: "load", Text: b.String()}
		}
		var total float64
		for _, t := range f.Tests {
			c := junitCase{Name: t.Name, Classname: name}
			if opts.Times {
				c.Time = fmt.Sprintf("%.3f", t.Duration.Seconds())
				total += t.Duration.Seconds()
			}
			if t.Failed() {
				var b bytes.Buffer
				lang.Render(&b, t.Failure, opts.Source, false)
				b.WriteString(t.Detail)
				c.Failure = &junitFault{Message: t.Failure.Message, Type: "assertion", Text: b.String()}
			}
			s.Cases = append(s.Cases, c)
		}
		if opts.Times {
			s.Time = fmt.Sprintf("%.3f", total)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
