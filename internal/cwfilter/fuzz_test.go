package cwfilter

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// FuzzParse checks that Parse never panics, that String is a fixed point of
// Parse, that a pattern and its String match the same events, and that a
// matching event contains one of the pattern's literals.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		seedIAMPattern, seedICPattern, cisCases[0].pattern, cisCases[13].pattern,
		`{ $.a[*].b = "x*" || $.*.c != %^a\d{,2}$% }`, `{ $.['a.b'] IS NULL && $.c NOT EXISTS }`,
		`{ $.n >= -1.5e3 }`, `ERROR -WARN "a b"`, `?x ?%y+%`, `[ip, user, ..., status = 4* && bytes > 10, bytes]`,
		`[..., request=*.html*, status_code=4*,]`, `{ ($.a = 1 }`, `" "`,
	} {
		f.Add(s, `{"a":[{"b":"xy"}],"k":{"c":"a1"},"a.b":null,"n":5,"eventName":"ConsoleLogin"}`)
	}
	f.Add(`ERROR`, `ERROR WARN message`)
	f.Fuzz(func(t *testing.T, pattern, raw string) {
		p, err := Parse(pattern)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		s := p.String()
		if len(s) > MaxPatternLength {
			// The canonical form escapes control characters, so it can be
			// longer than the 1024 bytes CloudWatch accepts as input.
			return
		}
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", s, pattern, err)
		}
		if q.String() != s {
			t.Fatalf("String not canonical: %q -> %q", s, q.String())
		}
		var d event.Doc
		var root event.Value
		if d.Parse([]byte(raw)) == nil {
			root = d.Root()
		}
		m := p.Match(root, []byte(raw))
		if q.Match(root, []byte(raw)) != m {
			t.Fatalf("%q and its String %q disagree on %q", pattern, s, raw)
		}
		if m {
			lits := p.Literals()
			if lits == nil {
				return
			}
			for _, l := range lits {
				if bytes.Contains([]byte(raw), l) {
					return
				}
			}
			t.Fatalf("%q matches %q which holds none of %q", pattern, raw, lits)
		}
	})
}

// FuzzEvaluator drives an evaluator with events and clock moves decoded
// from the input, under every treatment of missing data, and checks the
// invariants of the transitions: each changes the state, continues from the
// series' previous state, and time never goes backwards.
func FuzzEvaluator(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 5, 0, 0, 255, 9}, uint8(0))
	f.Add([]byte{1, 1, 1, 100, 100, 100, 2, 250}, uint8(3))
	f.Fuzz(func(t *testing.T, ops []byte, variant uint8) {
		cfg := Config{
			MetricFilters: []MetricFilter{
				{Name: "f", Pattern: `{ $.k = a* }`, MetricName: "M", Namespace: "N", MetricValue: "$.v", Dimensions: map[string]string{"K": "$.k"}},
				{Name: "g", Pattern: `x`, MetricName: "G", Namespace: "N", DefaultValue: fptr(0)},
			},
			Alarms: []Alarm{
				{Name: "a", Metric: "M", Threshold: 2, ComparisonOperator: "GreaterThanThreshold", Period: time.Minute,
					EvaluationPeriods: 1 + int(variant%3), DatapointsToAlarm: 1, TreatMissingData: treatments[variant%4]},
				{Name: "b", Metric: "G", Statistic: statistics[int(variant)%len(statistics)], Threshold: 1,
					ComparisonOperator: "LessThanThreshold", Period: 2 * time.Minute, EvaluationPeriods: 3,
					DatapointsToAlarm: 2, TreatMissingData: treatments[(variant/4)%4]},
			},
		}
		e, err := NewEvaluator(cfg)
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ alarm, dims string }
		state := map[key]State{}
		var last time.Time
		check := func(ts []Transition) {
			for _, tr := range ts {
				k := key{tr.Alarm, fmt.Sprint(tr.Dimensions)}
				prev, ok := state[k]
				if !ok {
					prev = StateInsufficient
				}
				if tr.From != prev || tr.From == tr.To || tr.Time.Before(last) {
					t.Fatalf("bad transition %+v after state %s at %v", tr, prev, last)
				}
				state[k], last = tr.To, tr.Time
			}
		}
		now := t0
		var d event.Doc
		for i, op := range ops {
			switch {
			case op >= 250:
				check(e.Advance(now))
			case op >= 200:
				now = now.Add(time.Duration(op-199) * 37 * time.Second)
			default:
				raw := []byte(fmt.Sprintf(`{"k":"a%d","v":%d,"m":"%s"}`, op%3, op%7, []string{"x", "y"}[i%2]))
				if d.Parse(raw) != nil {
					t.Fatal("bad fixture")
				}
				e.Observe(now.Add(-time.Duration(op%5)*time.Second), d.Root(), raw)
			}
		}
		check(e.Flush())
	})
}
