package scan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/scan"
	"github.com/signwatch/signwatch/internal/source"
)

// getObjectRules loads one rule that matches every GetObject event.
func getObjectRules(t *testing.T) *ruleset.Set {
	t.Helper()
	return loadRule(t, `title: Every GetObject
id: 7b0c3f4e-1d52-4c1e-9d0a-3c1f4b0e9a11
status: test
level: low
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: GetObject}
  condition: selection
`)
}

// loadRule loads the one rule in text.
func loadRule(t *testing.T, text string) *ruleset.Set {
	t.Helper()
	ruleDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ruleDir, "r.yml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(ruleset.Options{Paths: []string{ruleDir}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

type ev struct {
	id string
	t  time.Time
}

// TestGroupKeepsEarliestEvidence sends 2,500 matches of one group in several
// orders and file splits: the alert must count all of them and keep exactly
// the 1,000 earliest eventIDs in time order, whatever the order of arrival.
func TestGroupKeepsEarliestEvidence(t *testing.T) {
	set := getObjectRules(t)
	const n = 2500
	base := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	events := make([]ev, n)
	for i := range events {
		// Two events a second, all within one clock hour, with ids out of
		// time order so that ties are settled by id.
		events[i] = ev{fmt.Sprintf("00000000-0000-4000-8000-%012d", (i*7919)%n), base.Add(time.Duration(i/2) * time.Second)}
	}
	// Ties (two events per second) are ordered by id.
	sortByTimeThenID := func(ids []ev) []string {
		c := append([]ev(nil), ids...)
		for i := 1; i < len(c); i++ {
			for j := i; j > 0 && (c[j].t.Before(c[j-1].t) || c[j].t.Equal(c[j-1].t) && c[j].id < c[j-1].id); j-- {
				c[j], c[j-1] = c[j-1], c[j]
			}
		}
		out := make([]string, 1000)
		for i := range out {
			out[i] = c[i].id
		}
		return out
	}
	want := sortByTimeThenID(events)

	rng := rand.New(rand.NewPCG(3, 4))
	orders := map[string][]ev{"forward": events, "reverse": nil, "shuffled": nil}
	for i := len(events) - 1; i >= 0; i-- {
		orders["reverse"] = append(orders["reverse"], events[i])
	}
	shuffled := append([]ev(nil), events...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	orders["shuffled"] = shuffled
	for name, order := range orders {
		for _, perFile := range []int{n, 300} {
			testGroupOrder(t, fmt.Sprintf("%s/%d per file", name, perFile), set, order, perFile, events, want)
		}
	}
}

func testGroupOrder(t *testing.T, name string, set *ruleset.Set, order []ev, perFile int, events []ev, want []string) {
	t.Helper()
	n := len(events)
	dir := t.TempDir()
	for k := 0; k < len(order); k += perFile {
		var recs []map[string]any
		for _, e := range order[k:min(k+perFile, len(order))] {
			recs = append(recs, map[string]any{"eventVersion": "1.09", "eventID": e.id, "eventTime": e.t.Format(time.RFC3339),
				"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": regionOf(e.id), "recipientAccountId": "111122223333",
				"sourceIPAddress": "192.0.2.10", "userAgent": "aws-cli/2", "userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"}})
		}
		writeJSON(t, filepath.Join(dir, fmt.Sprintf("part-%04d.json", k)), map[string]any{"Records": recs})
	}
	for _, workers := range []int{1, 2} {
		res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: set, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Alerts) != 1 {
			t.Fatalf("%s/%d workers: %d alerts, want one group", name, workers, len(res.Alerts))
		}
		a := res.Alerts[0]
		if a.Count != n || !a.FirstSeen.Equal(events[0].t) || !a.LastSeen.Equal(events[n-1].t) {
			t.Errorf("%s/%d workers: count %d first %v last %v", name, workers, a.Count, a.FirstSeen, a.LastSeen)
		}
		if a.Region != regionOf(want[0]) {
			t.Errorf("%s/%d workers: region %s, want the earliest event's, %s", name, workers, a.Region, regionOf(want[0]))
		}
		if !reflect.DeepEqual(a.EventIDs, want) {
			t.Errorf("%s/%d workers: kept %d ids, not the earliest 1,000 in time order (first %v, want %v)", name, workers, len(a.EventIDs), a.EventIDs[:3], want[:3])
		}
	}
}

