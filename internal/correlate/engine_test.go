package correlate

import (
	"strings"
	"testing"
	"time"
)

// signinRules are the rules of the issue: brute force, spraying and
// success after failures, over three detection rules.
const signinRules = `
title: Root console sign-in failure
id: 6f1c2a4e-1d7b-4c55-9a51-0b3e7f2d9a01
name: root_signin_failure
detection: {sel: {eventName: ConsoleLogin}, condition: sel}
---
title: Console sign-in failure
id: 7a2d3b5f-2e8c-4d66-8b62-1c4f803eab12
name: signin_failure
detection: {sel: {eventName: ConsoleLogin}, condition: sel}
---
title: Root console sign-in success
id: 8b3e4c60-3f9d-4e77-9c73-2d50914fbc23
name: root_signin_success
detection: {sel: {eventName: ConsoleLogin}, condition: sel}
---
title: Root brute force
id: 0c4f5d71-4a0e-4f88-8d84-3e61a25acd34
name: brute_force
level: high
correlation:
  type: event_count
  rules: [root_signin_failure]
  group-by: [recipientAccountId, sourceIPAddress]
  timespan: 15m
  condition: {gte: 5}
---
title: Password spraying
name: spraying
correlation:
  type: value_count
  rules: [7a2d3b5f-2e8c-4d66-8b62-1c4f803eab12]
  group-by: [sourceIPAddress]
  timespan: 30m
  condition: {field: userName, gte: 5}
---
title: Root success after brute force
name: success_after_failures
level: critical
generate: true
correlation:
  type: temporal_ordered
  rules: [brute_force, root_signin_success]
  group-by: [recipientAccountId, sourceIPAddress]
  timespan: 30m
`

const (
	rootFail = "6f1c2a4e-1d7b-4c55-9a51-0b3e7f2d9a01"
	fail     = "7a2d3b5f-2e8c-4d66-8b62-1c4f803eab12"
	rootOK   = "8b3e4c60-3f9d-4e77-9c73-2d50914fbc23"
)

func rootFailure(id string, ts time.Time, ip string) Observation {
	return obs(rootFail, id, ts, "recipientAccountId=111122223333", "sourceIPAddress="+ip)
}

func TestBruteForceWindowEdgeIsInclusive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fifth time.Duration
		want  int
	}{
		{"fifth exactly one timespan after the first", 15 * time.Minute, 1},
		{"fifth one second too late", 15*time.Minute + time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, signinRules, DefaultConfig())
			in := []Observation{
				rootFailure("e0", at(0), "203.0.113.7"),
				rootFailure("e1", at(time.Minute), "203.0.113.7"),
				rootFailure("e2", at(2*time.Minute), "203.0.113.7"),
				rootFailure("e3", at(3*time.Minute), "203.0.113.7"),
				rootFailure("e4", at(tc.fifth), "203.0.113.7"),
			}
			got := only(run(e, in), "Root brute force")
			if len(got) != tc.want {
				t.Fatalf("got %d detections, want %d:\n%s", len(got), tc.want, render(got))
			}
			if tc.want == 0 {
				return
			}
			d := got[0]
			if d.Count != 5 || d.Value != 5 || len(d.EventIDs) != 5 {
				t.Errorf("count=%d value=%g ids=%v, want 5 events", d.Count, d.Value, d.EventIDs)
			}
			if !d.First.Equal(at(0)) || !d.Last.Equal(at(tc.fifth)) || !d.Fired.Equal(at(tc.fifth)) {
				t.Errorf("first=%s last=%s fired=%s", d.First, d.Last, d.Fired)
			}
			want := []KV{{"recipientAccountId", "111122223333"}, {"sourceIPAddress", "203.0.113.7"}}
			if len(d.GroupKey) != 2 || d.GroupKey[0] != want[0] || d.GroupKey[1] != want[1] {
				t.Errorf("group key %v, want %v", d.GroupKey, want)
			}
		})
	}
}

