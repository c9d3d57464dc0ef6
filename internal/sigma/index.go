package sigma

import (
	"sort"

	"github.com/signwatch/signwatch/internal/event"
)

// fieldKey is "field slot holds exactly this (folded) value".
type fieldKey struct {
	slot int
	val  string
}

// keyReq is a requirement of the form "one of these field keys holds";
// nil means none could be derived.
type keyReq []fieldKey

// maxKeys bounds a rule's keys (an OR of many selections stays indexable).
const maxKeys = 256

// keyFreq holds statistics over the exact-value items of all rules.
type keyFreq struct {
	keys  map[fieldKey]int // items using each key: a key many rules test is a common value
	slots map[int]int      // rules with an exact item on each slot
}

func (f keyFreq) weight(k keyReq) int {
	w := 0
	for _, x := range k {
		w += f.keys[x]
	}
	return w
}

// popularity is the least number of rules sharing the slots of k: every
// indexed slot is resolved for every event, so popular slots are cheap.
func (f keyFreq) popularity(k keyReq) int {
	m := -1
	for _, x := range k {
		if p := f.slots[x.slot]; m < 0 || p < m {
			m = p
		}
	}
	return m
}

// and picks the requirement of an AND: keys on popular slots, then fewer
// keys (each an exact value, so fewer means rarer), then keys fewer rules
// use.
func (f keyFreq) and(a, b keyReq) keyReq {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	if pa, pb := f.popularity(a), f.popularity(b); pa != pb {
		if pb > pa {
			return b
		}
		return a
	}
	if len(a) != len(b) {
		if len(b) < len(a) {
			return b
		}
		return a
	}
	if f.weight(b) < f.weight(a) {
		return b
	}
	return a
}

func keyOr(a, b keyReq) keyReq {
	if a == nil || b == nil || len(a)+len(b) > maxKeys {
		return nil
	}
	return append(append(keyReq{}, a...), b...)
}

func (f keyFreq) condKeys(n condNode, d *cdet) keyReq {
	switch c := n.(type) {
	case *condOr:
		return keyOr(f.condKeys(c.l, d), f.condKeys(c.r, d))
	case *condAnd:
		return f.and(f.condKeys(c.l, d), f.condKeys(c.r, d))
	case *condSel:
		return f.selKeys(&d.sels[c.idx])
	case *condOf:
		var out keyReq
		for k, i := range c.idx {
			r := f.selKeys(&d.sels[i])
			switch {
			case c.all:
				out = f.and(out, r)
			case k == 0:
				out = r
			default:
				out = keyOr(out, r)
			}
		}
		return out
	}
	return nil
}

func (f keyFreq) selKeys(s *csel) keyReq {
	var out keyReq
	for i, g := range s.groups {
		var gk keyReq
		for _, it := range g {
			gk = f.and(gk, itemKeys(it))
		}
		if i == 0 {
			out = gk
		} else {
			out = keyOr(out, gk)
		}
		if out == nil {
			return nil
		}
	}
	return out
}

// itemKeys gives the exact values an item needs its field to hold.
func itemKeys(ci *citem) keyReq {
	if ci.kind != kindString || ci.neq || ci.keyword || ci.fs.enrich || len(ci.alts) == 0 {
		return nil
	}
	var out keyReq
	for _, p := range ci.alts[0] { // with all, the first value's alternatives suffice
		if p.g.kind != globExact {
			return nil
		}
		v := string(p.g.lit)
		if p.cased {
			v = string(foldInto(nil, p.g.lit))
		}
		out = append(out, fieldKey{ci.slot, v})
	}
	return out
}

// ruleIndex maps field values to the rules that need them, so Match only
// evaluates the rules whose key field holds a key value.
type ruleIndex struct {
	slots  []int
	keys   []map[string][]int32 // parallel to slots
	minLen []int                // shortest key of each slot
	maxLen []int                // longest key of each slot
	always []uint64
}

// maxFoldRatio bounds how much lower-casing can change the byte length of
// a text (U+212A, three bytes, lowers to one).
const maxFoldRatio = 3

func buildIndex(rules []*compiled) *ruleIndex {
	ix := &ruleIndex{always: make([]uint64, (len(rules)+63)/64)}
	freq := keyFrequencies(rules)
	pos := map[int]int{}
	for i, c := range rules {
		ks := freq.condKeys(c.det.cond, c.det)
		if ks == nil {
			ix.always[i/64] |= 1 << (i % 64)
			continue
		}
		for _, k := range ks {
			j, ok := pos[k.slot]
			if !ok {
				j = len(ix.slots)
				pos[k.slot] = j
				ix.slots = append(ix.slots, k.slot)
				ix.keys = append(ix.keys, map[string][]int32{})
			}
			rs := ix.keys[j][k.val]
			if len(rs) == 0 || rs[len(rs)-1] != int32(i) {
				ix.keys[j][k.val] = append(rs, int32(i))
			}
		}
	}
	ix.sortSlots()
	return ix
}

// keyFrequencies counts the exact-value items of all rules by key and the
// rules testing each slot.
func keyFrequencies(rules []*compiled) keyFreq {
	f := keyFreq{keys: map[fieldKey]int{}, slots: map[int]int{}}
	for _, c := range rules {
		seen := map[int]bool{}
		for _, s := range c.det.sels {
			for _, g := range s.groups {
				for _, it := range g {
					for _, k := range itemKeys(it) {
						f.keys[k]++
						if !seen[k.slot] {
							seen[k.slot] = true
							f.slots[k.slot]++
						}
					}
				}
			}
		}
	}
	return f
}

// sortSlots puts the slots with the most keys first (no effect on results).
func (ix *ruleIndex) sortSlots() {
	order := make([]int, len(ix.slots))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(ix.keys[order[a]]) > len(ix.keys[order[b]]) })
	slots, keys := make([]int, len(order)), make([]map[string][]int32, len(order))
	for i, o := range order {
		slots[i], keys[i] = ix.slots[o], ix.keys[o]
	}
	ix.slots, ix.keys = slots, keys
	for _, m := range keys {
		lo, hi := -1, 0
		for k := range m {
			lo, hi = minInt(lo, len(k)), max(hi, len(k))
		}
		ix.minLen, ix.maxLen = append(ix.minLen, lo), append(ix.maxLen, hi)
	}
}

func minInt(a, b int) int {
	if a < 0 || b < a {
		return b
	}
	return a
}

// candidates sets in out the rules that may match the current event.
func (ix *ruleIndex) candidates(st *state, out []uint64) {
	copy(out, ix.always)
	for j, slot := range ix.slots {
		ss := st.resolve(slot)
		for i := ss.start; i < ss.end; i++ {
			c := &st.cands[i]
			if c.kind == event.Null || len(c.text) > maxFoldRatio*ix.maxLen[j] || maxFoldRatio*len(c.text) < ix.minLen[j] {
				continue // cannot fold to any key: skip folding a long user agent
			}
			for _, r := range ix.keys[j][string(st.folded(c))] {
				out[r/64] |= 1 << (r % 64)
			}
		}
	}
}
