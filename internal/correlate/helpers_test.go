package correlate

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/sigma"
)

// t0 is an arbitrary event-time origin for tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// loadSet parses a multi-document YAML rule file: correlation documents
// become rules, detection documents become bases.
func loadSet(t testing.TB, src string) ([]*Rule, []Base) {
	t.Helper()
	docs, errs := sigma.LoadDocuments("test.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	var rules []*Rule
	var bases []Base
	for _, d := range docs {
		switch d.Kind {
		case sigma.KindCorrelation:
			r, err := Parse(d)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			rules = append(rules, r)
		case sigma.KindRule:
			bases = append(bases, Base{ID: d.Meta.ID, Name: d.Meta.Name})
		}
	}
	return rules, bases
}

func newEngine(t testing.TB, src string, cfg Config) *Engine {
	t.Helper()
	rules, bases := loadSet(t, src)
	e, err := New(rules, bases, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// obs builds an observation; kv is field=value pairs.
func obs(rule, id string, ts time.Time, kv ...string) Observation {
	f := map[string]string{}
	for _, p := range kv {
		k, v, _ := strings.Cut(p, "=")
		f[k] = v
	}
	return Observation{RuleID: rule, EventID: id, Time: ts, Fields: f}
}

// run feeds all observations and flushes, returning every detection.
func run(e *Engine, in []Observation) []Detection {
	var out []Detection
	for _, o := range in {
		out = append(out, e.Observe(o)...)
	}
	return append(out, e.Flush()...)
}

// only keeps the detections of the rule with this title.
func only(ds []Detection, title string) []Detection {
	var out []Detection
	for _, d := range ds {
		if d.Rule.Title == title {
			out = append(out, d)
		}
	}
	return out
}

// render is a canonical text form of detections for comparisons.
func render(ds []Detection) string {
	ds = append([]Detection(nil), ds...)
	SortDetections(ds)
	var b strings.Builder
	for _, d := range ds {
		ids := append([]string(nil), d.EventIDs...)
		sort.Strings(ids)
		fmt.Fprintf(&b, "%s %v first=%s last=%s fired=%s count=%d value=%g trunc=%d ids=%v\n",
			d.Rule.Title, d.GroupKey, d.First.Format(time.RFC3339), d.Last.Format(time.RFC3339),
			d.Fired.Format(time.RFC3339), d.Count, d.Value, d.Truncated, ids)
	}
	return b.String()
}

func ids(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}
