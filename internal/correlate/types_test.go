package correlate

import (
	"fmt"
	"testing"
	"time"
)

// threeRules are detection rules a, b and c for the type tests.
const threeRules = `
title: A
name: rule_a
detection: {s: {x: 1}, condition: s}
---
title: B
name: rule_b
detection: {s: {x: 1}, condition: s}
---
title: C
name: rule_c
detection: {s: {x: 1}, condition: s}
---
`

func corrRule(body string) string { return threeRules + "title: T\nname: t\ncorrelation:\n" + body }

func TestTemporalAnyOrder(t *testing.T) {
	src := corrRule("  type: temporal\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [host]\n  timespan: 5m\n")
	for _, tc := range []struct {
		name string
		in   []Observation
		want int
	}{
		{"c, a, b within 5 m", []Observation{
			obs("rule_c", "c", at(0), "host=h1"), obs("rule_a", "a", at(time.Minute), "host=h1"), obs("rule_b", "b", at(5*time.Minute), "host=h1")}, 1},
		{"b too late", []Observation{
			obs("rule_c", "c", at(0), "host=h1"), obs("rule_a", "a", at(time.Minute), "host=h1"), obs("rule_b", "b", at(5*time.Minute+time.Second), "host=h1")}, 0},
		{"different hosts", []Observation{
			obs("rule_c", "c", at(0), "host=h1"), obs("rule_a", "a", at(time.Minute), "host=h2"), obs("rule_b", "b", at(2*time.Minute), "host=h1")}, 0},
		{"a twice, no c", []Observation{
			obs("rule_a", "a1", at(0), "host=h1"), obs("rule_a", "a2", at(time.Minute), "host=h1"), obs("rule_b", "b", at(2*time.Minute), "host=h1")}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(newEngine(t, src, DefaultConfig()), tc.in)
			if len(got) != tc.want {
				t.Fatalf("got %d, want %d:\n%s", len(got), tc.want, render(got))
			}
			if tc.want == 1 && got[0].Value != 3 {
				t.Errorf("value %g, want 3 distinct rules", got[0].Value)
			}
		})
	}
	// A subset condition: any two of the three.
	src = corrRule("  type: temporal\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [host]\n  timespan: 5m\n  condition: {gte: 2}\n")
	got := run(newEngine(t, src, DefaultConfig()), []Observation{obs("rule_c", "c", at(0), "host=h1"), obs("rule_a", "a", at(time.Minute), "host=h1")})
	if len(got) != 1 || got[0].Value != 2 {
		t.Fatalf("gte 2 of 3: %s", render(got))
	}
}

func TestTemporalOrdered(t *testing.T) {
	src := corrRule("  type: temporal_ordered\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [host]\n  timespan: 5m\n")
	for _, tc := range []struct {
		name string
		in   []Observation
		want int
	}{
		{"in order", []Observation{
			obs("rule_a", "a", at(0), "host=h"), obs("rule_b", "b", at(time.Minute), "host=h"), obs("rule_c", "c", at(2*time.Minute), "host=h")}, 1},
		{"out of order", []Observation{
			obs("rule_b", "b", at(0), "host=h"), obs("rule_a", "a", at(time.Minute), "host=h"), obs("rule_c", "c", at(2*time.Minute), "host=h")}, 0},
		{"out of order, then a later b repairs it", []Observation{
			obs("rule_b", "b", at(0), "host=h"), obs("rule_a", "a", at(time.Minute), "host=h"),
			obs("rule_c", "c", at(2*time.Minute), "host=h"), obs("rule_b", "b2", at(3*time.Minute), "host=h"), obs("rule_c", "c2", at(4*time.Minute), "host=h")}, 1},
		{"same second counts as in order, whatever the arrival order", []Observation{
			obs("rule_c", "x", at(time.Minute), "host=h"), obs("rule_b", "y", at(time.Minute), "host=h"), obs("rule_a", "z", at(time.Minute), "host=h")}, 1},
		{"sequence longer than the timespan", []Observation{
			obs("rule_a", "a", at(0), "host=h"), obs("rule_b", "b", at(time.Minute), "host=h"), obs("rule_c", "c", at(5*time.Minute+time.Second), "host=h")}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(newEngine(t, src, DefaultConfig()), tc.in)
			if len(got) != tc.want {
				t.Fatalf("got %d, want %d:\n%s", len(got), tc.want, render(got))
			}
		})
	}
}

