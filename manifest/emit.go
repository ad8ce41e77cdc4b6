package manifest

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v2"
)

// This file is the fast path of the two-pass encoding: it writes a
// document tree the way yaml.v2's Marshal does, byte for byte, for the
// trees that most objects make, and gives up (ok == false) on anything
// whose rendering needs more of yaml.v2's emitter than it reproduces.
// appendEncodeTree then falls back to yaml.Marshal for the whole document.
// The direct path (direct.go) lays out its output with the same emitter
// and the same rules, and gives up where this file would.
//
// What it reproduces, from go.yaml.in/yaml/v2 (encode.go, emitterc.go,
// resolve.go), with yaml.v2's settings (block style, indentation 2, line
// width 80, unicode on):
//
//   - block mappings and sequences, sequences under a mapping key not
//     indented ("key:\n- a"), mappings and sequences in a sequence item
//     starting on the item's line ("- a: b", "- - a"), empty ones in flow
//     style ("{}", "[]");
//   - scalars: null, booleans, integers, floats as yaml.v2 formats them;
//     strings of printable ASCII (0x20–0x7E), plain when yaml.v2 would
//     leave them plain (they resolve to a string, are not base-60 floats
//     and contain no indicator that forbids a plain scalar),
//     single-quoted when only an indicator forbids plain style, and
//     double-quoted when they would resolve to another type.
//
// It gives up on strings with other bytes (line breaks, tabs, non-ASCII:
// literal blocks, escapes and unicode columns), on a scalar with a space
// that could reach past column 80 (where yaml.v2 folds lines), on keys
// longer than 128 bytes (not simple keys) and on node types the tree
// never holds. TestFastEmitMatchesYAML checks it against yaml.Marshal.

const (
	yamlWidth        = 80  // yaml.v2's best_width
	yamlMaxSimpleKey = 128 // longest simple key
)

// fastEmitter appends YAML to buf, tracking the column of the last line.
type fastEmitter struct {
	buf []byte
	col int
}

// appendFastYAML appends the YAML of tree, a document root, to b as
// yaml.Marshal would write it. ok is false if the tree is outside the fast
// path; b is then returned unchanged.
func appendFastYAML(b []byte, tree yaml.MapSlice) (_ []byte, ok bool) {
	e := fastEmitter{buf: b}
	if len(tree) == 0 {
		e.buf = append(e.buf, "{}\n"...)
		return e.buf, true
	}
	if !e.mapping(tree, 0, true) {
		return b, false
	}
	e.newline()
	return e.buf, true
}

func (e *fastEmitter) newline() {
	e.buf = append(e.buf, '\n')
	e.col = 0
}

// indent starts a new line at column n.
func (e *fastEmitter) indent(n int) {
	e.newline()
	e.pad(n)
}

func (e *fastEmitter) pad(n int) {
	for e.col < n {
		e.buf = append(e.buf, ' ')
		e.col++
	}
}

func (e *fastEmitter) write(s string) {
	// Within capacity, grow by reslicing: append(e.buf, s...) stores the
	// buffer's pointer back every time, behind a write barrier while the
	// garbage collector runs.
	if n := len(e.buf); cap(e.buf)-n >= len(s) {
		e.buf = e.buf[:n+len(s)]
		copy(e.buf[n:], s)
	} else {
		e.buf = append(e.buf, s...)
	}
	e.col += len(s)
}

// mapping writes a non-empty block mapping whose keys are at column ind.
// inline says the first key continues the current line (the document
// start, or after a sequence item's "-").
func (e *fastEmitter) mapping(m yaml.MapSlice, ind int, inline bool) bool {
	for i, it := range m {
		if i == 0 && inline {
			e.pad(ind)
		} else {
			e.indent(ind)
		}
		key, ok := it.Key.(string)
		if !ok || len(key) > yamlMaxSimpleKey || !e.str(key, false) {
			return false
		}
		e.write(":")
		if !e.value(it.Value, ind, true) {
			return false
		}
	}
	return true
}

// sequence writes a non-empty block sequence whose "-" are at column ind.
func (e *fastEmitter) sequence(s []any, ind int, inline bool) bool {
	for i, v := range s {
		if i == 0 && inline {
			e.pad(ind)
		} else {
			e.indent(ind)
		}
		e.write("-")
		if !e.value(v, ind, false) {
			return false
		}
	}
	return true
}

// value writes a node after "key:" (inMapping) or "-", whose parent
// collection is at column ind.
func (e *fastEmitter) value(v any, ind int, inMapping bool) bool {
	switch v := v.(type) {
	case yaml.MapSlice:
		if len(v) == 0 {
			e.write(" {}")
			return true
		}
		return e.mapping(v, ind+2, !inMapping)
	case []any:
		if len(v) == 0 {
			e.write(" []")
			return true
		}
		if inMapping {
			return e.sequence(v, ind, false) // not indented under its key
		}
		return e.sequence(v, ind+2, true)
	}
	e.write(" ")
	return e.scalar(v)
}

// scalar writes a scalar node at the current column.
func (e *fastEmitter) scalar(v any) bool {
	switch v := v.(type) {
	case nil:
		e.write("null")
	case bool:
		if v {
			e.write("true")
		} else {
			e.write("false")
		}
	case string:
		return e.str(v, true)
	case int64:
		e.number(strconv.AppendInt(e.buf, v, 10))
	case uint64:
		e.number(strconv.AppendUint(e.buf, v, 10))
	case int:
		e.number(strconv.AppendInt(e.buf, int64(v), 10))
	case float64:
		switch {
		case math.IsInf(v, 1):
			e.write(".inf")
		case math.IsInf(v, -1):
			e.write("-.inf")
		case math.IsNaN(v):
			e.write(".nan")
		default:
			e.number(strconv.AppendFloat(e.buf, v, 'g', -1, 64))
		}
	default:
		return false
	}
	return true
}

