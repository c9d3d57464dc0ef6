package sigma

import (
	"bytes"
	"slices"

	"github.com/signwatch/signwatch/internal/event"
)

// cand is one value a field resolved to in the current event.
type cand struct {
	kind   event.Kind
	text   []byte // unescaped string, or JSON text of other kinds
	lo, hi int32  // folded text in state.buf; lo < 0 until computed
}

// rootEntry caches one lookup of a key in the event root.
type rootEntry struct {
	gen uint32
	v   event.Value
}

// slotState caches the resolution of one field slot for the current event.
type slotState struct {
	gen        uint32
	start, end int32 // range in state.cands
	present    bool
}

// state is the per-event scratch space of Match: each field is resolved
// once and each value case-folded once per event, whatever the number of
// rules that read it.
type state struct {
	eng    *Engine
	ev     event.Value
	enrich Enricher
	gen    uint32
	slots  []slotState
	cands  []cand
	buf    []byte
	emit   func(event.Value)
	bits   []uint64 // candidate rules of the current event
	roots  []rootEntry
	evr    evaluator // the rule's condition
	evf    evaluator // a filter's condition
}

func newState(e *Engine) *state {
	st := &state{eng: e, slots: make([]slotState, len(e.slots.slots))}
	st.emit = st.addValue
	st.bits = make([]uint64, (len(e.rules)+63)/64)
	st.roots = make([]rootEntry, len(e.slots.roots))
	return st
}

func (st *state) reset(ev event.Value, enrich Enricher) {
	st.ev, st.enrich = ev, enrich
	st.gen++
	if st.gen == 0 { // wrapped: forget every cached slot
		clear(st.slots)
		clear(st.roots)
		st.gen = 1
	}
	st.cands = st.cands[:0]
	st.buf = st.buf[:0]
}

// resolve returns the slot's state, resolving it on first use.
func (st *state) resolve(slot int) *slotState {
	ss := &st.slots[slot]
	if ss.gen == st.gen {
		return ss
	}
	ss.gen = st.gen
	ss.start = int32(len(st.cands))
	fs := st.eng.slots.slots[slot]
	switch {
	case fs.keywords:
		st.leaves(st.ev)
		ss.present = true
	case fs.enrich:
		ss.present = false
		if st.enrich != nil {
			if v, ok := st.enrich.EnrichField(fs.name); ok {
				st.addCand(event.String, []byte(v))
				ss.present = true
			}
		}
	default:
		present := false
		for _, p := range fs.paths {
			present = p.walkRoot(st) || present
		}
		ss.present = present
	}
	ss.end = int32(len(st.cands))
	return ss
}

// rootGet is ev.GetKey(key) for the event root, cached per event.
func (st *state) rootGet(id int, key event.Key) event.Value {
	e := &st.roots[id]
	if e.gen != st.gen {
		e.gen, e.v = st.gen, st.ev.GetKey(key)
	}
	return e.v
}

// addCand appends a candidate with its fields written in place: a struct
// literal appended is built on the stack and then copied with wide loads
// that wait for the narrower stores that built it.
func (st *state) addCand(kind event.Kind, text []byte) {
	if len(st.cands) == cap(st.cands) {
		st.cands = slices.Grow(st.cands, 1)
	}
	st.cands = st.cands[:len(st.cands)+1]
	c := &st.cands[len(st.cands)-1]
	c.kind, c.text, c.lo, c.hi = kind, text, -1, 0
}

// addValue records v as a candidate; arrays contribute their elements.
func (st *state) addValue(v event.Value) {
	switch v.Kind() {
	case event.Array:
		v.Each(func(_ string, e event.Value) bool {
			st.addValue(e)
			return true
		})
	case event.Null:
		st.addCand(event.Null, nil)
	case event.Object:
		raw := v.Raw()
		st.addCand(event.Object, raw)
		if bytes.IndexByte(raw, '\\') >= 0 {
			// JSON held in strings (policy documents) is also searched
			// with its escapes decoded.
			dec := event.Unquote(append(append([]byte{'"'}, raw...), '"'))
			st.addCand(event.Object, []byte(dec))
		}
	default:
		st.addCand(v.Kind(), v.Bytes())
	}
}

// leaves records every scalar value of v (keyword search).
func (st *state) leaves(v event.Value) {
	switch v.Kind() {
	case event.Object, event.Array:
		v.Each(func(_ string, e event.Value) bool {
			st.leaves(e)
			return true
		})
	case event.String, event.Number, event.Bool:
		st.addCand(v.Kind(), v.Bytes())
	}
}

// values returns the candidates of a resolved slot.
func (st *state) values(ss *slotState) []cand {
	return st.cands[ss.start:ss.end]
}

// folded returns the lower-case text of c, computing it once per event.
func (st *state) folded(c *cand) []byte {
	if c.lo < 0 {
		c.lo = int32(len(st.buf))
		st.buf = foldInto(st.buf, c.text)
		c.hi = int32(len(st.buf))
	}
	return st.buf[c.lo:c.hi]
}
