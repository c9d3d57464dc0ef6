package correlate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Config bounds the engine's state and sets its tolerance for disorder.
// Start from DefaultConfig and overlay the configuration file on it.
type Config struct {
	// MaxGroups is the most live groups one correlation rule keeps. When a
	// new group would exceed it, the group closest to expiry is evicted: a
	// group that already fired is emitted first, any other loses its state.
	// Each eviction is counted under EvictMaxGroups. 0 means 100000.
	MaxGroups int `yaml:"max_groups"`
	// MaxEventsPerGroup is the most observations a group keeps in its
	// window, and the most event IDs a detection lists. Beyond it the oldest
	// observation is dropped (counted under EvictMaxEvents) and extra event
	// IDs are left out of the detection (counted in Detection.Truncated and
	// Stats.TruncatedEventIDs). Count thresholds must stay below it.
	// 0 means 1000.
	MaxEventsPerGroup int `yaml:"max_events_per_group"`
	// AllowedLateness is how far an observation's event time may lag behind
	// the newest event time seen and still be evaluated as if the input had
	// been in order. Later observations are dropped and counted in
	// Stats.Late. Zero means the input is in time order.
	AllowedLateness time.Duration `yaml:"allowed_lateness"`
}

// DefaultConfig returns the defaults: 100000 groups per rule, 1000 events
// per group, one hour of allowed lateness.
func DefaultConfig() Config {
	return Config{MaxGroups: 100000, MaxEventsPerGroup: 1000, AllowedLateness: time.Hour}
}

// Eviction reasons, the keys of Stats.EvictionsByReason.
const (
	EvictMaxGroups = "max_groups"
	EvictMaxEvents = "max_events_per_group"
)

// Base is what the engine knows of a detection rule: its id and name (for
// references by id or name).
type Base struct{ ID, Name string }

// KV is one group-by field and its value.
type KV struct{ Key, Value string }

// Observation is one base-rule match on one event. RuleID is the detection
// rule's id, or its name when it has none. Fields holds the values of the
// fields FieldsFor(RuleID) names; a key that is absent means the event lacks
// the field.
type Observation struct {
	RuleID  string
	EventID string
	Time    time.Time
	Fields  map[string]string
}

// Detection is one firing of a correlation rule.
type Detection struct {
	Rule *Rule
	// GroupKey lists the group-by fields (as named in the rule, aliases
	// included) with this group's values; a value_percentile detection adds
	// its value field last.
	GroupKey []KV
	// First and Last are the event times of the earliest and latest evidence.
	First, Last time.Time
	// Fired is the event time at which the condition became true; it is the
	// time a correlation of correlations sees for this detection.
	Fired time.Time
	// Count is the number of observations in the evidence (exact, even when
	// EventIDs is truncated).
	Count int
	// Value is the rule's measure over the detection's window: the event
	// count, distinct value count, number of distinct rules, sum, average,
	// or the percentage of the window's events carrying the value.
	Value float64
	// EventIDs are the evidence events in event-time order (for a
	// correlation of correlations, the events of the detections it used).
	EventIDs []string
	// Truncated is how many evidence event IDs MaxEventsPerGroup left out.
	Truncated int
	// Generate is the rule's generate flag.
	Generate bool
	// Report tells whether this detection is reported on its own: false when
	// the rule only feeds other correlations, none of which sets generate.
	Report bool
}

// Stats describes the engine's state and what it dropped.
type Stats struct {
	Groups            int               // live groups over all rules
	Buffered          int               // observations waiting in reorder buffers
	Observed          uint64            // observations of referenced rules
	Late              uint64            // dropped: later than AllowedLateness
	Invalid           uint64            // dropped: time outside 1678–2262 or zero
	MissingField      uint64            // skipped by a rule: a group-by or value field is absent
	BadValue          uint64            // skipped by a rule: value not a finite number
	EvictionsByReason map[string]uint64 // by reason (EvictMaxGroups, EvictMaxEvents)
	TruncatedEventIDs uint64            // event IDs left out of detections
	Detections        uint64            // detections emitted
}

// Evictions is the total of EvictionsByReason: state the limits forced the
// engine to drop, which the caller reports and raises as an internal alert.
func (s Stats) Evictions() uint64 {
	var n uint64
	for _, v := range s.EvictionsByReason {
		n += v
	}
	return n
}

