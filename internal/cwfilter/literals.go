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
		lits = p.json.literals()
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

// score ranks a literal set for an AND: the shortest member bounds how
// selective the set is.
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

func bestOf(sets [][][]byte) [][]byte {
	var best [][]byte
	bs := -1
	for _, s := range sets {
		if s == nil {
			continue
		}
		if sc := score(s); sc > bs {
			best, bs = s, sc
		}
	}
	return best
}

func (e *andExpr) literals() [][]byte {
	sets := make([][][]byte, len(e.kids))
	for i, k := range e.kids {
		sets[i] = k.literals()
	}
	return bestOf(sets)
}

func (e *orExpr) literals() [][]byte {
	var out [][]byte
	for _, k := range e.kids {
		l := k.literals()
		if l == nil {
			return nil
		}
		out = append(out, l...)
	}
	return out
}

func (c *cond) literals() [][]byte {
	key := c.keyLiteral()
	switch c.kind {
	case condNotExists:
		return nil
	case condString:
		if c.op == opEq {
			if v := jsonSafeRun(c.val.glob.core); len(v) > 0 {
				return bestOf([][][]byte{{v, escapeMark}, key})
			}
		}
	case condNull:
		return bestOf([][][]byte{{[]byte("null")}, key})
	case condTrue:
		return bestOf([][][]byte{{[]byte("true")}, key})
	case condFalse:
		return bestOf([][][]byte{{[]byte("false")}, key})
	}
	return key
}

// keyLiteral is the selector's last property name as it appears in the
// JSON text, or nil when the selector ends in a wildcard or index only.
func (c *cond) keyLiteral() [][]byte {
	k, ok := c.sel.lastKey()
	if !ok {
		return nil
	}
	if run := jsonSafeRun([]byte(k)); len(run) == len(k) && len(k) > 0 {
		return [][]byte{append(append([]byte{'"'}, k...), '"'), escapeMark}
	}
	if run := jsonSafeRun([]byte(k)); len(run) > 0 {
		return [][]byte{run, escapeMark}
	}
	return nil
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
