package baseline

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func collect(out *[]SignIn) func(SignIn) { return func(s SignIn) { *out = append(*out, s) } }

func TestSequencerHoldsUntilFlush(t *testing.T) {
	events := scenario(500)
	shuffled := slices.Clone(events)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	q := NewSequencer(0, 0)
	var got []SignIn
	for _, s := range shuffled {
		q.Push(s, collect(&got))
	}
	if len(got) != 0 || q.Held() != len(events) {
		t.Fatalf("released %d before Flush", len(got))
	}
	q.Flush(collect(&got))
	if !reflect.DeepEqual(got, events) {
		t.Fatal("Flush did not restore event-time order")
	}
	// Any arrival order gives the same findings as the ordered stream.
	want := run(t, newDet(t, scenarioCfg), events)
	if findings := run(t, newDet(t, scenarioCfg), got); !reflect.DeepEqual(findings, want) {
		t.Error("findings differ after sequencing")
	}
}

func TestSequencerWindow(t *testing.T) {
	q := NewSequencer(10*time.Minute, 0)
	var got []SignIn
	at := func(min int, id string) SignIn {
		return SignIn{Account: "a", Principal: "p", EventID: id, Time: t0.Add(time.Duration(min) * time.Minute)}
	}
	q.Push(at(5, "b"), collect(&got))
	q.Push(at(0, "a"), collect(&got)) // out of order, within the window
	q.Push(at(12, "c"), collect(&got))
	if len(got) != 1 || got[0].EventID != "a" {
		t.Fatalf("after 12 min: released %v, want only a (older than 12-10)", got)
	}
	q.Push(at(30, "d"), collect(&got))
	if len(got) != 3 || got[1].EventID != "b" || got[2].EventID != "c" {
		t.Fatalf("after 30 min: %v", got)
	}
	q.Push(at(1, "late"), collect(&got)) // older than released c: straight through
	if q.Late() != 1 || got[3].EventID != "late" {
		t.Errorf("late sign-in: %v late=%d", got, q.Late())
	}
	q.Flush(collect(&got))
	if len(got) != 5 || got[4].EventID != "d" || q.Held() != 0 {
		t.Errorf("flush: %v", got)
	}
}

func TestSequencerBound(t *testing.T) {
	q := NewSequencer(0, 3)
	var got []SignIn
	for i := 5; i > 0; i-- {
		q.Push(SignIn{EventID: string(rune('a' + i)), Time: t0.Add(time.Duration(i) * time.Minute)}, collect(&got))
	}
	// t5 t4 t3 fill the buffer; t2 overflows it and is released at once
	// (the oldest); t1 is then older than a released sign-in: late.
	if q.Held() != 3 || q.Forced() != 1 || q.Late() != 1 || len(got) != 2 || got[0].EventID != "c" || got[1].EventID != "b" {
		t.Fatalf("held %d forced %d late %d released %v", q.Held(), q.Forced(), q.Late(), got)
	}
}
