package correlate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// Conditions that can never hold, or that are malformed, are errors
// (docs/correlation.md, "What is accepted"); their neighbours that can hold
// are accepted.
func TestParseConditionLimits(t *testing.T) {
	head := "title: x\ncorrelation:\n  rules: [a, b, c]\n  timespan: 1h\n"
	for _, tc := range []struct{ name, body, msg string }{
		{"count eq 0", "  type: event_count\n  condition: {eq: 0}\n", "can never hold"},
		{"count lt 1", "  type: value_count\n  condition: {field: u, lt: 1}\n", "can never hold"},
		{"negative count", "  type: event_count\n  condition: {gte: -1}\n", "whole number"},
		{"temporal sees no rule", "  type: temporal\n  condition: {lt: 1}\n", "can never hold"},
		{"temporal_ordered beyond all rules", "  type: temporal_ordered\n  condition: {gte: 4}\n", "requires all 3"},
		{"operator twice", "  type: event_count\n  condition: {gte: 2, gte: 3}\n", "given twice"},
		{"null field", "  type: value_count\n  condition: {field: null, gte: 2}\n", "must be a field name"},
		{"alias twice", "  type: temporal\n  aliases:\n    ip: {a: src}\n    ip: {b: dst}\n", "defined twice"},
		{"timespan over 3650 days", "  type: temporal\n", "longer than 3650 days"},
	} {
		src := head + tc.body
		if tc.name == "timespan over 3650 days" {
			src = strings.Replace(src, "timespan: 1h", "timespan: 3651d", 1)
		}
		if _, err := parseOne(t, src); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
	for _, tc := range []struct{ name, body, cond string }{
		{"percentage of 100 is in range", "  type: value_percentile\n  condition: {field: f, gte: 100}\n", "gte 100"},
		{"a range between two bounds", "  type: value_sum\n  condition: {field: f, gt: 1, lt: 2}\n", "gt 1 and lt 2"},
		{"bounds in canonical order", "  type: event_count\n  condition: {lte: 10, neq: 7, gte: 3}\n", "gte 3 and lte 10 and neq 7"},
		{"temporal_ordered explicit all", "  type: temporal_ordered\n  condition: {eq: 3}\n", "eq 3"},
	} {
		r, err := parseOne(t, head+tc.body)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if r.Condition.String() != tc.cond {
			t.Errorf("%s: condition %q, want %q", tc.name, r.Condition, tc.cond)
		}
	}
	if r, err := parseOne(t, head+"  type: temporal\n"); err != nil || r.Timespan != time.Hour {
		t.Fatalf("temporal: %v", err)
	}
	if r, err := parseOne(t, strings.Replace(head, "1h", "3650d", 1)+"  type: temporal\n"); err != nil || r.Timespan != 3650*24*time.Hour {
		t.Errorf("3650d is the longest timespan and is accepted: %v", err)
	}
}

// New applies the documented defaults (0 means 1000 events per group and
// 100000 groups) and rejects a count threshold at max_events_per_group and
// a negative lateness.
func TestNewLimitsAndDefaults(t *testing.T) {
	rule := func(cond string) string {
		return corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: " + cond + "\n")
	}
	for _, tc := range []struct {
		cond string
		cfg  Config
		ok   bool
	}{
		{"{gte: 999}", Config{}, true},
		{"{gte: 1000}", Config{}, false},
		{"{gte: 4}", Config{MaxEventsPerGroup: 5}, true},
		{"{gte: 5}", Config{MaxEventsPerGroup: 5}, false},
		{"{gte: 2, lte: 5}", Config{MaxEventsPerGroup: 5}, false},
		{"{gte: 2}", Config{AllowedLateness: -time.Second}, false},
	} {
		rules, bases := loadSet(t, rule(tc.cond))
		_, err := New(rules, bases, tc.cfg)
		if (err == nil) != tc.ok {
			t.Errorf("%s with %+v: error %v, want ok=%v", tc.cond, tc.cfg, err, tc.ok)
		}
	}
	// An engine built with zero limits has the default limits: its state
	// restores into one built with them spelled out.
	src := rule("{gte: 2}")
	e := newEngine(t, src, Config{})
	e.Observe(obs("rule_a", "1", at(0), "user=u"))
	var saved bytes.Buffer
	if err := e.Save(&saved); err != nil {
		t.Fatal(err)
	}
	if err := newEngine(t, src, Config{MaxGroups: 100000, MaxEventsPerGroup: 1000}).Restore(&saved); err != nil {
		t.Errorf("zero limits are not the defaults: %v", err)
	}
}

// A correlation over a value_percentile can group by its value field, which
// its detections carry (docs: "its GroupKey ends with the value field").
func TestChainOverPercentileReadsValueField(t *testing.T) {
	src := corrRule("  type: value_percentile\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 1h\n  condition: {field: image, lte: 10}\n") + `
---
title: Rare image on several hosts
correlation:
  type: event_count
  rules: [t]
  group-by: [image]
  timespan: 2h
  condition: {gte: 2}
`
	e := newEngine(t, src, DefaultConfig())
	var in []Observation
	for _, host := range []string{"h1", "h2"} {
		for i := 0; i < 20; i++ {
			in = append(in, obs("rule_a", fmt.Sprint(host, i), at(time.Duration(i)*time.Minute), "host="+host, "image=svchost.exe"))
		}
		in = append(in, obs("rule_a", host+"-rare", at(30*time.Minute), "host="+host, "image=evil.exe"))
	}
	got := only(run(e, in), "Rare image on several hosts")
	if len(got) != 1 || got[0].GroupKey[0] != (KV{"image", "evil.exe"}) || len(got[0].EventIDs) != 2 {
		t.Fatalf("want one detection for evil.exe on two hosts:\n%s", render(got))
	}
}

// Saved state only restores into an engine with the same rules (aliases
// included) and the same limits (allowed lateness included).
func TestRestoreChecksAliasesAndLateness(t *testing.T) {
	src := corrRule("  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [ip]\n  timespan: 1h\n  aliases:\n    ip: {rule_a: src, rule_b: dst}\n")
	e := newEngine(t, src, DefaultConfig())
	e.Observe(obs("rule_a", "1", at(0), "src=x"))
	var saved bytes.Buffer
	if err := e.Save(&saved); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(src, "rule_b: dst", "rule_b: src", 1)
	if err := newEngine(t, other, DefaultConfig()).Restore(bytes.NewReader(saved.Bytes())); err == nil {
		t.Error("restored into rules with other aliases")
	}
	cfg := DefaultConfig()
	cfg.AllowedLateness = time.Minute
	if err := newEngine(t, src, cfg).Restore(bytes.NewReader(saved.Bytes())); err == nil {
		t.Error("restored into an engine with another allowed lateness")
	}
	if err := newEngine(t, src, DefaultConfig()).Restore(bytes.NewReader(saved.Bytes())); err != nil {
		t.Errorf("same rules and limits: %v", err)
	}
}

// Restore validates what it would otherwise trust.
func TestRestoreRejectsInconsistentGroups(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 3}\n")
	cfg := Config{MaxGroups: 3, MaxEventsPerGroup: 4, AllowedLateness: 10 * time.Minute}
	e := newEngine(t, src, cfg)
	for i, u := range []string{"u", "u", "v", "u", "v"} {
		e.Observe(obs("rule_a", fmt.Sprint(i), at(time.Duration(i)*time.Minute), "user="+u))
	}
	e.Observe(obs("rule_a", "late", at(30*time.Minute), "user=w")) // processes the rest; stays pending
	var saved bytes.Buffer
	if err := e.Save(&saved); err != nil {
		t.Fatal(err)
	}
	load := func() snapshot {
		var s snapshot
		if err := json.Unmarshal(saved.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Rules) != 1 || len(s.Rules[0].Groups) != 2 || len(s.Rules[0].Groups[0].Entries) != 3 || len(s.Rules[0].Pending) != 1 {
			t.Fatalf("unexpected state: %s", saved.String())
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		damage func(*snapshot)
	}{
		{"unchanged", func(*snapshot) {}},
		{"entries out of time order", func(s *snapshot) {
			en := s.Rules[0].Groups[0].Entries
			en[0], en[2] = en[2], en[0]
		}},
		{"no deadline", func(s *snapshot) { s.Rules[0].Groups[0].Deadline = math.MaxInt64 }},
		{"pending key not its values", func(s *snapshot) { s.Rules[0].Pending[0].Key = encodeKey([]string{"other"}) }},
		{"more entries than max_events_per_group", func(s *snapshot) {
			g := s.Rules[0].Groups[0]
			g.Entries = append(g.Entries, g.Entries[2], g.Entries[2])
		}},
		{"more groups than max_groups", func(s *snapshot) {
			for _, u := range []string{"x", "y"} {
				g := *s.Rules[0].Groups[0]
				g.Key, g.Vals = encodeKey([]string{u}), []string{u}
				s.Rules[0].Groups = append(s.Rules[0].Groups, &g)
			}
		}},
	} {
		s := load()
		tc.damage(&s)
		data, err := json.Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		err = newEngine(t, src, cfg).Restore(bytes.NewReader(data))
		if (err == nil) != (tc.name == "unchanged") {
			t.Errorf("%s: restore error %v", tc.name, err)
		}
	}
}

// An observation lacking the value field is skipped and counted; a value
// that is not a finite number below 1e300 in magnitude is skipped and
// counted as a bad value.
func TestValueFieldMissingOrBad(t *testing.T) {
	src := corrRule("  type: value_count\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: user, gte: 2}\n")
	e := newEngine(t, src, DefaultConfig())
	got := run(e, []Observation{
		obs("rule_a", "1", at(0), "ip=x", "user=alice"),
		obs("rule_a", "2", at(time.Minute), "ip=x"), // no user: not an empty user
	})
	if len(got) != 0 || e.Stats().MissingField != 1 {
		t.Fatalf("missing value field: MissingField=%d, detections:\n%s", e.Stats().MissingField, render(got))
	}
	src = corrRule("  type: value_sum\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: bytes, gt: 0}\n")
	e = newEngine(t, src, DefaultConfig())
	var in []Observation
	for i, v := range []string{"NaN", "1e300", "-1e300", "+Inf", "9.9e299", "12"} {
		in = append(in, obs("rule_a", fmt.Sprint("v", i), at(time.Duration(i)*time.Second), "ip=x", "bytes="+v))
	}
	got = run(e, in)
	if len(got) != 1 || got[0].Count != 2 || got[0].Value != 9.9e299+12 {
		t.Fatalf("want the two finite values summed:\n%s", render(got))
	}
	if s := e.Stats(); s.BadValue != 4 {
		t.Errorf("BadValue = %d, want 4 (NaN, ±1e300, Inf)", s.BadValue)
	}
}

// An empty string is a value: it counts as one distinct value.
func TestValueCountEmptyValueIsDistinct(t *testing.T) {
	src := corrRule("  type: value_count\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: user, gte: 3}\n")
	got := run(newEngine(t, src, DefaultConfig()), []Observation{
		obs("rule_a", "1", at(0), "ip=x", "user="),
		obs("rule_a", "2", at(time.Minute), "ip=x", "user=alice"),
		obs("rule_a", "3", at(2*time.Minute), "ip=x", "user=bob"),
	})
	if len(got) != 1 || got[0].Value != 3 {
		t.Fatalf("want 3 distinct users, the empty one included:\n%s", render(got))
	}
}

// An alias also names the value field per referenced rule.
func TestAliasForValueField(t *testing.T) {
	src := corrRule("  type: value_count\n  rules: [rule_a, rule_b]\n  group-by: [ip]\n  timespan: 1h\n  aliases:\n    user: {rule_a: userName, rule_b: user.name}\n  condition: {field: user, gte: 2}\n")
	e := newEngine(t, src, DefaultConfig())
	if fmt.Sprint(e.FieldsFor("rule_a"), e.FieldsFor("rule_b")) != "[ip userName] [ip user.name]" {
		t.Errorf("FieldsFor: %v %v", e.FieldsFor("rule_a"), e.FieldsFor("rule_b"))
	}
	got := run(e, []Observation{
		obs("rule_a", "1", at(0), "ip=x", "userName=alice"),
		obs("rule_b", "2", at(time.Minute), "ip=x", "user.name=bob"),
	})
	if len(got) != 1 || got[0].Value != 2 {
		t.Fatalf("want alice and bob counted through the alias:\n%s", render(got))
	}
}

// A sliding window that has not fired reaches back one timespan from each
// new event: events at 0, 10 and 16 m do not make 3 within 15 m, but 10,
// 16 and 20 m do.
func TestSlidingWindowWithoutFiringMovesOn(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 15m\n  condition: {gte: 3}\n")
	var in []Observation
	for _, m := range []int{0, 10, 16, 20} {
		in = append(in, obs("rule_a", fmt.Sprint("m", m), at(time.Duration(m)*time.Minute), "user=u"))
	}
	got := run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 || got[0].Count != 3 || !got[0].First.Equal(at(10*time.Minute)) || !got[0].Fired.Equal(at(20*time.Minute)) {
		t.Fatalf("want one detection of 10, 16 and 20 m:\n%s", render(got))
	}
}

// Anchored windows: First and Last are the first and last events of the
// window, Fired is Last; with max_events_per_group the event_count stays
// exact and the left-out evidence is counted.
func TestAnchoredDetectionContents(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {lt: 3}\n")
	got := run(newEngine(t, src, DefaultConfig()), []Observation{
		obs("rule_a", "1", at(0), "user=u"), obs("rule_a", "2", at(10*time.Minute), "user=u")})
	if len(got) != 1 || !got[0].First.Equal(at(0)) || !got[0].Last.Equal(at(10*time.Minute)) || !got[0].Fired.Equal(at(10*time.Minute)) {
		t.Fatalf("want first 0, last and fired 10 m:\n%s", render(got))
	}
	src = corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2, neq: 3}\n")
	e := newEngine(t, src, Config{MaxEventsPerGroup: 4})
	var in []Observation
	for i := 0; i < 10; i++ {
		in = append(in, obs("rule_a", fmt.Sprint("e", i), at(time.Duration(i)*time.Second), "user=u"))
	}
	got = run(e, in)
	if len(got) != 1 || got[0].Count != 10 || got[0].Value != 10 || len(got[0].EventIDs) != 4 || got[0].Truncated != 6 {
		t.Fatalf("want count and value 10, 4 ids, 6 truncated:\n%s", render(got))
	}
	if s := e.Stats(); s.TruncatedEventIDs != 6 {
		t.Errorf("TruncatedEventIDs = %d, want 6", s.TruncatedEventIDs)
	}
}

