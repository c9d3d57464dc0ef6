package scan

import (
	"sort"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Single-event detections are grouped, as an alert manager would: matches of
// one rule for the same account, actor, source, user agent and event name
// within one clock hour are one alert with a count. A burst of 500 failures
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

type groupKey struct {
	rule, account, actor, ip, ua, eventName string
	bucket                                  int64
}

type idAt struct {
	t  time.Time
	id string
}

func (a idAt) before(b idAt) bool {
	if !a.t.Equal(b.t) {
		return a.t.Before(b.t)
	}
	return a.id < b.id
}

// group is one grouped alert being built.
type group struct {
	a     alert.Alert
	ids   []idAt
	first idAt // the evidence whose explanation the alert shows
}

func newGroupKey(m sigma.Match, b brief) groupKey {
	return groupKey{
		rule: m.Rule.ID + "\x00" + m.Rule.Name, account: b.Account, actor: b.Actor, ip: b.SourceIP, ua: b.UserAgent,
		eventName: b.EventName, bucket: b.Time.Truncate(groupBucket).Unix(),
	}
}

// add merges one match into g.
func (g *group) add(m sigma.Match, b brief, id string) {
	at := idAt{b.Time, id}
	if g.a.Count == 0 {
		g.a = singleAlert(m, b, id)
		g.first = at
		g.ids = append(g.ids[:0], at)
		return
	}
	g.a.Count++
	if b.Time.Before(g.a.FirstSeen) {
		g.a.FirstSeen = b.Time
	}
	if b.Time.After(g.a.LastSeen) {
		g.a.LastSeen = b.Time
	}
	g.a.Drill = g.a.Drill && b.Drill
	if at.before(g.first) {
		x := singleAlert(m, b, id)
		g.a.Explanation, g.first = x.Explanation, at
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
	if o.first.before(g.first) {
		g.a.Explanation, g.first = o.a.Explanation, o.first
	}
	g.ids = append(g.ids, o.ids...)
	if len(g.ids) > 2*maxGroupIDs {
		g.trim()
	}
}

func (g *group) trim() {
	sort.Slice(g.ids, func(i, j int) bool { return g.ids[i].before(g.ids[j]) })
	if len(g.ids) > maxGroupIDs {
		g.ids = g.ids[:maxGroupIDs]
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
	dropped int // matches not kept because maxGroups was reached
}

func newGroups() *groups { return &groups{m: map[groupKey]*group{}} }

func (gs *groups) add(m sigma.Match, b brief, id string) {
	k := newGroupKey(m, b)
	g, ok := gs.m[k]
	if !ok {
		if len(gs.m) >= maxGroups {
			gs.dropped++
			return
		}
		g = &group{}
		gs.m[k] = g
	}
	g.add(m, b, id)
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

func (gs *groups) alerts() []alert.Alert {
	out := make([]alert.Alert, 0, len(gs.m))
	for _, g := range gs.m {
		out = append(out, g.finish())
	}
	return out
}
