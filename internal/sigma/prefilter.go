package sigma

import (
	"bytes"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
)

// A litSet is a clause: a set of byte strings (lower case ASCII, with
// frameByte for framing quotes) at least one of which the raw event must
// contain, case-insensitively.
type litSet []string

// A cnf is a requirement: every clause must be satisfied. An empty cnf
// means no requirement (the rule may match any event).
type cnf []litSet

// minScore is the score below which a clause is dropped from an AND that
// has a better one (about a 6-byte literal).
const minScore = 20

// maxClauses bounds the clauses kept per requirement.
const maxClauses = 8

// and is the requirement of an AND: all clauses of both sides.
func and(a, b cnf) cnf {
	out := append(append(cnf{}, a...), b...)
	if len(out) > 1 {
		// Drop weak clauses (short literals such as "true") when a strong
		// one remains: they cost scan hits and reject little.
		sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
		keep := 1
		for keep < len(out) && score(out[keep]) >= minScore {
			keep++
		}
		out = out[:keep]
	}
	if len(out) > maxClauses {
		sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
		out = out[:maxClauses]
	}
	return out
}

// or is the requirement of an OR: the clauses of the distributed product,
// or, when that is too large, one clause joining the best of each side.
func or(a, b cnf) cnf {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	if len(a)*len(b) <= maxClauses {
		var out cnf
		for _, x := range a {
			for _, y := range b {
				out = append(out, append(append(litSet{}, x...), y...))
			}
		}
		return out
	}
	return cnf{append(append(litSet{}, best(a)...), best(b)...)}
}

// score estimates the selectivity of a clause: longer literals and fewer
// alternatives are rarer.
func score(c litSet) int {
	m := -1
	for _, l := range c {
		if m < 0 || len(l) < m {
			m = len(l)
		}
	}
	return m*4 - len(c)
}

func best(c cnf) litSet {
	b := c[0]
	for _, x := range c[1:] {
		if score(x) > score(b) {
			b = x
		}
	}
	return b
}

// condReq computes the requirement of a condition.
func condReq(n condNode, d *cdet) cnf {
	switch c := n.(type) {
	case *condOr:
		return or(condReq(c.l, d), condReq(c.r, d))
	case *condAnd:
		return and(condReq(c.l, d), condReq(c.r, d))
	case *condSel:
		return selReq(&d.sels[c.idx])
	case *condOf:
		var out cnf
		for k, i := range c.idx {
			r := selReq(&d.sels[i])
			switch {
			case c.all:
				out = and(out, r)
			case k == 0:
				out = r
			default:
				out = or(out, r)
			}
		}
		return out
	}
	return nil // not: no requirement
}

