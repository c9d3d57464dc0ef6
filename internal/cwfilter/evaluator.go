package cwfilter

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// Transition is a change of an alarm's state, in event time.
type Transition struct {
	// Alarm is the alarm's name.
	Alarm string
	// Metric and Namespace identify the metric the alarm watches.
	Metric, Namespace string
	// From and To are the states before and after.
	From, To State
	// Time is the end of the period whose evaluation changed the state.
	Time time.Time
	// Reason says why, in the words CloudWatch uses.
	Reason string
	// Datapoints are the real datapoints evaluated, oldest first.
	Datapoints []float64
	// Dimensions identify the metric series (nil for a metric without dimensions).
	Dimensions map[string]string
	// EventIDs are the eventIDs of the events published into the evaluated
	// datapoints (at most 100 per datapoint), oldest first: the evidence.
	EventIDs []string
}

// Stats counts what the evaluator could not use.
type Stats struct {
	// Unpublished counts matching events without a numeric metric value
	// or without a dimension field, which CloudWatch does not publish.
	Unpublished int64
	// Late counts datapoints for periods an alarm had already evaluated.
	Late int64
	// DroppedSeries counts datapoints of new dimension series beyond the
	// per-alarm limit of 1000 series.
	DroppedSeries int64
	// Untimed counts events observed with a zero time, which belong to no
	// period and are ignored.
	Untimed int64
}

// Evaluator runs metric filters over events and evaluates the alarms on
// their metrics in event time. It is not safe for concurrent use.
type Evaluator struct {
	filters  []*compiledFilter
	alarms   []*alarmState
	feeds    [][]*alarmState // per filter: the alarms on its metric
	ingested map[int64]struct{}
	matched  []map[int64]struct{} // per filter: minutes with a published match
	first    int64
	last     int64
	seen     bool
	stats    Stats
}

// NewEvaluator validates the configuration and builds an evaluator. The
// error lists every problem, each naming the metric filter or alarm and
// the field.
func NewEvaluator(cfg Config) (*Evaluator, error) {
	e := &Evaluator{ingested: map[int64]struct{}{}}
	var errs []error
	names := map[string]bool{}
	for _, mf := range cfg.MetricFilters {
		if mf.Name == "" {
			errs = append(errs, fmt.Errorf("metric filter with pattern %q: name: required", mf.Pattern))
		} else if names[mf.Name] {
			errs = append(errs, fmt.Errorf("metric filter %q: name: defined twice", mf.Name))
		}
		names[mf.Name] = true
		cf, err := compileFilter(mf)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e.filters = append(e.filters, cf)
		e.matched = append(e.matched, map[int64]struct{}{})
	}
	e.feeds = make([][]*alarmState, len(e.filters))
	alarmNames := map[string]bool{}
	for _, a := range cfg.Alarms {
		if a.Name == "" {
			errs = append(errs, fmt.Errorf("alarm on metric %q: name: required", a.Metric))
		} else if alarmNames[a.Name] {
			errs = append(errs, fmt.Errorf("alarm %q: name: defined twice", a.Name))
		}
		alarmNames[a.Name] = true
		if err := validateAlarm(&a); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := e.addAlarm(a); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("cloudwatch config: %w", err)
	}
	return e, nil
}

// addAlarm binds a validated alarm to the metric filters of its metric.
func (e *Evaluator) addAlarm(a Alarm) error {
	var feeding []int
	namespaces := map[string]bool{}
	for i, f := range e.filters {
		if f.cfg.MetricName == a.Metric && (a.Namespace == "" || a.Namespace == f.cfg.Namespace) {
			feeding = append(feeding, i)
			namespaces[f.cfg.Namespace] = true
		}
	}
	if len(feeding) == 0 {
		return fmt.Errorf("alarm %q: metric: no metric filter publishes metric %q%s", a.Name, a.Metric, inNamespace(a.Namespace))
	}
	if len(namespaces) > 1 {
		return fmt.Errorf("alarm %q: namespace: metric %q is published in several namespaces (%s); name one", a.Name, a.Metric, strings.Join(sortedKeys(namespaces), ", "))
	}
	dimNames := e.filters[feeding[0]].dimNames
	for _, i := range feeding[1:] {
		if strings.Join(e.filters[i].dimNames, ",") != strings.Join(dimNames, ",") {
			return fmt.Errorf("alarm %q: metric: the filters publishing %q use different dimensions", a.Name, a.Metric)
		}
	}
	if len(a.Dimensions) > 0 && strings.Join(sortedKeys(a.Dimensions), ",") != strings.Join(dimNames, ",") {
		return fmt.Errorf("alarm %q: dimensions: must name exactly the metric's dimensions (%s)", a.Name, strings.Join(dimNames, ", "))
	}
	as := newAlarmState(a, dimNames, e.filters[feeding[0]].cfg.Namespace)
	for _, i := range feeding {
		e.feeds[i] = append(e.feeds[i], as)
		if e.filters[i].cfg.DefaultValue != nil {
			as.defaults = append(as.defaults, i)
		}
	}
	e.alarms = append(e.alarms, as)
	return nil
}

func inNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return " in namespace " + ns
}

// Stats reports the counters of events and datapoints that were not used.
func (e *Evaluator) Stats() Stats { return e.stats }

// Literals returns byte strings one of which occurs in every event some
// metric filter can match, or nil when that is not known. An event holding
// none of them may be passed to Observe with a Missing ev: it still counts
// as ingested (for default values) and matches no filter.
func (e *Evaluator) Literals() [][]byte {
	var out [][]byte
	for _, f := range e.filters {
		l := f.pat.Literals()
		if l == nil {
			return nil
		}
		out = append(out, l...)
	}
	return dedupe(out)
}

// Observe runs the metric filters over one event whose time is t. Every
// observed event counts as ingested for the default values of its minute,
// so the caller passes every event of the input, in any order; events for
// periods an alarm has already evaluated are counted in Stats.Late, and
// events with a zero time (no eventTime) in Stats.Untimed.
func (e *Evaluator) Observe(t time.Time, ev event.Value, raw []byte) {
	if t.IsZero() {
		e.stats.Untimed++
		return
	}
	sec := t.Unix()
	minute := floorDiv(sec, 60)
	if !e.seen || sec < e.first {
		e.first = sec
	}
	if !e.seen || sec > e.last {
		e.last = sec
	}
	e.seen = true
	if len(e.alarms) > 0 {
		e.ingested[minute] = struct{}{}
	}
	for i, f := range e.filters {
		if !f.pat.Match(ev, raw) {
			continue
		}
		v, dims, ok := f.extract(ev, raw)
		if !ok {
			e.stats.Unpublished++
			continue
		}
		e.matched[i][minute] = struct{}{}
		id := ""
		if len(e.feeds[i]) > 0 {
			id = ev.Get("eventID").Str()
		}
		for _, a := range e.feeds[i] {
			a.add(e, sec, dims, v, id)
		}
	}
}

// Advance evaluates every alarm period that ends at or before now (event
// time) and returns the state transitions, ordered by time.
func (e *Evaluator) Advance(now time.Time) []Transition {
	if !e.seen {
		return nil
	}
	var out []Transition
	for _, a := range e.alarms {
		out = a.advance(e, now.Unix(), out)
	}
	e.prune()
	sortTransitions(out)
	return out
}

// Flush evaluates, at the end of input, every period up to and including
// the one holding the latest observed event, as if it were complete.
func (e *Evaluator) Flush() []Transition {
	if !e.seen {
		return nil
	}
	var out []Transition
	for _, a := range e.alarms {
		out = a.advance(e, floorDiv(e.last, a.period)*a.period+a.period, out)
	}
	e.prune()
	sortTransitions(out)
	return out
}

func sortTransitions(ts []Transition) {
	sort.SliceStable(ts, func(i, j int) bool {
		if !ts[i].Time.Equal(ts[j].Time) {
			return ts[i].Time.Before(ts[j].Time)
		}
		return ts[i].Alarm < ts[j].Alarm
	})
}

// prune forgets ingestion and match minutes no alarm can still evaluate.
func (e *Evaluator) prune() {
	oldest := int64(math.MaxInt64)
	for _, a := range e.alarms {
		if a.started && a.next < oldest {
			oldest = a.next
		}
	}
	if oldest == math.MaxInt64 {
		return
	}
	cut := floorDiv(oldest, 60)
	for m := range e.ingested {
		if m < cut {
			delete(e.ingested, m)
		}
	}
	for _, mm := range e.matched {
		for m := range mm {
			if m < cut {
				delete(mm, m)
			}
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
