package scan

import (
	"testing"
	"time"
)

// eventBefore, on an event not yet stored, agrees with the order of stored
// evidence, for times far apart, a nanosecond apart, equal (then the id
// decides) and beyond what Unix nanoseconds can hold.
func TestEvidenceOrder(t *testing.T) {
	base := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	times := []time.Time{
		base, base.Add(time.Nanosecond), base.Add(time.Second), base.Add(-time.Hour),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
	}
	ids := []string{"a", "b"}
	for _, ta := range times {
		for _, tb := range times {
			for _, ia := range ids {
				for _, ib := range ids {
					want := ta.Before(tb) || ta.Equal(tb) && ia < ib
					if got := eventBefore(ta, []byte(ia), newIDAt(tb, []byte(ib))); got != want {
						t.Errorf("eventBefore(%v %s, %v %s) = %v", ta, ia, tb, ib, got)
					}
					if got := newIDAt(ta, []byte(ia)).before(newIDAt(tb, []byte(ib))); got != want {
						t.Errorf("before(%v %s, %v %s) = %v", ta, ia, tb, ib, got)
					}
				}
			}
		}
	}
}
