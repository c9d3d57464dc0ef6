// Package drill runs the fire drill: every built-in detection's attack
// events (which must trigger it) and look-alikes (which must not), marked so
// that a real pipeline can tell them apart, through the same engine a scan
// uses. It can also write them out as CloudTrail S3 delivery objects.
package drill

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/ruleset"
)

// Drill events carry both marks: an eventID prefix and a user agent suffix
// (alert.IsDrill recognises them).
const (
	EventIDPrefix   = alert.DrillEventIDPrefix
	UserAgentSuffix = alert.DrillUserAgentSuffix
)

// Result is the drill outcome of one detection.
type Result struct {
	Rule       string // id
	Title      string
	Level      string
	Attacks    int // attack sequences
	Fired      int // attack sequences that triggered the detection
	LookAlikes int // look-alike sequences
	Quiet      int // look-alike sequences that did not trigger it
	Failures   []string
}

// OK reports whether the detection behaved: every attack fired, every
// look-alike stayed quiet.
func (r Result) OK() bool { return r.Fired == r.Attacks && r.Quiet == r.LookAlikes && r.Attacks > 0 }

// Run marks the test events of every rule in set and evaluates them.
func Run(set *ruleset.Set) []Result {
	marked := Mark(set)
	byRule := map[string]*Result{}
	var order []string
	for _, tr := range marked.RunTests() {
		id := tr.Suite.Rule
		r, ok := byRule[id]
		if !ok {
			title, level := set.Describe(id)
			r = &Result{Rule: id, Title: title, Level: level}
			byRule[id] = r
			order = append(order, id)
		}
		pass := tr.Passed()
		if tr.Case.Expect {
			r.Attacks++
			if pass {
				r.Fired++
			}
		} else {
			r.LookAlikes++
			if pass {
				r.Quiet++
			}
		}
		if !pass {
			msg := fmt.Sprintf("%s: got %d detections", tr.Case.Name, tr.Got)
			if tr.Err != nil {
				msg += ": " + tr.Err.Error()
			}
			r.Failures = append(r.Failures, msg)
		}
	}
	out := make([]Result, 0, len(order))
	for _, id := range order {
		out = append(out, *byRule[id])
	}
	return out
}

// Mark returns a copy of set whose test events carry the drill marks.
func Mark(set *ruleset.Set) *ruleset.Set {
	return set.WithTests(func(ts *ruleset.TestSuite) *ruleset.TestSuite {
		c := *ts
		c.Cases = make([]ruleset.TestCase, len(ts.Cases))
		for i, tc := range ts.Cases {
			tc.Events = markAll(tc.Events)
			c.Cases[i] = tc
		}
		return &c
	})
}

func markAll(events [][]byte) [][]byte {
	out := make([][]byte, len(events))
	for i, raw := range events {
		out[i] = markEvent(raw, 0, "")
	}
	return out
}

// markEvent adds the marks to one event (salt keeps eventIDs of different
// cases apart) and shifts its time by shift.
func markEvent(raw []byte, shift time.Duration, salt string) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return raw // test events were validated when loaded
	}
	id, _ := m["eventID"].(string)
	m["eventID"] = EventIDPrefix + salt + id
	ua, _ := m["userAgent"].(string)
	m["userAgent"] = ua + UserAgentSuffix
	if shift != 0 {
		if s, ok := m["eventTime"].(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				m["eventTime"] = t.Add(shift).UTC().Format(time.RFC3339)
			}
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

// caseGap separates the emitted cases in time, beyond every window of the
// catalog, so that cases do not correlate with each other.
const caseGap = 3 * time.Hour

// Emit writes every marked test event of set as one CloudTrail S3 delivery
// object ({"Records":[...]}, gzip), the cases spread caseGap apart ending
// near now, so that the object can be fed to a real pipeline.
func Emit(w io.Writer, set *ruleset.Set, now time.Time) (int, error) {
	var records []json.RawMessage
	var suites []*ruleset.TestSuite
	set.WithTests(func(ts *ruleset.TestSuite) *ruleset.TestSuite { suites = append(suites, ts); return ts })
	total := 0
	for _, ts := range suites {
		total += len(ts.Cases)
	}
	start := now.Add(-time.Duration(total) * caseGap).Truncate(time.Hour)
	k := 0
	for _, ts := range suites {
		for _, tc := range ts.Cases {
			base := start.Add(time.Duration(k) * caseGap)
			k++
			shift := base.Sub(firstTime(tc.Events))
			for _, raw := range tc.Events {
				records = append(records, markEvent(raw, shift, fmt.Sprintf("%d-", k)))
			}
		}
	}
	zw := gzip.NewWriter(w)
	body, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(body); err != nil {
		return 0, err
	}
	return len(records), zw.Close()
}

// firstTime is the earliest eventTime of a case's events (each has one: the
// test loader fills it in when absent).
func firstTime(events [][]byte) time.Time {
	var first time.Time
	for _, raw := range events {
		var e struct {
			EventTime time.Time `json:"eventTime"`
		}
		if json.Unmarshal(raw, &e) == nil && (first.IsZero() || e.EventTime.Before(first)) {
			first = e.EventTime
		}
	}
	return first
}