// A sliding value_count reports the distinct count over the whole window,
// never less than when it fired, even when max_events_per_group dropped the
// observations that made it fire.
func TestSlidingValueNeverBelowFiring(t *testing.T) {
	src := corrRule("  type: value_count\n  rules: [rule_a]\n  group-by: [ip]\n  timespan: 1h\n  condition: {field: user, gte: 3}\n")
	var in []Observation
	for i, u := range []string{"a", "b", "c", "a", "a", "a", "a"} {
		in = append(in, obs("rule_a", fmt.Sprint(i), at(time.Duration(i)*time.Minute), "ip=x", "user="+u))
	}
	got := run(newEngine(t, src, Config{MaxEventsPerGroup: 4}), in)
	if len(got) != 1 || got[0].Value != 3 || got[0].Count != 7 {
		t.Fatalf("want value 3 over 7 events:\n%s", render(got))
	}
}

// value_percentile: one detection per value whose share of the window
// satisfies the condition, whatever the condition (a lower bound finds
// dominant values, including one carried by every event); its evidence,
// First, Last and Fired are those of the events carrying the value, and
// with max_events_per_group the share covers the retained events.
func TestValuePercentileDetails(t *testing.T) {
	src := corrRule("  type: value_percentile\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 1h\n  condition: {field: image, gte: 50}\n")
	var in []Observation
	for i, img := range []string{"x", "y", "x", "x"} {
		in = append(in, obs("rule_a", fmt.Sprint("h", i), at(time.Duration(i)*time.Minute), "host=h", "image="+img))
	}
	in = append(in, obs("rule_a", "only", at(0), "host=h2", "image=z"))
	got := run(newEngine(t, src, DefaultConfig()), in)
	SortDetections(got)
	if len(got) != 2 || got[0].GroupKey[1] != (KV{"image", "z"}) || got[0].Value != 100 ||
		got[1].GroupKey[1] != (KV{"image", "x"}) || got[1].Value != 75 || got[1].Count != 3 {
		t.Fatalf("want z at 100 %% and x at 75 %%:\n%s", render(got))
	}
	src = corrRule("  type: value_percentile\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 1h\n  condition: {field: image, lt: 20}\n")
	in = nil
	for i := 0; i < 30; i++ {
		img := "common"
		if i == 10 || i == 20 {
			img = "rare"
		}
		in = append(in, obs("rule_a", fmt.Sprint("e", i), at(time.Duration(i)*time.Minute), "host=h", "image="+img))
	}
	got = run(newEngine(t, src, DefaultConfig()), in)
	if len(got) != 1 || !got[0].First.Equal(at(10*time.Minute)) || !got[0].Last.Equal(at(20*time.Minute)) ||
		!got[0].Fired.Equal(at(20*time.Minute)) || fmt.Sprint(got[0].EventIDs) != "[e10 e20]" {
		t.Fatalf("want the rare image's two events, 10 m to 20 m:\n%s", render(got))
	}
	src = corrRule("  type: value_percentile\n  rules: [rule_a]\n  group-by: [host]\n  timespan: 1h\n  condition: {field: image, gte: 25, lte: 25}\n")
	in = nil
	for i, img := range []string{"a", "a", "a", "a", "a", "b"} {
		in = append(in, obs("rule_a", fmt.Sprint(i), at(time.Duration(i)*time.Minute), "host=h", "image="+img))
	}
	got = run(newEngine(t, src, Config{MaxEventsPerGroup: 4}), in)
	if len(got) != 1 || got[0].GroupKey[1] != (KV{"image", "b"}) || got[0].Value != 25 {
		t.Fatalf("want b at 25 %% of the 4 retained events:\n%s", render(got))
	}
}