func TestBruteForceGroupsByBothFields(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	var in []Observation
	// 4 failures from each of two IPs, and 4 for another account: no group
	// reaches 5.
	for i := 0; i < 4; i++ {
		ts := at(time.Duration(i) * time.Minute)
		in = append(in,
			rootFailure("a"+string(rune('0'+i)), ts, "203.0.113.7"),
			rootFailure("b"+string(rune('0'+i)), ts, "198.51.100.9"),
			obs(rootFail, "c"+string(rune('0'+i)), ts, "recipientAccountId=444455556666", "sourceIPAddress=203.0.113.7"))
	}
	if got := only(run(e, in), "Root brute force"); len(got) != 0 {
		t.Fatalf("want no detection, got:\n%s", render(got))
	}
}

func TestMissingGroupByFieldSkipsObservation(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	var in []Observation
	for i := 0; i < 5; i++ {
		// Lacks sourceIPAddress: must not be lumped into an "empty IP" group.
		in = append(in, obs(rootFail, "m"+string(rune('0'+i)), at(time.Duration(i)*time.Second), "recipientAccountId=111122223333"))
	}
	// An empty value is a value: these five do group together.
	for i := 0; i < 5; i++ {
		in = append(in, obs(rootFail, "x"+string(rune('0'+i)), at(time.Duration(i)*time.Second), "recipientAccountId=111122223333", "sourceIPAddress="))
	}
	got := only(run(e, in), "Root brute force")
	if len(got) != 1 || got[0].GroupKey[1].Value != "" || got[0].EventIDs[0][0] != 'x' {
		t.Fatalf("want one detection for the empty-IP events:\n%s", render(got))
	}
	if s := e.Stats(); s.MissingField != 5 {
		t.Errorf("MissingField = %d, want 5", s.MissingField)
	}
}

// A 500-attempt brute force is neither 500 detections nor one silent one:
// each detection covers one timespan from the first event of its window,
// and a continuing attack starts a new window that must meet the condition
// again.
func TestLongBruteForceFiresOncePerWindow(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	var in []Observation
	for i := 0; i < 500; i++ { // one every 6 s: 0 s … 2994 s
		in = append(in, rootFailure(ids(500, "bf")[i], at(time.Duration(6*i)*time.Second), "203.0.113.7"))
	}
	got := only(run(e, in), "Root brute force")
	// Windows start at 0, 906, 1812 and 2718 s (the first attempt after the
	// previous window closed) and each holds every attempt within 900 s.
	if len(got) != 4 {
		t.Fatalf("got %d detections, want 4:\n%s", len(got), render(got))
	}
	total := 0
	seen := map[string]bool{}
	for _, d := range got {
		total += d.Count
		if d.Last.Sub(d.First) > 15*time.Minute {
			t.Errorf("detection spans %s, more than the timespan", d.Last.Sub(d.First))
		}
		for _, id := range d.EventIDs {
			if seen[id] {
				t.Errorf("event %s is evidence of two detections", id)
			}
			seen[id] = true
		}
	}
	if total != 500 || len(seen) != 500 {
		t.Errorf("evidence covers %d events (%d ids), want all 500", total, len(seen))
	}
	if !got[1].First.Equal(at(906 * time.Second)) {
		t.Errorf("second window starts at %s, want 906 s", got[1].First.Sub(t0))
	}
}

