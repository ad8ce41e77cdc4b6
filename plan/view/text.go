package view

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/skyc-dev/skyc/plan"
)

// TextOptions configure [Text]. The zero value is plain text.
type TextOptions struct {
	// Color adds ANSI colours: for a terminal only.
	Color bool
	// Context is the number of unchanged lines around each change in the
	// diffs; zero means 3. Negative means none.
	Context int
}

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Text writes p for a person at a terminal: per target, each change with
// a unified diff of the object (creations in full), notes on drift and
// immutable fields; then the problems, the destructive changes and a
// summary table.
func Text(w io.Writer, p *plan.Plan, opts TextOptions) error {
	ctx := opts.Context
	if ctx == 0 {
		ctx = 3
	} else if ctx < 0 {
		ctx = 0
	}
	bw := bufio.NewWriter(w)
	paint := func(color, s string) string {
		if !opts.Color || color == "" {
			return s
		}
		return color + s + reset
	}
	for _, t := range p.Targets {
		where := t.Server
		if t.Source == "render" {
			where = "previous render in " + t.Dir
		}
		fmt.Fprintf(bw, "%s\n", paint(bold, strings.TrimSpace("── "+t.Name+"  "+where)))
		if t.Err != "" {
			fmt.Fprintf(bw, "%s\n\n", paint(red, "  error: "+t.Err))
			continue
		}
		n := 0
		for _, c := range p.Changes {
			if c.Target != t.Name {
				continue
			}
			n++
			writeChange(bw, c, ctx, paint)
		}
		if n == 0 {
			fmt.Fprintf(bw, "  no changes\n")
		}
		fmt.Fprintln(bw)
	}
	if len(p.Problems) > 0 {
		fmt.Fprintf(bw, "%s\n", paint(red+bold, fmt.Sprintf("Problems (%d): the plan is incomplete", len(p.Problems))))
		for _, pr := range p.Problems {
			where := pr.Target
			if pr.Address != "" {
				where += " " + pr.Address
			}
			fmt.Fprintf(bw, "  %s: %s\n", where, pr.Message)
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
		fmt.Fprintf(bw, "%s\n", paint(red+bold, fmt.Sprintf("Destructive changes (%d):", len(destructive))))
		for _, c := range destructive {
			mark, color := "BLOCKED", red
			if c.Allowed {
				mark, color = "allowed", yellow
			}
			fmt.Fprintf(bw, "  %s %s %s: %s\n", paint(color, fmt.Sprintf("%-7s", mark)), c.Target, c.Address(), c.Destructive)
		}
		if s := p.Summary(""); s.Blocked > 0 {
			fmt.Fprintf(bw, "  Allow them by name with --allow-destructive=%s, or all with --allow-destructive=all.\n", allowExample(destructive))
		}
		fmt.Fprintln(bw)
	}
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TARGET\tADD\tCHANGE\tDELETE\tDESTRUCTIVE\tUNCHANGED\tSTATUS\n")
	for _, t := range p.Targets {
		s := p.Summary(t.Name)
		if t.Err != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t%s\n", t.Name, targetStatus(t, s))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", t.Name, s.Add, s.Change+s.Recreate, s.Delete, s.Destructive, s.Unchanged, targetStatus(t, s))
	}
	tw.Flush()
	fmt.Fprintln(bw)
	color := green
	switch p.Status() {
	case plan.Incomplete, plan.Blocked:
		color = red + bold
	case plan.Changes:
		color = bold
	}
	fmt.Fprintf(bw, "%s\n", paint(color, headline(p)))
	return bw.Flush()
}

// allowExample is the --allow-destructive value naming the blocked
// changes.
func allowExample(cs []*plan.Change) string {
	var names []string
	for _, c := range cs {
		if !c.Allowed {
			names = append(names, allowName(c))
		}
	}
	return strings.Join(names, ",")
}

func writeChange(w io.Writer, c *plan.Change, ctx int, paint func(string, string) string) {
	color := map[plan.Action]string{plan.Create: green, plan.Update: yellow, plan.Recreate: red, plan.Delete: red}[c.Action]
	head := fmt.Sprintf("%s %s %s", symbol(c.Action), verb(c.Action), c.Address())
	who := c.Service
	if c.Source != "" && c.Action != plan.Delete {
		who += ", " + c.Source
	}
	if who != "" {
		head += "  (" + who + ")"
	}
	fmt.Fprintf(w, "%s\n", paint(color+bold, head))
	if c.Destructive != "" {
		mark := "destructive"
		if c.Allowed {
			mark += ", allowed"
		}
		fmt.Fprintf(w, "    %s\n", paint(red, mark+": "+c.Destructive))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "    note: %s\n", n)
	}
	for _, f := range c.Fields {
		if note := fieldNote(f); note != "" {
			col := ""
			if f.Class == plan.Drift || f.Class == plan.Immutable {
				col = yellow
			}
			fmt.Fprintf(w, "    %s\n", paint(col, note))
		}
	}
	if c.Action == plan.Delete {
		return // the whole object would be noise; JSON has it
	}
	for _, l := range changeDiff(c, ctx) {
		col := ""
		switch l[0] {
		case '+':
			col = green
		case '-':
			col = red
		case '@':
			col = cyan
		}
		fmt.Fprintf(w, "    %s\n", paint(col, l))
	}
}
