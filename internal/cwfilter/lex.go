package cwfilter

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// parser is a hand-written scanner and recursive-descent parser over the
// pattern text; pos is a byte offset into src.
type parser struct {
	src     string
	pos     int
	wilds   int // selectors with a wildcard (JSON)
	regexes int // %regex% values (JSON and delimited)
}

// maxDepth bounds parenthesis nesting so hostile patterns cannot exhaust the stack.
const maxDepth = 64

func (p *parser) errAt(off int, format string, args ...any) error {
	if off > len(p.src) {
		off = len(p.src)
	}
	return &SyntaxError{Column: utf8.RuneCountInString(p.src[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isBlank(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) hasPrefix(s string) bool { return strings.HasPrefix(p.src[p.pos:], s) }

// describe names the text at off for an error message.
func (p *parser) describe(off int) string {
	if off >= len(p.src) {
		return "end of pattern"
	}
	r, _ := utf8.DecodeRuneInString(p.src[off:])
	return fmt.Sprintf("%q", r)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isIdent(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// quoted reads a double-quoted string with JSON escapes starting at p.pos
// and returns its decoded contents.
func (p *parser) quoted() (string, error) {
	start := p.pos
	i := start + 1
	for i < len(p.src) {
		switch c := p.src[i]; {
		case c == '\\':
			i += 2
			continue
		case c == '"':
			var s string
			if err := json.Unmarshal([]byte(p.src[start:i+1]), &s); err != nil {
				return "", p.errAt(start, "invalid quoted string: %v", err)
			}
			p.pos = i + 1
			return s, nil
		case c < 0x20:
			return "", p.errAt(i, "control character in quoted string")
		}
		i++
	}
	return "", p.errAt(start, "unterminated quoted string")
}

// quote renders s as a double-quoted string that quoted() reads back.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// regex reads a %regex% starting at p.pos (on the opening %).
func (p *parser) regex() (*regexValue, error) {
	start := p.pos
	end := strings.IndexByte(p.src[start+1:], '%')
	if end < 0 {
		return nil, p.errAt(start, "unterminated regular expression: missing closing %%")
	}
	body := p.src[start+1 : start+1+end]
	re, err := compileRegex(body, func(off int, msg string) error { return p.errAt(start+1+off, "%s", msg) })
	if err != nil {
		return nil, err
	}
	p.pos = start + end + 2
	return re, nil
}