func TestSprayingCountsDistinctUsers(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	var in []Observation
	users := []string{"alice", "bob", "carol", "dave"}
	for i := 0; i < 40; i++ { // 4 users, many times: never 5 distinct
		in = append(in, obs(fail, ids(40, "s")[i], at(time.Duration(i)*10*time.Second), "sourceIPAddress=192.0.2.1", "userName="+users[i%4]))
	}
	if got := only(run(e, in), "Password spraying"); len(got) != 0 {
		t.Fatalf("4 distinct users fired:\n%s", render(got))
	}
	e = newEngine(t, signinRules, DefaultConfig())
	in = append(in, obs(fail, "eve", at(29*time.Minute), "sourceIPAddress=192.0.2.1", "userName=erin"))
	got := only(run(e, in), "Password spraying")
	if len(got) != 1 || got[0].Value != 5 {
		t.Fatalf("want one detection with 5 distinct users:\n%s", render(got))
	}
	// The window at the fifth user reaches back 30 minutes, to 0 s (inclusive).
	if got[0].Count != 41 || !got[0].First.Equal(at(0)) {
		t.Errorf("count=%d first=%s, want all 41 attempts from 0 s", got[0].Count, got[0].First.Sub(t0))
	}
	// Users tried after the firing, inside the window, raise the reported
	// distinct count; after the window (30 m from 0 s) they do not join.
	e = newEngine(t, signinRules, DefaultConfig())
	in = append(in,
		obs(fail, "late1", at(29*time.Minute+30*time.Second), "sourceIPAddress=192.0.2.1", "userName=frank"),
		obs(fail, "late2", at(30*time.Minute), "sourceIPAddress=192.0.2.1", "userName=grace"),
		obs(fail, "after", at(30*time.Minute+time.Second), "sourceIPAddress=192.0.2.1", "userName=heidi"))
	got = only(run(e, in), "Password spraying")
	if len(got) != 1 || got[0].Value != 7 || got[0].Count != 43 || !got[0].Fired.Equal(at(29*time.Minute)) {
		t.Fatalf("want one detection, fired at 29 m, 7 distinct users over 43 attempts:\n%s", render(got))
	}
}

func TestSuccessAfterFailures(t *testing.T) {
	failures := func() []Observation {
		var in []Observation
		for i := 0; i < 5; i++ {
			in = append(in, rootFailure(ids(5, "f")[i], at(time.Duration(i)*time.Minute), "203.0.113.7"))
		}
		return in
	}
	success := func(d time.Duration, ip string) Observation {
		return obs(rootOK, "ok", at(d), "recipientAccountId=111122223333", "sourceIPAddress="+ip)
	}
	for _, tc := range []struct {
		name string
		in   []Observation
		want int
	}{
		// the brute force fires at 4 m (the fifth failure)
		{"success 10 m after", append(failures(), success(14*time.Minute, "203.0.113.7")), 1},
		{"success exactly 30 m after firing", append(failures(), success(34*time.Minute, "203.0.113.7")), 1},
		{"success 30 m 1 s after firing", append(failures(), success(34*time.Minute+time.Second, "203.0.113.7")), 0},
		{"success before the failures", append(failures(), success(-time.Minute, "203.0.113.7")), 0},
		{"success from another IP", append(failures(), success(10*time.Minute, "198.51.100.9")), 0},
		{"success before the fifth failure", append(failures(), success(3*time.Minute+30*time.Second, "203.0.113.7")), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, signinRules, DefaultConfig())
			all := run(e, tc.in)
			got := only(all, "Root success after brute force")
			if len(got) != tc.want {
				t.Fatalf("got %d, want %d:\n%s", len(got), tc.want, render(all))
			}
			if tc.want == 0 {
				return
			}
			d := got[0]
			// Evidence: the five failures (through the brute-force detection) and the success.
			if d.Count != 2 || len(d.EventIDs) != 6 || !d.Report {
				t.Errorf("count=%d ids=%v report=%v", d.Count, d.EventIDs, d.Report)
			}
		})
	}
}

