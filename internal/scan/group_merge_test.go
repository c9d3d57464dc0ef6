package scan

import (
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/sigma"
)

// TestGroupMerge merges the same group as two workers built it: the count
// and the time span add up, the event name stays only when both halves
// share it, drill only when both are drill, and the explanation, region and
// sign-in record come from whichever half holds the earliest event.
func TestGroupMerge(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	half := func(name, region, sel string, drill bool, rec *event.SignIn, times ...time.Duration) *group {
		g := &group{a: alert.Alert{Count: len(times), FirstSeen: t0.Add(times[0]), LastSeen: t0.Add(times[len(times)-1]),
			EventName: name, Drill: drill, Region: region, Explanation: []alert.Evidence{{Selection: sel}}}}
		if rec != nil {
			g.a.Records = []event.SignIn{*rec}
		}
		for _, d := range times {
			g.ids = append(g.ids, newIDAt(t0.Add(d), []byte(d.String())))
		}
		g.first = g.ids[0]
		return g
	}
	rec := &event.SignIn{EventName: "ConsoleLogin"}
	cases := []struct {
		name        string
		g, o        *group
		eventName   string
		drill       bool
		region, sel string
		records     int
		ids         []string
	}{
		{"other half earlier, differing", half("GetObject", "us-east-1", "g", true, rec, time.Minute, 2*time.Minute),
			half("PutObject", "eu-west-1", "o", false, nil, 0), "", false, "eu-west-1", "o", 0, []string{"0s", "1m0s", "2m0s"}},
		{"other half later, alike", half("GetObject", "us-east-1", "g", true, rec, 0),
			half("GetObject", "eu-west-1", "o", true, nil, time.Minute, 3*time.Minute), "GetObject", true, "us-east-1", "g", 1, []string{"0s", "1m0s", "3m0s"}},
		{"drill and not", half("GetObject", "us-east-1", "g", false, nil, 0),
			half("GetObject", "us-east-1", "o", true, nil, time.Minute), "GetObject", false, "us-east-1", "g", 0, []string{"0s", "1m0s"}},
	}
	for _, c := range cases {
		count := c.g.a.Count + c.o.a.Count
		first, last := min(c.g.a.FirstSeen.Unix(), c.o.a.FirstSeen.Unix()), max(c.g.a.LastSeen.Unix(), c.o.a.LastSeen.Unix())
		c.g.merge(c.o)
		a := c.g.finish()
		if a.Count != count || a.FirstSeen.Unix() != first || a.LastSeen.Unix() != last {
			t.Errorf("%s: count %d, %v to %v", c.name, a.Count, a.FirstSeen, a.LastSeen)
		}
		if a.EventName != c.eventName || a.Drill != c.drill || a.Region != c.region || a.Explanation[0].Selection != c.sel || len(a.Records) != c.records {
			t.Errorf("%s: name %q drill %v region %s explanation %s records %d", c.name, a.EventName, a.Drill, a.Region, a.Explanation[0].Selection, len(a.Records))
		}
		if !reflect.DeepEqual(a.EventIDs, c.ids) {
			t.Errorf("%s: evidence %v, want %v", c.name, a.EventIDs, c.ids)
		}
	}
}

// TestGroupOverflowCounted fills the scan's groups to maxGroups: a match
// that would open one more group, in a worker or in a merge, is counted as
// dropped (the overflow alert reports the count) instead of being lost
// silently.
func TestGroupOverflowCounted(t *testing.T) {
	gs := newGroups(new(maphash.Seed))
	for i := range maxGroups {
		gs.m[groupKey{h1: uint64(i)}] = &group{}
	}
	r := &sigma.Rule{}
	gs.add(sigma.LazyMatch{Rule: r}, &eventGroup{h1: 1 << 40}, time.Now(), []byte("id"), nil)
	if gs.dropped != 1 {
		t.Fatalf("a match beyond maxGroups: dropped %d, want 1", gs.dropped)
	}
	other := newGroups(gs.seed)
	other.m[groupKey{h1: 1 << 41}] = &group{a: alert.Alert{Count: 5}}
	other.dropped = 2
	gs.mergeFrom(other)
	if gs.dropped != 1+5+2 || len(gs.m) != maxGroups || len(other.m) != 0 || other.dropped != 0 {
		t.Errorf("merge beyond maxGroups: dropped %d (want 8), %d groups, left behind %d groups and %d dropped", gs.dropped, len(gs.m), len(other.m), other.dropped)
	}
}

// TestHourOfIsTruncate: the grouping bucket computed by integer arithmetic
// is time.Truncate's, before and after 1970, on and off the hour.
func TestHourOfIsTruncate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	times := []time.Time{time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-3600, 0), time.Unix(-3601, 999999999), time.Unix(3599, 999999999),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for range 100000 {
		times = append(times, time.Unix(rng.Int64N(1<<36)-1<<35, rng.Int64N(1e9)))
	}
	for _, tm := range times {
		if got, want := hourOf(tm), tm.Truncate(groupBucket).Unix(); got != want {
			t.Fatalf("%v: %d, Truncate gives %d", tm, got, want)
		}
	}
}