// number takes buf with a number appended.
func (e *fastEmitter) number(buf []byte) {
	e.col += len(buf) - len(e.buf)
	if cap(buf) == cap(e.buf) {
		// The same array (growing would have raised the capacity):
		// store the length only, as write does.
		e.buf = e.buf[:len(buf)]
		return
	}
	e.buf = buf
}

// str writes a string scalar in the style yaml.v2 picks for it. breaks
// says whether yaml.v2 may fold it (values yes, simple keys no).
func (e *fastEmitter) str(s string, breaks bool) bool {
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ' ' {
			space = true
		}
	}
	var style byte // 0 plain, '\'' single-quoted, '"' double-quoted
	switch {
	case !resolvesToString(s) || isBase60Float(s):
		style = '"'
	case !plainAllowed(s):
		style = '\''
	}
	n := len(s)
	if style != 0 {
		n += 2 + strings.Count(s, string(style))
		if style == '"' {
			n += strings.Count(s, `\`)
		}
	}
	// yaml.v2 folds a scalar at a space once the line is longer than 80
	// columns; stay well clear of it.
	if breaks && space && e.col+n > yamlWidth {
		return false
	}
	switch style {
	case 0:
		e.write(s)
	case '\'':
		e.buf = append(e.buf, '\'')
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				e.buf = append(e.buf, '\'')
			}
			e.buf = append(e.buf, s[i])
		}
		e.buf = append(e.buf, '\'')
		e.col += n
	case '"':
		e.buf = append(e.buf, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				e.buf = append(e.buf, '\\')
			}
			e.buf = append(e.buf, s[i])
		}
		e.buf = append(e.buf, '"')
		e.col += n
	}
	return true
}

// plainAllowed reports whether yaml.v2's emitter allows s, printable
// ASCII, as a plain scalar in block context (yaml_emitter_analyze_scalar's
// block_plain_allowed).
func plainAllowed(s string) bool {
	n := len(s)
	if n == 0 {
		return true
	}
	if s[0] == ' ' || s[n-1] == ' ' {
		return false
	}
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if n == 1 || s[1] == ' ' {
			return false // the indicator is followed by a space
		}
		if s[0] == '-' && strings.HasPrefix(s, "---") {
			return false
		}
	case '.':
		if strings.HasPrefix(s, "...") {
			return false
		}
	}
	for i := 1; i < n; i++ {
		switch s[i] {
		case ':':
			if i+1 == n || s[i+1] == ' ' {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// yaml.v2's resolve table, for resolvesToString.
var (
	yamlSpecial = map[string]bool{
		"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
		"true": true, "True": true, "TRUE": true,
		"on": true, "On": true, "ON": true,
		"n": true, "N": true, "no": true, "No": true, "NO": true,
		"false": true, "False": true, "FALSE": true,
		"off": true, "Off": true, "OFF": true,
		"": true, "~": true, "null": true, "Null": true, "NULL": true,
		".nan": true, ".NaN": true, ".NAN": true,
		".inf": true, ".Inf": true, ".INF": true,
		"+.inf": true, "+.Inf": true, "+.INF": true,
		"-.inf": true, "-.Inf": true, "-.INF": true,
		"<<": true,
	}
	yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	base60Float    = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
)

// yamlSpecialMax is the length of yamlSpecial's longest keys ("false",
// "+.inf").
const yamlSpecialMax = 5

// resolvesToString reports whether yaml.v2 reads s, written plain, as a
// string (resolve("", s) gives !!str), so that Marshal may write it plain.
func resolvesToString(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	switch {
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		if yamlSpecial[s] {
			return false
		}
		if parseYAMLTimestamp(s) {
			return false
		}
		plain := strings.ReplaceAll(s, "_", "")
		if !numberChars(plain) {
			// None of the parses below can succeed (and each failure
			// allocates an error).
			return true
		}
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return false
			}
		}
		if rest, ok := strings.CutPrefix(plain, "0b"); ok {
			if _, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return false
			}
			if _, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return false
			}
		} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
			if _, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
				return false
			}
		}
		return true
	case c == '.':
		if yamlSpecial[s] {
			return false
		}
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return len(s) > yamlSpecialMax || !yamlSpecial[s]
	case c == '<':
		// "<<" has no hint in yaml.v2's table and so stays a string.
		return true
	}
	return true
}

// numberChars reports whether s has only bytes that strconv's integer
// (any base prefix) and float parsers accept in what resolvesToString
// gives them: digits, hexadecimal letters, base prefixes, signs, the point.
func numberChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		case c == 'x', c == 'X', c == 'o', c == 'O', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// isBase60Float is yaml.v2's check for strings it quotes for the sake of
// YAML 1.1 readers: "1:20" and the like.
func isBase60Float(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c == '+' || c == '-' || '0' <= c && c <= '9') || strings.IndexByte(s, ':') < 0 {
		return false
	}
	return base60Float.MatchString(s)
}

// yamlTimestampFormats are the layouts yaml.v2 resolves plain scalars
// starting with "YYYY-" as timestamps with.
var yamlTimestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func parseYAMLTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range yamlTimestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