// regionOf spreads a group's events over regions by their id.
func regionOf(id string) string {
	return []string{"us-east-1", "eu-west-1", "ap-south-1"}[int(id[len(id)-1])%3]
}

// TestGroupSeparatesKeyFields checks what makes two matches of one rule one
// alert: the same account, actor (ARN and principal), source address, user
// agent and clock hour. Events that differ in any one of them, or whose
// bytes only move from one field to the next, are separate alerts; repeats
// of one event shape are one alert with a count.
func TestGroupSeparatesKeyFields(t *testing.T) {
	set := getObjectRules(t)
	base := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	shape := func(edit func(r, id map[string]any)) map[string]any {
		id := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "principalId": "AIDAEXAMPLE"}
		r := map[string]any{"eventVersion": "1.09", "eventTime": base.Format(time.RFC3339),
			"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
			"recipientAccountId": "111122223333", "sourceIPAddress": "192.0.2.10", "userAgent": "aws-cli/2",
			"userIdentity": id}
		edit(r, id)
		return r
	}
	variants := map[string]func(r, id map[string]any){
		"same":           func(r, id map[string]any) {},
		"account":        func(r, id map[string]any) { r["recipientAccountId"] = "444455556666" },
		"arn":            func(r, id map[string]any) { id["arn"] = "arn:aws:iam::111122223333:user/bob" },
		"principal":      func(r, id map[string]any) { id["principalId"] = "AIDAOTHER" },
		"source":         func(r, id map[string]any) { r["sourceIPAddress"] = "192.0.2.11" },
		"agent":          func(r, id map[string]any) { r["userAgent"] = "aws-cli/3" },
		"hour":           func(r, id map[string]any) { r["eventTime"] = base.Add(time.Hour).Format(time.RFC3339) },
		"moved bytes":    func(r, id map[string]any) { r["sourceIPAddress"], r["userAgent"] = "192.0.2.10a", "ws-cli/2" },
		"same, later":    func(r, id map[string]any) { r["eventTime"] = base.Add(59 * time.Minute).Format(time.RFC3339) },
		"no principalId": func(r, id map[string]any) { delete(id, "principalId") },
	}
	dir := t.TempDir()
	var recs []map[string]any
	i := 0
	for _, name := range []string{"same", "account", "arn", "principal", "source", "agent", "hour", "moved bytes", "same, later", "no principalId"} {
		for range 2 { // each shape twice: its two events group together
			r := shape(variants[name])
			r["eventID"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			i++
			recs = append(recs, r)
		}
	}
	writeJSON(t, filepath.Join(dir, "events.json"), map[string]any{"Records": recs})
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: set, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// "same" and "same, later" share a group (4 events); every other shape
	// is its own group of 2.
	counts := map[int]int{}
	for _, a := range res.Alerts {
		counts[a.Count]++
	}
	if want := map[int]int{4: 1, 2: 8}; !reflect.DeepEqual(counts, want) {
		t.Errorf("alerts by count %v, want %v (one group of 4, eight of 2)", counts, want)
	}
}