// The group closest to expiry is evicted; among equal deadlines, the
// smallest key goes first. A group of an anchored window loses its partial
// window when evicted, even if its condition would hold.
func TestEvictionTiesAndAnchoredLoss(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 1}\n")
	e := newEngine(t, src, Config{MaxGroups: 2})
	e.Observe(obs("rule_a", "b", at(0), "user=b"))
	e.Observe(obs("rule_a", "a", at(0), "user=a"))
	e.Observe(obs("rule_a", "c", at(time.Minute), "user=c"))
	got := e.Observe(obs("rule_a", "d", at(2*time.Minute), "user=d")) // processes c, evicting a or b
	if len(got) != 1 || got[0].GroupKey[0].Value != "a" {
		t.Fatalf("want a (same deadline as b, smaller key) evicted and emitted:\n%s", render(got))
	}
	src = corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 1, lte: 5}\n")
	e = newEngine(t, src, Config{MaxGroups: 1, MaxEventsPerGroup: 10})
	got = run(e, []Observation{obs("rule_a", "u", at(0), "user=u"), obs("rule_a", "v", at(time.Minute), "user=v")})
	if len(got) != 1 || got[0].GroupKey[0].Value != "v" {
		t.Fatalf("want only v; u was evicted before its window closed:\n%s", render(got))
	}
	if n := e.Stats().EvictionsByReason[EvictMaxGroups]; n != 1 {
		t.Errorf("max_groups evictions = %d, want 1", n)
	}
}

