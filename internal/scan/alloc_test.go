package scan

import (
	"fmt"
	"hash/maphash"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/decode"
	"github.com/signwatch/signwatch/internal/event"
)

// TestEventPathDoesNotAllocate holds the worker's handling of an ordinary
// event (not a sign-in, no rules) to no allocation: the per-event lookups
// (event.ReadCommon's result among them) must stay on the stack. A value
// that escapes costs a heap object per event, and the collector's work
// and the scan's peak memory grow with it.
func TestEventPathDoesNotAllocate(t *testing.T) {
	const runs = 100
	seed := maphash.MakeSeed()
	p := &pipeline{dedup: newDedupSet(), groups: newGroups(&seed)}
	w := newWorker(p)
	recs := make([]decode.Record, runs+1)
	for i := range recs {
		raw := []byte(fmt.Sprintf(`{"eventVersion":"1.08","eventID":"%08x-0000-4000-8000-000000000000",`+
			`"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",`+
			`"awsRegion":"eu-west-1","recipientAccountId":"111122223333","sourceIPAddress":"192.0.2.7",`+
			`"userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a",`+
			`"principalId":"AIDAEXAMPLE","accountId":"111122223333","userName":"a"}}`, i))
		var doc event.Doc
		if err := doc.Parse(raw); err != nil {
			t.Fatal(err)
		}
		recs[i] = decode.Record{Raw: raw, Doc: &doc, Time: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	}
	next := 0
	allocs := testing.AllocsPerRun(runs, func() {
		if err := w.event(recs[next]); err != nil {
			t.Fatal(err)
		}
		next++
	})
	if allocs != 0 {
		t.Errorf("handling an event allocates %.1f times; want 0", allocs)
	}
	if got := w.sum.Unique(); got != int64(next) {
		t.Errorf("summary counted %d unique events, want %d (the test must exercise the whole path)", got, next)
	}
}
