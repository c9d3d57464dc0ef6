package sigma

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// evaluator evaluates one detection's condition against the current event,
// remembering each selection's result.
type evaluator struct {
	st   *state
	d    *cdet
	memo []int8 // 0 unknown, 1 true, 2 false
}

func (e *evaluator) sel(i int) bool {
	switch e.memo[i] {
	case 1:
		return true
	case 2:
		return false
	}
	ok := e.st.selMatches(&e.d.sels[i], nil)
	e.memo[i] = 2
	if ok {
		e.memo[i] = 1
	}
	return ok
}

func (c *condOr) eval(e *evaluator) bool  { return c.l.eval(e) || c.r.eval(e) }
func (c *condAnd) eval(e *evaluator) bool { return c.l.eval(e) && c.r.eval(e) }
func (c *condNot) eval(e *evaluator) bool { return !c.x.eval(e) }
func (c *condSel) eval(e *evaluator) bool { return e.sel(c.idx) }
func (c *condOf) eval(e *evaluator) bool {
	for _, i := range c.idx {
		if e.sel(i) != c.all {
			return !c.all
		}
	}
	return c.all
}

// newEval prepares the evaluator of the rule (filter false) or of a
// filter (filter true); both live in the state to avoid allocations.
func (st *state) newEval(d *cdet, filter bool) *evaluator {
	e := &st.evr
	if filter {
		e = &st.evf
	}
	n := len(d.sels)
	if cap(e.memo) < n {
		e.memo = make([]int8, n)
	}
	e.memo = e.memo[:n]
	clear(e.memo)
	e.st, e.d = st, d
	return e
}

// ruleMatches evaluates the rule's condition and then its filters.
func (st *state) ruleMatches(c *compiled) bool {
	if !st.newEval(c.det, false).run() {
		return false
	}
	for _, f := range c.filters {
		if st.newEval(f, true).run() {
			return false
		}
	}
	return true
}

func (e *evaluator) run() bool { return e.d.cond.eval(e) }

// explain re-evaluates a matching rule and collects the evidence of the
// selections that contributed to the match (true and not negated).
func (st *state) explain(c *compiled) Explanation {
	e := st.newEval(c.det, false)
	e.run()
	var x Explanation
	positive(c.det.cond, true, func(i int) {
		if e.memo[i] == 0 {
			e.sel(i) // left unevaluated by a short cut ("a or b", "1 of")
		}
		if e.memo[i] == 1 {
			e.memo[i] = 3 // explained once
			st.selMatches(&c.det.sels[i], &x)
		}
	})
	return x
}

// positive calls fn for each selection referenced with positive polarity.
func positive(n condNode, pol bool, fn func(int)) {
	switch c := n.(type) {
	case *condOr:
		positive(c.l, pol, fn)
		positive(c.r, pol, fn)
	case *condAnd:
		positive(c.l, pol, fn)
		positive(c.r, pol, fn)
	case *condNot:
		positive(c.x, !pol, fn)
	case *condSel:
		if pol {
			fn(c.idx)
		}
	case *condOf:
		if pol {
			for _, i := range c.idx {
				fn(i)
			}
		}
	}
}

