package sigma

import (
	"fmt"
	"math/bits"
	"strings"
	"sync"

	"github.com/signwatch/signwatch/internal/event"
)

// Config is the sigma section of the configuration file.
type Config struct {
	// FieldMappings maps a rule field name to one or more event paths
	// (dotted). A rule field with a mapping reads only the mapped paths; it
	// matches when any value at any of them matches (see docs/sigma.md).
	FieldMappings map[string][]string `yaml:"field_mappings"`
	// Placeholders gives the values of %name% placeholders (expand modifier).
	Placeholders map[string][]string `yaml:"placeholders"`
}

// CompileOptions controls how rules are compiled into an Engine.
type CompileOptions struct {
	// FieldMappings: rule field name -> event paths (see Config).
	FieldMappings map[string][]string
	// EnrichFields names rule fields whose values come from the Enricher
	// passed to Match (for example "sourceCountry") instead of the event.
	EnrichFields []string
	// Product and Service select the logsource: a rule naming another
	// product or service is not applied. Empty means no filtering.
	Product, Service string
}

// Enricher supplies the values of enrichment fields for one event.
type Enricher interface {
	EnrichField(name string) (string, bool)
}

// Match is one rule matching one event.
type Match struct {
	Rule        *Rule
	Explanation Explanation
}

// Explanation lists the evidence that made a rule match.
type Explanation []Evidence

// Evidence is one matching test: the selection, the field (empty for a
// keyword search) and its modifiers, the rule's pattern and the event value
// (a copy, valid after the event is gone). Modifiers is shared with the
// rule and must not be modified.
type Evidence struct {
	Selection string
	Field     string
	Modifiers []string
	Pattern   string
	Value     string
}

// String renders the explanation on one line.
func (x Explanation) String() string {
	var b strings.Builder
	for i, e := range x {
		if i > 0 {
			b.WriteString("; ")
		}
		f := e.Field
		if f == "" {
			f = "keyword"
		}
		if len(e.Modifiers) > 0 {
			f += "|" + strings.Join(e.Modifiers, "|")
		}
		fmt.Fprintf(&b, "%s: %s=%q matched %q", e.Selection, f, e.Value, e.Pattern)
	}
	return b.String()
}

// Engine is a compiled set of rules. It is safe for concurrent use.
type Engine struct {
	rules   []*compiled
	public  []*Rule
	skipped []*Rule
	unused  []*Filter
	slots   *slotTable
	pre     func() *prefilter // built on first use: a scan of parsed events uses the index
	index   *ruleIndex
	pool    sync.Pool
	paths   sync.Map // field name -> *fieldSlot, for FieldValue
	opt     CompileOptions
}

// compiled is a rule with its detection bound to the engine's slots and
// the filters that apply to it.
type compiled struct {
	rule    *Rule
	det     *cdet
	filters []*cdet
}

// cdet is a detection with items bound to field slots.
type cdet struct {
	sels []csel
	cond condNode
}

type csel struct {
	name   string
	groups [][]*citem
}

type citem struct {
	*item
	slot int
	fs   *fieldSlot
	refs []int // fieldref: slot per pattern of alts (flattened)
}

// Compile binds rules and filters into an Engine.
func Compile(rules []*Rule, filters []*Filter, opt CompileOptions) (*Engine, error) {
	e := &Engine{opt: opt}
	e.slots = newSlotTable(&e.opt)
	seen := map[string]string{}
	used := make([]bool, len(filters))
	for _, r := range rules {
		if r == nil || r.det == nil {
			return nil, fmt.Errorf("compile: rule %v was not parsed by ParseRule", r)
		}
		if !logsourceApplies(r.Logsource, opt) {
			e.skipped = append(e.skipped, r)
			continue
		}
		if r.ID != "" {
			if prev, dup := seen[r.ID]; dup {
				return nil, &PosError{File: r.File, Line: r.Line, Msg: fmt.Sprintf("duplicate rule id %s (also in %s)", r.ID, prev)}
			}
			seen[r.ID] = fmt.Sprintf("%s:%d", r.File, r.Line)
		}
		c := &compiled{rule: r, det: e.bind(r.det)}
		for i, f := range filters {
			if f.appliesTo(r) {
				c.filters = append(c.filters, e.bind(f.det))
				used[i] = true
			}
		}
		e.rules = append(e.rules, c)
		e.public = append(e.public, r)
	}
	for i, f := range filters {
		if !used[i] {
			e.unused = append(e.unused, f)
		}
	}
	e.pre = sync.OnceValue(func() *prefilter { return buildPrefilter(e.rules) })
	e.index = buildIndex(e.rules)
	e.pool.New = func() any { return newState(e) }
	return e, nil
}

