package cwfilter

import "bytes"

// escapeMark is what any \uXXXX escape in a JSON text contains. A value
// that a JSON event spells with \u escapes does not contain the value's
// plain bytes, so a JSON-pattern literal set always admits this mark too.
var escapeMark = []byte(`\u`)

// Literals returns byte strings one of which occurs in the raw text of
// every event the pattern matches, or nil when no such set is known (for
// example for NOT EXISTS, numeric comparisons or exclusions). Matching is
// case-sensitive in every CloudWatch pattern syntax, so the literals are
// exact bytes. For JSON patterns they take JSON escaping into account: a
// literal never spans a character that JSON may escape other than with
// \u, and the set includes `\u` for values written with \u escapes.
func (p *Pattern) Literals() [][]byte {
	var lits [][]byte
	switch p.kind {
	case JSON:
		lits = p.json.literals().lits
	case Terms:
		lits = p.terms.literals()
	}
	return dedupe(lits)
}

func dedupe(lits [][]byte) [][]byte {
	if len(lits) == 0 {
		return nil
	}
	out := lits[:0:0]
	for _, l := range lits {
		seen := false
		for _, o := range out {
			if bytes.Equal(o, l) {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, l)
		}
	}
	return out
}

// litSet is a set of literals one of which must occur, with its strength:
// a value of the event (tierValue) says more than a property name, which
// most events of a kind share (tierKey).
type litSet struct {
	lits [][]byte
	tier int
}

const (
	tierNone = iota // no literal known
	tierKey
	tierValue
)

// better reports whether a is a more selective requirement than b.
func (a litSet) better(b litSet) bool {
	if a.tier != b.tier {
		return a.tier > b.tier
	}
	return score(a.lits) > score(b.lits)
}

// score is the length of the shortest literal other than the escape mark.
func score(lits [][]byte) int {
	best := -1
	for _, l := range lits {
		if bytes.Equal(l, escapeMark) {
			continue
		}
		if best < 0 || len(l) < best {
			best = len(l)
		}
	}
	return best
}

func bestOf(sets ...litSet) litSet {
	var best litSet
	for _, s := range sets {
		if s.tier != tierNone && s.better(best) {
			best = s
		}
	}
	return best
}

func (e *andExpr) literals() litSet {
	var best litSet
	for _, k := range e.kids {
		best = bestOf(best, k.literals())
	}
	return best
}

func (e *orExpr) literals() litSet {
	out := litSet{tier: tierValue}
	for _, k := range e.kids {
		l := k.literals()
		if l.tier == tierNone {
			return litSet{}
		}
		out.lits = append(out.lits, l.lits...)
		out.tier = min(out.tier, l.tier)
	}
	return out
}

func (c *cond) literals() litSet {
	key := c.keyLiteral()
	word := func(w string) litSet { return litSet{lits: [][]byte{[]byte(w)}, tier: tierValue} }
	switch c.kind {
	case condNotExists:
		return litSet{}
	case condString:
		if c.op == opEq {
			if v := jsonSafeRun(c.val.glob.core); len(v) > 0 {
				return litSet{lits: [][]byte{v, escapeMark}, tier: tierValue}
			}
		}
	case condNull:
		return bestOf(key, word("null"))
	case condTrue:
		return bestOf(key, word("true"))
	case condFalse:
		return bestOf(key, word("false"))
	}
	return key
}

// keyLiteral is the selector's last property name as it appears in the
// JSON text, or nothing when the selector ends in a wildcard or index only.
func (c *cond) keyLiteral() litSet {
	k, ok := c.sel.lastKey()
	if !ok {
		return litSet{}
	}
	if run := jsonSafeRun([]byte(k)); len(run) == len(k) && len(k) > 0 {
		return litSet{lits: [][]byte{append(append([]byte{'"'}, k...), '"'), escapeMark}, tier: tierKey}
	} else if len(run) > 0 {
		return litSet{lits: [][]byte{run, escapeMark}, tier: tierKey}
	}
	return litSet{}
}

// jsonSafeRun returns the longest run of b without a character that JSON
// may escape other than as \uXXXX (quote, backslash, slash, controls).
func jsonSafeRun(b []byte) []byte {
	var best []byte
	start := 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '"' || b[i] == '\\' || b[i] == '/' || b[i] < 0x20 {
			if i-start > len(best) {
				best = b[start:i]
			}
			start = i + 1
		}
	}
	return best
}

func (tp *termPattern) literals() [][]byte {
	if tp.optional {
		var out [][]byte
		for _, t := range tp.terms {
			if t.re != nil || len(t.text) == 0 {
				return nil
			}
			out = append(out, t.text)
		}
		return out
	}
	var best []byte
	for _, t := range tp.terms {
		if t.role == roleInclude && t.re == nil && len(t.text) > len(best) {
			best = t.text
		}
	}
	if best == nil {
		return nil
	}
	return [][]byte{best}
}