// selMatches evaluates a selection: an OR of groups, each an AND of items.
// With x non-nil it appends the evidence of the first matching group.
func (st *state) selMatches(s *csel, x *Explanation) bool {
	for _, g := range s.groups {
		mark := 0
		if x != nil {
			mark = len(*x)
		}
		ok := true
		for _, it := range g {
			if !st.itemMatches(it, s.name, x) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
		if x != nil {
			*x = (*x)[:mark]
		}
	}
	return false
}

func (st *state) itemMatches(ci *citem, sel string, x *Explanation) bool {
	ss := st.resolve(ci.slot)
	switch ci.kind {
	case kindExists:
		if ss.present != ci.exists {
			return false
		}
		st.note(x, ci, sel, ci.alts[0][0], presence(ss.present))
		return true
	case kindNull:
		for _, c := range st.values(ss) {
			if c.kind == event.Null {
				st.note(x, ci, sel, ci.alts[0][0], "null")
				return true
			}
		}
		if !ss.present {
			st.note(x, ci, sel, ci.alts[0][0], presence(false))
		}
		return !ss.present
	}
	if ci.neq {
		return st.neqMatches(ci, ss, sel, x)
	}
	base := 0
	for _, alt := range ci.alts {
		p, c := st.anyMatch(ci, ss, alt, base)
		if p == nil {
			return false
		}
		if x != nil { // the string is built only when explaining
			st.note(x, ci, sel, p, string(c.text))
		}
		base += len(alt)
	}
	return true
}

func presence(present bool) string {
	if present {
		return "(present)"
	}
	return "(absent)"
}

// note appends one piece of evidence when an explanation is being built.
func (st *state) note(x *Explanation, ci *citem, sel string, p *vpat, val string) {
	if x != nil {
		*x = append(*x, Evidence{Selection: sel, Field: ci.field, Modifiers: ci.mods, Pattern: p.src, Value: clip(val)})
	}
}

func (st *state) neqMatches(ci *citem, ss *slotState, sel string, x *Explanation) bool {
	if ci.kind == kindFieldRef && !st.refsHaveValue(ci) {
		return false // no value to differ from, as for a missing field
	}
	nonNull := false
	var last []byte
	for i := ss.start; i < ss.end; i++ {
		c := &st.cands[i]
		if c.kind == event.Null {
			continue
		}
		nonNull = true
		last = c.text
		for j, p := range ci.alts[0] {
			if st.patMatches(ci, p, j, c) {
				return false
			}
		}
	}
	if nonNull && x != nil {
		st.note(x, ci, sel, ci.alts[0][0], string(last))
	}
	return nonNull
}

// refsHaveValue reports whether a field that ci references has a non-null
// value. It resolves slots, so it must not run while a *cand is held.
func (st *state) refsHaveValue(ci *citem) bool {
	for _, slot := range ci.refs {
		for _, c := range st.values(st.resolve(slot)) {
			if c.kind != event.Null {
				return true
			}
		}
	}
	return false
}

// anyMatch returns the first pattern of alt matching a value, and the value.
func (st *state) anyMatch(ci *citem, ss *slotState, alt []*vpat, base int) (*vpat, *cand) {
	for i := ss.start; i < ss.end; i++ {
		if st.cands[i].kind == event.Null {
			continue
		}
		for j, p := range alt {
			c := &st.cands[i]
			if st.patMatches(ci, p, base+j, c) {
				return p, c
			}
		}
	}
	return nil, nil
}

func (st *state) patMatches(ci *citem, p *vpat, j int, c *cand) bool {
	switch ci.kind {
	case kindString:
		if p.cased {
			return p.g.match(c.text)
		}
		return p.g.match(st.folded(c))
	case kindRegex:
		if len(p.reLit.b) > 0 {
			text := c.text
			if p.reFold {
				text = st.folded(c)
			}
			if !p.reLit.in(text) {
				return false
			}
		}
		return p.re.Match(c.text)
	case kindCIDR:
		// An IPv4-mapped address is in an IPv6 network holding it as
		// written, and in an IPv4 network holding its IPv4 address.
		a, err := netip.ParseAddr(string(bytes.TrimSpace(c.text)))
		return err == nil && (p.pfx.Contains(a) || p.pfx.Contains(a.Unmap()))
	case kindCompare:
		return compareMatches(p, c)
	case kindFieldRef:
		return st.refMatches(ci, ci.refs[j], c)
	}
	return false
}

func compareMatches(p *vpat, c *cand) bool {
	if c.kind != event.Number && c.kind != event.String {
		return false
	}
	var v float64
	if p.part != "" {
		n, ok := timePart(c.text, p.part)
		if !ok {
			return false
		}
		v = float64(n)
	} else {
		// A string holding "Inf", "NaN" or "0x10" is text, though
		// strconv.ParseFloat would read it.
		if !event.IsNumber(c.text) {
			return false
		}
		// Past float64's range ParseFloat gives ±Inf with ErrRange: the
		// number is still greater (or less) than any rule value.
		f, err := strconv.ParseFloat(string(c.text), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return false
		}
		v = f
	}
	switch p.cmp {
	case "gt":
		return v > p.num
	case "gte":
		return v >= p.num
	case "lt":
		return v < p.num
	case "lte":
		return v <= p.num
	}
	return v == p.num
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// timePart extracts a time modifier's component from a timestamp value;
// the time is used as written, without zone conversion.
func timePart(text []byte, part string) (int, bool) {
	var t time.Time
	var err error
	for _, l := range timeLayouts {
		if t, err = time.Parse(l, string(text)); err == nil {
			break
		}
	}
	if err != nil {
		return 0, false
	}
	switch part {
	case "minute":
		return t.Minute(), true
	case "hour":
		return t.Hour(), true
	case "day":
		return t.Day(), true
	case "week":
		_, w := t.ISOWeek()
		return w, true
	case "month":
		return int(t.Month()), true
	}
	return t.Year(), true
}

// refMatches compares a value with the values of the referenced field.
func (st *state) refMatches(ci *citem, refSlot int, c *cand) bool {
	rs := st.resolve(refSlot)
	for i := rs.start; i < rs.end; i++ {
		r := &st.cands[i]
		if r.kind == event.Null {
			continue
		}
		v, pat := c.text, r.text
		if !ci.cased {
			v, pat = st.folded(c), st.folded(r)
		}
		var ok bool
		switch ci.pos {
		case posPrefix:
			ok = bytes.HasPrefix(v, pat)
		case posSuffix:
			ok = bytes.HasSuffix(v, pat)
		case posContains:
			ok = bytes.Contains(v, pat)
		default:
			ok = bytes.Equal(v, pat)
		}
		if ok {
			return true
		}
	}
	return false
}

// clip shortens long values in explanations.
func clip(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