func TestValueSumFiresEarly(t *testing.T) {
	src := corrRule("  type: value_sum\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {field: bytes, gt: 1000}\n")
	e := newEngine(t, src, Config{AllowedLateness: 0})
	var got []Detection
	got = append(got, e.Observe(obs("rule_a", "1", at(0), "user=u", "bytes=600"))...)
	got = append(got, e.Observe(obs("rule_a", "2", at(time.Minute), "user=u", "bytes=not-a-number"))...)
	got = append(got, e.Observe(obs("rule_a", "3", at(2*time.Minute), "user=u", "bytes=401"))...)
	got = append(got, e.Observe(obs("rule_a", "4", at(3*time.Minute), "user=u", "bytes=5"))...)
	if len(got) != 0 {
		t.Fatalf("emitted before the window closed: %s", render(got))
	}
	// The detection is final when event time passes the window's end.
	got = e.Observe(obs("rule_a", "5", at(61*time.Minute), "user=other", "bytes=1"))
	// It fired at 2 m (600+401 > 1000); the 5 bytes at 3 m joined the
	// window, and Value is the sum over the whole window.
	if len(got) != 1 || got[0].Value != 1006 || got[0].Count != 3 || !got[0].Fired.Equal(at(2*time.Minute)) {
		t.Fatalf("want sum 1006 fired at 2 m with 3 events:\n%s", render(got))
	}
	if s := e.Stats(); s.BadValue != 1 {
		t.Errorf("BadValue = %d, want 1", s.BadValue)
	}
}

func TestValueAvgAtWindowClose(t *testing.T) {
	src := corrRule("  type: value_avg\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 10m\n  condition: {field: bytes, gt: 500}\n")
	in := []Observation{
		obs("rule_a", "1", at(0), "ip=x", "bytes=2000"), // alone it would be > 500
		obs("rule_a", "2", at(time.Minute), "ip=x", "bytes=100"),
		obs("rule_a", "3", at(10*time.Minute), "ip=x", "bytes=100"), // avg 733.3 at close
		obs("rule_a", "4", at(11*time.Minute), "ip=x", "bytes=100"), // next window: avg 100
		obs("rule_a", "5", at(0), "ip=y", "bytes=400"),
		obs("rule_a", "6", at(time.Minute), "ip=y", "bytes=500"),
	}
	got := run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 || got[0].GroupKey[0].Value != "x" || got[0].Count != 3 || fmt.Sprintf("%.1f", got[0].Value) != "733.3" {
		t.Fatalf("want one detection for x with avg 733.3 over 3 events:\n%s", render(got))
	}
}

func TestValuePercentileFindsRareValues(t *testing.T) {
	src := corrRule("  type: value_percentile\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 24h\n  condition: {field: image, lte: 5}\n")
	var in []Observation
	for i := 0; i < 99; i++ {
		img := "svchost.exe"
		if i%3 == 0 {
			img = "explorer.exe"
		}
		in = append(in, obs("rule_a", fmt.Sprint("n", i), at(time.Duration(i)*time.Minute), "host=h", "image="+img))
	}
	in = append(in, obs("rule_a", "rare", at(3*time.Hour), "host=h", "image=mimikatz.exe"))
	got := run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 {
		t.Fatalf("want only the rare image:\n%s", render(got))
	}
	d := got[0]
	if d.Value != 1 || d.Count != 1 || d.EventIDs[0] != "rare" || d.GroupKey[1] != (KV{"image", "mimikatz.exe"}) {
		t.Errorf("got %s", render(got))
	}
}