// A correlation of correlations sees a lower detection at its Fired time,
// not at its last event.
func TestChainUsesFiredTime(t *testing.T) {
	for _, tc := range []struct {
		success time.Duration
		want    int
	}{{34 * time.Minute, 1}, {34*time.Minute + 30*time.Second, 0}} {
		e := newEngine(t, signinRules, DefaultConfig())
		var in []Observation
		for i, m := range []int{0, 1, 2, 3, 4, 10} { // fires at 4 m; 10 m joins the window
			in = append(in, rootFailure(fmt.Sprint("f", i), at(time.Duration(m)*time.Minute), "203.0.113.7"))
		}
		in = append(in, obs(rootOK, "ok", at(tc.success), "recipientAccountId=111122223333", "sourceIPAddress=203.0.113.7"))
		all := run(e, in)
		if bf := only(all, "Root brute force"); len(bf) != 1 || !bf[0].Last.Equal(at(10*time.Minute)) {
			t.Fatalf("brute force:\n%s", render(all))
		}
		if got := only(all, "Root success after brute force"); len(got) != tc.want {
			t.Errorf("success at %s: %d detections, want %d (30 m from the firing at 4 m)", tc.success, len(got), tc.want)
		}
	}
}

// temporal_ordered needs every rule, in order: repeating a later rule does
// not stand in for a missing one.
func TestTemporalOrderedNeedsEveryRule(t *testing.T) {
	src := corrRule("  type: temporal_ordered\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [host]\n  timespan: 5m\n")
	got := run(newEngine(t, src, DefaultConfig()), []Observation{
		obs("rule_a", "a", at(0), "host=h"), obs("rule_c", "c1", at(time.Minute), "host=h"), obs("rule_c", "c2", at(2*time.Minute), "host=h")})
	if len(got) != 0 {
		t.Fatalf("a, c, c fired without b:\n%s", render(got))
	}
}

