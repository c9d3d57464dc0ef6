package scan

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Single-event detections are grouped, as an alert manager would: matches of
// one rule for the same account, actor, source and user agent within one
// clock hour are one alert with a count (and an event name only when all
// its events share it). A burst of 500 failures
// is one line, not 500; root sign-ins on different hours stay separate. The
// grouping does not depend on the order in which events arrive, and memory
// grows with the number of groups, not with the number of matches.
const (
	groupBucket = time.Hour
	// maxGroupIDs bounds the evidence eventIDs kept per grouped alert; the
	// earliest are kept and the count stays exact.
	maxGroupIDs = 1000
	// maxGroups bounds the grouped alerts of one scan; matches that would
	// open a group beyond it are counted and raise an internal alert.
	maxGroups = 200000
)

// groupKey identifies a group: the rule, the hour, and a 128-bit hash of
// the event's account, actor, source, user agent and event name bytes, so
// that a match of an existing group costs no allocation.
type groupKey struct {
	rule   *sigma.Rule
	h1, h2 uint64
	bucket int64
}

// eventGroup is what grouping needs of one event: the hash of its key
// fields, its hour, its name and whether it is drill traffic. It is computed
// once for all the rules the event matches.
type eventGroup struct {
	h1, h2 uint64
	bucket int64
	name   []byte
	drill  bool
}

// newEventGroup hashes the key fields of an event (its account, source
// and user agent, the actor in its userIdentity) with the scan's seed
// (shared by all workers, so their groups merge).
func newEventGroup(c *event.Common, t time.Time, seed *maphash.Seed) eventGroup {
	// Each field is hashed on its own (one call each, no streaming state)
	// and the field hashes are chained twice, with different mixes, so
	// that moving bytes from one field to the next changes the result. Two
	// events share a group only if all their field hashes are equal (one
	// chance in 2^64 per differing field) or both chains collide.
	var h1, h2 uint64
	for _, v := range [...]event.Value{c.Account, c.SourceIP, c.UserAgent, c.ARN, c.PrincipalID} {
		h := maphash.Bytes(*seed, v.Bytes())
		h1 = (h1^h)*0x9E3779B97F4A7C15 + 1
		h2 = (h2^bits.RotateLeft64(h, 29))*0xC2B2AE3D27D4EB4F + 1
	}
	return eventGroup{h1: h1, h2: h2, bucket: hourOf(t),
		name: c.EventName.Bytes(), drill: drillEvent(c.EventID, c.UserAgent)}
}

// hourOf is t.Truncate(groupBucket).Unix() by integer arithmetic: the zero
// time Truncate counts from is a whole number of hours before 1970, so
// rounding the Unix seconds down to an hour (towards minus infinity) gives
// the same instant.
func hourOf(t time.Time) int64 {
	const h = int64(groupBucket / time.Second)
	sec := t.Unix()
	q := sec / h
	if sec%h < 0 {
		q--
	}
	return q * h
}

// idAt is one piece of evidence: an event's time (Unix seconds and
// nanoseconds: no pointer for the collector to follow, a cheap comparison,
// and every year RFC 3339 can write) and id.
type idAt struct {
	sec  int64
	nsec int32
	id   string
}

func newIDAt(t time.Time, id []byte) idAt { return idAt{t.Unix(), int32(t.Nanosecond()), string(id)} }

func (a idAt) before(b idAt) bool { return a.compare(b) < 0 }

// compare orders evidence by time, then id.
func (a idAt) compare(b idAt) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// eventBefore is before for an event whose id is still raw bytes (the
// comparison does not allocate).
func eventBefore(t time.Time, id []byte, b idAt) bool {
	if sec, nsec := t.Unix(), int32(t.Nanosecond()); sec != b.sec || nsec != b.nsec {
		return sec < b.sec || sec == b.sec && nsec < b.nsec
	}
	return string(id) < b.id
}

// group is one grouped alert being built.
type group struct {
	a     alert.Alert
	ids   []idAt
	first idAt // the evidence whose explanation the alert shows
	// Once ids has been trimmed, cutoff is the latest evidence kept: an
	// event at or after it can never be among the earliest maxGroupIDs,
	// so it is counted without being stored (in a time-ordered scan, the
	// common case for a busy group).
	full   bool
	cutoff idAt
}

// eventDetails gives what a group needs of the event being matched,
// computed only when needed: the whole brief for a group's first event,
// the region and sign-in record when the event is the group's earliest so
// far (the group's events share account, actor, source and agent).
type eventDetails struct {
	brief    func() brief
	earliest func() (region string, record *event.SignIn)
}

