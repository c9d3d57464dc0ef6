package sigma

import (
	"strings"

	"github.com/signwatch/signwatch/internal/event"
)

// fieldPath is a compiled dotted path into an event. Every split of the
// dotted name is tried, so both {"a":{"b":1}} and {"a.b":1} are found
// for "a.b"; arrays crossed by the path are entered element by element.
type fieldPath struct {
	segs []string
	// join[i][j] is segs[i:i+j+1] joined with dots.
	join [][]string
	// rootIDs[j] numbers join[0][j] among the root keys the engine reads,
	// for the per-event cache of root lookups; nil outside an engine.
	// rootKeys[j] is join[0][j] resolved for the lookup.
	rootIDs  []int
	rootKeys []event.Key
}

func newFieldPath(name string) *fieldPath {
	p := &fieldPath{segs: strings.Split(name, ".")}
	n := len(p.segs)
	p.join = make([][]string, n)
	for i := range n {
		p.join[i] = make([]string, n-i)
		for j := range n - i {
			p.join[i][j] = strings.Join(p.segs[i:i+j+1], ".")
		}
	}
	return p
}

// walk calls emit with every value the path reaches from v (arrays at the
// end of the path are passed to emit whole) and reports whether it reached
// any. Nested objects are tried first; a literal key holding dots
// ("a.b") is tried only where the nested lookup finds nothing.
func (p *fieldPath) walk(v event.Value, from int, emit func(event.Value)) bool {
	if from == len(p.segs) {
		emit(v)
		return true
	}
	found := false
	switch v.Kind() {
	case event.Object:
		for j := range len(p.segs) - from {
			if c := v.Get(p.join[from][j]); c.Exists() && p.walk(c, from+j+1, emit) {
				return true
			}
		}
	case event.Array:
		v.Each(func(_ string, e event.Value) bool {
			found = p.walk(e, from, emit) || found
			return true
		})
	}
	return found
}

// walkRoot is walk from the event root, with the root lookups cached per
// event in st (several fields under userIdentity share one lookup).
func (p *fieldPath) walkRoot(st *state) bool {
	root := st.ev
	if root.Kind() != event.Object || p.rootIDs == nil {
		return p.walk(root, 0, st.emit)
	}
	for j := range p.segs {
		c := st.rootGet(p.rootIDs[j], p.rootKeys[j])
		if c.Exists() && p.walk(c, j+1, st.emit) {
			return true
		}
	}
	return false
}

// fieldSlot is how one rule-level field name is resolved in an event.
type fieldSlot struct {
	name     string
	paths    []*fieldPath // event paths (field mappings or the name itself)
	enrich   bool         // value comes from the Enricher
	keywords bool         // every scalar value of the event (keyword search)
}

// slotTable assigns slots to field names at compile time.
type slotTable struct {
	slots  []*fieldSlot
	byName map[string]int
	opt    *CompileOptions
	roots  map[string]int // root keys read by the paths, numbered
}

func newSlotTable(opt *CompileOptions) *slotTable {
	t := &slotTable{byName: map[string]int{}, opt: opt, roots: map[string]int{}}
	t.slots = append(t.slots, &fieldSlot{keywords: true})
	return t
}

// keywordSlot is the slot of field-less (keyword) searches.
const keywordSlot = 0

func (t *slotTable) slot(name string) int {
	if i, ok := t.byName[name]; ok {
		return i
	}
	s := newSlot(name, t.opt)
	for _, p := range s.paths {
		for _, k := range p.join[0] {
			id, ok := t.roots[k]
			if !ok {
				id = len(t.roots)
				t.roots[k] = id
			}
			p.rootIDs = append(p.rootIDs, id)
			p.rootKeys = append(p.rootKeys, event.NewKey(k))
		}
	}
	t.byName[name] = len(t.slots)
	t.slots = append(t.slots, s)
	return len(t.slots) - 1
}

func newSlot(name string, opt *CompileOptions) *fieldSlot {
	s := &fieldSlot{name: name}
	for _, e := range opt.EnrichFields {
		if e == name {
			s.enrich = true
			return s
		}
	}
	targets := opt.FieldMappings[name]
	if len(targets) == 0 {
		targets = []string{name}
	}
	for _, t := range targets {
		s.paths = append(s.paths, newFieldPath(t))
	}
	return s
}
