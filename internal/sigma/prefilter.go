package sigma

import (
	"regexp/syntax"
	"strconv"
	"strings"
)

// A rule's requirement is a set of byte strings (lower case ASCII) at least
// one of which the raw event must contain, case-insensitively, for the rule
// to match; nil means the rule has no such requirement.
type litSet []string

// better picks the more selective of two requirements of an AND.
func better(a, b litSet) litSet {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		if ma > mb {
			return a
		}
		return b
	}
	if len(b) < len(a) {
		return b
	}
	return a
}

func minLen(s litSet) int {
	m := -1
	for _, l := range s {
		if m < 0 || len(l) < m {
			m = len(l)
		}
	}
	return m
}

// union is the requirement of an OR: nil if either side is unconstrained.
func union(a, b litSet) litSet {
	if a == nil || b == nil {
		return nil
	}
	return append(append(litSet{}, a...), b...)
}

// condReq computes the requirement of a condition.
func condReq(n condNode, d *cdet) litSet {
	switch c := n.(type) {
	case *condOr:
		return union(condReq(c.l, d), condReq(c.r, d))
	case *condAnd:
		return better(condReq(c.l, d), condReq(c.r, d))
	case *condSel:
		return selReq(&d.sels[c.idx])
	case *condOf:
		var out litSet
		for k, i := range c.idx {
			r := selReq(&d.sels[i])
			switch {
			case c.all:
				out = better(out, r)
			case k == 0:
				out = r
			default:
				out = union(out, r)
			}
			if !c.all && out == nil {
				return nil
			}
		}
		return out
	}
	return nil // not: no requirement
}

func selReq(s *csel) litSet {
	var out litSet
	for i, g := range s.groups {
		var gr litSet
		for _, it := range g {
			gr = better(gr, itemReq(it))
		}
		if gr == nil {
			return nil
		}
		if i == 0 {
			out = gr
		} else {
			out = union(out, gr)
		}
	}
	return out
}

// itemReq is the requirement of one item: for each alternative pattern, a
// literal it cannot match without.
func itemReq(ci *citem) litSet {
	if ci.neq || ci.fs.enrich {
		return nil
	}
	var out litSet
	for k, alt := range ci.alts {
		var ar litSet
		for _, p := range alt {
			l := patLiteral(ci, p)
			if l == "" {
				ar = nil
				break
			}
			ar = append(ar, l)
		}
		if ci.all {
			out = better(out, ar) // every alternative set must be present
		} else if k == 0 {
			out = ar
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
	if ascii != lit || maybeScalar(lit) {
		front, back = false, false
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

// maybeScalar reports whether a value with text s could be a JSON number or
// literal (written without quotes).
func maybeScalar(s string) bool {
	if s == "true" || s == "false" || s == "null" {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
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
// expression contains, or "".
func regexLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	best := ""
	consider := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral && len(string(r.Rune)) > len(best) {
			best = string(r.Rune)
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
	return strings.ToLower(asciiRun(best))
}

// prefilter is the literal prefilter shared by MayMatch and Match.
type prefilter struct {
	dfa     *acDFA
	targets [][]int32 // per pattern: the rules it makes candidates
	always  []uint64  // rules with no literal requirement
	anyAll  bool      // some rule has no requirement
	npat    int
}

func buildPrefilter(rules []*compiled) *prefilter {
	pf := &prefilter{always: make([]uint64, (len(rules)+63)/64)}
	ids := map[string]int32{}
	var pats []string
	add := func(p string, rule int) {
		id, ok := ids[p]
		if !ok {
			id = int32(len(pats))
			ids[p] = id
			pats = append(pats, p)
			pf.targets = append(pf.targets, nil)
		}
		t := pf.targets[id]
		if len(t) == 0 || t[len(t)-1] != int32(rule) {
			pf.targets[id] = append(t, int32(rule))
		}
	}
	for i, c := range rules {
		req := condReq(c.det.cond, c.det)
		if req == nil {
			pf.always[i/64] |= 1 << (i % 64)
			pf.anyAll = true
			continue
		}
		for _, l := range req {
			add(l, i)
			for _, h := range hazardsFor(strings.Trim(l, string(rune(frameByte)))) {
				add(h, i)
			}
		}
	}
	pf.npat = len(pats)
	pf.dfa = newACDFA(pats)
	return pf
}

func (pf *prefilter) mayMatch(raw []byte) bool {
	return pf.anyAll || (pf.npat > 0 && pf.dfa.any(raw))
}

// candidates sets in bits the rules that may match raw.
func (pf *prefilter) candidates(raw []byte, bits []uint64) {
	copy(bits, pf.always)
	if pf.npat == 0 {
		return
	}
	pf.dfa.each(raw, func(id int32) {
		for _, r := range pf.targets[id] {
			bits[r/64] |= 1 << (r % 64)
		}
	})
}