type target struct{ rule, input int }

// input is one entry of a rule's `rules` list, resolved.
type input struct {
	ref         string
	corr        int      // index into Engine.rules, or -1 for a base rule
	base        int      // index into bases, or -1
	groupFields []string // per GroupBy entry, the field to read
	valueFields []string // per condition field, the field to read
}

type ruleState struct {
	r         *Rule
	sliding   bool
	delay     int64
	inputs    []input
	consumers []target
	report    bool
	pending   itemHeap
	frontier  int64
	groups    map[string]*group
	timers    timerHeap
	gen       uint64
}

// Engine evaluates a set of correlation rules. It is not safe for
// concurrent use.
type Engine struct {
	cfg        Config
	rules      []*ruleState // inputs before their consumers
	byBase     map[string][]target
	standalone map[string]bool
	fields     map[string][]string
	allFields  []string
	maxSeen    int64
	seen       bool
	st         counters
	fp         string
	scratch    map[string]struct{} // reused by aggregate
}

type counters struct {
	Observed, Late, Invalid, MissingField, BadValue uint64
	EvictGroups, EvictEvents, Truncated, Detections uint64
}

// New checks the rules against each other and builds an engine: every
// reference must name exactly one base rule or correlation (by id or name),
// correlations must not form a cycle, aliases must name referenced rules,
// and a correlation fed by another must group by fields that one provides.
func New(rules []*Rule, bases []Base, cfg Config) (*Engine, error) {
	if cfg.MaxGroups == 0 {
		cfg.MaxGroups = 100000
	}
	if cfg.MaxEventsPerGroup == 0 {
		cfg.MaxEventsPerGroup = 1000
	}
	if cfg.MaxGroups < 0 || cfg.MaxEventsPerGroup < 0 || cfg.AllowedLateness < 0 {
		return nil, errors.New("correlate config: max_groups, max_events_per_group and allowed_lateness must not be negative")
	}
	e := &Engine{cfg: cfg, byBase: map[string][]target{}, standalone: map[string]bool{}, fields: map[string][]string{}}
	inputs, err := resolve(rules, bases)
	if err != nil {
		return nil, err
	}
	order, err := topoOrder(rules, inputs)
	if err != nil {
		return nil, err
	}
	pos := make([]int, len(rules))
	for i, ri := range order {
		pos[ri] = i
	}
	for _, ri := range order {
		rs, err := e.newRuleState(rules[ri], inputs[ri], pos, cfg)
		if err != nil {
			return nil, err
		}
		e.rules = append(e.rules, rs)
	}
	e.link(bases)
	if err := e.checkChains(); err != nil {
		return nil, err
	}
	e.fp = fingerprint(e.rules, cfg)
	return e, nil
}

func ruleName(r *Rule) string {
	return fmt.Sprintf("%s:%d: correlation %q", r.File, r.Line, r.Title)
}

type refTarget struct{ corr, base int }

// resolve maps every reference of every rule to a base rule or correlation.
func resolve(rules []*Rule, bases []Base) ([][]input, error) {
	refs := map[string][]refTarget{}
	add := func(key string, t refTarget) {
		if key == "" {
			return
		}
		for _, x := range refs[key] {
			if x == t {
				return
			}
		}
		refs[key] = append(refs[key], t)
	}
	for i, b := range bases {
		add(b.ID, refTarget{-1, i})
		add(b.Name, refTarget{-1, i})
	}
	for i, r := range rules {
		add(r.ID, refTarget{i, -1})
		add(r.Name, refTarget{i, -1})
	}
	all := make([][]input, len(rules))
	for i, r := range rules {
		seen := map[refTarget]string{}
		for _, ref := range r.Rules {
			ts := refs[ref]
			switch {
			case len(ts) == 0:
				return nil, fmt.Errorf("%s: rules: %q names no known detection or correlation rule (by id or name)", ruleName(r), ref)
			case len(ts) > 1:
				return nil, fmt.Errorf("%s: rules: %q is ambiguous: several rules have that id or name", ruleName(r), ref)
			}
			if prev, dup := seen[ts[0]]; dup {
				return nil, fmt.Errorf("%s: rules: %q and %q name the same rule", ruleName(r), prev, ref)
			}
			seen[ts[0]] = ref
			all[i] = append(all[i], input{ref: ref, corr: ts[0].corr, base: ts[0].base})
		}
	}
	return all, nil
}

