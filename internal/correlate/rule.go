// Package correlate evaluates Sigma correlation rules (specification v2.1.0)
// over the matches of detection rules, in event time: a reorder buffer with a
// configurable allowed lateness makes the detections independent of input
// order, state is bounded and every eviction is counted, and the whole state
// can be saved and restored byte for byte. docs/correlation.md describes the
// semantics chosen where the specification is silent.
package correlate

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/sigma"
	"go.yaml.in/yaml/v3"
)

// The correlation types of the specification.
const (
	EventCount      = "event_count"
	ValueCount      = "value_count"
	Temporal        = "temporal"
	TemporalOrdered = "temporal_ordered"
	ValueSum        = "value_sum"
	ValueAvg        = "value_avg"
	ValuePercentile = "value_percentile"
)

// maxTimespan bounds timespans so that window arithmetic cannot overflow.
const maxTimespan = 3650 * 24 * time.Hour

// Rule is one parsed correlation rule.
type Rule struct {
	sigma.Meta
	// Type is one of the correlation type constants (EventCount, ...).
	Type string
	// Rules are the references (id or name) to the detection or correlation
	// rules this rule correlates, in the order written.
	Rules []string
	// GroupBy are the fields (or alias names) that scope a group.
	GroupBy []string
	// Timespan is the window length.
	Timespan time.Duration
	// Condition decides when the rule matches.
	Condition Condition
	// Aliases maps an alias name to, per referenced rule (by name or id),
	// the field that carries it in that rule's events.
	Aliases map[string]map[string]string
	// Generate is the rule's `generate` attribute: when true the referenced
	// rules also report their own matches (see Engine.Standalone).
	Generate bool
	// ValueField is the condition's `field` for value_* types (several
	// fields of a value_count are joined with ",").
	ValueField string
	// File and Line locate the rule's document.
	File string
	Line int
}

// Bound is one comparison of a condition.
type Bound struct {
	Op    string // gt, gte, lt, lte, eq or neq
	Value float64
}

// Condition is the conjunction of its bounds; Fields is the condition's
// `field` attribute (value_* types only).
type Condition struct {
	Bounds []Bound
	Fields []string
}

var opOrder = map[string]int{"gt": 0, "gte": 1, "lt": 2, "lte": 3, "eq": 4, "neq": 5}

// Match reports whether v satisfies every bound.
func (c Condition) Match(v float64) bool {
	for _, b := range c.Bounds {
		if !b.match(v) {
			return false
		}
	}
	return true
}

func (b Bound) match(v float64) bool {
	switch b.Op {
	case "gt":
		return v > b.Value
	case "gte":
		return v >= b.Value
	case "lt":
		return v < b.Value
	case "lte":
		return v <= b.Value
	case "eq":
		return v == b.Value
	case "neq":
		return v != b.Value
	}
	return false
}

// LowerOnly reports whether the condition has only gt/gte bounds, so that
// once true it stays true as more events join the window.
func (c Condition) LowerOnly() bool {
	for _, b := range c.Bounds {
		if b.Op != "gt" && b.Op != "gte" {
			return false
		}
	}
	return true
}

// String renders the condition as "gte 5 and lte 10".
func (c Condition) String() string {
	parts := make([]string, len(c.Bounds))
	for i, b := range c.Bounds {
		parts[i] = b.Op + " " + strconv.FormatFloat(b.Value, 'g', -1, 64)
	}
	return strings.Join(parts, " and ")
}