// Conditions with an upper bound are decided when the window closes: the
// window opens at the first event of the group and lasts one timespan.
func TestUpperBoundConditionsAtWindowClose(t *testing.T) {
	times := func(ms ...int) []Observation {
		var in []Observation
		for i, m := range ms {
			in = append(in, obs("rule_a", fmt.Sprint("e", i), at(time.Duration(m)*time.Minute), "user=u"))
		}
		return in
	}
	for _, tc := range []struct {
		cond string
		in   []Observation
		want []int // counts of the detections
	}{
		{"{lt: 3}", times(0, 10), []int{2}},
		{"{lt: 3}", times(0, 10, 20), nil},
		{"{lte: 3}", times(0, 10, 20), []int{3}},
		// 0–60 m holds 0, 30 and 60 (inclusive end); 61 opens the next window.
		{"{lte: 2}", times(0, 30, 60, 61), []int{1}},
		{"{eq: 2}", times(0, 59, 61, 62), []int{2, 2}},
		{"{neq: 2}", times(0, 59, 61), []int{1}},
		{"{neq: 2}", times(0, 1, 2), []int{3}},
		{"{gte: 2, lte: 3}", times(0, 1, 2, 3, 100, 101), []int{2}},
		{"{gt: 1, lt: 4}", times(0, 1, 2, 100), []int{3}},
	} {
		t.Run(tc.cond, func(t *testing.T) {
			src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: " + tc.cond + "\n")
			got := run(newEngine(t, src, DefaultConfig()), tc.in)
			SortDetections(got)
			var counts []int
			for _, d := range got {
				counts = append(counts, d.Count)
			}
			if fmt.Sprint(counts) != fmt.Sprint(tc.want) {
				t.Errorf("counts %v, want %v:\n%s", counts, tc.want, render(got))
			}
		})
	}
}

func TestAliasesJoinDifferentFields(t *testing.T) {
	src := `
title: Internal error
name: internal_error
detection: {s: {x: 1}, condition: s}
---
title: New connection
name: new_network_connection
detection: {s: {x: 1}, condition: s}
---
title: Error then connection
correlation:
    type: temporal
    rules: [internal_error, new_network_connection]
    group-by: [internal_ip, remote_ip]
    timespan: 10s
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
`
	e := newEngine(t, src, DefaultConfig())
	in := []Observation{
		obs("internal_error", "err", at(0), "destination.ip=10.0.0.5", "source.ip=198.51.100.1"),
		// reversed direction: joins the error above
		obs("new_network_connection", "conn", at(5*time.Second), "source.ip=10.0.0.5", "destination.ip=198.51.100.1"),
		// same direction as the error: a different pair, no join
		obs("new_network_connection", "conn2", at(6*time.Second), "source.ip=198.51.100.1", "destination.ip=10.0.0.5"),
	}
	got := run(e, in)
	if len(got) != 1 || len(got[0].EventIDs) != 2 || got[0].GroupKey[0] != (KV{"internal_ip", "10.0.0.5"}) || got[0].GroupKey[1] != (KV{"remote_ip", "198.51.100.1"}) {
		t.Fatalf("want one detection for 10.0.0.5 ← 198.51.100.1:\n%s", render(got))
	}
	if fmt.Sprint(e.FieldsFor("internal_error")) != "[destination.ip source.ip]" {
		t.Errorf("FieldsFor = %v", e.FieldsFor("internal_error"))
	}
}

func TestLateObservationsAreDroppedAndCounted(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n")
	e := newEngine(t, src, Config{AllowedLateness: 10 * time.Minute})
	e.Observe(obs("rule_a", "1", at(30*time.Minute), "user=u"))
	e.Observe(obs("rule_a", "2", at(20*time.Minute), "user=u")) // 10 m late: allowed
	e.Observe(obs("rule_a", "3", at(50*time.Minute), "user=v"))
	e.Observe(obs("rule_a", "4", at(39*time.Minute), "user=v")) // 11 m late: dropped
	got := append([]Detection(nil), e.Flush()...)
	if len(got) != 1 || got[0].GroupKey[0].Value != "u" {
		t.Fatalf("want only u to fire:\n%s", render(got))
	}
	if s := e.Stats(); s.Late != 1 || s.Observed != 4 {
		t.Errorf("Late=%d Observed=%d, want 1 and 4", s.Late, s.Observed)
	}
	e.Observe(obs("rule_a", "5", at(60*time.Minute), "user=v"))
	if s := e.Stats(); s.Late != 2 {
		t.Errorf("after Flush every observation is late: Late=%d", s.Late)
	}
	if n := e.Stats().Invalid; n != 0 {
		t.Errorf("Invalid = %d", n)
	}
	e.Observe(Observation{RuleID: "rule_a", EventID: "z", Fields: map[string]string{"user": "u"}})
	if n := e.Stats().Invalid; n != 1 {
		t.Errorf("zero time: Invalid = %d, want 1", n)
	}
}