func logsourceApplies(ls Logsource, opt CompileOptions) bool {
	ok := func(rule, want string) bool {
		return want == "" || rule == "" || strings.EqualFold(rule, want)
	}
	return ok(ls.Product, opt.Product) && ok(ls.Service, opt.Service)
}

func (e *Engine) bind(d *detection) *cdet {
	cd := &cdet{cond: d.cond, sels: make([]csel, len(d.sels))}
	for i, s := range d.sels {
		cs := csel{name: s.name}
		for _, g := range s.groups {
			var cg []*citem
			for _, it := range g {
				ci := &citem{item: it, slot: keywordSlot}
				if !it.keyword {
					ci.slot = e.slots.slot(it.field)
				}
				ci.fs = e.slots.slots[ci.slot]
				for _, alt := range it.alts {
					for _, p := range alt {
						if it.kind == kindFieldRef {
							ci.refs = append(ci.refs, e.slots.slot(p.ref))
						}
					}
				}
				cg = append(cg, ci)
			}
			cs.groups = append(cs.groups, cg)
		}
		cd.sels[i] = cs
	}
	return cd
}

// Rules returns the rules the engine applies, in the order given.
func (e *Engine) Rules() []*Rule { return e.public }

// Skipped returns the rules left out because their logsource names another
// product or service.
func (e *Engine) Skipped() []*Rule { return e.skipped }

// UnusedFilters returns the filters that apply to none of the engine's
// rules (a misspelt rule id, or rules of another logsource).
func (e *Engine) UnusedFilters() []*Filter { return e.unused }

// Match calls fn once for each rule matching ev, in rule order. ev is
// normally the root of an event.Doc; enrich may be nil.
func (e *Engine) Match(ev event.Value, enrich Enricher, fn func(Match)) {
	e.matching(ev, enrich, func(st *state, c *compiled) {
		fn(Match{Rule: c.rule, Explanation: st.explain(c)})
	})
}

// matching calls fn for every rule that matches ev, with the evaluation
// state (valid only during the call).
func (e *Engine) matching(ev event.Value, enrich Enricher, fn func(*state, *compiled)) {
	st := e.pool.Get().(*state)
	defer e.release(st)
	st.reset(ev, enrich)
	e.index.candidates(st, st.bits)
	for w, word := range st.bits {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			c := e.rules[w*64+b]
			if st.ruleMatches(c) {
				fn(st, c)
			}
		}
	}
}

// release returns st to the pool without keeping the event alive.
func (e *Engine) release(st *state) {
	st.ev, st.enrich = event.Value{}, nil
	clear(st.cands)
	st.cands = st.cands[:0]
	e.pool.Put(st)
}

// MayMatch is the literal prefilter: it reports false only when no rule
// can match the event whose raw JSON bytes are given. Its automaton is
// built on the first call.
func (e *Engine) MayMatch(raw []byte) bool { return e.pre().mayMatch(raw) }

// FieldValue resolves a rule-level field name (field mappings, dotted
// paths) in ev and returns the first value found: strings unescaped,
// other values as JSON text. Null and missing values report false.
// Enrichment fields are not resolved (see FieldValueWith).
func (e *Engine) FieldValue(ev event.Value, field string) (string, bool) {
	return e.FieldValueWith(ev, nil, field)
}

// FieldValueWith is FieldValue that also resolves enrichment fields
// through enrich (which may be nil).
func (e *Engine) FieldValueWith(ev event.Value, enrich Enricher, field string) (string, bool) {
	var slot *fieldSlot
	if p, ok := e.paths.Load(field); ok {
		slot = p.(*fieldSlot)
	} else {
		slot = newSlot(field, &e.opt)
		e.paths.Store(field, slot)
	}
	if slot.enrich {
		if enrich == nil {
			return "", false
		}
		return enrich.EnrichField(field)
	}
	paths := slot.paths
	var out string
	found := false
	for _, p := range paths {
		p.walk(ev, 0, func(v event.Value) {
			if !found && v.Kind() != event.Null {
				out, found = v.Str(), true
			}
		})
		if found {
			return out, true
		}
	}
	return "", false
}

// LazyMatch is a match whose explanation is built only when asked for. It is
// valid only during the callback that receives it.
type LazyMatch struct {
	Rule *Rule
	st   *state
	c    *compiled
}

// Explain builds the match's explanation (as Match.Explanation).
func (m LazyMatch) Explain() Explanation { return m.st.explain(m.c) }

// MatchLazy is Match without building explanations up front: for callers
// that need an explanation for few of many matches (alert grouping).
func (e *Engine) MatchLazy(ev event.Value, enrich Enricher, fn func(LazyMatch)) {
	e.matching(ev, enrich, func(st *state, c *compiled) {
		fn(LazyMatch{Rule: c.rule, st: st, c: c})
	})
}