// Parse interprets a correlation document. Errors are *sigma.PosError
// naming the file, line and column of the offending node.
func Parse(doc sigma.Document) (*Rule, error) {
	if doc.Kind != sigma.KindCorrelation {
		return nil, sigma.NodeError(doc.File, doc.Node, "not a correlation rule (kind %q)", doc.Kind)
	}
	r := &Rule{Meta: doc.Meta, File: doc.File, Line: doc.Line}
	p := parser{file: doc.File}
	if strings.TrimSpace(r.Title) == "" {
		return nil, p.err(doc.Node, "title is required")
	}
	corr := sigma.MapValue(doc.Node, "correlation")
	if corr == nil || corr.Kind != yaml.MappingNode {
		return nil, p.err(firstNonNil(corr, doc.Node), "correlation must be a mapping")
	}
	if g := sigma.MapValue(doc.Node, "generate"); g != nil {
		v, err := p.boolean(g, "generate")
		if err != nil {
			return nil, err
		}
		r.Generate = v
	}
	if err := p.section(r, corr); err != nil {
		return nil, err
	}
	return r, nil
}

type parser struct{ file string }

func (p parser) err(n *yaml.Node, format string, args ...any) error {
	return sigma.NodeError(p.file, n, format, args...)
}

func firstNonNil(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// section reads the correlation mapping and checks it as a whole.
func (p parser) section(r *Rule, corr *yaml.Node) error {
	var cond *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(corr.Content); i += 2 {
		k, v := corr.Content[i], corr.Content[i+1]
		if seen[k.Value] {
			return p.err(k, "correlation.%s given twice", k.Value)
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "type":
			r.Type, err = p.corrType(v)
		case "rules":
			r.Rules, err = p.strings(v, "correlation.rules", true)
		case "group-by":
			r.GroupBy, err = p.strings(v, "correlation.group-by", true)
		case "timespan":
			r.Timespan, err = p.timespan(v)
		case "aliases":
			r.Aliases, err = p.aliases(v)
		case "generate":
			r.Generate, err = p.boolean(v, "correlation.generate")
		case "condition":
			cond = v
		default:
			err = p.err(k, "unknown correlation attribute %q", k.Value)
		}
		if err != nil {
			return err
		}
	}
	for _, req := range []string{"type", "rules", "timespan"} {
		if !seen[req] {
			return p.err(corr, "correlation.%s is required", req)
		}
	}
	if len(r.Rules) == 0 {
		return p.err(sigma.MapValue(corr, "rules"), "correlation.rules must name at least one rule")
	}
	return p.condition(r, cond, corr)
}

func (p parser) corrType(v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", p.err(v, "correlation.type must be a string")
	}
	switch v.Value {
	case EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile:
		return v.Value, nil
	}
	return "", p.err(v, "unknown correlation type %q (want event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)", v.Value)
}

func (p parser) boolean(v *yaml.Node, what string) (bool, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!bool" {
		var b bool
		if err := v.Decode(&b); err == nil {
			return b, nil
		}
	}
	return false, p.err(v, "%s must be true or false", what)
}

// strings reads a list of unique non-empty strings.
func (p parser) strings(v *yaml.Node, what string, unique bool) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, p.err(v, "%s must be a list", what)
	}
	out := make([]string, 0, len(v.Content))
	seen := map[string]bool{}
	for _, it := range v.Content {
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" || strings.TrimSpace(it.Value) == "" {
			return nil, p.err(it, "%s: each entry must be a non-empty string", what)
		}
		if unique && seen[it.Value] {
			return nil, p.err(it, "%s: %q listed twice", what, it.Value)
		}
		seen[it.Value] = true
		out = append(out, it.Value)
	}
	return out, nil
}

var timespanRE = regexp.MustCompile(`^([0-9]{1,9})([smhd])$`)

// ParseTimespan parses a Sigma timespan: a number followed by s, m, h or d.
func ParseTimespan(s string) (time.Duration, error) {
	m := timespanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("timespan %q: want a number followed by s, m, h or d (e.g. 90m)", s)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64) // at most 9 digits: cannot fail
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	if n <= 0 {
		return 0, fmt.Errorf("timespan %q: must be positive", s)
	}
	if n > int64(maxTimespan/unit) {
		return 0, fmt.Errorf("timespan %q: longer than %d days", s, int(maxTimespan.Hours()/24))
	}
	return time.Duration(n) * unit, nil
}

