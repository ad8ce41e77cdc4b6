package view

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/skyc-dev/skyc/plan"
)

// MarkdownOptions configure [Markdown]. The zero value is sensible.
type MarkdownOptions struct {
	// Context is the number of unchanged lines around each change in the
	// diffs; zero means 3.
	Context int
	// MaxDiffLines bounds each object's diff, so that a comment stays
	// within a code host's size limit; zero means 400.
	MaxDiffLines int
}

// Markdown writes p as a pull-request comment (GitHub-flavoured
// Markdown): the headline, the summary table, the destructive changes and
// problems in a callout, and each change in a collapsed section with its
// diff.
func Markdown(w io.Writer, p *plan.Plan, opts MarkdownOptions) error {
	if opts.Context <= 0 {
		opts.Context = 3
	}
	if opts.MaxDiffLines <= 0 {
		opts.MaxDiffLines = 400
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### skyc diff\n\n**%s**\n\n", mdEscape(headline(p)))
	fmt.Fprintf(bw, "| Target | Add | Change | Delete | Destructive | Unchanged | Status |\n")
	fmt.Fprintf(bw, "|---|--:|--:|--:|--:|--:|---|\n")
	for _, t := range p.Targets {
		s := p.Summary(t.Name)
		if t.Err != "" {
			fmt.Fprintf(bw, "| `%s` | – | – | – | – | – | %s |\n", t.Name, targetStatus(t, s))
			continue
		}
		fmt.Fprintf(bw, "| `%s` | %d | %d | %d | %d | %d | %s |\n", t.Name, s.Add, s.Change+s.Recreate, s.Delete, s.Destructive, s.Unchanged, targetStatus(t, s))
	}
	fmt.Fprintln(bw)

	var problems []string
	for _, t := range p.Targets {
		if t.Err != "" {
			problems = append(problems, fmt.Sprintf("`%s`: %s", t.Name, mdEscape(t.Err)))
		}
	}
	for _, pr := range p.Problems {
		where := pr.Target
		if pr.Address != "" {
			where += " " + pr.Address
		}
		problems = append(problems, fmt.Sprintf("`%s`: %s", where, mdEscape(pr.Message)))
	}
	if len(problems) > 0 {
		fmt.Fprintf(bw, "> [!CAUTION]\n> **The plan is incomplete**: these could not be compared, so changes may be missing.\n>\n")
		for _, l := range problems {
			fmt.Fprintf(bw, "> - %s\n", l)
		}
		fmt.Fprintln(bw)
	}
	var destructive []*plan.Change
	for _, c := range p.Changes {
		if c.Destructive != "" {
			destructive = append(destructive, c)
		}
	}
	if len(destructive) > 0 {
		fmt.Fprintf(bw, "> [!WARNING]\n> **%d destructive changes**", len(destructive))
		if s := p.Summary(""); s.Blocked > 0 {
			fmt.Fprintf(bw, ", %d not allowed: skyc diff exits 3 until `--allow-destructive` names them", s.Blocked)
		}
		fmt.Fprintf(bw, "\n>\n")
		for _, c := range destructive {
			state := "**not allowed**"
			if c.Allowed {
				state = "allowed"
			}
			fmt.Fprintf(bw, "> - `%s` (%s) %s — %s\n", allowName(c), c.Target, state, mdEscape(c.Destructive))
		}
		fmt.Fprintln(bw)
	}
	for _, t := range p.Targets {
		var cs []*plan.Change
		for _, c := range p.Changes {
			if c.Target == t.Name {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(bw, "#### `%s`\n\n", t.Name)
		for _, c := range cs {
			writeMarkdownChange(bw, c, opts)
		}
	}
	return bw.Flush()
}

func writeMarkdownChange(w io.Writer, c *plan.Change, opts MarkdownOptions) {
	summary := fmt.Sprintf("<code>%s</code> %s <code>%s</code>", symbol(c.Action), verb(c.Action), htmlEscape(c.Address()))
	if c.Service != "" {
		summary += " — " + htmlEscape(c.Service)
	}
	if c.Destructive != "" {
		summary += " ⚠️ destructive"
	}
	fmt.Fprintf(w, "<details><summary>%s</summary>\n\n", summary)
	if c.Destructive != "" {
		fmt.Fprintf(w, "- **destructive**: %s\n", mdEscape(c.Destructive))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "- note: %s\n", mdEscape(n))
	}
	for _, f := range c.Fields {
		if note := fieldNote(f); note != "" {
			fmt.Fprintf(w, "- %s\n", mdEscape(note))
		}
	}
	if c.Action == plan.Delete {
		fmt.Fprintf(w, "\n</details>\n\n")
		return
	}
	lines := changeDiff(c, opts.Context)
	if len(lines) > opts.MaxDiffLines {
		more := len(lines) - opts.MaxDiffLines
		lines = append(lines[:opts.MaxDiffLines:opts.MaxDiffLines], fmt.Sprintf("# … %d more lines (see skyc diff)", more))
	}
	body := strings.Join(lines, "\n")
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	fmt.Fprintf(w, "\n%sdiff\n%s\n%s\n\n</details>\n\n", fence, body, fence)
}

// mdEscape keeps text from being read as Markdown or HTML.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "|", `\|`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