func TestMaxGroupsEvictsAndCounts(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n")
	e := newEngine(t, src, Config{MaxGroups: 2, MaxEventsPerGroup: 10})
	// With no allowed lateness an observation is processed once a later
	// one arrives (another one with the same time could still come).
	var got []Detection
	got = append(got, e.Observe(obs("rule_a", "u1", at(0), "user=u"))...)
	got = append(got, e.Observe(obs("rule_a", "u2", at(time.Minute), "user=u"))...) // u fires at 1 m, window open until 60 m
	got = append(got, e.Observe(obs("rule_a", "v1", at(2*time.Minute), "user=v"))...)
	got = append(got, e.Observe(obs("rule_a", "w1", at(3*time.Minute), "user=w"))...)
	if len(got) != 0 {
		t.Fatalf("nothing is final yet: %s", render(got))
	}
	// Processing w1 needs a third group: the one closest to its deadline
	// goes, u (60 m) before v (62 m). u had fired, so it is emitted, not lost.
	got = append(got, e.Observe(obs("rule_a", "x1", at(4*time.Minute), "user=x"))...)
	if len(got) != 1 || got[0].GroupKey[0].Value != "u" || got[0].Count != 2 {
		t.Fatalf("want u emitted on eviction:\n%s", render(got))
	}
	// x1 evicts v, which loses its one event: v2 alone does not fire.
	e.Observe(obs("rule_a", "v2", at(5*time.Minute), "user=v"))
	if rest := e.Flush(); len(rest) != 0 {
		t.Errorf("unexpected: %s", render(rest))
	}
	s := e.Stats()
	if s.EvictionsByReason[EvictMaxGroups] != 3 || s.Evictions() != 3 || s.Groups != 0 {
		t.Errorf("evictions %v groups %d, want 3 max_groups evictions (u, v, w)", s.EvictionsByReason, s.Groups)
	}
}

func TestMaxEventsPerGroupTruncatesEvidence(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 3}\n")
	e := newEngine(t, src, Config{MaxEventsPerGroup: 4})
	var in []Observation
	for i := 0; i < 10; i++ {
		in = append(in, obs("rule_a", fmt.Sprint("e", i), at(time.Duration(i)*time.Second), "user=u"))
	}
	got := run(e, in)
	if len(got) != 1 || got[0].Count != 10 || got[0].Value != 10 || len(got[0].EventIDs) != 4 || got[0].Truncated != 6 {
		t.Fatalf("want count and value 10 with 4 ids and 6 truncated:\n%s", render(got))
	}
	if got[0].EventIDs[0] != "e0" || got[0].EventIDs[3] != "e3" {
		t.Errorf("evidence keeps the first events: %v", got[0].EventIDs)
	}
	if s := e.Stats(); s.TruncatedEventIDs != 6 {
		t.Errorf("TruncatedEventIDs = %d", s.TruncatedEventIDs)
	}
	// value_count keeps at most 4 observations in its window; the oldest
	// are dropped and counted.
	src = corrRule("  type: value_count\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: user, gte: 3}\n")
	e = newEngine(t, src, Config{MaxEventsPerGroup: 4})
	for i := 0; i < 6; i++ {
		e.Observe(obs("rule_a", fmt.Sprint("s", i), at(time.Duration(i)*time.Second), "ip=x", "user=same"))
	}
	e.Flush()
	if n := e.Stats().EvictionsByReason[EvictMaxEvents]; n != 2 {
		t.Errorf("max_events_per_group evictions = %d, want 2", n)
	}
}