// TestGroupNameDrillAndRecord checks what a group says of its events: the
// event name only when all its events share it, drill only when all its
// events are drill traffic, and the sign-in record of its earliest event
// (none when that event is not a sign-in), whatever order the events come
// in.
func TestGroupNameDrillAndRecord(t *testing.T) {
	set := loadRule(t, `title: Every IAM user call
id: 3c5e8a0d-6b1f-4f2a-9c7d-2e4b6a8c0f13
status: test
level: low
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {userIdentity.type: IAMUser}
  condition: selection
`)
	base := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	n := 0
	event := func(user, name string, at time.Duration, drill bool) map[string]any {
		n++
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		if drill {
			id = alert.DrillEventIDPrefix + id
		}
		r := map[string]any{"eventVersion": "1.09", "eventID": id, "eventTime": base.Add(at).Format(time.RFC3339),
			"eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
			"sourceIPAddress": "192.0.2.10", "userAgent": "Mozilla/5.0",
			"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/" + user, "accountId": "111122223333", "userName": user}}
		if name == "ConsoleLogin" {
			r["eventSource"] = "signin.amazonaws.com"
			r["responseElements"] = map[string]any{"ConsoleLogin": "Success"}
			r["additionalEventData"] = map[string]any{"MFAUsed": "No"}
		}
		return r
	}
	// In file order: each user's later event comes first.
	recs := []map[string]any{
		event("mixed", "PutObject", 2*time.Minute, false), event("mixed", "GetObject", time.Minute, false),
		event("same", "GetObject", 2*time.Minute, false), event("same", "GetObject", time.Minute, false),
		event("halfdrill", "GetObject", 2*time.Minute, true), event("halfdrill", "GetObject", time.Minute, false),
		event("alldrill", "GetObject", 2*time.Minute, true), event("alldrill", "GetObject", time.Minute, true),
		event("signin-later", "ConsoleLogin", 2*time.Minute, false), event("signin-later", "GetObject", time.Minute, false),
		event("signin-first", "GetObject", 2*time.Minute, false), event("signin-first", "ConsoleLogin", time.Minute, false),
	}
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "events.json"), map[string]any{"Records": recs})
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: set, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		name    string
		drill   bool
		records int
	}
	got := map[string]view{}
	for _, a := range res.Alerts {
		user := a.Actor[strings.LastIndex(a.Actor, "/")+1:]
		got[user] = view{a.EventName, a.Drill, len(a.Records)}
	}
	want := map[string]view{
		"mixed":        {"", false, 0},
		"same":         {"GetObject", false, 0},
		"halfdrill":    {"GetObject", false, 0},
		"alldrill":     {"GetObject", true, 0},
		"signin-later": {"", false, 0},
		"signin-first": {"", false, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups:\n got %v\nwant %v", got, want)
	}
}

// TestEventFilters checks --since (inclusive), --until (exclusive) and
// --account (recipientAccountId, else the caller's account) on each event,
// with a time only EventTime's wider forms read, and that events without an
// eventID are never taken for duplicates of one another.
func TestEventFilters(t *testing.T) {
	set := getObjectRules(t)
	since := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	until := since.Add(time.Hour)
	ev := func(id string, at string, edit func(r map[string]any)) map[string]any {
		r := map[string]any{"eventVersion": "1.09", "eventTime": at,
			"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
			"sourceIPAddress": "192.0.2.10", "userAgent": "aws-cli/2", "userIdentity": map[string]any{"type": "IAMUser", "accountId": "111122223333", "arn": "arn:aws:iam::111122223333:user/alice"}}
		if id != "" {
			r["eventID"] = id
		}
		if edit != nil {
			edit(r)
		}
		return r
	}
	at := func(d time.Duration) string { return since.Add(d).Format(time.RFC3339) }
	recs := []map[string]any{
		ev("before", at(-time.Second), nil),
		ev("at-since", at(0), nil),
		ev("last-second", at(time.Hour-time.Second), nil),
		ev("at-until", at(time.Hour), nil),
		ev("before-other-form", since.Add(-time.Minute).Format("2006-01-02 15:04:05"), nil),
		ev("caller-account", at(time.Minute), func(r map[string]any) { delete(r, "recipientAccountId") }),
		ev("other-account", at(time.Minute), func(r map[string]any) { r["recipientAccountId"] = "444455556666" }),
		ev("", at(2*time.Minute), nil),
		ev("", at(2*time.Minute), nil),
	}
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "events.json"), map[string]any{"Records": recs})
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}, Rules: set, Workers: 1,
		Source: source.Options{Since: since, Until: until, Accounts: []string{"111122223333"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Summary.Unique(); n != 5 {
		t.Errorf("%d events kept, want 5 (three by id, two without one)", n)
	}
	var ids []string
	for _, a := range res.Alerts {
		ids = append(ids, a.EventIDs...)
	}
	sort.Strings(ids)
	if want := []string{"", "", "at-since", "caller-account", "last-second"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("evidence %v, want %v", ids, want)
	}
}