func (p parser) timespan(v *yaml.Node) (time.Duration, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, p.err(v, "correlation.timespan must be a string such as 15m")
	}
	d, err := ParseTimespan(v.Value)
	if err != nil {
		return 0, p.err(v, "correlation.%v", err)
	}
	return d, nil
}

func (p parser) aliases(v *yaml.Node) (map[string]map[string]string, error) {
	if v.Kind != yaml.MappingNode {
		return nil, p.err(v, "correlation.aliases must be a mapping of alias → {rule: field}")
	}
	out := map[string]map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, m := v.Content[i], v.Content[i+1]
		if _, dup := out[k.Value]; dup {
			return nil, p.err(k, "alias %q defined twice", k.Value)
		}
		if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
			return nil, p.err(m, "alias %q must map rule names to field names", k.Value)
		}
		fields := map[string]string{}
		for j := 0; j+1 < len(m.Content); j += 2 {
			rk, rv := m.Content[j], m.Content[j+1]
			if rv.Kind != yaml.ScalarNode || rv.Tag == "!!null" || rv.Value == "" {
				return nil, p.err(rv, "alias %q: field for rule %q must be a non-empty string", k.Value, rk.Value)
			}
			if _, dup := fields[rk.Value]; dup {
				return nil, p.err(rk, "alias %q: rule %q given twice", k.Value, rk.Value)
			}
			fields[rk.Value] = rv.Value
		}
		out[k.Value] = fields
	}
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// condition reads and checks the condition against the rule type.
func (p parser) condition(r *Rule, cond, corr *yaml.Node) error {
	if cond == nil {
		switch r.Type {
		case Temporal, TemporalOrdered:
			// All referenced rules must occur.
			r.Condition.Bounds = []Bound{{Op: "gte", Value: float64(len(r.Rules))}}
			return nil
		}
		return p.err(corr, "correlation.condition is required for %s", r.Type)
	}
	if cond.Kind != yaml.MappingNode || len(cond.Content) == 0 {
		return p.err(cond, "correlation.condition must be a mapping such as {gte: 5}")
	}
	var fieldNode *yaml.Node
	for i := 0; i+1 < len(cond.Content); i += 2 {
		k, v := cond.Content[i], cond.Content[i+1]
		if k.Value == "field" {
			fieldNode = v
			continue
		}
		if _, ok := opOrder[k.Value]; !ok {
			return p.err(k, "unknown condition operator %q (want gt, gte, lt, lte, eq, neq or field)", k.Value)
		}
		f, err := p.number(v, k.Value)
		if err != nil {
			return err
		}
		for _, b := range r.Condition.Bounds {
			if b.Op == k.Value {
				return p.err(k, "condition.%s given twice", k.Value)
			}
		}
		r.Condition.Bounds = append(r.Condition.Bounds, Bound{Op: k.Value, Value: f})
	}
	sort.Slice(r.Condition.Bounds, func(i, j int) bool {
		return opOrder[r.Condition.Bounds[i].Op] < opOrder[r.Condition.Bounds[j].Op]
	})
	if len(r.Condition.Bounds) == 0 {
		return p.err(cond, "correlation.condition needs at least one of gt, gte, lt, lte, eq, neq")
	}
	if err := p.conditionField(r, fieldNode, cond); err != nil {
		return err
	}
	return p.checkBounds(r, cond)
}

func (p parser) number(v *yaml.Node, op string) (float64, error) {
	if v.Kind == yaml.ScalarNode && (v.Tag == "!!int" || v.Tag == "!!float") {
		f, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
		if i, err := strconv.ParseInt(v.Value, 0, 64); err == nil {
			return float64(i), nil
		}
	}
	return 0, p.err(v, "condition.%s must be a number, got %q", op, v.Value)
}