func TestEmptyGroupByIsOneGroup(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a, rule_b]\n  timespan: 1h\n  condition: {gte: 3}\n")
	in := []Observation{obs("rule_a", "1", at(0), "user=a"), obs("rule_b", "2", at(time.Minute)), obs("rule_a", "3", at(2*time.Minute), "user=b")}
	got := run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 || len(got[0].GroupKey) != 0 || got[0].Count != 3 {
		t.Fatalf("want one global group:\n%s", render(got))
	}
}

func TestValueCountOverSeveralFields(t *testing.T) {
	src := corrRule("  type: value_count\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: [user, host], gte: 3}\n")
	in := []Observation{
		obs("rule_a", "1", at(0), "ip=x", "user=a", "host=h1"),
		obs("rule_a", "2", at(time.Minute), "ip=x", "user=a", "host=h2"),
		obs("rule_a", "3", at(2*time.Minute), "ip=x", "user=b", "host=h1"),
		obs("rule_a", "4", at(3*time.Minute), "ip=y", "user=a", "host=h1"),
		obs("rule_a", "5", at(4*time.Minute), "ip=y", "user=a", "host=h1"),
		obs("rule_a", "6", at(5*time.Minute), "ip=y", "user=b", "host=h2"),
		// "a"+"bh1" and "ab"+"h1" must not collide with each other.
		obs("rule_a", "7", at(0), "ip=z", "user=a", "host=bh1"),
		obs("rule_a", "8", at(0), "ip=z", "user=ab", "host=h1"),
	}
	got := run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 || got[0].GroupKey[0].Value != "x" || got[0].Value != 3 {
		t.Fatalf("want only x (3 distinct user+host pairs):\n%s", render(got))
	}
}

func TestGenerateInsideCorrelationSection(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  generate: true\n  condition: {gte: 2}\n")
	e := newEngine(t, src, DefaultConfig())
	if !e.Standalone("rule_a") || e.Standalone("rule_b") != true {
		t.Errorf("generate inside correlation: Standalone(rule_a) = %v", e.Standalone("rule_a"))
	}
	src = corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n")
	if newEngine(t, src, DefaultConfig()).Standalone("rule_a") {
		t.Error("without generate, rule_a must not be standalone")
	}
}

// With in-order input and no lateness, a chained detection is returned by
// Observe as soon as event time has passed both windows, before Flush.
func TestChainedDetectionBeforeFlush(t *testing.T) {
	e := newEngine(t, signinRules, Config{})
	var got []Detection
	for i := 0; i < 5; i++ {
		got = append(got, e.Observe(rootFailure(ids(5, "f")[i], at(time.Duration(i)*time.Minute), "203.0.113.7"))...)
	}
	got = append(got, e.Observe(obs(rootOK, "ok", at(6*time.Minute), "recipientAccountId=111122223333", "sourceIPAddress=203.0.113.7"))...)
	if len(got) != 0 {
		t.Fatalf("nothing can be final yet: %s", render(got))
	}
	// The brute force window is 0–15 m (fired at 4 m): final once event time
	// passes 15 m.
	got = append(got, e.Observe(obs(rootOK, "later", at(15*time.Minute+time.Second), "recipientAccountId=9", "sourceIPAddress=9"))...)
	if len(only(got, "Root brute force")) != 1 {
		t.Fatalf("brute force not final after 15 m:\n%s", render(got))
	}
	// The upper rule runs one brute-force timespan (15 m) behind. It fires
	// on the success at 6 m; its window is 4 m (the brute force) + 30 m, so
	// the detection is final once its frontier passes 34 m: event time 49 m.
	got = append(got, e.Observe(obs(rootOK, "later2", at(49*time.Minute), "recipientAccountId=9", "sourceIPAddress=9"))...)
	if len(only(got, "Root success after brute force")) != 0 {
		t.Fatalf("upper detection emitted early:\n%s", render(got))
	}
	got = append(got, e.Observe(obs(rootOK, "later3", at(49*time.Minute+time.Second), "recipientAccountId=9", "sourceIPAddress=9"))...)
	if up := only(got, "Root success after brute force"); len(up) != 1 || !up[0].Fired.Equal(at(6*time.Minute)) {
		t.Fatalf("upper detection not final after 49 m:\n%s", render(got))
	}
}