// topoOrder orders rules so that every correlation comes after the
// correlations it references, and rejects cycles.
func topoOrder(rules []*Rule, inputs [][]input) ([]int, error) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(rules))
	var order []int
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		path = append(path, rules[i].Title)
		switch state[i] {
		case active:
			return fmt.Errorf("%s: correlation cycle: %s", ruleName(rules[i]), strings.Join(path, " → "))
		case done:
			return nil
		}
		state[i] = active
		for _, in := range inputs[i] {
			if in.corr >= 0 {
				if err := visit(in.corr, path); err != nil {
					return err
				}
			}
		}
		state[i] = done
		order = append(order, i)
		return nil
	}
	for i := range rules {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// newRuleState checks one rule against the limits and its inputs, and
// resolves the fields each input is read from.
func (e *Engine) newRuleState(r *Rule, ins []input, pos []int, cfg Config) (*ruleState, error) {
	rs := &ruleState{r: r, frontier: math.MinInt64, groups: map[string]*group{}}
	rs.sliding = r.Condition.LowerOnly() && r.Type != ValueAvg && r.Type != ValuePercentile
	switch r.Type {
	case EventCount, ValueCount, Temporal, TemporalOrdered:
		for _, b := range r.Condition.Bounds {
			if b.Value >= float64(cfg.MaxEventsPerGroup) {
				return nil, fmt.Errorf("%s: condition %s needs %v observations in a group, max_events_per_group is %d", ruleName(r), r.Condition, b.Value, cfg.MaxEventsPerGroup)
			}
		}
	}
	for alias, m := range r.Aliases {
		for key := range m {
			if !aliasKeyUsed(key, ins) {
				return nil, fmt.Errorf("%s: alias %q names rule %q, which correlation.rules does not list", ruleName(r), alias, key)
			}
		}
	}
	for i := range ins {
		in := &ins[i]
		if in.corr >= 0 {
			in.corr = pos[in.corr]
		}
		in.groupFields = aliasFields(r, r.GroupBy, in)
		in.valueFields = aliasFields(r, r.Condition.Fields, in)
	}
	rs.inputs = ins
	return rs, nil
}

func aliasKeyUsed(key string, ins []input) bool {
	for _, in := range ins {
		if in.ref == key {
			return true
		}
	}
	return false
}

// aliasFields maps names (group-by entries or value fields) to the fields
// the given input carries them in.
func aliasFields(r *Rule, names []string, in *input) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if f, ok := r.Aliases[n][in.ref]; ok {
			out[i] = f
		}
	}
	return out
}

// link wires consumers and delays, indexes the fields each detection rule
// must provide, and works out the generate semantics.
func (e *Engine) link(bases []Base) {
	baseRefs := make([][]int, len(bases))
	corrRefs := make([][]int, len(e.rules))
	for ri, rs := range e.rules {
		for ii, in := range rs.inputs {
			if in.corr >= 0 {
				lower := e.rules[in.corr] // earlier in topological order: its delay is final
				lower.consumers = append(lower.consumers, target{ri, ii})
				corrRefs[in.corr] = append(corrRefs[in.corr], ri)
				rs.delay = max(rs.delay, satAdd(lower.delay, int64(lower.r.Timespan)))
				continue
			}
			baseRefs[in.base] = append(baseRefs[in.base], ri)
			for _, key := range []string{bases[in.base].ID, bases[in.base].Name} {
				if key != "" {
					e.byBase[key] = append(e.byBase[key], target{ri, ii})
				}
			}
		}
	}
	e.indexFields()
	for i, b := range bases {
		e.setStandalone(b.ID, b.Name, e.generates(baseRefs[i]))
	}
	for i, rs := range e.rules {
		rs.report = e.generates(corrRefs[i])
		e.setStandalone(rs.r.ID, rs.r.Name, rs.report)
	}
}

// indexFields lists, per detection rule reference, the fields its
// observations must carry.
func (e *Engine) indexFields() {
	all := map[string]bool{}
	for key, tgs := range e.byBase {
		set := map[string]bool{}
		for _, tg := range tgs {
			in := e.rules[tg.rule].inputs[tg.input]
			for _, f := range append(append([]string{}, in.groupFields...), in.valueFields...) {
				set[f] = true
				all[f] = true
			}
		}
		e.fields[key] = sortedKeys(set)
	}
	e.allFields = sortedKeys(all)
}

