// Package scan is the scan pipeline: it walks the inputs, decodes them into
// events, removes duplicates, runs the rules, correlates in event time and
// aggregates the summary. cmd/signwatch only parses flags and prints.
package scan

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/decode"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/geo"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/sigma"
	"github.com/signwatch/signwatch/internal/source"
	"github.com/signwatch/signwatch/internal/summary"
)

// Options configures one scan.
type Options struct {
	Paths  []string
	Source source.Options // Since, Until and Accounts also filter events
	Decode decode.Options
	Rules  *ruleset.Set     // nil: no detection rules
	Alarms *cwfilter.Config // metric filters and alarms; nil: none
	// NewCountry configures the new-country baseline; nil or Disabled: off.
	NewCountry *baseline.Config
	MinLevel   alert.Level // alerts below it are dropped; "" keeps all
	Workers    int         // 0: GOMAXPROCS
	// Progress, when set, is called about every 200 ms from its own goroutine.
	Progress func(Progress)
}

// Progress is a snapshot of a running scan.
type Progress struct {
	Inputs   int64 // inputs decoded so far
	Walked   int64 // inputs found so far
	WalkDone bool  // every input has been found: Walked is the total
	Bytes    int64 // decoded bytes
	Events   int64
	Elapsed  time.Duration
}

// Result is what a scan found.
type Result struct {
	Alerts  []alert.Alert
	Summary *summary.Summary
	// InputErrors counts bad input: decode problems and unreadable inputs.
	InputErrors int
	// Read reports whether any input could be read at all.
	Read bool
}

// ErrNoInput is returned when no input could be read at all.
var ErrNoInput = errors.New("no input could be read")

type pipeline struct {
	opt     Options
	dedup   *dedupSet
	corrFld []string
	start   time.Time

	inputs, bytes, events atomic.Int64
	walked                atomic.Int64
	walkDone              atomic.Bool
	read                  atomic.Bool
	pruned                atomic.Bool // some input was left out by --since/--until/--account
	inputErrors           atomic.Int64

	mu        sync.Mutex // guards the fields below
	summaries []*summary.Summary
	groups    *groups // grouped single-event alerts
	obs       []observed
	signIns   []baseline.SignIn
	steps     []event.SignIn // Identity Center sign-in steps, stitched at the end
	cw        *cwfilter.Evaluator
}

// observed is a base-rule match kept for the correlation pass, with the
// event's details that its alert will show.
type observed struct {
	obs   correlate.Observation
	brief brief
}

// Run scans opt.Paths.
func Run(ctx context.Context, opt Options) (*Result, error) {
	opt.Decode.NoRecordLines = true // nothing here reads them
	seed := maphash.MakeSeed()
	p := &pipeline{opt: opt, dedup: newDedupSet(), start: time.Now(), groups: newGroups(&seed)}
	if opt.Rules != nil {
		corr, err := opt.Rules.NewCorrelator()
		if err != nil {
			return nil, err
		}
		if corr != nil {
			p.corrFld = corr.Fields()
		}
	}
	if opt.Alarms != nil {
		ev, err := cwfilter.NewEvaluator(*opt.Alarms)
		if err != nil {
			return nil, fmt.Errorf("metric filters and alarms: %w", err)
		}
		p.cw = ev
	}
	total := summary.New()
	if err := p.run(ctx, total); err != nil {
		return nil, err
	}
	for _, s := range p.summaries {
		total.Merge(s)
	}
	alerts, err := p.finish(total)
	if err != nil {
		return nil, err
	}
	total.SetThroughput(time.Since(p.start), p.bytes.Load())
	res := &Result{Alerts: alerts, Summary: total, InputErrors: int(p.inputErrors.Load()), Read: p.read.Load()}
	// Inputs left out by the time range or account filter are not
	// unreadable: a scan that selected nothing completed.
	if !res.Read && !p.pruned.Load() {
		return res, ErrNoInput
	}
	return res, ctx.Err()
}

