package skylint

import (
	"strings"
)

// A disabling comment names the categories it silences:
//
//	replicas = 4 / 2  # skyc: disable=integer-division
//
//	# skyc: disable=unused-variable,no-effect
//	x = f()
//
// On the line of the finding it silences that line; alone on a line it
// silences the next line. buildifier's spelling, "# buildifier:
// disable=...", works the same way.
var disablePrefixes = []string{"skyc:", "buildifier:"}

// disabled maps a line to the categories silenced on it.
type disabled map[int]map[string]bool

func (d disabled) has(line int, category string) bool {
	return d[line][category] || d[line]["all"]
}

// scanDisabled finds the disabling comments of src.
func scanDisabled(src []byte) disabled {
	d := disabled{}
	for _, c := range comments(src) {
		cats := parseDisable(c.text)
		if len(cats) == 0 {
			continue
		}
		line := c.line
		if c.alone {
			line++
		}
		if d[line] == nil {
			d[line] = map[string]bool{}
		}
		for _, cat := range cats {
			d[line][cat] = true
		}
	}
	return d
}

// parseDisable returns the categories a comment's text ("# skyc:
// disable=a,b") names, or nil.
func parseDisable(text string) []string {
	text = strings.TrimSpace(strings.TrimPrefix(text, "#"))
	for _, prefix := range disablePrefixes {
		rest, ok := strings.CutPrefix(text, prefix)
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "disable=")
		if !ok {
			return nil
		}
		var cats []string
		for _, c := range strings.Split(rest, ",") {
			words := strings.Fields(c)
			if len(words) == 0 {
				continue
			}
			cats = append(cats, words[0])
			if len(words) > 1 {
				break // an explanation follows
			}
		}
		return cats
	}
	return nil
}

// comment is one "#" comment of a source file.
type comment struct {
	line  int    // 1-based
	alone bool   // nothing but space before it on its line
	text  string // from "#" to the end of the line
}

// comments lexes src just enough to find its comments: a "#" inside a
// string literal, triple-quoted or not, starts none.
func comments(src []byte) []comment {
	var out []comment
	line, lineStart := 1, 0
	var quote string // the open string's delimiter, or ""
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			lineStart = i + 1
		case quote != "":
			if c == '\\' {
				if i+1 < len(src) && src[i+1] == '\n' {
					line++
					lineStart = i + 2
				}
				i++
			} else if strings.HasPrefix(string(src[i:min(i+len(quote), len(src))]), quote) {
				i += len(quote) - 1
				quote = ""
			}
		case c == '"' || c == '\'':
			quote = string(c)
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				quote = strings.Repeat(string(c), 3)
				i += 2
			}
		case c == '#':
			end := i
			for end < len(src) && src[end] != '\n' {
				end++
			}
			out = append(out, comment{
				line:  line,
				alone: strings.TrimSpace(string(src[lineStart:i])) == "",
				text:  string(src[i:end]),
			})
			i = end - 1
		}
	}
	return out
}
