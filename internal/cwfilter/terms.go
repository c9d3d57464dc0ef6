package cwfilter

import (
	"bytes"
	"strings"
)

// termRole says how a term of an unstructured pattern combines.
type termRole uint8

const (
	roleInclude  termRole = iota // TERM: must occur
	roleExclude                  // -TERM: must not occur
	roleOptional                 // ?TERM: one of the ? terms must occur
)

// term is one term or quoted phrase; it matches as a case-sensitive
// substring of the message, or as an unanchored regular expression.
type term struct {
	role   termRole
	text   []byte
	quoted bool
	re     *regexValue
}

func (t *term) in(msg []byte) bool {
	if t.re != nil {
		return t.re.re.Match(msg)
	}
	return bytes.Contains(msg, t.text)
}

// termPattern is an unstructured pattern. When it has ?terms together with
// other terms, CloudWatch ignores the ?terms; active holds the terms that
// take part in matching.
type termPattern struct {
	terms    []term
	optional bool // matching uses the ? terms (there are no others)
}

func (tp *termPattern) match(msg []byte) bool {
	if tp.optional {
		for i := range tp.terms {
			if tp.terms[i].in(msg) {
				return true
			}
		}
		return false
	}
	for i := range tp.terms {
		t := &tp.terms[i]
		switch t.role {
		case roleInclude:
			if !t.in(msg) {
				return false
			}
		case roleExclude:
			if t.in(msg) {
				return false
			}
		}
	}
	return true
}

// parseTerms reads an unstructured pattern from p.pos to the end.
func (p *parser) parseTerms() (*termPattern, error) {
	tp := &termPattern{}
	hasOpt, hasOther := false, false
	for p.skipSpace(); !p.eof(); p.skipSpace() {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		if t.role == roleOptional {
			hasOpt = true
		} else {
			hasOther = true
		}
		tp.terms = append(tp.terms, t)
	}
	if hasOpt && !hasOther {
		tp.optional = true
	}
	if hasOpt && hasOther { // CloudWatch ignores ?terms mixed with other terms
		kept := tp.terms[:0]
		for _, t := range tp.terms {
			if t.role != roleOptional {
				kept = append(kept, t)
			}
		}
		tp.terms = kept
	}
	return tp, nil
}

func (p *parser) term() (term, error) {
	var t term
	switch p.peek() {
	case '-':
		t.role = roleExclude
		p.pos++
		p.skipSpace()
	case '?':
		t.role = roleOptional
		p.pos++
	}
	at := p.pos
	if t.role != roleInclude && (p.eof() || isBlank(p.peek())) {
		return t, p.errAt(at, "expected a term after %q", p.src[at-1])
	}
	switch p.peek() {
	case '"':
		s, err := p.quoted()
		if err != nil {
			return t, err
		}
		t.text, t.quoted = []byte(s), true
		if strings.TrimSpace(s) == "" {
			t.text = nil // " " and "" match every message
		}
		return t, p.termEnd()
	case '%':
		re, err := p.regex()
		if err != nil {
			return t, err
		}
		t.re = re
		return t, p.termEnd()
	}
	for p.pos < len(p.src) && !isBlank(p.src[p.pos]) {
		if p.src[p.pos] == '"' {
			return t, p.errAt(p.pos, "a quote inside a term: enclose the whole phrase in double quotes")
		}
		p.pos++
	}
	word := strings.Trim(p.src[at:p.pos], "*")
	if word == "" {
		return t, p.errAt(at, "a term made only of * is not a term; an empty pattern matches every event")
	}
	t.text = []byte(word)
	if strings.TrimSpace(word) == "" {
		t.text = nil
	}
	return t, nil
}

func (p *parser) termEnd() error {
	if !p.eof() && !isBlank(p.peek()) {
		return p.errAt(p.pos, "expected a space after the term but found %s", p.describe(p.pos))
	}
	return nil
}

// String renders the pattern in canonical form.
func (tp *termPattern) String() string {
	var b strings.Builder
	for i, t := range tp.terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch t.role {
		case roleExclude:
			b.WriteByte('-')
		case roleOptional:
			b.WriteByte('?')
		}
		switch {
		case t.re != nil:
			b.WriteString("%" + t.re.src + "%")
		case t.quoted || !plainTerm(t.text):
			b.WriteString(quote(string(t.text)))
		default:
			b.Write(t.text)
		}
	}
	return b.String()
}

func plainTerm(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}