func selReq(s *csel) cnf {
	var out cnf
	for i, g := range s.groups {
		var gr cnf
		for _, it := range g {
			gr = and(gr, itemReq(it))
		}
		if i == 0 {
			out = gr
		} else {
			out = or(out, gr)
		}
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// itemReq is the requirement of one item: for each alternative pattern, a
// literal it cannot match without.
func itemReq(ci *citem) cnf {
	if ci.neq || ci.fs.enrich {
		return nil
	}
	var out cnf
	for _, alt := range ci.alts {
		var ar litSet
		for _, p := range alt {
			l := patLiteral(ci, p)
			if l == "" {
				ar = nil
				break
			}
			ar = append(ar, l)
		}
		if ar != nil {
			out = and(out, cnf{ar}) // with all, every value's clause holds
		}
	}
	return out
}

// patLiteral returns a lower-case literal a pattern needs, or "".
func patLiteral(ci *citem, p *vpat) string {
	switch ci.kind {
	case kindString:
		return globLiteral(p.g)
	case kindRegex:
		return regexLiteral(p.re.String())
	}
	return ""
}

// globLiteral returns the longest literal of a wildcard pattern, framed by
// the JSON string quotes where the pattern is anchored at a value boundary
// and the value cannot be a number, boolean or container.
func globLiteral(g glob) string {
	var lit string
	front, back := false, false
	switch g.kind {
	case globExact:
		lit, front, back = string(g.lit), true, true
	case globPrefix:
		lit, front = string(g.lit), true
	case globSuffix:
		lit, back = string(g.lit), true
	case globContains:
		lit = string(g.lit)
	case globGeneral:
		for _, p := range g.parts {
			if p.wild == 0 && len(p.lit) > len(lit) {
				lit = p.lit
			}
		}
	}
	return frame(lit, front, back)
}

func frame(lit string, front, back bool) string {
	ascii := asciiRun(lit)
	if ascii != lit {
		front, back = false, false
	}
	// A number, true, false or null is written without quotes: a value
	// that may begin one (startswith '1e' and 1e5, 'tr' and true) gets no
	// quote before it, one that may end one (endswith 'e5') none after.
	if numberChars(lit) {
		front, back = false, false
	}
	if front && wordEdge(lit, strings.HasPrefix) {
		front = false
	}
	if back && wordEdge(lit, strings.HasSuffix) {
		back = false
	}
	if ascii == "" {
		return ""
	}
	if front && (lit[0] == '{' || lit[0] == '[') {
		front = false
	}
	if back && (lit[len(lit)-1] == '}' || lit[len(lit)-1] == ']') {
		back = false
	}
	ascii = strings.ToLower(ascii)
	if front {
		ascii = string(rune(frameByte)) + ascii
	}
	if back {
		ascii += string(rune(frameByte))
	}
	return ascii
}

// numberChars reports whether s holds only characters of JSON numbers (so
// that it may be a number, or its start or end).
func numberChars(s string) bool { return strings.Trim(s, "0123456789+-.eE") == "" }

// wordEdge reports whether s, case-insensitively, is at the edge of true,
// false or null that edge tests (strings.HasPrefix: may begin one;
// strings.HasSuffix: may end one).
func wordEdge(s string, edge func(word, s string) bool) bool {
	s = strings.ToLower(s)
	return edge("true", s) || edge("false", s) || edge("null", s)
}

// asciiRun returns the longest run of printable ASCII in s.
func asciiRun(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return best
}

// regexLiteral returns the longest literal every match of a regular
// expression contains, lower case ASCII, or "".
func regexLiteral(expr string) string {
	lit, _ := regexRequired(expr)
	return strings.ToLower(asciiRun(lit))
}

// regexRequired returns the longest literal every match of expr contains
// and whether it is matched case-insensitively (then it is lower case).
func regexRequired(expr string) (string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	re = re.Simplify()
	var best *syntax.Regexp
	consider := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral && (best == nil || len(string(r.Rune)) > len(string(best.Rune))) {
			best = r
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		consider(re)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			consider(s)
		}
	}
	if best == nil {
		return "", false
	}
	if best.Flags&syntax.FoldCase != 0 {
		return strings.ToLower(foldSafeRun(best.Rune)), true
	}
	return string(best.Rune), false
}

// foldSafeRun returns the longest run of runes whose every case-folding
// equivalent lower-cases to the same rune as they do. A case-insensitive
// regular expression matches any equivalent (U+017F, long s, for "s";
// U+212A, the Kelvin sign, for "k"), but the engine's literal checks look
// for the lower-cased literal in lower-cased text, where "ſ" stays "ſ": a
// literal holding such a rune would reject matches.
func foldSafeRun(rs []rune) string {
	best, start := "", 0
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && foldSafe(rs[i]) {
			continue
		}
		if run := string(rs[start:i]); len(run) > len(best) {
			best = run
		}
		start = i + 1
	}
	return best
}

// foldSafe reports whether every rune that case-folds to r lower-cases to
// what r lower-cases to.
func foldSafe(r rune) bool {
	lower := unicode.ToLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if unicode.ToLower(f) != lower {
			return false
		}
	}
	return true
}

// prefilter is the literal prefilter behind MayMatch.
type prefilter struct {
	dfa  *acDFA
	pats []string // the literals, by id
	// targets[id] lists, for literal id, each (rule, clause) holding it.
	targets [][]ruleClause
	hides   [][]charSet // per rule, per clause: see pclause
	full    []uint8     // per rule: the mask with one bit per clause
	anyAll  bool        // some rule has no requirement
}

// ruleClause names clause k of rule r.
type ruleClause struct {
	r int32
	k uint8
}

// charSet is a set of bytes: for a clause, the characters whose JSON
// escape (or, for i and k, a Unicode case mapping) could hide one of its
// literals from a byte search; for an event, the characters its escapes
// decode to.
type charSet [4]uint64

func (c *charSet) add(b byte)            { c[b>>6] |= 1 << (b & 63) }
func (c *charSet) meets(d *charSet) bool { return c[0]&d[0]|c[1]&d[1]|c[2]&d[2]|c[3]&d[3] != 0 }
func (c *charSet) empty() bool           { return c[0]|c[1]|c[2]|c[3] == 0 }

