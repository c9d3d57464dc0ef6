package cwfilter

import (
	"strings"

	"github.com/signwatch/signwatch/internal/event"
)

// expr is a node of a JSON pattern: an and/or of conditions.
type expr interface {
	match(root event.Value) bool
	appendTo(b []byte, prec int) []byte
	literals() litSet
}

// Operator precedence for rendering: || binds loosest.
const (
	precOr = iota
	precAnd
)

type orExpr struct{ kids []expr }
type andExpr struct{ kids []expr }

func (e *orExpr) match(root event.Value) bool {
	for _, k := range e.kids {
		if k.match(root) {
			return true
		}
	}
	return false
}

func (e *andExpr) match(root event.Value) bool {
	for _, k := range e.kids {
		if !k.match(root) {
			return false
		}
	}
	return true
}

func (e *orExpr) appendTo(b []byte, prec int) []byte {
	if prec > precOr {
		b = append(b, '(')
	}
	for i, k := range e.kids {
		if i > 0 {
			b = append(b, " || "...)
		}
		b = k.appendTo(b, precOr)
	}
	if prec > precOr {
		b = append(b, ')')
	}
	return b
}

func (e *andExpr) appendTo(b []byte, _ int) []byte {
	for i, k := range e.kids {
		if i > 0 {
			b = append(b, " && "...)
		}
		b = k.appendTo(b, precAnd)
	}
	return b
}

// parseJSON parses `{ expr }` starting at p.pos (on the `{`).
func (p *parser) parseJSON() (expr, error) {
	open := p.pos
	p.pos++
	p.skipSpace()
	if p.peek() == '}' {
		return nil, p.errAt(p.pos, "empty JSON filter pattern: expected a condition such as $.eventName = ConsoleLogin")
	}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() {
		return nil, p.errAt(p.pos, "missing } to close the { at column %d", p.columnOf(open))
	}
	if p.peek() != '}' {
		return nil, p.errAt(p.pos, "expected &&, || or } but found %s", p.describe(p.pos))
	}
	p.pos++
	p.skipSpace()
	if !p.eof() {
		return nil, p.errAt(p.pos, "unexpected %s after the closing }", p.describe(p.pos))
	}
	return e, nil
}

func (p *parser) parseOr(depth int) (expr, error) {
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	kids := []expr{first}
	for {
		p.skipSpace()
		if !p.hasPrefix("||") {
			break
		}
		p.pos += 2
		k, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &orExpr{kids: groupEqualities(flatten(kids, true))}, nil
}

func (p *parser) parseAnd(depth int) (expr, error) {
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	kids := []expr{first}
	for {
		p.skipSpace()
		if !p.hasPrefix("&&") {
			break
		}
		p.pos += 2
		k, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &andExpr{kids: flatten(kids, false)}, nil
}

// flatten merges nested nodes of the same type (from parentheses), which
// does not change the meaning and keeps String canonical.
func flatten(kids []expr, or bool) []expr {
	out := make([]expr, 0, len(kids))
	for _, k := range kids {
		switch n := k.(type) {
		case *orExpr:
			if or {
				out = append(out, n.kids...)
				continue
			}
		case *andExpr:
			if !or {
				out = append(out, n.kids...)
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

func (p *parser) parseUnary(depth int) (expr, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '(':
		if depth >= maxDepth {
			return nil, p.errAt(p.pos, "parentheses nested deeper than %d", maxDepth)
		}
		open := p.pos
		p.pos++
		e, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			if p.eof() || p.peek() == '}' {
				return nil, p.errAt(p.pos, "missing ) to close the ( at column %d", p.columnOf(open))
			}
			return nil, p.errAt(p.pos, "expected &&, || or ) but found %s", p.describe(p.pos))
		}
		p.pos++
		return e, nil
	case c == '$':
		return p.parseCond()
	case p.eof():
		return nil, p.errAt(p.pos, "unexpected end of pattern: expected a condition")
	}
	return nil, p.errAt(p.pos, "expected a condition ($.field ...) or ( but found %s", p.describe(p.pos))
}

// parseCond reads `selector operator value` or `selector IS X` / `NOT EXISTS`.
func (p *parser) parseCond() (expr, error) {
	sel, err := p.parseSelector()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	opAt := p.pos
	if op, ok := p.comparison(); ok {
		return p.parseValue(sel, op, opAt)
	}
	if isAlnum(p.peek()) {
		return p.parseKeyword(sel)
	}
	return nil, p.errAt(opAt, "expected an operator (=, !=, <, >, <=, >=, IS, NOT EXISTS) after the selector but found %s", p.describe(opAt))
}

// comparisons lists the comparison operators, longest first.
var comparisons = []struct {
	text string
	op   cmpOp
}{{"!=", opNe}, {"<=", opLe}, {">=", opGe}, {"=", opEq}, {"<", opLt}, {">", opGt}}

// comparison consumes a comparison operator at the current position.
func (p *parser) comparison() (cmpOp, bool) {
	for _, c := range comparisons {
		if p.hasPrefix(c.text) {
			p.pos += len(c.text)
			return c.op, true
		}
	}
	return 0, false
}

func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.src) && isAlnum(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// parseKeyword reads IS NULL|TRUE|FALSE or NOT EXISTS. Keywords are
// case-insensitive.
func (p *parser) parseKeyword(sel selector) (expr, error) {
	at := p.pos
	switch w := strings.ToUpper(p.word()); w {
	case "IS":
		p.skipSpace()
		vat := p.pos
		switch v := strings.ToUpper(p.word()); v {
		case "NULL":
			return &cond{sel: sel, kind: condNull}, nil
		case "TRUE":
			return &cond{sel: sel, kind: condTrue}, nil
		case "FALSE":
			return &cond{sel: sel, kind: condFalse}, nil
		case "NOT":
			return nil, p.errAt(vat, "IS NOT is not supported by CloudWatch; use != or NOT EXISTS")
		default:
			return nil, p.errAt(vat, "expected NULL, TRUE or FALSE after IS but found %s", p.describe(vat))
		}
	case "NOT":
		p.skipSpace()
		vat := p.pos
		if strings.ToUpper(p.word()) != "EXISTS" {
			return nil, p.errAt(vat, "expected EXISTS after NOT but found %s", p.describe(vat))
		}
		return &cond{sel: sel, kind: condNotExists}, nil
	case "EXISTS":
		return nil, p.errAt(at, "EXISTS is not supported by CloudWatch; use %s = \"*\" to require a value", string(sel.appendTo(nil)))
	}
	return nil, p.errAt(at, "expected an operator (=, !=, <, >, <=, >=, IS, NOT EXISTS) after the selector but found %s", p.describe(at))
}
