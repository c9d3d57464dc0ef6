package cwfilter

import (
	"fmt"
	"strings"
	"time"
)

// maxEvidence bounds the eventIDs kept per datapoint.
const maxEvidence = 100

// agg is the statistic set of one period of one series, with the eventIDs
// of the first events published into it.
type agg struct {
	n             float64
	sum, min, max float64
	ids           []string
}

func (g *agg) add(v float64) {
	if g.n == 0 || v < g.min {
		g.min = v
	}
	if g.n == 0 || v > g.max {
		g.max = v
	}
	g.n++
	g.sum += v
}

func (g *agg) stat(name string) float64 {
	switch name {
	case "SampleCount":
		return g.n
	case "Average":
		return g.sum / g.n
	case "Minimum":
		return g.min
	case "Maximum":
		return g.max
	}
	return g.sum
}

// series is one metric series (one tuple of dimension values) under one alarm.
type series struct {
	dims    map[string]string
	buckets map[int64]*agg // period start -> statistics
	history []point        // the evaluation range, oldest first
	state   State
}

// alarmState is a validated alarm and its series.
type alarmState struct {
	cfg       Alarm
	namespace string
	dimNames  []string
	period    int64 // seconds
	rng       int   // evaluation range: datapoints retrieved per evaluation
	breach    func(float64) bool
	defaults  []int // filters with a default value
	series    map[string]*series
	order     []string // series keys in creation order, for stable output
	started   bool
	next      int64 // start of the next period to evaluate
}

// evaluationRange is how many recent datapoints an evaluation retrieves.
// The AWS page retrieves 5 for 3 evaluation periods; signwatch uses N+2.
func evaluationRange(n int) int { return n + 2 }

func newAlarmState(a Alarm, dimNames []string, namespace string) *alarmState {
	op := operators[a.ComparisonOperator]
	th := a.Threshold
	as := &alarmState{
		cfg: a, namespace: namespace, dimNames: dimNames,
		period: int64(a.Period / time.Second),
		rng:    evaluationRange(a.EvaluationPeriods),
		breach: func(v float64) bool { return op(v, th) },
		series: map[string]*series{},
	}
	if len(dimNames) == 0 {
		as.seriesFor(nil)
	}
	return as
}

func (a *alarmState) seriesFor(vals []string) *series {
	key := strings.Join(vals, "\x00")
	if s := a.series[key]; s != nil {
		return s
	}
	if len(a.series) >= maxSeriesPerAlarm {
		return nil
	}
	s := &series{buckets: map[int64]*agg{}, state: StateInsufficient}
	if len(vals) > 0 {
		s.dims = make(map[string]string, len(vals))
		for i, n := range a.dimNames {
			s.dims[n] = vals[i]
		}
	}
	a.series[key] = s
	a.order = append(a.order, key)
	return s
}

// add records one published value at second sec.
func (a *alarmState) add(e *Evaluator, sec int64, dims []string, v float64, id string) {
	if len(a.cfg.Dimensions) > 0 {
		for i, n := range a.dimNames {
			if a.cfg.Dimensions[n] != dims[i] {
				return
			}
		}
	}
	ps := floorDiv(sec, a.period) * a.period
	if a.started && ps < a.next {
		e.stats.Late++
		return
	}
	s := a.seriesFor(dims)
	if s == nil {
		e.stats.DroppedSeries++
		return
	}
	g := s.buckets[ps]
	if g == nil {
		g = &agg{}
		s.buckets[ps] = g
	}
	g.add(v)
	if id != "" && len(g.ids) < maxEvidence {
		g.ids = append(g.ids, id)
	}
}

// advance evaluates the periods that end at or before now.
func (a *alarmState) advance(e *Evaluator, now int64, out []Transition) []Transition {
	if !a.started {
		// Evaluation starts with the earliest observed event's period, once
		// that period has ended: until then an older event may still come
		// and move the start back.
		next := floorDiv(e.first, a.period) * a.period
		if next+a.period > now {
			return out
		}
		a.started, a.next = true, next
	}
	for a.next+a.period <= now {
		if a.quiet() {
			nd, ok := a.nextData(e)
			limit := floorDiv(now, a.period) * a.period
			if !ok || nd > limit {
				a.next = limit
				break
			}
			if nd > a.next {
				a.next = nd
				continue
			}
		}
		out = a.evaluate(e, a.next, out)
		a.next += a.period
	}
	return out
}

