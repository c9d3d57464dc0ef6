package sigma

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// condNode is a node of a parsed condition.
type condNode interface {
	eval(e *evaluator) bool
	String() string
}

type (
	condOr  struct{ l, r condNode }
	condAnd struct{ l, r condNode }
	condNot struct{ x condNode }
	condSel struct {
		idx  int
		name string
	}
	// condOf is "1 of" (all false) or "all of" (all true) a set of selections.
	condOf struct {
		all     bool
		idx     []int
		pattern string
	}
)

func (c *condOr) String() string  { return "(" + c.l.String() + " or " + c.r.String() + ")" }
func (c *condAnd) String() string { return "(" + c.l.String() + " and " + c.r.String() + ")" }
func (c *condNot) String() string { return "not " + c.x.String() }
func (c *condSel) String() string { return c.name }
func (c *condOf) String() string {
	if c.all {
		return "all of " + c.pattern
	}
	return "1 of " + c.pattern
}

// condError is a condition syntax error at a byte offset in the condition.
type condError struct {
	off int
	msg string
}

func (e *condError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.msg) }

type token struct {
	text string
	off  int
}

// lookupFunc resolves an identifier (pattern false) or a "x of" pattern or
// "them" (pattern true) to selection indexes.
type lookupFunc func(name string, pattern bool) []int

type condParser struct {
	toks   []token
	pos    int
	lookup lookupFunc
	src    string
}

// maxCondDepth bounds the nesting of a condition.
const maxCondDepth = 100

// parseCondition parses a Sigma condition. Operator precedence from least
// to most binding: or, and, not, "x of", parentheses.
func parseCondition(src string, lookup lookupFunc) (condNode, error) {
	toks, err := lexCondition(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, &condError{0, "empty condition"}
	}
	p := &condParser{toks: toks, lookup: lookup, src: src}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if isKeyword(t.text, "near") {
			return nil, &condError{t.off, "legacy aggregation (near): rewrite as a Sigma correlation rule (temporal)"}
		}
		return nil, p.unexpected(t)
	}
	return n, nil
}

func lexCondition(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{src[i : i+1], i})
			i++
		case c == '|':
			if strings.Contains(strings.ToLower(src[i:]), "near") {
				return nil, &condError{i, "legacy aggregation (\"| near ...\"): rewrite as a Sigma correlation rule (temporal)"}
			}
			return nil, &condError{i, "legacy aggregation (\"| count() ...\"): rewrite as a Sigma correlation rule (event_count or value_count)"}
		case isIdentByte(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, token{src[i:j], i})
			i = j
		default:
			return nil, &condError{i, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '*' || c == '-' || c == '.' || c == '?' ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c >= 0x80
}

func (p *condParser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{off: len(p.src)}, false
}

func (p *condParser) unexpected(t token) error {
	if t.text == "" {
		return &condError{t.off, "unexpected end of condition"}
	}
	return &condError{t.off, fmt.Sprintf("unexpected %q", t.text)}
}

func isKeyword(t string, kw string) bool { return strings.EqualFold(t, kw) }

func (p *condParser) or(depth int) (condNode, error) {
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || !isKeyword(t.text, "or") {
			return l, nil
		}
		p.pos++
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = &condOr{l, r}
	}
}

func (p *condParser) and(depth int) (condNode, error) {
	l, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || !isKeyword(t.text, "and") {
			return l, nil
		}
		p.pos++
		r, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		l = &condAnd{l, r}
	}
}

func (p *condParser) not(depth int) (condNode, error) {
	t, ok := p.peek()
	if ok && isKeyword(t.text, "not") {
		if depth > maxCondDepth {
			return nil, &condError{t.off, "condition nested too deeply"}
		}
		p.pos++
		x, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return &condNot{x}, nil
	}
	return p.primary(depth)
}

func (p *condParser) primary(depth int) (condNode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, p.unexpected(t)
	}
	switch {
	case t.text == "(":
		if depth > maxCondDepth {
			return nil, &condError{t.off, "condition nested too deeply"}
		}
		p.pos++
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.text != ")" {
			return nil, &condError{c.off, "missing closing parenthesis for the one at character " + fmt.Sprint(utf8.RuneCountInString(p.src[:t.off])+1) + " of the condition"}
		}
		p.pos++
		return n, nil
	case t.text == ")" || isKeyword(t.text, "and") || isKeyword(t.text, "or"):
		return nil, p.unexpected(t)
	case isKeyword(t.text, "near"):
		return nil, &condError{t.off, "legacy aggregation (near): rewrite as a Sigma correlation rule (temporal)"}
	}
	if n, ok := p.peekOf(); ok {
		return p.of(n)
	}
	p.pos++
	if strings.ContainsAny(t.text, "*?") {
		return nil, &condError{t.off, fmt.Sprintf("wildcard identifier %q needs \"1 of\" or \"all of\"", t.text)}
	}
	idx := p.lookup(t.text, false)
	if len(idx) == 0 {
		return nil, &condError{t.off, fmt.Sprintf("unknown search identifier %q", t.text)}
	}
	return &condSel{idx: idx[0], name: t.text}, nil
}

// peekOf reports whether the next tokens are "N of".
func (p *condParser) peekOf() (token, bool) {
	if p.pos+1 >= len(p.toks) || !isKeyword(p.toks[p.pos+1].text, "of") {
		return token{}, false
	}
	return p.toks[p.pos], true
}

func (p *condParser) of(q token) (condNode, error) {
	var all bool
	switch {
	case q.text == "1" || isKeyword(q.text, "any"):
	case isKeyword(q.text, "all"):
		all = true
	default:
		return nil, &condError{q.off, fmt.Sprintf("%q of: only \"1 of\" and \"all of\" are defined", q.text)}
	}
	p.pos += 2
	t, ok := p.peek()
	if !ok || t.text == "(" || t.text == ")" {
		return nil, &condError{t.off, "expected a search identifier pattern or \"them\" after \"of\""}
	}
	p.pos++
	pattern := t.text
	if isKeyword(pattern, "them") {
		pattern = "them"
	}
	idx := p.lookup(pattern, true)
	if len(idx) == 0 {
		return nil, &condError{t.off, fmt.Sprintf("%q matches no search identifier", t.text)}
	}
	return &condOf{all: all, idx: idx, pattern: pattern}, nil
}
