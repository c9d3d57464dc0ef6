package correlate

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"
)

const benchRules = `
title: Root console sign-in failure
id: 6f1c2a4e-1d7b-4c55-9a51-0b3e7f2d9a01
detection: {sel: {eventName: ConsoleLogin}, condition: sel}
---
title: Brute force
correlation:
  type: event_count
  rules: [6f1c2a4e-1d7b-4c55-9a51-0b3e7f2d9a01]
  group-by: [recipientAccountId, sourceIPAddress]
  timespan: 1h
  condition: {gte: 900}
---
title: Spraying
correlation:
  type: value_count
  rules: [6f1c2a4e-1d7b-4c55-9a51-0b3e7f2d9a01]
  group-by: [sourceIPAddress]
  timespan: 1h
  condition: {field: userName, gte: 900}
`

const benchGroups = 100000

// benchObs builds the observation for key k at event time ts.
func benchObs(k int, ts time.Time) Observation {
	return Observation{
		RuleID: rootFail, EventID: fmt.Sprintf("%08d-%d", k, ts.UnixNano()), Time: ts,
		Fields: map[string]string{
			"recipientAccountId": fmt.Sprintf("%012d", k%1000),
			"sourceIPAddress":    fmt.Sprintf("10.%d.%d.%d", k>>16&255, k>>8&255, k&255),
			"userName":           fmt.Sprintf("user%d", k%7),
		},
	}
}

// BenchmarkObserve100kGroups measures observation throughput with 100,000
// distinct live group keys in each of two rules (one per account+IP, one
// per IP), and the heap the groups take.
func BenchmarkObserve100kGroups(b *testing.B) {
	e := newEngine(b, benchRules, Config{MaxGroups: 2 * benchGroups, MaxEventsPerGroup: 1000, AllowedLateness: time.Second})
	pre := make([]Observation, benchGroups)
	for k := range pre {
		pre[k] = benchObs(k, at(time.Duration(k)*time.Millisecond))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, o := range pre {
		e.Observe(o)
	}
	pre = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The reorder buffer holds about 1 s of observations (1,000), a rounding
	// error next to the 200,000 groups.
	perGroup := float64(after.HeapAlloc-before.HeapAlloc) / float64(e.Stats().Groups)
	// Observations revisit the live keys in a shuffled order; event time
	// advances 1 ms each, so every key stays inside its 1 h window.
	obs := make([]Observation, 4096)
	for i := range obs {
		obs[i] = benchObs((i*7919)%benchGroups, time.Time{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := obs[i%len(obs)]
		o.Time = at(time.Duration(benchGroups+i) * time.Millisecond)
		e.Observe(o)
	}
	b.StopTimer()
	if s := e.Stats(); s.Groups < 2*benchGroups-2000 || s.EvictionsByReason[EvictMaxGroups] != 0 {
		b.Fatalf("groups did not stay live: %+v", s)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(perGroup, "bytes/group")
}

// BenchmarkSaveRestore100kGroups measures persisting 100,000 live groups
// per rule (two rules) and reading them back.
func BenchmarkSaveRestore100kGroups(b *testing.B) {
	rules, bases := loadSet(b, benchRules)
	cfg := Config{MaxGroups: 2 * benchGroups, MaxEventsPerGroup: 1000, AllowedLateness: time.Second}
	e, err := New(rules, bases, cfg)
	if err != nil {
		b.Fatal(err)
	}
	for k := 0; k < benchGroups; k++ {
		e.Observe(benchObs(k, at(time.Duration(k)*time.Millisecond)))
	}
	r, err := New(rules, bases, cfg)
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := e.Save(&buf); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		if err := r.Restore(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/float64(e.Stats().Groups), "saved-bytes/group")
}