// quiet reports whether evaluating a period without data would change
// nothing: every series' range is all missing and already settled.
func (a *alarmState) quiet() bool {
	for _, s := range a.series {
		if len(s.history) < a.rng {
			return false
		}
		for _, p := range s.history {
			if p.ok {
				return false
			}
		}
		o := decide(s.history, a.cfg.EvaluationPeriods, a.cfg.DatapointsToAlarm, a.cfg.TreatMissingData, a.breach)
		if !o.retain && o.state != s.state {
			return false
		}
	}
	return true
}

// nextData returns the start of the earliest period at or after a.next
// that has a datapoint or (for default values) ingested events.
func (a *alarmState) nextData(e *Evaluator) (int64, bool) {
	best, ok := int64(0), false
	consider := func(sec int64) {
		if sec >= a.next && (!ok || sec < best) {
			best, ok = sec, true
		}
	}
	for _, s := range a.series {
		for ps := range s.buckets {
			consider(ps)
		}
	}
	if len(a.defaults) > 0 {
		for m := range e.ingested {
			consider(m * 60)
		}
	}
	return floorDiv(best, a.period) * a.period, ok
}

// evaluate closes the period starting at ps for every series.
func (a *alarmState) evaluate(e *Evaluator, ps int64, out []Transition) []Transition {
	a.addDefaults(e, ps)
	end := time.Unix(ps+a.period, 0).UTC()
	for _, key := range a.order {
		s := a.series[key]
		p := point{t: ps}
		if g := s.buckets[ps]; g != nil {
			p.v, p.ok, p.ids = g.stat(a.cfg.Statistic), true, g.ids
			delete(s.buckets, ps)
		}
		s.history = append(s.history, p)
		if len(s.history) < a.rng {
			s.history = append(make([]point, a.rng-len(s.history)), s.history...)
			for i := range s.history[:a.rng-1] {
				s.history[i].t = ps - int64(a.rng-1-i)*a.period
			}
		}
		s.history = s.history[len(s.history)-a.rng:]
		o := decide(s.history, a.cfg.EvaluationPeriods, a.cfg.DatapointsToAlarm, a.cfg.TreatMissingData, a.breach)
		if o.retain || o.state == s.state {
			continue
		}
		out = append(out, Transition{
			Alarm: a.cfg.Name, Metric: a.cfg.Metric, Namespace: a.namespace,
			From: s.state, To: o.state, Time: end,
			Reason:     a.reason(o),
			Datapoints: values(o.used),
			EventIDs:   evidence(o.used),
			Dimensions: s.dims,
		})
		s.state = o.state
	}
	return out
}

// addDefaults publishes the default values of the period's minutes that
// had events but no match.
func (a *alarmState) addDefaults(e *Evaluator, ps int64) {
	for _, fi := range a.defaults {
		dv := *e.filters[fi].cfg.DefaultValue
		for m := ps / 60; m < (ps+a.period)/60; m++ {
			if _, in := e.ingested[m]; !in {
				continue
			}
			if _, hit := e.matched[fi][m]; hit {
				continue
			}
			s := a.seriesFor(nil)
			g := s.buckets[ps]
			if g == nil {
				g = &agg{}
				s.buckets[ps] = g
			}
			g.add(dv)
		}
	}
}

func values(ps []point) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = p.v
	}
	return out
}

// evidence lists the eventIDs behind the evaluated datapoints, oldest first.
func evidence(ps []point) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ids...)
	}
	return out
}

var opPhrase = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"GreaterThanThreshold":          "greater than",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

// reason words a transition the way CloudWatch's state reason does.
func (a *alarmState) reason(o outcome) string {
	n, m := a.cfg.EvaluationPeriods, a.cfg.DatapointsToAlarm
	if o.state == StateInsufficient {
		return fmt.Sprintf("Insufficient Data: %d of the last %d datapoints were unknown.", o.filled, n)
	}
	var pts []string
	for _, p := range o.used {
		pts = append(pts, fmt.Sprintf("%s (%s)", formatValue(p.v), time.Unix(p.t, 0).UTC().Format("02/01/06 15:04:05")))
	}
	verb := "were"
	if o.breaching == 1 {
		verb = "was"
	}
	not := ""
	if o.state == StateOK {
		not = "not "
	}
	s := fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s%s the threshold (%s) (minimum %d datapoint%s for OK -> ALARM transition).",
		o.breaching, n, strings.Join(pts, ", "), verb, not, opPhrase[a.cfg.ComparisonOperator], formatValue(a.cfg.Threshold), m, plural(m))
	if o.filled > 0 {
		s += fmt.Sprintf(" %d missing datapoint%s treated as %s.", o.filled, plural(o.filled), a.cfg.TreatMissingData)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