// temporal over more rules than the engine's small fixed buffer.
func TestTemporalOverManyRules(t *testing.T) {
	var b strings.Builder
	var refs []string
	for i := 0; i < 17; i++ {
		fmt.Fprintf(&b, "title: R%d\nname: r%d\ndetection: {s: {x: 1}, condition: s}\n---\n", i, i)
		refs = append(refs, fmt.Sprint("r", i))
	}
	fmt.Fprintf(&b, "title: All\ncorrelation:\n  type: temporal\n  rules: [%s]\n  group-by: [host]\n  timespan: 1h\n", strings.Join(refs, ", "))
	var in []Observation
	for i, r := range refs {
		in = append(in, obs(r, r, at(time.Duration(i)*time.Minute), "host=h"))
	}
	got := run(newEngine(t, b.String(), DefaultConfig()), in)
	if len(got) != 1 || got[0].Value != 17 {
		t.Fatalf("want all 17 rules seen:\n%s", render(got))
	}
	if got := run(newEngine(t, b.String(), DefaultConfig()), in[1:]); len(got) != 0 {
		t.Fatalf("16 of 17 fired:\n%s", render(got))
	}
}

// SortDetections orders by fired time, then rule title, then group key.
func TestSortDetectionsOrder(t *testing.T) {
	ra, rb := &Rule{}, &Rule{}
	ra.Title, rb.Title = "A", "B"
	ds := []Detection{
		{Rule: rb, Fired: at(0), GroupKey: []KV{{"u", "1"}}},
		{Rule: ra, Fired: at(time.Second), GroupKey: []KV{{"u", "0"}}},
		{Rule: ra, Fired: at(0), GroupKey: []KV{{"u", "2"}}},
		{Rule: ra, Fired: at(0), GroupKey: []KV{{"u", "1"}}},
	}
	SortDetections(ds)
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprint(d.Fired.Sub(t0), d.Rule.Title, d.GroupKey[0].Value))
	}
	if want := "[0sA1 0sA2 0sB1 1sA0]"; fmt.Sprint(got) != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// Stats: observations waiting in reorder buffers, observations with an
