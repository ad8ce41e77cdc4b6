package importer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tripleQuoteMin is the length from which a string with line breaks is
// written as a triple-quoted literal rather than with \n escapes.
const tripleQuoteMin = 60

// quote returns a Starlark string literal for s that reads back as s.
// s must be valid UTF-8 (see canString).
func quote(s string) string {
	if strings.Contains(s, "\n") && (len(s) >= tripleQuoteMin || strings.Count(s, "\n") > 2) {
		return tripleQuote(s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		default:
			writeRune(&b, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tripleQuote writes s as """...""" with its line breaks as they are. A
// quote is escaped where it could end the literal early: before another
// quote and at the very end.
func tripleQuote(s string) string {
	var b strings.Builder
	b.WriteString(`"""`)
	for i, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '"' && (i+1 == len(s) || s[i+1] == '"'):
			b.WriteString(`\"`)
		case r == '"':
			b.WriteByte('"')
		default:
			writeRune(&b, r)
		}
	}
	b.WriteString(`"""`)
	return b.String()
}

// writeRune writes r as it stands in a literal: printable runes as
// themselves, the rest escaped.
func writeRune(b *strings.Builder, r rune) {
	switch r {
	case '\\':
		b.WriteString(`\\`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	default:
		switch {
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigit(byte(r) >> 4))
			b.WriteByte(hexDigit(byte(r) & 0xf))
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			b.WriteRune(r)
		case r > 0xffff:
			b.WriteString(`\U`)
			writeHex(b, uint32(r), 8)
		default:
			b.WriteString(`\u`)
			writeHex(b, uint32(r), 4)
		}
	}
}

func writeHex(b *strings.Builder, v uint32, digits int) {
	for i := digits - 1; i >= 0; i-- {
		b.WriteByte(hexDigit(byte(v >> (4 * i) & 0xf)))
	}
}

func hexDigit(n byte) byte { return "0123456789abcdef"[n] }

// canString reports whether data can be written as a string literal:
// valid UTF-8 without bytes that only an escape could show, apart from
// common whitespace. Anything else is written as a bytes literal.
func canString(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
		if r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// quoteBytes returns a Starlark bytes literal for data: b"...", printable
// ASCII as itself, everything else as \x escapes.
func quoteBytes(data []byte) string {
	var b strings.Builder
	b.WriteString(`b"`)
	for _, c := range data {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			b.WriteString(`\x`)
			b.WriteByte(hexDigit(c >> 4))
			b.WriteByte(hexDigit(c & 0xf))
		}
	}
	b.WriteByte('"')
	return b.String()
}
