package baseline

import (
	"container/heap"
	"strings"
	"time"
)

// Sequencer puts sign-ins into event-time order before a detector sees
// them. CloudTrail delivers late and out of order (a file covers about five
// minutes, files arrive up to about fifteen minutes late, and a directory of
// logs walked in key order goes region by region), while the baseline must
// learn in time order.
//
// A Sequencer holds each sign-in until a sign-in Window later in event time
// has been pushed, then releases it, oldest first (ties by account,
// principal, event id, so the order does not depend on arrival). A zero
// Window holds everything until Flush: scan mode builds the baseline from
// the whole scanned period in time order. At most MaxBuffered sign-ins are
// held; beyond that the oldest is released early (counted in Forced). A
// sign-in older than one already released is released at once (counted in
// Late): the detector still evaluates it.
type Sequencer struct {
	window   time.Duration
	max      int
	buf      signInHeap
	maxSeen  time.Time
	released time.Time
	forced   int64
	late     int64
}

// DefaultMaxBuffered bounds a Sequencer when NewSequencer is given 0.
const DefaultMaxBuffered = 1_000_000

// NewSequencer returns a Sequencer releasing sign-ins window after later
// ones arrive (0: at Flush), holding at most maxBuffered (0: the default).
func NewSequencer(window time.Duration, maxBuffered int) *Sequencer {
	if maxBuffered <= 0 {
		maxBuffered = DefaultMaxBuffered
	}
	if window < 0 {
		window = 0
	}
	return &Sequencer{window: window, max: maxBuffered}
}

// Push adds a sign-in and calls emit for each sign-in it releases, in
// order.
func (q *Sequencer) Push(s SignIn, emit func(SignIn)) {
	if !q.released.IsZero() && s.Time.Before(q.released) {
		q.late++
		emit(s)
		return
	}
	heap.Push(&q.buf, s)
	if s.Time.After(q.maxSeen) {
		q.maxSeen = s.Time
	}
	for q.buf.Len() > q.max {
		q.forced++
		q.pop(emit)
	}
	if q.window == 0 {
		return
	}
	cutoff := q.maxSeen.Add(-q.window)
	for q.buf.Len() > 0 && !q.buf[0].Time.After(cutoff) {
		q.pop(emit)
	}
}

// Flush releases every held sign-in, in order.
func (q *Sequencer) Flush(emit func(SignIn)) {
	for q.buf.Len() > 0 {
		q.pop(emit)
	}
}

func (q *Sequencer) pop(emit func(SignIn)) {
	s := heap.Pop(&q.buf).(SignIn)
	if s.Time.After(q.released) {
		q.released = s.Time
	}
	emit(s)
}

// Held returns how many sign-ins are waiting.
func (q *Sequencer) Held() int { return q.buf.Len() }

// Forced returns how many sign-ins were released early because the buffer
// was full.
func (q *Sequencer) Forced() int64 { return q.forced }

// Late returns how many sign-ins arrived after a later one was released.
func (q *Sequencer) Late() int64 { return q.late }

type signInHeap []SignIn

func (h signInHeap) Len() int           { return len(h) }
func (h signInHeap) Less(i, j int) bool { return signInLess(&h[i], &h[j]) }
func (h signInHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *signInHeap) Push(x any)        { *h = append(*h, x.(SignIn)) }
func (h *signInHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = SignIn{}
	*h = old[:len(old)-1]
	return s
}

func signInLess(a, b *SignIn) bool {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.Account, b.Account); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.Principal, b.Principal); c != 0 {
		return c < 0
	}
	return a.EventID < b.EventID
}