// add merges one match into g. The id's string is made only when the group
// keeps it.
func (g *group) add(m sigma.LazyMatch, t time.Time, id []byte, name []byte, drill bool, ev *eventDetails) {
	if g.a.Count > 0 && g.a.EventName != string(name) {
		g.a.EventName = ""
	}
	if g.a.Count == 0 {
		at := newIDAt(t, id)
		g.a = singleAlert(m.Rule, m.Explain(), ev.brief(), at.id)
		g.first = at
		g.ids = append(make([]idAt, 0, 4), at)
		return
	}
	g.a.Count++
	if t.Before(g.a.FirstSeen) {
		g.a.FirstSeen = t
	}
	if t.After(g.a.LastSeen) {
		g.a.LastSeen = t
	}
	g.a.Drill = g.a.Drill && drill
	if eventBefore(t, id, g.first) {
		// The explanation, region and sign-in record follow the earliest
		// event.
		region, rec := ev.earliest()
		g.a.Explanation, g.a.Region, g.first = evidence(m.Explain()), region, newIDAt(t, id)
		g.a.Records = nil
		if rec != nil {
			g.a.Records = []event.SignIn{*rec}
		}
		g.keep(g.first) // the same string
		return
	}
	if g.full && !eventBefore(t, id, g.cutoff) {
		return // tested before the id's string is made
	}
	g.keep(newIDAt(t, id))
}

// keep stores evidence unless the group is full and it comes at or after
// the cutoff: it can then never be among the earliest maxGroupIDs.
func (g *group) keep(at idAt) {
	if g.full && !at.before(g.cutoff) {
		return
	}
	g.ids = append(g.ids, at)
	if len(g.ids) > 2*maxGroupIDs {
		g.trim()
	}
}

// merge folds o (the same key, from another worker) into g.
func (g *group) merge(o *group) {
	g.a.Count += o.a.Count
	if o.a.FirstSeen.Before(g.a.FirstSeen) {
		g.a.FirstSeen = o.a.FirstSeen
	}
	if o.a.LastSeen.After(g.a.LastSeen) {
		g.a.LastSeen = o.a.LastSeen
	}
	g.a.Drill = g.a.Drill && o.a.Drill
	if g.a.EventName != o.a.EventName {
		g.a.EventName = ""
	}
	if o.first.before(g.first) {
		g.a.Explanation, g.a.Records, g.a.Region, g.first = o.a.Explanation, o.a.Records, o.a.Region, o.first
	}
	for _, at := range o.ids {
		g.keep(at)
	}
}

func (g *group) trim() {
	// In a time-ordered scan the ids arrive in order: check before sorting.
	if !slices.IsSortedFunc(g.ids, idAt.compare) {
		slices.SortFunc(g.ids, idAt.compare)
	}
	if len(g.ids) >= maxGroupIDs {
		g.ids = g.ids[:maxGroupIDs]
		g.full, g.cutoff = true, g.ids[maxGroupIDs-1]
	}
}

// finish returns the alert with its evidence in time order and its summary.
func (g *group) finish() alert.Alert {
	g.trim()
	a := g.a
	a.EventIDs = make([]string, len(g.ids))
	for i, x := range g.ids {
		a.EventIDs[i] = x.id
	}
	a.Summary = alert.Summarize(&a)
	return a
}

// groups holds grouped single-event alerts.
type groups struct {
	m       map[groupKey]*group
	seed    *maphash.Seed
	dropped int // matches not kept because maxGroups was reached
}

func newGroups(seed *maphash.Seed) *groups {
	return &groups{m: map[groupKey]*group{}, seed: seed}
}

func (gs *groups) add(m sigma.LazyMatch, eg *eventGroup, t time.Time, id []byte, ev *eventDetails) {
	k := groupKey{rule: m.Rule, h1: eg.h1, h2: eg.h2, bucket: eg.bucket}
	g, ok := gs.m[k]
	if !ok {
		if len(gs.m) >= maxGroups {
			gs.dropped++
			return
		}
		g = &group{}
		gs.m[k] = g
	}
	g.add(m, t, id, eg.name, eg.drill, ev)
}

// drillEvent tells drill traffic by its marks without building strings.
func drillEvent(eventID, userAgent event.Value) bool {
	return bytes.HasPrefix(eventID.Bytes(), []byte(alert.DrillEventIDPrefix)) ||
		bytes.HasSuffix(userAgent.Bytes(), []byte(alert.DrillUserAgentSuffix))
}

// mergeFrom moves every group of o into gs and empties o.
func (gs *groups) mergeFrom(o *groups) {
	for k, og := range o.m {
		g, ok := gs.m[k]
		switch {
		case ok:
			g.merge(og)
		case len(gs.m) >= maxGroups:
			gs.dropped += og.a.Count
		default:
			gs.m[k] = og
		}
		delete(o.m, k)
	}
	gs.dropped += o.dropped
	o.dropped = 0
}

// alerts finishes every group, on all available cores: with tens of
// thousands of groups this is a noticeable part of the work left once the
// workers are done. The slice has room for spare more alerts.
func (gs *groups) alerts(spare int) []alert.Alert {
	list := make([]*group, 0, len(gs.m))
	for _, g := range gs.m {
		list = append(list, g)
	}
	out := make([]alert.Alert, len(list), len(list)+spare)
	parts := max(1, min(runtime.GOMAXPROCS(0), len(list)/256))
	per := (len(list) + parts - 1) / parts
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := min(p*per, len(list)), min((p+1)*per, len(list))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = list[i].finish()
			}
		})
	}
	wg.Wait()
	return out
}