// run walks the sources and decodes the inputs with a pool of workers.
func (p *pipeline) run(ctx context.Context, total *summary.Summary) error {
	workers := p.opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	inputs := make(chan source.Input, workers*4)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(p)
			for in := range inputs {
				w.input(ctx, in)
			}
			w.flush(true)
			p.mu.Lock()
			p.summaries = append(p.summaries, w.sum)
			p.mu.Unlock()
		}()
	}
	stop := p.progress()
	var skipMu sync.Mutex
	walkErr := source.Walk(ctx, p.opt.Paths, p.opt.Source, func(in source.Input) error {
		p.walked.Add(1)
		select {
		case inputs <- in:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, func(s source.Skipped) {
		skipMu.Lock()
		total.AddSkipped(s.Name, s.Reason)
		skipMu.Unlock()
		if s.Pruned {
			p.pruned.Store(true)
		} else {
			p.inputErrors.Add(1)
		}
	})
	p.walkDone.Store(true)
	close(inputs)
	wg.Wait()
	stop()
	if walkErr != nil && !errors.Is(walkErr, context.Canceled) {
		return walkErr
	}
	return nil
}

func (p *pipeline) progress() (stop func()) {
	if p.opt.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				p.opt.Progress(p.snapshot())
				return
			case <-t.C:
				p.opt.Progress(p.snapshot())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (p *pipeline) snapshot() Progress {
	return Progress{
		Inputs: p.inputs.Load(), Walked: p.walked.Load(), WalkDone: p.walkDone.Load(),
		Bytes: p.bytes.Load(), Events: p.events.Load(), Elapsed: time.Since(p.start),
	}
}

// finish runs the correlation pass over the base-rule matches in event-time
// order, closes the alarms and orders the alerts.
func (p *pipeline) finish(total *summary.Summary) ([]alert.Alert, error) {
	// The other alerts come first, so that the grouped ones (often tens of
	// thousands) are copied into a slice with room for them once, not
	// each time a list is appended.
	more, err := p.otherAlerts(total)
	if err != nil {
		return nil, err
	}
	alerts := append(p.groups.alerts(len(more)), more...)
	p.stitch(total)
	alerts = filterLevel(alerts, p.opt.MinLevel)
	sortAlerts(alerts)
	total.SetAlerts(alerts)
	return alerts, nil
}

// otherAlerts returns the alerts that do not come from single-event groups:
// the group overflow, correlations, new countries and CloudWatch alarms.
func (p *pipeline) otherAlerts(total *summary.Summary) ([]alert.Alert, error) {
	var alerts []alert.Alert
	if n := p.groups.dropped; n > 0 {
		alerts = append(alerts, groupOverflowAlert(n, total))
	}
	if set := p.opt.Rules; set != nil {
		total.SetRules(len(set.Rules), len(set.Correlations), len(set.Filters))
		corr, err := set.NewCorrelator()
		if err != nil {
			return nil, err
		}
		if corr != nil {
			as := p.correlate(corr)
			alerts = append(alerts, as...)
			st := corr.Stats()
			total.SetCorrelationStats(st.Evictions())
			if n := st.Evictions(); n > 0 {
				alerts = append(alerts, evictionAlert(int(n), total))
			}
		}
	}
	if nc := p.opt.NewCountry; nc != nil && !nc.Disabled {
		as, err := p.newCountry(*nc, total)
		if err != nil {
			return nil, err
		}
		alerts = append(alerts, as...)
	}
	if p.cw != nil {
		for _, tr := range p.cw.Flush() {
			total.AddAlarmTransition(tr.Alarm, string(tr.From), string(tr.To), tr.Time, tr.Reason)
			if tr.To == cwfilter.StateAlarm {
				alerts = append(alerts, alarmAlert(tr))
			}
		}
	}
	return alerts, nil
}

// sortAlerts orders the timeline: by first seen, rule, group key, then the
// first evidence event, so the order never depends on scheduling.
func sortAlerts(alerts []alert.Alert) {
	type sortKey struct{ group, first string }
	keys := make([]sortKey, len(alerts))
	for i := range alerts {
		keys[i].group = alerts[i].GroupKeyString() + "\x00" + alerts[i].Actor + "\x00" + alerts[i].SourceIP
		if len(alerts[i].EventIDs) > 0 {
			keys[i].first = alerts[i].EventIDs[0]
		}
	}
	idx := make([]int, len(alerts))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(x, y int) bool {
		a, b := &alerts[idx[x]], &alerts[idx[y]]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.Rule.ID != b.Rule.ID {
			return a.Rule.ID < b.Rule.ID
		}
		ka, kb := keys[idx[x]], keys[idx[y]]
		if ka.group != kb.group {
			return ka.group < kb.group
		}
		return ka.first < kb.first
	})
	permute(alerts, idx)
}

// permute puts alerts[idx[i]] at position i for every i, in place: a
// sorted copy of tens of thousands of alerts was megabytes of fresh memory
// to fault in and copy back. It follows each cycle of the permutation,
// moving every alert once, and leaves idx as the identity.
func permute(alerts []alert.Alert, idx []int) {
	for i := range idx {
		if idx[i] == i {
			continue
		}
		held := alerts[i]
		j := i
		for idx[j] != i {
			next := idx[j]
			alerts[j] = alerts[next]
			idx[j] = j
			j = next
		}
		alerts[j] = held
		idx[j] = j
	}
}

// correlate feeds the observations to the correlation engine in event-time
// order. In scan mode the whole input is known, so sorting replaces the
// reorder buffer and the result does not depend on file order at all.
func (p *pipeline) correlate(corr *correlate.Engine) []alert.Alert {
	obs := p.obs
	order := timeOrder(obs, func(o *observed) (time.Time, string) { return o.obs.Time, o.obs.EventID })
	briefs := make(map[string]brief, len(obs))
	for _, i := range order {
		briefs[obs[i].obs.EventID] = obs[i].brief
	}
	var out []alert.Alert
	add := func(ds []correlate.Detection) {
		for _, d := range ds {
			if p.opt.Rules.Reported(ruleset.Key(d.Rule.Meta)) {
				out = append(out, correlationAlert(d, briefs))
			}
		}
	}
	for _, i := range order {
		add(corr.Observe(obs[i].obs))
	}
	add(corr.Flush())
	return out
}

func filterLevel(alerts []alert.Alert, min alert.Level) []alert.Alert {
	if min == "" {
		return alerts
	}
	out := alerts[:0]
	for _, a := range alerts {
		if alert.Level(a.Rule.Level).Rank() >= min.Rank() {
			out = append(out, a)
		}
	}
	return out
}

// newCountry builds the new-country baseline from the scanned period in
// event-time order and turns its findings into alerts.
func (p *pipeline) newCountry(cfg baseline.Config, total *summary.Summary) ([]alert.Alert, error) {
	det, err := baseline.NewCountry(cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("baselines.new_country: %w", err)
	}
	ss := p.signIns
	var out []alert.Alert
	for _, i := range timeOrder(ss, func(s *baseline.SignIn) (time.Time, string) { return s.Time, s.EventID }) {
		if f, ok := det.Observe(ss[i]); ok {
			out = append(out, baselineAlert(det.Meta(), f))
		}
	}
	if st := det.Stats(); st.Evictions+st.CountryEvictions > 0 {
		out = append(out, baselineEvictionAlert(int(st.Evictions+st.CountryEvictions), total))
	}
	return out, nil
}

// stitch joins the Identity Center sign-in steps of the whole scan into
// attempts, in event-time order (a flow can span files), for the summary.
func (p *pipeline) stitch(total *summary.Summary) {
	steps := p.steps
	st := event.NewStitcher(event.StitchConfig{})
	for _, i := range timeOrder(steps, func(s *event.SignIn) (time.Time, string) { return s.Time, s.EventID }) {
		for _, a := range st.Add(steps[i]) {
			total.AddAttempt(&a)
		}
	}
	for _, a := range st.Flush() {
		total.AddAttempt(&a)
	}
}

// timeOrder returns the indexes of xs in the order of their time, then
// id, keeping the input order of equal keys. The end-of-scan passes sort
// indexes rather than their records: a record is a few hundred bytes, and
// moving records was most of the work.
func timeOrder[T any](xs []T, key func(*T) (time.Time, string)) []int32 {
	order := make([]int32, len(xs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		ta, ida := key(&xs[a])
		tb, idb := key(&xs[b])
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return strings.Compare(ida, idb)
	})
	return order
}

// worker decodes inputs and evaluates their events; each goroutine has one.
type worker struct {
	p       *pipeline
	sum     *summary.Summary
	doc     event.Doc
	si      event.SignIn // the current event's sign-in record, if it is one
	pending int64        // events read and not yet added to the pipeline's count
	enrich  geo.Enricher
	local   *groups
	obs     []observed
	signIns []baseline.SignIn
	steps   []event.SignIn
}

func newWorker(p *pipeline) *worker {
	return &worker{p: p, sum: summary.New(), local: newGroups(p.groups.seed)}
}

func (w *worker) input(ctx context.Context, in source.Input) {
	p := w.p
	rc, err := in.Open(ctx)
	if err != nil {
		w.sum.AddSkipped(in.Name, "unreadable: "+err.Error())
		p.inputErrors.Add(1)
		return
	}
	defer rc.Close()
	res, err := decode.Decode(ctx, in.Name, rc, p.opt.Decode, w.event, func(pr decode.Problem) {
		w.sum.AddProblem(pr.Error())
		p.inputErrors.Add(1)
	})
	p.events.Add(w.pending)
	w.pending = 0
	p.inputs.Add(1)
	p.bytes.Add(res.DecodedBytes)
	if err != nil {
		w.sum.AddSkipped(in.Name, "unreadable: "+err.Error())
		p.inputErrors.Add(1)
		return
	}
	switch res.Class {
	case decode.Events:
		w.sum.AddFile(in.Name, res.DecodedBytes)
		if region, ok := layoutRegion(in.Name); ok {
			w.sum.NoteScannedRegion(region)
		}
		p.read.Store(true)
	case decode.Digest:
		w.sum.AddSkipped(in.Name, "CloudTrail digest file")
		p.read.Store(true)
	case decode.Empty:
		w.sum.AddSkipped(in.Name, "empty")
		p.read.Store(true)
	default:
		w.sum.AddSkipped(in.Name, "not CloudTrail")
		p.read.Store(true)
	}
	w.flush(len(w.local.m) >= maxLocalGroups)
}

// keyEventID is looked up before the event's other common fields, to start
// its de-duplication early.
var keyEventID = event.NewKey("eventID")

// event handles one decoded event.
func (w *worker) event(rec decode.Record) error {
	p := w.p
	// The shared counter is for progress: updated every eventBatch events
	// and after each input, so that workers do not contend for it.
	if w.pending++; w.pending == eventBatch {
		p.events.Add(w.pending)
		w.pending = 0
	}
	w.sum.AddRead()
	var root event.Value
	if rec.Doc != nil {
		root = rec.Doc.Root() // parsed while the decoder split the input
	} else {
		if err := w.doc.Parse(rec.Raw); err != nil {
			// The decoder validated it; this is a bug, not bad input.
			return fmt.Errorf("re-parse of a validated event failed: %w", err)
		}
		root = w.doc.Root()
	}
	// The eventID's slot in the de-duplication set is fetched from memory
	// while the event's common fields, time and sign-in record are worked
	// out: none of them counts for anything until the event is known to be
	// new.
	id := root.GetKey(keyEventID).Bytes()
	var key idKey
	var h uint64
	if len(id) > 0 {
		key = makeKey(id)
		h = key.hash()
		p.dedup.prefetch(h)
	}
	// The fields most readers need are looked up once, here.
	c := event.ReadCommon(root)
	// The decoder has parsed the time of most events already; where it
	// could not, EventTime's wider set of forms is tried.
	t, timed := rec.Time.UTC(), !rec.Time.IsZero()
	if !timed {
		t, timed = event.EventTime(root)
	}
	// The sign-in record is built once for the summary, the rules' alerts
	// and the end-of-scan passes (for other events this is two lookups).
	record, isSignIn := event.NormalizeSignIn(root)
	if len(id) > 0 && !p.dedup.add(key, h) {
		w.sum.AddDuplicate()
		return nil
	}
	if !p.inRange(root, t, timed) {
		w.sum.AddOutOfRange()
		return nil
	}
	var si *event.SignIn
	if isSignIn {
		w.si = record
		si = &w.si
	}
	w.sum.AddEventCommon(&c, rec.Raw, summary.Normalized{Time: t, Timed: timed, SignIn: si})
	if p.cw != nil {
		p.mu.Lock()
		p.cw.Observe(t, root, rec.Raw)
		p.mu.Unlock()
	}
	if p.opt.Rules != nil {
		w.match(root, &c, id, t, si)
	}
	if timed && si != nil {
		w.signIn(si)
	}
	return nil
}

// signIn keeps what the end-of-scan passes need from a sign-in event: the
// successful sign-ins for the baseline, the Identity Center steps for
// stitching.
func (w *worker) signIn(si *event.SignIn) {
	switch si.EventSource {
	case "signin.amazonaws.com", "sso.amazonaws.com", "iam.amazonaws.com":
	default:
		return
	}
	if event.Stitchable(si) {
		w.steps = append(w.steps, *si)
	}
	if w.p.opt.NewCountry != nil {
		if b, ok := baseline.FromEvent(si); ok {
			w.signIns = append(w.signIns, b)
		}
	}
}

func (w *worker) match(root event.Value, c *event.Common, idb []byte, t time.Time, si *event.SignIn) {
	set := w.p.opt.Rules
	// The event is parsed already (the summary needs it), so the engine's
	// rule index is cheaper than the literal prefilter here.
	// What the matches need of the event is computed once, on the first
	// match that needs it (the variables stay on the stack: the closures do
	// not escape).
	var (
		b             brief
		eg            eventGroup
		haveB, haveEG bool
		id            string
	)
	w.enrich.ResetBytes(c.SourceIP.Bytes())
	getBrief := func() brief {
		if !haveB {
			b, haveB = newBrief(root, c, t, si), true
		}
		return b
	}
	details := eventDetails{brief: getBrief, earliest: func() (string, *event.SignIn) {
		if haveB {
			return b.Region, b.Record
		}
		return c.Region.Str(), ownRecord(si)
	}}
	set.MatchParsedLazy(root, &w.enrich, func(m sigma.LazyMatch) {
		k := ruleset.Key(m.Rule.Meta)
		if set.Referenced(k) {
			if id == "" {
				id = string(idb)
			}
			w.obs = append(w.obs, observed{obs: set.Observation(m.Rule, root, id, t, w.p.corrFld), brief: getBrief()})
		}
		if set.Reported(k) {
			if !haveEG {
				eg, haveEG = newEventGroup(c, t, w.local.seed), true
			}
			w.local.add(m, &eg, t, idb, &details)
		}
	})
}

// eventBatch is how many events a worker counts before adding them to the
// pipeline's progress counter.
const eventBatch = 256

// maxLocalGroups bounds the groups a worker builds before it merges them
// into the scan's. A worker keeps its groups from one input to the next: a
// busy group then opens (and builds its alert) once per worker rather than
// once per input file.
const maxLocalGroups = 8192

// flush hands the worker's observations to the pipeline and, with
// withGroups, its groups too.
func (w *worker) flush(withGroups bool) {
	if (!withGroups || len(w.local.m) == 0) && len(w.obs) == 0 && len(w.signIns) == 0 && len(w.steps) == 0 {
		return
	}
	p := w.p
	p.mu.Lock()
	if withGroups {
		p.groups.mergeFrom(w.local)
	}
	p.obs = append(p.obs, w.obs...)
	p.signIns = append(p.signIns, w.signIns...)
	p.steps = append(p.steps, w.steps...)
	p.mu.Unlock()
	w.obs, w.signIns, w.steps = w.obs[:0], w.signIns[:0], w.steps[:0]
}

// inRange applies --since/--until and --account to one event. Untimed events
// pass the time filter: dropping them silently would hide them.
func (p *pipeline) inRange(root event.Value, t time.Time, timed bool) bool {
	so := p.opt.Source
	if timed {
		if !so.Since.IsZero() && t.Before(so.Since) {
			return false
		}
		if !so.Until.IsZero() && !t.Before(so.Until) {
			return false
		}
	}
	if len(so.Accounts) == 0 {
		return true
	}
	acct := root.Get("recipientAccountId").Str()
	if acct == "" {
		acct = root.Path("userIdentity", "accountId").Str()
	}
	for _, a := range so.Accounts {
		if a == acct {
			return true
		}
	}
	return false
}
