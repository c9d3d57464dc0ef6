package ruleset

import (
	"fmt"
	"sort"
	"time"

	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Match runs the detection rules on one event: the literal prefilter on the
// raw bytes first, then the compiled matchers on the parsed event. fn is
// called once per matching rule. It is safe for concurrent use.
func (s *Set) Match(root event.Value, raw []byte, enrich sigma.Enricher, fn func(sigma.Match)) {
	if s.Engine == nil || !s.Engine.MayMatch(raw) {
		return
	}
	s.Engine.Match(root, enrich, fn)
}

// MatchParsedLazy runs the detection rules on a parsed event without the
// literal prefilter (the engine's rule index is cheaper once the event is
// parsed), building explanations only on demand.
func (s *Set) MatchParsedLazy(root event.Value, enrich sigma.Enricher, fn func(sigma.LazyMatch)) {
	if s.Engine != nil {
		s.Engine.MatchLazy(root, enrich, fn)
	}
}

// Observation turns a match of a rule some correlation uses into the input of
// the correlation engine, resolving the fields the correlations need.
func (s *Set) Observation(r *sigma.Rule, root event.Value, eventID string, t time.Time, fields []string) correlate.Observation {
	o := correlate.Observation{RuleID: key(r.Meta), EventID: eventID, Time: t}
	if len(fields) > 0 {
		o.Fields = make(map[string]string, len(fields))
		for _, f := range fields {
			if v, ok := s.Engine.FieldValue(root, f); ok {
				o.Fields[f] = v
			}
		}
	}
	return o
}

// TestResult is the outcome of one test case.
type TestResult struct {
	Suite *TestSuite
	Case  *TestCase
	Got   int // detections of the rule under test
	Err   error
}

// Passed reports whether the case behaved as expected.
func (r TestResult) Passed() bool {
	if r.Err != nil {
		return false
	}
	if r.Case.Count > 0 {
		return r.Got == r.Case.Count
	}
	return (r.Got > 0) == r.Case.Expect
}

// RunTests runs every test case the set carries, in file order.
func (s *Set) RunTests() []TestResult {
	var out []TestResult
	for _, ts := range s.Tests {
		for i := range ts.Cases {
			got, err := s.runCase(ts.Rule, &ts.Cases[i])
			out = append(out, TestResult{Suite: ts, Case: &ts.Cases[i], Got: got, Err: err})
		}
	}
	return out
}

// runCase evaluates the events of one case with the whole set, exactly as a
// scan would, and counts the detections of the rule under test. As in a
// scan, an event whose eventID an earlier event of the case had is a
// duplicate delivery and is skipped.
func (s *Set) runCase(rule string, tc *TestCase) (int, error) {
	target, isCorr := s.resolve(rule)
	if target == "" {
		return 0, fmt.Errorf("no loaded rule has id or name %q", rule)
	}
	if !isCorr {
		// A rule of another log source never sees a CloudTrail event: its
		// no-match cases would pass without testing anything.
		for _, r := range s.Engine.Skipped() {
			if isTarget(r, target) {
				return 0, fmt.Errorf("rule %s is not run on CloudTrail events (logsource product %q, service %q)", rule, r.Logsource.Product, r.Logsource.Service)
			}
		}
	}
	corr, err := s.NewCorrelator()
	if err != nil {
		return 0, err
	}
	var fields []string
	if corr != nil {
		fields = corr.Fields()
	}
	var obs []correlate.Observation
	single := 0
	var doc event.Doc
	seen := map[string]bool{}
	for i, raw := range tc.Events {
		if err := doc.Parse(raw); err != nil {
			return 0, fmt.Errorf("event %d: %w", i+1, err)
		}
		root := doc.Root()
		t, _ := event.EventTime(root)
		id := root.Get("eventID").Str()
		if id != "" {
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		s.Match(root, raw, nil, func(m sigma.Match) {
			if isTarget(m.Rule, target) {
				single++
			}
			if corr != nil && s.Referenced(key(m.Rule.Meta)) {
				obs = append(obs, s.Observation(m.Rule, root, id, t, fields))
			}
		})
	}
	if !isCorr {
		return single, nil
	}
	sort.SliceStable(obs, func(i, j int) bool { return obs[i].Time.Before(obs[j].Time) })
	n := 0
	count := func(ds []correlate.Detection) {
		for _, d := range ds {
			if d.Rule.ID == target || d.Rule.Name == target {
				n++
			}
		}
	}
	for _, o := range obs {
		count(corr.Observe(o))
	}
	count(corr.Flush())
	return n, nil
}

// resolve finds the rule a test names, by id or name, and says whether it is
// a correlation.
func (s *Set) resolve(ref string) (string, bool) {
	for _, r := range s.Rules {
		if r.ID == ref || (r.Name != "" && r.Name == ref) {
			if r.ID == "" {
				return ref, false
			}
			return r.ID, false
		}
	}
	for _, c := range s.Correlations {
		if c.ID == ref || (c.Name != "" && c.Name == ref) {
			if c.ID == "" {
				return c.Name, true
			}
			return c.ID, true
		}
	}
	return "", false
}

// isTarget reports whether r is the rule resolve found as target: its id,
// or its name when it has no id.
func isTarget(r *sigma.Rule, target string) bool {
	return r.ID == target || r.ID == "" && r.Name == target
}

// Describe returns the title and level of the rule or correlation with the
// given id or name.
func (s *Set) Describe(ref string) (title, level string) {
	for _, r := range s.Rules {
		if r.ID == ref || (r.Name != "" && r.Name == ref) {
			return r.Title, r.Level
		}
	}
	for _, c := range s.Correlations {
		if c.ID == ref || (c.Name != "" && c.Name == ref) {
			return c.Title, c.Level
		}
	}
	return ref, ""
}

// WithTests returns a shallow copy of the set whose test suites are replaced
// by fn's results (the rules and engine are shared).
func (s *Set) WithTests(fn func(*TestSuite) *TestSuite) *Set {
	c := *s
	c.Tests = make([]*TestSuite, 0, len(s.Tests))
	for _, ts := range s.Tests {
		c.Tests = append(c.Tests, fn(ts))
	}
	return &c
}