func buildPrefilter(rules []*compiled) *prefilter {
	pf := &prefilter{hides: make([][]charSet, len(rules)), full: make([]uint8, len(rules))}
	ids := map[string]int32{}
	id := func(p string) int32 {
		n, ok := ids[p]
		if !ok {
			n = int32(len(pf.pats))
			ids[p] = n
			pf.pats = append(pf.pats, p)
			pf.targets = append(pf.targets, nil)
		}
		return n
	}
	for i, c := range rules {
		req := condReq(c.det.cond, c.det)
		if len(req) == 0 {
			pf.anyAll = true
			continue
		}
		for k, clause := range req { // at most maxClauses (8)
			var hide charSet
			for _, l := range clause {
				n := id(l)
				pf.targets[n] = append(pf.targets[n], ruleClause{int32(i), uint8(k)})
				for _, ch := range []byte(strings.Trim(l, string(rune(frameByte)))) {
					hide.add(foldByte(ch))
				}
			}
			pf.hides[i] = append(pf.hides[i], hide)
			pf.full[i] |= 1 << k
		}
	}
	pf.dfa = newACDFA(pf.pats)
	return pf
}

// mayMatch scans raw and stops as soon as some rule has every clause
// satisfied: a literal found, or a character of it hidden by an escape.
// While the automaton is at its root, positions where no literal can
// begin (by their first two or three bytes) are skipped.
func (pf *prefilter) mayMatch(raw []byte) bool {
	if pf.anyAll {
		return true
	}
	var maskBuf [128]uint8
	var foundBuf [16]uint64
	mask, found := maskBuf[:], foundBuf[:]
	if len(pf.full) > len(maskBuf) {
		mask = make([]uint8, len(pf.full))
	}
	if n := (len(pf.pats) + 63) / 64; n > len(foundBuf) {
		found = make([]uint64, n)
	}
	var hidden charSet
	hiddenChars(raw, &hidden)
	if !hidden.empty() && pf.hideClauses(&hidden, mask) {
		return true
	}
	a := pf.dfa
	trans, class := a.trans, &a.class
	s := int32(0)
	for i := 0; i < len(raw); i++ {
		if s == 0 && a.skip {
			i = a.skipRoot(raw, i)
		}
		s = trans[s+int32(class[raw[i]])]
		if s >= 0 {
			continue
		}
		s = ^s
		for _, id := range a.out[s/int32(a.nclass)] {
			w, bit := id/64, uint64(1)<<(id%64)
			if found[w]&bit != 0 {
				continue // a repeated literal changes nothing
			}
			found[w] |= bit
			for _, t := range pf.targets[id] {
				mask[t.r] |= 1 << t.k
				if mask[t.r] == pf.full[t.r] {
					return true
				}
			}
		}
	}
	return false
}

// hideClauses marks the clauses that the event's escapes may satisfy and
// reports whether that completes a rule.
func (pf *prefilter) hideClauses(hidden *charSet, mask []uint8) bool {
	for r, hs := range pf.hides {
		for k := range hs {
			if hs[k].meets(hidden) {
				mask[r] |= 1 << k
			}
		}
		if len(hs) > 0 && mask[r] == pf.full[r] {
			return true
		}
	}
	return false
}

// hiddenChars records the characters that JSON escapes in raw decode to
// (folded to lower case), and i and k when raw holds U+0130 or U+212A,
// whose lower case is ASCII.
func hiddenChars(raw []byte, h *charSet) {
	for i := bytes.IndexByte(raw, '\\'); i >= 0 && i+1 < len(raw); {
		c, n := raw[i+1], 2
		if c == 'u' && i+6 <= len(raw) {
			r, ok := hexRune(raw[i+2 : i+6])
			n = 6
			switch {
			case !ok:
			case r < 0x80:
				h.add(foldByte(byte(r)))
			case r == 0x130:
				h.add('i')
			case r == 0x212a:
				h.add('k')
			}
		} else if c == '"' || c == '\\' || c == '/' {
			h.add(c) // the other escapes decode to control characters
		}
		j := bytes.IndexByte(raw[i+n:], '\\')
		if j < 0 {
			break
		}
		i += n + j
	}
	if bytes.IndexByte(raw, 0xc4) >= 0 && bytes.Contains(raw, []byte("\u0130")) {
		h.add('i')
	}
	if bytes.IndexByte(raw, 0xe2) >= 0 && bytes.Contains(raw, []byte("\u212a")) {
		h.add('k')
	}
}

func hexRune(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
