package cwfilter

import (
	"bytes"
	"strconv"

	"github.com/signwatch/signwatch/internal/event"
)

// cmpOp is a comparison operator of a JSON or space-delimited condition.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opGt
	opLe
	opGe
)

var opText = [...]string{"=", "!=", "<", ">", "<=", ">="}

func (o cmpOp) ordering() bool { return o >= opLt }

// condKind is what a condition tests.
type condKind uint8

const (
	condString    condKind = iota // = or != against text, with edge wildcards
	condNumber                    // numeric comparison
	condRegex                     // = or != %regex%
	condNull                      // IS NULL
	condTrue                      // IS TRUE
	condFalse                     // IS FALSE
	condNotExists                 // NOT EXISTS
)

// glob is a string value with optional leading and trailing * wildcards.
// An asterisk inside the value is an ordinary character, as CloudWatch
// documents ("Ev*ent will only match the actual string Ev*ent").
type glob struct {
	core        []byte
	lead, trail bool
}

func newGlob(s string) glob {
	var g glob
	if len(s) > 0 && s[0] == '*' {
		g.lead, s = true, s[1:]
	}
	if len(s) > 0 && s[len(s)-1] == '*' {
		g.trail, s = true, s[:len(s)-1]
	}
	g.core = []byte(s)
	return g
}

func (g *glob) match(b []byte) bool {
	switch {
	case g.lead && g.trail:
		return bytes.Contains(b, g.core)
	case g.lead:
		return bytes.HasSuffix(b, g.core)
	case g.trail:
		return bytes.HasPrefix(b, g.core)
	}
	return bytes.Equal(b, g.core)
}

// value is the right-hand side of a comparison.
type value struct {
	kind   condKind // condString, condNumber or condRegex
	glob   glob
	text   string // the value as written (decoded when quoted)
	quoted bool
	num    float64
	re     *regexValue
}

// test applies op and the value to one field's text and kind.
func (v *value) test(op cmpOp, text []byte) bool {
	switch v.kind {
	case condNumber:
		f, ok := parseNumber(text)
		if !ok {
			return false
		}
		return compare(op, f, v.num)
	case condRegex:
		m := v.re.re.Match(text)
		return m == (op == opEq)
	}
	m := v.glob.match(text)
	return m == (op == opEq)
}

func compare(op cmpOp, a, b float64) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opGt:
		return a > b
	case opLe:
		return a <= b
	}
	return a >= b
}

func (v *value) appendTo(b []byte) []byte {
	switch {
	case v.kind == condRegex:
		b = append(b, '%')
		b = append(b, v.re.src...)
		return append(b, '%')
	case v.quoted:
		return append(b, quote(v.text)...)
	}
	return append(b, v.text...)
}

// cond is one condition of a JSON pattern.
type cond struct {
	sel  selector
	kind condKind
	op   cmpOp
	val  value
}

func (c *cond) match(root event.Value) bool {
	if c.kind == condNotExists {
		return !c.sel.each(root, func(event.Value) bool { return true })
	}
	return c.sel.each(root, c.test)
}

// test applies the condition to one selected value. Only value nodes
// (strings, numbers and, as text, booleans) satisfy = and !=; objects,
// arrays and null satisfy neither.
func (c *cond) test(v event.Value) bool {
	switch c.kind {
	case condNull:
		return v.Kind() == event.Null
	case condTrue:
		return v.Kind() == event.Bool && v.True()
	case condFalse:
		return v.Kind() == event.Bool && !v.True()
	}
	switch v.Kind() {
	case event.String, event.Number:
	case event.Bool:
		if c.kind == condNumber {
			return false
		}
	default:
		return false
	}
	return c.val.test(c.op, v.Bytes())
}