// generates reports whether a rule referenced by the given correlations is
// reported on its own.
func (e *Engine) generates(users []int) bool {
	if len(users) == 0 {
		return true
	}
	for _, u := range users {
		if e.rules[u].r.Generate {
			return true
		}
	}
	return false
}

func (e *Engine) setStandalone(id, name string, v bool) {
	for _, key := range []string{id, name} {
		if key != "" {
			e.standalone[key] = v
		}
	}
}

// checkChains verifies that a correlation fed by another one reads only
// fields that one's detections carry (its group-by, and for
// value_percentile its value field).
func (e *Engine) checkChains() error {
	for _, rs := range e.rules {
		for _, in := range rs.inputs {
			if in.corr < 0 {
				continue
			}
			lower := e.rules[in.corr].r
			have := map[string]bool{}
			for _, g := range lower.GroupBy {
				have[g] = true
			}
			if lower.Type == ValuePercentile {
				have[lower.ValueField] = true // its detections add the value
			}
			for _, f := range append(append([]string{}, in.groupFields...), in.valueFields...) {
				if !have[f] {
					return fmt.Errorf("%s: reads field %q of correlation %q, whose detections only carry its group-by fields %v", ruleName(rs.r), f, lower.Title, lower.GroupBy)
				}
			}
		}
	}
	return nil
}

// Fields returns every field name the engine reads from observations of any
// detection rule, sorted.
func (e *Engine) Fields() []string { return append([]string(nil), e.allFields...) }

// FieldsFor returns the field names the engine reads from observations of
// the detection rule with this id or name, sorted; nil when no correlation
// references it.
func (e *Engine) FieldsFor(ruleID string) []string {
	return append([]string(nil), e.fields[ruleID]...)
}

// References reports whether any correlation references the detection rule
// with this id or name (so that the caller needs to pass its matches to
// Observe).
func (e *Engine) References(ruleID string) bool { return len(e.byBase[ruleID]) > 0 }

// Standalone reports whether the matches of the rule with this id or name
// (a detection rule, or a correlation's detections) are reported on their
// own. It is true for a rule no correlation references, and for a rule
// referenced by at least one correlation with `generate: true`; it is false
// for a rule referenced only by correlations without it, as the Sigma
// specification makes "only the correlation" the default.
func (e *Engine) Standalone(ruleID string) bool {
	v, ok := e.standalone[ruleID]
	return !ok || v
}

// Stats returns the current counters and sizes.
func (e *Engine) Stats() Stats {
	s := Stats{
		Observed: e.st.Observed, Late: e.st.Late, Invalid: e.st.Invalid,
		MissingField: e.st.MissingField, BadValue: e.st.BadValue,
		TruncatedEventIDs: e.st.Truncated, Detections: e.st.Detections,
		EvictionsByReason: map[string]uint64{EvictMaxGroups: e.st.EvictGroups, EvictMaxEvents: e.st.EvictEvents},
	}
	for _, rs := range e.rules {
		s.Groups += len(rs.groups)
		s.Buffered += len(rs.pending)
	}
	return s
}

// fingerprint identifies the rule set and limits a saved state belongs to.
func fingerprint(rules []*ruleState, cfg Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%d|%d\n", cfg.MaxGroups, cfg.MaxEventsPerGroup, cfg.AllowedLateness)
	for _, rs := range rules {
		r := rs.r
		fmt.Fprintf(h, "%q|%q|%q|%q|%q|%d|%q|%q\n", r.ID, r.Name, r.Title, r.Type, r.Rules, r.Timespan, r.GroupBy, r.Condition.String()+"|"+r.ValueField)
		for _, a := range sortedKeys(r.Aliases) {
			for _, k := range sortedKeys(r.Aliases[a]) {
				fmt.Fprintf(h, "alias %q %q %q\n", a, k, r.Aliases[a][k])
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}

func satSub(a, b int64) int64 {
	if b == math.MinInt64 {
		return satAdd(satAdd(a, math.MaxInt64), 1)
	}
	return satAdd(a, -b)
}
