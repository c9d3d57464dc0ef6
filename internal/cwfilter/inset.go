package cwfilter

import (
	"slices"

	"github.com/signwatch/signwatch/internal/event"
)

// minSetSize is the shortest run of `$.x = v1 || $.x = v2 || ...` that is
// matched with one selector lookup and a set instead of one lookup per value.
const minSetSize = 3

// inSet is a run of exact string equalities on one selector inside an ||,
// as the CIS patterns write them. It matches exactly like the run of
// conditions it replaces and renders as them.
type inSet struct {
	sel   selector
	set   map[string]struct{}
	conds []*cond
}

func (s *inSet) match(root event.Value) bool {
	return s.sel.each(root, func(v event.Value) bool {
		switch v.Kind() {
		case event.String, event.Number, event.Bool:
			_, ok := s.set[string(v.Bytes())]
			return ok
		}
		return false
	})
}

func (s *inSet) appendTo(b []byte, prec int) []byte {
	return (&orExpr{kids: s.exprs()}).appendTo(b, prec)
}

func (s *inSet) literals() litSet { return (&orExpr{kids: s.exprs()}).literals() }

func (s *inSet) exprs() []expr {
	out := make([]expr, len(s.conds))
	for i, c := range s.conds {
		out[i] = c
	}
	return out
}

// exactEq returns c when it is an exact string equality usable in a set.
func exactEq(e expr) *cond {
	c, ok := e.(*cond)
	if !ok || c.kind != condString || c.op != opEq || c.val.glob.lead || c.val.glob.trail || c.sel.wild {
		return nil
	}
	return c
}

func sameSelector(a, b *selector) bool { return slices.Equal(a.steps, b.steps) }

// groupEqualities replaces runs of exact equalities on one selector in an
// || by inSet nodes.
func groupEqualities(kids []expr) []expr {
	out := make([]expr, 0, len(kids))
	for i := 0; i < len(kids); {
		c := exactEq(kids[i])
		j := i + 1
		for c != nil && j < len(kids) {
			d := exactEq(kids[j])
			if d == nil || !sameSelector(&c.sel, &d.sel) {
				break
			}
			j++
		}
		if c == nil || j-i < minSetSize {
			out = append(out, kids[i])
			i++
			continue
		}
		s := &inSet{sel: c.sel, set: make(map[string]struct{}, j-i)}
		for _, k := range kids[i:j] {
			d := k.(*cond)
			s.conds = append(s.conds, d)
			s.set[string(d.val.glob.core)] = struct{}{}
		}
		out = append(out, s)
		i = j
	}
	return out
}
