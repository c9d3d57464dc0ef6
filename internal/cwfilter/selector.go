package cwfilter

import (
	"strconv"
	"strings"

	"github.com/signwatch/signwatch/internal/event"
)

// stepKind is one step of a property selector.
type stepKind uint8

const (
	stepKey       stepKind = iota // .name or .['name']
	stepIndex                     // [N]
	stepAnyMember                 // .* : every member of an object or element of an array
	stepAnyIndex                  // [*]: every element of an array
)

type step struct {
	kind stepKind
	key  string
	idx  int
}

// selector is a parsed `$.a.b[0]` property selector with at most one wildcard.
type selector struct {
	steps []step
	wild  bool
}

// maxIndex bounds array indexes in selectors.
const maxIndex = 1<<31 - 1

// parseSelector reads a selector starting at p.pos (on the `$`).
func (p *parser) parseSelector() (selector, error) {
	var s selector
	start := p.pos
	if p.peek() != '$' {
		return s, p.errAt(p.pos, "expected a property selector starting with $. but found %s", p.describe(p.pos))
	}
	p.pos++
	if p.peek() != '.' {
		return s, p.errAt(p.pos, "a property selector starts with $. (found %s after $)", p.describe(p.pos))
	}
	for !p.eof() {
		var st step
		var err error
		switch p.peek() {
		case '.':
			st, err = p.dotStep()
		case '[':
			st, err = p.bracketStep()
		default:
			return p.finishSelector(s, start)
		}
		if err != nil {
			return s, err
		}
		s.steps = append(s.steps, st)
	}
	return p.finishSelector(s, start)
}

func (p *parser) finishSelector(s selector, start int) (selector, error) {
	if len(s.steps) == 0 {
		return s, p.errAt(p.pos, "property selector has no property after $")
	}
	if c := p.peek(); !p.eof() && !isBlank(c) && strings.IndexByte("=!<>)&|}", c) < 0 {
		return s, p.errAt(p.pos, "character %s is not allowed in a property name; use bracket notation $.['name'] for such names", p.describe(p.pos))
	}
	n := 0
	for _, st := range s.steps {
		if st.kind == stepAnyMember || st.kind == stepAnyIndex {
			n++
		}
	}
	if n > 1 {
		return s, p.errAt(start, "a property selector may contain at most one wildcard")
	}
	if n == 1 {
		s.wild = true
		p.wilds++
		if p.wilds > 3 {
			return s, p.errAt(start, "a filter pattern may contain at most three selectors with wildcards")
		}
	}
	return s, nil
}

// dotStep reads `.name`, `.*` or `.['name']`.
func (p *parser) dotStep() (step, error) {
	p.pos++ // '.'
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		return step{kind: stepAnyMember}, nil
	case c == '[':
		st, err := p.bracketStep()
		if err == nil && st.kind != stepKey {
			return st, p.errAt(p.pos, "expected a quoted property name in .[ ]")
		}
		return st, err
	case isIdent(c):
		start := p.pos
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
		return step{kind: stepKey, key: p.src[start:p.pos]}, nil
	}
	return step{}, p.errAt(p.pos, "expected a property name after '.' but found %s", p.describe(p.pos))
}

// bracketStep reads `[N]`, `[*]`, `['name']` or `["name"]`.
func (p *parser) bracketStep() (step, error) {
	open := p.pos
	p.pos++ // '['
	var st step
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		st.kind = stepAnyIndex
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(p.src[start:p.pos])
		if err != nil || n > maxIndex {
			return st, p.errAt(start, "array index is too large")
		}
		st.kind, st.idx = stepIndex, n
	case c == '\'':
		end := strings.IndexByte(p.src[p.pos+1:], '\'')
		if end < 0 {
			return st, p.errAt(p.pos, "unterminated quoted property name")
		}
		st.key = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	case c == '"':
		k, err := p.quoted()
		if err != nil {
			return st, err
		}
		st.key = k
	default:
		return st, p.errAt(p.pos, "expected an array index, * or a quoted property name after [ but found %s", p.describe(p.pos))
	}
	if p.peek() != ']' {
		return st, p.errAt(p.pos, "expected ] to close the [ at column %d", p.columnOf(open))
	}
	p.pos++
	return st, nil
}

func (p *parser) columnOf(off int) int {
	return len([]rune(p.src[:off])) + 1
}

// each calls fn for every value the selector selects in root, until fn
// returns true; it reports whether fn did. Missing values are skipped.
func (s *selector) each(root event.Value, fn func(event.Value) bool) bool {
	return walk(root, s.steps, fn)
}

func walk(v event.Value, steps []step, fn func(event.Value) bool) bool {
	for i, st := range steps {
		switch st.kind {
		case stepKey:
			v = v.Get(st.key)
		case stepIndex:
			v = v.Index(st.idx)
		case stepAnyMember, stepAnyIndex:
			k := v.Kind()
			if k != event.Array && (st.kind == stepAnyIndex || k != event.Object) {
				return false
			}
			rest := steps[i+1:]
			found := false
			v.Each(func(_ string, el event.Value) bool {
				found = walk(el, rest, fn)
				return !found
			})
			return found
		}
		if v.Kind() == event.Missing {
			return false
		}
	}
	return fn(v)
}

// appendTo renders the selector in canonical form.
func (s *selector) appendTo(b []byte) []byte {
	b = append(b, '$')
	for _, st := range s.steps {
		switch st.kind {
		case stepKey:
			if plainKey(st.key) {
				b = append(b, '.')
				b = append(b, st.key...)
			} else if !strings.ContainsRune(st.key, '\'') {
				b = append(b, ".['"...)
				b = append(b, st.key...)
				b = append(b, "']"...)
			} else {
				b = append(b, ".["...)
				b = append(b, quote(st.key)...)
				b = append(b, ']')
			}
		case stepIndex:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(st.idx), 10)
			b = append(b, ']')
		case stepAnyMember:
			b = append(b, ".*"...)
		case stepAnyIndex:
			b = append(b, "[*]"...)
		}
	}
	return b
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isIdent(k[i]) {
			return false
		}
	}
	return true
}

// lastKey returns the last named property of the selector, if any.
func (s *selector) lastKey() (string, bool) {
	for i := len(s.steps) - 1; i >= 0; i-- {
		switch s.steps[i].kind {
		case stepKey:
			return s.steps[i].key, true
		case stepAnyMember:
			return "", false
		}
	}
	return "", false
}
