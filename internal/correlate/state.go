package correlate

import (
	"container/heap"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// entry is one observation as a group remembers it.
type entry struct {
	T   int64    `json:"t"`
	Src int      `json:"src"`           // index into the rule's inputs
	Val string   `json:"val,omitempty"` // value field(s), value_count and value_percentile
	Num float64  `json:"num,omitempty"` // numeric value, value_sum and value_avg
	IDs []string `json:"ids"`           // evidence event IDs
}

// item is an observation waiting in a rule's reorder buffer.
type item struct {
	entry
	Key  string   `json:"key"`
	Vals []string `json:"vals"`
}

// itemLess is a total order on items, so that the order in which a rule
// processes them depends on their content only, never on arrival order.
func itemLess(a, b *item) bool {
	if a.T != b.T {
		return a.T < b.T
	}
	if a.Src != b.Src {
		return a.Src < b.Src
	}
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	if a.Val != b.Val {
		return a.Val < b.Val
	}
	if a.Num != b.Num {
		return a.Num < b.Num
	}
	return slices.Compare(a.IDs, b.IDs) < 0
}

// itemHeap is a min-heap of items under itemLess. It avoids container/heap,
// whose interface boxing would allocate for every observation.
type itemHeap []item

func (h *itemHeap) push(it item) {
	*h = append(*h, it)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !itemLess(&a[i], &a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *itemHeap) pop() item {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a[n] = item{}
	a = a[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && itemLess(&a[l], &a[m]) {
			m = l
		}
		if r := l + 1; r < n && itemLess(&a[r], &a[m]) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// init orders an arbitrary slice into a heap.
func (h itemHeap) init() {
	sort.Slice(h, func(i, j int) bool { return itemLess(&h[i], &h[j]) })
}

// timer asks to look at a group once every observation up to d has been
// processed. Entries may be stale; the group's Deadline is authoritative.
type timer struct {
	d   int64
	key string
	gen uint64
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].d != h[j].d {
		return h[i].d < h[j].d
	}
	return h[i].key < h[j].key
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// group is the state of one group-by key of one rule.
type group struct {
	Key       string   `json:"key"`
	Vals      []string `json:"vals"`
	Entries   []entry  `json:"entries"`
	Fired     bool     `json:"fired,omitempty"`
	FiredAt   int64    `json:"fired_at,omitempty"`
	Value     float64  `json:"value,omitempty"`
	Start     int64    `json:"start"`
	Close     int64    `json:"close"`
	Last      int64    `json:"last"`
	Count     int      `json:"count"`
	IDs       []string `json:"ids,omitempty"`
	Truncated int      `json:"truncated,omitempty"`
	Deadline  int64    `json:"deadline"`
	gen       uint64
}

// Observe takes one base-rule match. It returns the detections that became
// final because event time advanced (see docs/correlation.md).
func (e *Engine) Observe(o Observation) []Detection {
	tgs := e.byBase[o.RuleID]
	if len(tgs) == 0 {
		return nil
	}
	e.st.Observed++
	ts, ok := eventTime(o.Time)
	if !ok {
		e.st.Invalid++
		return nil
	}
	late := false
	for _, tg := range tgs {
		rs := e.rules[tg.rule]
		if ts < rs.frontier {
			late = true
			continue
		}
		if it, ok := e.project(rs, &rs.inputs[tg.input], tg.input, o.Fields, ts, []string{o.EventID}); ok {
			rs.pending.push(it)
		}
	}
	if late {
		e.st.Late++
	}
	if !e.seen || ts > e.maxSeen {
		e.maxSeen, e.seen = ts, true
	}
	var out []Detection
	w := satSub(e.maxSeen, int64(e.cfg.AllowedLateness))
	for _, rs := range e.rules {
		e.advance(rs, satSub(w, rs.delay), &out)
	}
	return out
}

// Flush ends the input: every buffered observation is processed and every
// open window closed. Observations after Flush count as late.
func (e *Engine) Flush() []Detection {
	var out []Detection
	for _, rs := range e.rules {
		e.advance(rs, math.MaxInt64, &out)
	}
	return out
}

// eventTime converts t to Unix nanoseconds, refusing times it cannot hold.
func eventTime(t time.Time) (int64, bool) {
	if t.IsZero() || t.Year() < 1679 || t.Year() > 2261 {
		return 0, false
	}
	return t.UnixNano(), true
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// encodeKey joins values unambiguously.
func encodeKey(vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// project keeps only what rule rs needs of an observation.
func (e *Engine) project(rs *ruleState, in *input, src int, fields map[string]string, ts int64, ids []string) (item, bool) {
	it := item{entry: entry{T: ts, Src: src, IDs: ids}}
	it.Vals = make([]string, len(in.groupFields))
	for i, f := range in.groupFields {
		v, ok := fields[f]
		if !ok {
			e.st.MissingField++
			return item{}, false
		}
		it.Vals[i] = v
	}
	it.Key = encodeKey(it.Vals)
	if len(in.valueFields) == 0 {
		return it, true
	}
	vals := make([]string, len(in.valueFields))
	for i, f := range in.valueFields {
		v, ok := fields[f]
		if !ok {
			e.st.MissingField++
			return item{}, false
		}
		vals[i] = v
	}
	switch rs.r.Type {
	case ValueSum, ValueAvg:
		f, err := strconv.ParseFloat(strings.TrimSpace(vals[0]), 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) >= 1e300 { // sums of 1e300s stay finite
			e.st.BadValue++
			return item{}, false
		}
		it.Num = f
	default:
		it.Val = vals[0]
		if len(vals) > 1 {
			it.Val = encodeKey(vals)
		}
	}
	return it, true
}

// advance processes, in event-time order, the rule's buffered observations
// and window closings that lie before tgt.
func (e *Engine) advance(rs *ruleState, tgt int64, out *[]Detection) {
	for {
		hasItem := len(rs.pending) > 0 && rs.pending[0].T < tgt
		if len(rs.timers) > 0 && rs.timers[0].d < tgt && (!hasItem || rs.timers[0].d < rs.pending[0].T) {
			e.onTimer(rs, heap.Pop(&rs.timers).(timer), out)
			continue
		}
		if !hasItem {
			break
		}
		it := rs.pending.pop()
		e.process(rs, &it, out)
	}
	if tgt > rs.frontier {
		rs.frontier = tgt
	}
}

func (e *Engine) onTimer(rs *ruleState, t timer, out *[]Detection) {
	g := rs.groups[t.key]
	switch {
	case g == nil || g.gen != t.gen || g.Deadline < t.d:
		// stale: the group is gone or another timer covers it
	case g.Deadline > t.d:
		heap.Push(&rs.timers, timer{g.Deadline, t.key, t.gen})
	default:
		e.finish(rs, g, false, out)
	}
}

// setDeadline moves a group's deadline; a timer is queued when it moves
// earlier (a later deadline is picked up when the earlier timer pops).
func (rs *ruleState) setDeadline(g *group, d int64) {
	if d < g.Deadline {
		heap.Push(&rs.timers, timer{d, g.Key, g.gen})
	}
	g.Deadline = d
}

// process applies one observation, in event-time order, to its group.
func (e *Engine) process(rs *ruleState, it *item, out *[]Detection) {
	g := rs.groups[it.Key]
	if g != nil && it.T > g.Deadline {
		e.finish(rs, g, false, out)
		g = nil
	}
	if g == nil {
		g = e.newGroup(rs, it, out)
	}
	if rs.sliding {
		e.slide(rs, g, it)
		return
	}
	g.Entries = append(g.Entries, it.entry)
	g.Count++
	g.Last = it.T
	if len(g.Entries) > e.cfg.MaxEventsPerGroup {
		g.Truncated += len(g.Entries[0].IDs)
		e.dropOldest(g)
	}
}

// newGroup creates the group of it, evicting another if the rule is at
// MaxGroups.
func (e *Engine) newGroup(rs *ruleState, it *item, out *[]Detection) *group {
	if len(rs.groups) >= e.cfg.MaxGroups {
		e.evict(rs, out)
	}
	rs.gen++
	g := &group{Key: it.Key, Vals: it.Vals, Start: it.T, Deadline: math.MaxInt64, gen: rs.gen}
	rs.groups[it.Key] = g
	if !rs.sliding {
		g.Close = satAdd(it.T, int64(rs.r.Timespan))
		rs.setDeadline(g, g.Close)
	}
	return g
}

func (e *Engine) dropOldest(g *group) {
	e.st.EvictEvents++
	g.Entries[0] = entry{}
	g.Entries = g.Entries[1:]
}

// slide handles an observation for a sliding-window rule: absorb it into a
// fired window, or add it to the window and test the condition.
func (e *Engine) slide(rs *ruleState, g *group, it *item) {
	if g.Fired {
		g.Count++
		g.Last = max(g.Last, it.T)
		e.addIDs(g, it.IDs)
		g.Entries = append(g.Entries, it.entry)
		if len(g.Entries) > e.cfg.MaxEventsPerGroup {
			e.dropOldest(g)
		}
		return
	}
	g.Entries = append(g.Entries, it.entry)
	cut := satSub(it.T, int64(rs.r.Timespan))
	n := 0
	for n < len(g.Entries) && g.Entries[n].T < cut {
		g.Entries[n] = entry{}
		n++
	}
	g.Entries = g.Entries[n:]
	if len(g.Entries) > e.cfg.MaxEventsPerGroup {
		e.dropOldest(g)
	}
	g.Last = it.T
	v := e.aggregate(rs, g.Entries)
	if !rs.r.Condition.Match(v) {
		rs.setDeadline(g, satAdd(it.T, int64(rs.r.Timespan)))
		return
	}
	g.Fired, g.FiredAt, g.Value = true, it.T, v
	g.Start = g.Entries[0].T
	g.Close = satAdd(g.Start, int64(rs.r.Timespan))
	for _, en := range g.Entries {
		g.Count++
		e.addIDs(g, en.IDs)
	}
	rs.setDeadline(g, g.Close)
}

func (e *Engine) addIDs(g *group, ids []string) {
	room := e.cfg.MaxEventsPerGroup - len(g.IDs)
	if room >= len(ids) {
		g.IDs = append(g.IDs, ids...)
		return
	}
	room = max(room, 0)
	g.IDs = append(g.IDs, ids[:room]...)
	g.Truncated += len(ids) - room
}

// evict removes the group closest to its deadline to make room.
func (e *Engine) evict(rs *ruleState, out *[]Detection) {
	for len(rs.timers) > 0 {
		t := heap.Pop(&rs.timers).(timer)
		g := rs.groups[t.key]
		if g == nil || g.gen != t.gen || g.Deadline < t.d {
			continue
		}
		if g.Deadline > t.d {
			heap.Push(&rs.timers, timer{g.Deadline, t.key, t.gen})
			continue
		}
		e.st.EvictGroups++
		e.finish(rs, g, true, out)
		return
	}
}

// finish closes a group: a fired sliding window is emitted, an anchored
// window is evaluated (unless evicted early), and the group is deleted.
func (e *Engine) finish(rs *ruleState, g *group, evicted bool, out *[]Detection) {
	delete(rs.groups, g.Key)
	if rs.sliding {
		if g.Fired {
			e.finalValue(rs, g)
			e.emit(rs, g, g.Vals, nil, out)
		}
		return
	}
	if evicted {
		return
	}
	if rs.r.Type == ValuePercentile {
		e.finishPercentile(rs, g, out)
		return
	}
	v := float64(g.Count)
	if rs.r.Type != EventCount {
		v = e.aggregate(rs, g.Entries)
	}
	if !rs.r.Condition.Match(v) {
		return
	}
	g.Value, g.FiredAt = v, g.Last
	e.emit(rs, g, g.Vals, g.Entries, out)
}

// finalValue sets a fired sliding window's Value to its measure over the
// whole window. The measure only grows with more events, so this is at
// least the value at firing; the max guards against observations dropped
// by MaxEventsPerGroup.
func (e *Engine) finalValue(rs *ruleState, g *group) {
	if rs.r.Type == EventCount {
		g.Value = float64(g.Count)
		return
	}
	g.Value = max(g.Value, e.aggregate(rs, g.Entries))
}

// finishPercentile emits one detection per value whose share of the
// window's observations (in percent) satisfies the condition.
func (e *Engine) finishPercentile(rs *ruleState, g *group, out *[]Detection) {
	byVal := map[string][]entry{}
	for _, en := range g.Entries {
		byVal[en.Val] = append(byVal[en.Val], en)
	}
	for _, val := range sortedKeys(byVal) {
		ens := byVal[val]
		share := 100 * float64(len(ens)) / float64(len(g.Entries))
		if !rs.r.Condition.Match(share) {
			continue
		}
		sub := &group{Key: g.Key, Vals: g.Vals, Start: ens[0].T, Last: ens[len(ens)-1].T, FiredAt: ens[len(ens)-1].T, Count: len(ens), Value: share}
		e.emit(rs, sub, append(slices.Clip(g.Vals), val), ens, out)
	}
}

// emit builds a detection from g (and, for anchored windows, the entries
// that are its evidence) and feeds it to the consumers.
func (e *Engine) emit(rs *ruleState, g *group, vals []string, ens []entry, out *[]Detection) {
	for _, en := range ens {
		e.addIDs(g, en.IDs)
	}
	d := Detection{
		Rule: rs.r, First: nsTime(g.Start), Last: nsTime(g.Last), Fired: nsTime(g.FiredAt),
		Count: g.Count, Value: g.Value, EventIDs: g.IDs, Truncated: g.Truncated,
		Generate: rs.r.Generate, Report: rs.report,
	}
	names := rs.r.GroupBy
	if len(vals) > len(names) {
		names = append(slices.Clip(names), rs.r.ValueField)
	}
	for i, n := range names {
		d.GroupKey = append(d.GroupKey, KV{Key: n, Value: vals[i]})
	}
	e.st.Detections++
	e.st.Truncated += uint64(g.Truncated)
	*out = append(*out, d)
	for _, c := range rs.consumers {
		e.feed(c, &d)
	}
}

// feed passes a detection to a correlation that references its rule.
func (e *Engine) feed(c target, d *Detection) {
	h := e.rules[c.rule]
	fields := make(map[string]string, len(d.GroupKey))
	for _, kv := range d.GroupKey {
		fields[kv.Key] = kv.Value
	}
	ts := d.Fired.UnixNano()
	if ts < h.frontier {
		e.st.Late++
		return
	}
	ids := append([]string(nil), d.EventIDs...)
	if it, ok := e.project(h, &h.inputs[c.input], c.input, fields, ts, ids); ok {
		h.pending.push(it)
	}
}

// aggregate computes the rule's measure over a window.
func (e *Engine) aggregate(rs *ruleState, ens []entry) float64 {
	switch rs.r.Type {
	case EventCount:
		return float64(len(ens))
	case ValueCount:
		if e.scratch == nil {
			e.scratch = map[string]struct{}{}
		}
		clear(e.scratch)
		for _, en := range ens {
			e.scratch[en.Val] = struct{}{}
		}
		return float64(len(e.scratch))
	case Temporal:
		var buf [16]bool
		seen := buf[:0]
		if len(rs.inputs) > len(buf) {
			seen = make([]bool, len(rs.inputs))
		} else {
			seen = buf[:len(rs.inputs)]
		}
		n := 0
		for _, en := range ens {
			if !seen[en.Src] {
				seen[en.Src] = true
				n++
			}
		}
		return float64(n)
	case TemporalOrdered:
		// Entries are in (time, input) order; the greedy earliest match
		// finds an ordered subsequence whenever one exists.
		need := 0
		for _, en := range ens {
			if need < len(rs.inputs) && en.Src == need {
				need++
			}
		}
		return float64(need)
	case ValueSum, ValueAvg:
		sum := 0.0
		for _, en := range ens {
			sum += en.Num
		}
		if rs.r.Type == ValueAvg && len(ens) > 0 {
			return sum / float64(len(ens))
		}
		return sum
	}
	return 0
}

// SortDetections orders detections by fired time, rule title and group
// key, for stable reports and comparisons.
func SortDetections(ds []Detection) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if !a.Fired.Equal(b.Fired) {
			return a.Fired.Before(b.Fired)
		}
		if a.Rule.Title != b.Rule.Title {
			return a.Rule.Title < b.Rule.Title
		}
		return encodeKV(a.GroupKey) < encodeKV(b.GroupKey)
	})
}

func encodeKV(kvs []KV) string {
	vals := make([]string, 0, 2*len(kvs))
	for _, kv := range kvs {
		vals = append(vals, kv.Key, kv.Value)
	}
	return encodeKey(vals)
}