// invalid time (they are observations too), and the representable years.
func TestStatsBufferedObservedInvalid(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n")
	e := newEngine(t, src, Config{AllowedLateness: time.Hour})
	for i := 0; i < 3; i++ {
		e.Observe(obs("rule_a", fmt.Sprint(i), at(time.Duration(i)*time.Minute), "user=u"))
	}
	if s := e.Stats(); s.Buffered != 3 || s.Groups != 0 {
		t.Errorf("Buffered=%d Groups=%d, want 3 and 0", s.Buffered, s.Groups)
	}
	for _, ts := range []time.Time{
		time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1678, 12, 31, 0, 0, 0, 0, time.UTC), // invalid
		time.Date(2261, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(1679, 1, 1, 0, 0, 0, 0, time.UTC), // valid
	} {
		e.Observe(obs("rule_a", "t", ts, "user=w"))
	}
	if s := e.Stats(); s.Invalid != 2 || s.Observed != 7 {
		t.Errorf("Invalid=%d Observed=%d, want 2 and 7", s.Invalid, s.Observed)
	}
	e.Flush()
	if s := e.Stats(); s.Buffered != 0 {
		t.Errorf("after Flush Buffered=%d", s.Buffered)
	}
}

// Event times before 1970 are valid and reordered like any others.
func TestEventTimesBefore1970(t *testing.T) {
	src := corrRule("  type: event_count\n  rules: [rule_a]\n  group-by: [user]\n  timespan: 1h\n  condition: {gte: 2}\n")
	e := newEngine(t, src, Config{AllowedLateness: time.Hour})
	old := time.Date(1960, 5, 1, 12, 0, 0, 0, time.UTC)
	got := run(e, []Observation{
		obs("rule_a", "2", old.Add(30*time.Minute), "user=u"),
		obs("rule_a", "1", old, "user=u"), // 30 m late: within the allowed hour
	})
	if len(got) != 1 || got[0].Count != 2 || !got[0].First.Equal(old) || e.Stats().Late != 0 {
		t.Fatalf("want one detection from 1960 (late=%d):\n%s", e.Stats().Late, render(got))
	}
}
