package correlate

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

const snapshotVersion = 1

type snapshot struct {
	Version     int        `json:"version"`
	Fingerprint string     `json:"fingerprint"`
	MaxSeen     int64      `json:"max_seen"`
	Seen        bool       `json:"seen"`
	Counters    counters   `json:"counters"`
	Rules       []ruleSnap `json:"rules"`
}

type ruleSnap struct {
	Title    string   `json:"title"`
	Frontier int64    `json:"frontier"`
	Pending  []item   `json:"pending"`
	Groups   []*group `json:"groups"`
}

// Save writes the engine's whole state as JSON. The same state always gives
// the same bytes: buffers and groups are written in a canonical order, and
// nothing that depends on history (heap layout, internal generation
// numbers) is written.
func (e *Engine) Save(w io.Writer) error {
	s := snapshot{Version: snapshotVersion, Fingerprint: e.fp, MaxSeen: e.maxSeen, Seen: e.seen, Counters: e.st}
	for _, rs := range e.rules {
		rsn := ruleSnap{Title: rs.r.Title, Frontier: rs.frontier, Pending: append([]item{}, rs.pending...), Groups: []*group{}}
		sort.Slice(rsn.Pending, func(i, j int) bool { return itemLess(&rsn.Pending[i], &rsn.Pending[j]) })
		for _, key := range sortedKeys(rs.groups) {
			rsn.Groups = append(rsn.Groups, rs.groups[key])
		}
		s.Rules = append(s.Rules, rsn)
	}
	bw := bufio.NewWriter(w)
	if err := json.NewEncoder(bw).Encode(&s); err != nil {
		return fmt.Errorf("save correlation state: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save correlation state: %w", err)
	}
	return nil
}

// Restore replaces the engine's state with one written by Save from an
// engine with the same rules and Config. On error the engine is unchanged.
func (e *Engine) Restore(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.DisallowUnknownFields()
	var s snapshot
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("restore correlation state: %w", err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("restore correlation state: version %d, want %d", s.Version, snapshotVersion)
	}
	if s.Fingerprint != e.fp {
		return fmt.Errorf("restore correlation state: it was saved with other correlation rules or limits")
	}
	if len(s.Rules) != len(e.rules) {
		return fmt.Errorf("restore correlation state: %d rules, want %d", len(s.Rules), len(e.rules))
	}
	for i, rsn := range s.Rules {
		if err := e.checkRuleSnap(e.rules[i], &rsn); err != nil {
			return fmt.Errorf("restore correlation state: rule %q: %w", e.rules[i].r.Title, err)
		}
	}
	e.maxSeen, e.seen, e.st = s.MaxSeen, s.Seen, s.Counters
	for i, rsn := range s.Rules {
		rs := e.rules[i]
		rs.frontier = rsn.Frontier
		rs.pending = itemHeap(rsn.Pending)
		rs.pending.init() // a sorted slice is a heap
		rs.groups = make(map[string]*group, len(rsn.Groups))
		rs.timers = nil
		rs.gen = 0
		for _, g := range rsn.Groups {
			rs.gen++
			g.gen = rs.gen
			rs.groups[g.Key] = g
			rs.timers = append(rs.timers, timer{g.Deadline, g.Key, g.gen})
		}
		heap.Init(&rs.timers)
	}
	return nil
}

// checkRuleSnap validates what the engine would otherwise trust, so that a
// damaged file gives an error instead of a panic or silent misbehaviour.
func (e *Engine) checkRuleSnap(rs *ruleState, rsn *ruleSnap) error {
	if rsn.Title != rs.r.Title {
		return fmt.Errorf("saved rule %q in its place", rsn.Title)
	}
	for i := range rsn.Pending {
		it := &rsn.Pending[i]
		if err := e.checkEntry(rs, &it.entry); err != nil {
			return fmt.Errorf("pending observation %d: %w", i, err)
		}
		if len(it.Vals) != len(rs.r.GroupBy) || it.Key != encodeKey(it.Vals) {
			return fmt.Errorf("pending observation %d: group key does not match the rule's group-by", i)
		}
	}
	seen := map[string]bool{}
	for i, g := range rsn.Groups {
		if g == nil || seen[g.Key] || len(g.Vals) != len(rs.r.GroupBy) || g.Key != encodeKey(g.Vals) {
			return fmt.Errorf("group %d: missing, repeated, or key does not match the rule's group-by", i)
		}
		seen[g.Key] = true
		if g.Deadline == math.MaxInt64 || g.Count < 0 || g.Truncated < 0 || len(g.Entries) > e.cfg.MaxEventsPerGroup {
			return fmt.Errorf("group %d: inconsistent counters", i)
		}
		for j := range g.Entries {
			if err := e.checkEntry(rs, &g.Entries[j]); err != nil {
				return fmt.Errorf("group %d entry %d: %w", i, j, err)
			}
			if j > 0 && g.Entries[j].T < g.Entries[j-1].T {
				return fmt.Errorf("group %d: entries out of time order", i)
			}
		}
	}
	if len(rsn.Groups) > e.cfg.MaxGroups {
		return fmt.Errorf("%d groups, more than max_groups %d", len(rsn.Groups), e.cfg.MaxGroups)
	}
	return nil
}

func (e *Engine) checkEntry(rs *ruleState, en *entry) error {
	if en.Src < 0 || en.Src >= len(rs.inputs) {
		return fmt.Errorf("input %d out of range", en.Src)
	}
	if math.IsNaN(en.Num) || math.IsInf(en.Num, 0) {
		return fmt.Errorf("value is not finite")
	}
	return nil
}