func TestGenerateSemantics(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	for _, tc := range []struct {
		ref  string
		want bool
	}{
		{rootFail, false},              // only feeds brute_force, which has no generate
		{"root_signin_failure", false}, // same rule by name
		{fail, false},                  // only feeds spraying
		{rootOK, true},                 // feeds success_after_failures, generate: true
		{"brute_force", true},          // feeds success_after_failures, generate: true
		{"spraying", true},             // top-level correlation
		{"unrelated-rule", true},       // not referenced at all
	} {
		if got := e.Standalone(tc.ref); got != tc.want {
			t.Errorf("Standalone(%q) = %v, want %v", tc.ref, got, tc.want)
		}
	}
	// An intermediate correlation without a generating consumer is returned
	// but marked not to report.
	rules := strings.Replace(signinRules, "generate: true\n", "", 1)
	e = newEngine(t, rules, DefaultConfig())
	var in []Observation
	for i := 0; i < 5; i++ {
		in = append(in, rootFailure(ids(5, "f")[i], at(time.Duration(i)*time.Minute), "203.0.113.7"))
	}
	got := only(run(e, in), "Root brute force")
	if len(got) != 1 || got[0].Report || got[0].Generate {
		t.Fatalf("want one unreported detection: %+v", got)
	}
}

func TestFieldsListsWhatRulesRead(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	want := "recipientAccountId,sourceIPAddress,userName"
	if got := strings.Join(e.Fields(), ","); got != want {
		t.Errorf("Fields() = %s, want %s", got, want)
	}
	if got := strings.Join(e.FieldsFor(fail), ","); got != "sourceIPAddress,userName" {
		t.Errorf("FieldsFor(signin_failure) = %s", got)
	}
	if got := strings.Join(e.FieldsFor("signin_failure"), ","); got != "sourceIPAddress,userName" {
		t.Errorf("FieldsFor by name = %s", got)
	}
	if !e.References(rootOK) || e.References("nope") {
		t.Error("References wrong")
	}
}

func TestObservationByNameOrID(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	var in []Observation
	for i := 0; i < 5; i++ {
		ref := rootFail
		if i%2 == 1 {
			ref = "root_signin_failure"
		}
		in = append(in, obs(ref, ids(5, "n")[i], at(time.Duration(i)*time.Second), "recipientAccountId=1", "sourceIPAddress=ip"))
	}
	if got := only(run(e, in), "Root brute force"); len(got) != 1 || got[0].Count != 5 {
		t.Fatalf("mixing id and name references: %s", render(got))
	}
}

// TestValuesCompareExactly pins down a choice the Sigma specification
// leaves open (docs/correlation.md, "Values are compared exactly"): value
// fields and group-by values are compared byte for byte, so values that
// differ only in case are distinct, as in the SIEM backends Sigma
// correlations are written for.
func TestValuesCompareExactly(t *testing.T) {
	e := newEngine(t, signinRules, DefaultConfig())
	spray := func(id string, n int, user, ip string) Observation {
		return obs(fail, id, at(time.Duration(n)*time.Minute), "sourceIPAddress="+ip, "userName="+user)
	}
	// Five user names that differ only in case: five distinct values.
	var in []Observation
	for i, u := range []string{"alice", "Alice", "ALICE", "aLice", "alIce"} {
		in = append(in, spray("s"+u, i, u, "203.0.113.7"))
	}
	got := only(run(e, in), "Password spraying")
	if len(got) != 1 || got[0].Value != 5 {
		t.Fatalf("five case variants of one name: got %s, want one detection counting 5 values", render(got))
	}
	// Four distinct names from one source, and a fifth from a source
	// written the same but for case (CloudTrail writes service names and
	// "AWS Internal" in sourceIPAddress): two groups of fewer than five
	// values, no detection.
	e = newEngine(t, signinRules, DefaultConfig())
	in = nil
	for i, u := range []string{"a", "b", "c", "d"} {
		in = append(in, spray("v"+u, i, u, "AWS Internal"))
	}
	in = append(in, spray("ve", 4, "e", "aws internal"))
	if got := only(run(e, in), "Password spraying"); len(got) != 0 {
		t.Fatalf("group-by values differing in case are separate groups: got %s", render(got))
	}
}