func (c *cond) appendTo(b []byte, _ int) []byte {
	b = c.sel.appendTo(b)
	switch c.kind {
	case condNull:
		return append(b, " IS NULL"...)
	case condTrue:
		return append(b, " IS TRUE"...)
	case condFalse:
		return append(b, " IS FALSE"...)
	case condNotExists:
		return append(b, " NOT EXISTS"...)
	}
	b = append(b, ' ')
	b = append(b, opText[c.op]...)
	b = append(b, ' ')
	return c.val.appendTo(b)
}

// parseValue reads the value after a comparison operator.
func (p *parser) parseValue(sel selector, op cmpOp, opAt int) (expr, error) {
	p.skipSpace()
	v, err := p.value(op, opAt)
	if err != nil {
		return nil, err
	}
	return &cond{sel: sel, kind: v.kind, op: op, val: v}, nil
}

// value reads a quoted string, a %regex% or a bare token, and checks it
// against the operator: <, >, <= and >= need an unquoted number, and a
// regular expression needs = or !=.
func (p *parser) value(op cmpOp, opAt int) (value, error) {
	at := p.pos
	switch p.peek() {
	case '"':
		s, err := p.quoted()
		if err != nil {
			return value{}, err
		}
		if op.ordering() {
			return value{}, p.errAt(at, "operator %s needs an unquoted number; a quoted value is a string", opText[op])
		}
		return value{kind: condString, glob: newGlob(s), text: s, quoted: true}, nil
	case '%':
		if op.ordering() {
			return value{}, p.errAt(opAt, "a regular expression can only be compared with = or !=")
		}
		p.regexes++
		if p.regexes > maxRegexes {
			return value{}, p.errAt(at, "a filter pattern may contain at most %d regular expressions", maxRegexes)
		}
		re, err := p.regex()
		if err != nil {
			return value{}, err
		}
		return value{kind: condRegex, re: re}, nil
	}
	for p.pos < len(p.src) && isBareChar(p.src[p.pos]) {
		p.pos++
	}
	tok := p.src[at:p.pos]
	if tok == "" {
		return value{}, p.errAt(at, "expected a value after %s but found %s", opText[op], p.describe(at))
	}
	if c := p.peek(); !p.eof() && !isBlank(c) && !isValueEnd(c) {
		return value{}, p.errAt(p.pos, "character %s must be inside a double-quoted value", p.describe(p.pos))
	}
	if f, ok := parseNumber([]byte(tok)); ok {
		return value{kind: condNumber, text: tok, num: f}, nil
	}
	if op.ordering() {
		return value{}, p.errAt(at, "operator %s needs a number but found %q", opText[op], tok)
	}
	return value{kind: condString, glob: newGlob(tok), text: tok}, nil
}

// isBareChar reports the characters an unquoted value may hold: letters,
// digits, _ and the characters of numbers, IP prefixes and wildcards.
func isBareChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '*'
}

func isValueEnd(c byte) bool {
	return c == ')' || c == '}' || c == '&' || c == '|' || c == ',' || c == ']'
}

// parseNumber parses a decimal number, optionally signed and in scientific
// notation; anything else (hex, Inf, NaN, empty) is not a number.
func parseNumber(b []byte) (float64, bool) {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	intStart := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	digits := i - intStart
	if i < len(b) && b[i] == '.' {
		i++
		fracStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		digits += i - fracStart
	}
	if digits == 0 {
		return 0, false
	}
	simple := i == len(b)
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		expStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == expStart {
			return 0, false
		}
	}
	if i != len(b) {
		return 0, false
	}
	if simple && len(b) <= 15 {
		if f, ok := smallDecimal(b); ok {
			return f, true
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// smallDecimal converts a short [+-]digits[.digits] exactly (at most 15
// significant digits fit a float64 exactly) without allocating.
func smallDecimal(b []byte) (float64, bool) {
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		b = b[1:]
	}
	var n uint64
	frac := -1
	for _, c := range b {
		if c == '.' {
			frac = 0
			continue
		}
		n = n*10 + uint64(c-'0')
		if frac >= 0 {
			frac++
		}
	}
	f := float64(n)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}