func (p parser) conditionField(r *Rule, fieldNode, cond *yaml.Node) error {
	valueType := r.Type == ValueCount || r.Type == ValueSum || r.Type == ValueAvg || r.Type == ValuePercentile
	if fieldNode == nil {
		if valueType {
			return p.err(cond, "condition.field is required for %s", r.Type)
		}
		return nil
	}
	if !valueType {
		return p.err(fieldNode, "condition.field has no meaning for %s", r.Type)
	}
	var fields []string
	switch fieldNode.Kind {
	case yaml.ScalarNode:
		if fieldNode.Tag == "!!null" || fieldNode.Value == "" {
			return p.err(fieldNode, "condition.field must be a field name")
		}
		fields = []string{fieldNode.Value}
	case yaml.SequenceNode:
		if r.Type != ValueCount {
			return p.err(fieldNode, "condition.field of %s must be a single field", r.Type)
		}
		fs, err := p.strings(fieldNode, "condition.field", true)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return p.err(fieldNode, "condition.field must name at least one field")
		}
		fields = fs
	default:
		return p.err(fieldNode, "condition.field must be a field name or a list of field names")
	}
	r.Condition.Fields = fields
	r.ValueField = strings.Join(fields, ",")
	return nil
}

// checkBounds rejects conditions that cannot be met by the rule type.
func (p parser) checkBounds(r *Rule, cond *yaml.Node) error {
	c := r.Condition
	switch r.Type {
	case EventCount, ValueCount, Temporal, TemporalOrdered:
		for _, b := range c.Bounds {
			if b.Value != math.Trunc(b.Value) || b.Value < 0 {
				return p.err(cond, "condition.%s: a count must be a whole number ≥ 0, got %v", b.Op, b.Value)
			}
		}
	case ValuePercentile:
		for _, b := range c.Bounds {
			if b.Value < 0 || b.Value > 100 {
				return p.err(cond, "condition.%s: a percentage must be between 0 and 100, got %v", b.Op, b.Value)
			}
		}
	}
	switch r.Type {
	case Temporal:
		if !anyCount(c, 1, len(r.Rules)) {
			return p.err(cond, "condition %s can never hold: a temporal rule over %d rules sees 1 to %d of them", c, len(r.Rules), len(r.Rules))
		}
	case TemporalOrdered:
		if !c.Match(float64(len(r.Rules))) || anyCount(c, 1, len(r.Rules)-1) {
			return p.err(cond, "temporal_ordered requires all %d rules in order; condition %s is not supported (use temporal for a subset)", len(r.Rules), c)
		}
	case EventCount, ValueCount:
		if !anyCount(c, 1, math.MaxInt32) {
			return p.err(cond, "condition %s can never hold for a count of at least 1", c)
		}
	default:
		if !satisfiable(c) {
			return p.err(cond, "condition %s can never hold", c)
		}
	}
	return nil
}

// anyCount reports whether some whole number in [lo, hi] satisfies c. The
// truth of c only changes at its bound values, so testing the ends and each
// bound with its neighbours is enough.
func anyCount(c Condition, lo, hi int) bool {
	cands := []float64{float64(lo), float64(hi)}
	for _, b := range c.Bounds {
		cands = append(cands, b.Value-1, b.Value, b.Value+1)
	}
	for _, v := range cands {
		if v >= float64(lo) && v <= float64(hi) && c.Match(v) {
			return true
		}
	}
	return false
}

// satisfiable tries the bound values, points between them and beyond them.
func satisfiable(c Condition) bool {
	vals := make([]float64, 0, len(c.Bounds))
	for _, b := range c.Bounds {
		vals = append(vals, b.Value)
	}
	sort.Float64s(vals)
	cands := []float64{vals[0] - 1, vals[len(vals)-1] + 1}
	for i, v := range vals {
		cands = append(cands, v)
		if i > 0 {
			cands = append(cands, (vals[i-1]+v)/2)
		}
	}
	for _, v := range cands {
		if c.Match(v) {
			return true
		}
	}
	return false
}
