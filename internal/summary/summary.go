// Package summary aggregates the scan summary of SPEC 7: files read and
// skipped, events read, unique and duplicated, parse errors with their first
// positions, sign-in events by name and outcome, MFA use by principal type,
// root activity, top source addresses, users and user agents, regions and
// accounts, the time range, rules loaded, throughput, and the warning when
// the scanned regions cannot hold every console sign-in.
//
// A Summary is fed once per unique event (AddEvent) while the pipeline sets
// the counters only it knows. One Summary per worker, then Merge: a Summary
// is not safe for concurrent use. Memory is bounded: rankings use Counters
// with a cap on distinct keys (Config.TopCap), lists are capped too.
package summary

import (
	"bytes"
	"sort"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
)

// Config bounds a Summary.
type Config struct {
	// TopCap is the number of distinct keys each ranking (source IPs, users,
	// user agents, regions, accounts...) tracks before pruning rare ones
	// (default 20000).
	TopCap int `yaml:"top_cap"`
	// TopN is how many entries the rankings show (default 10).
	TopN int `yaml:"top_n"`
	// MaxPositions is how many parse-error positions are kept (default 20).
	MaxPositions int `yaml:"max_error_positions"`
	// MaxSkipped is how many skipped files are listed (default 1000).
	MaxSkipped int `yaml:"max_skipped"`
}

func (c Config) withDefaults() Config {
	if c.TopCap <= 0 {
		c.TopCap = 20000
	}
	if c.TopN <= 0 {
		c.TopN = 10
	}
	if c.MaxPositions <= 0 {
		c.MaxPositions = 20
	}
	if c.MaxSkipped <= 0 {
		c.MaxSkipped = 1000
	}
	return c
}

// Skipped is a file that was not read as CloudTrail, and why.
type Skipped struct {
	Name   string `json:"name"` // path, S3 key or archive member
	Reason string `json:"reason"`
}

// Outcomes counts events by outcome.
type Outcomes struct {
	Success int64 `json:"success"`
	Failure int64 `json:"failure"`
	Unknown int64 `json:"unknown"`
}

func (o *Outcomes) add(x event.Outcome) {
	switch x {
	case event.Success:
		o.Success++
	case event.Failure:
		o.Failure++
	default:
		o.Unknown++
	}
}

func (o *Outcomes) merge(p Outcomes) {
	o.Success += p.Success
	o.Failure += p.Failure
	o.Unknown += p.Unknown
}

// Total is the sum of the outcomes.
func (o Outcomes) Total() int64 { return o.Success + o.Failure + o.Unknown }

// MFACount counts successful console sign-ins of one principal type by MFA:
// With (MFAUsed yes), Without (MFAUsed no), IdP (an SSO or SAML session:
// MFA is decided by the identity provider and CloudTrail says No), Unknown
// (no MFAUsed field).
type MFACount struct {
	With    int64 `json:"with_mfa"`
	Without int64 `json:"without_mfa"`
	IdP     int64 `json:"idp_session"`
	Unknown int64 `json:"unknown"`
}

// maxEventNames bounds the distinct sign-in event names kept (event names
// come from the input); the rest are counted under OtherEventName.
const maxEventNames = 256

// OtherEventName collects sign-in events beyond the distinct-name bound.
const OtherEventName = "(other)"

// Summary is the scan summary. The pipeline reports what only it knows
// (files, reads, duplicates, problems, rules, throughput) through the Add
// and Set methods; AddEvent fills the rest.
type Summary struct {
	cfg Config

	filesRead    int64
	filesSkipped int64
	eventsRead   int64
	duplicates   int64
	outOfRange   int64
	problems     int64
	bytesRead    int64
	decoded      int64
	elapsed      time.Duration
	rules        RuleCounts
	evictions    int64
	byLevel      map[string]int
	transitions  []AlarmTransition

	skipped        []Skipped
	positions      []string
	unique         int64
	untimed        int64
	eventBytes     int64
	first, last    time.Time
	signIns        map[string]*Outcomes
	mfa            map[event.ActorType]*MFACount
	rootEvents     int64
	rootSignIns    Outcomes
	rootNames      *Counter
	ips, users     *Counter
	agents         *Counter
	siIPs, siUsers *Counter
	siAgents       *Counter
	fIPs, fUsers   *Counter // failed sign-ins
	fAgents        *Counter
	consoleBy      map[event.ActorType]*Outcomes
	regions        *Counter
	accounts       *Counter
	scanned        map[string]bool
	ic             IdentityCenter
	hours          map[int64]*Outcomes // console sign-ins by hour (Unix hour number)
	hoursDropped   int64
}

// maxHours bounds the sign-in histogram (about eleven years of hours).
const maxHours = 100000

// TimeBucket is the console sign-ins of one hour by outcome.
type TimeBucket struct {
	Start time.Time
	Outcomes
}

// SignInsOverTime returns the console sign-ins per hour, in time order,
// hours without sign-ins left out.
func (s *Summary) SignInsOverTime() []TimeBucket {
	out := make([]TimeBucket, 0, len(s.hours))
	for h, o := range s.hours {
		out = append(out, TimeBucket{time.Unix(h*3600, 0).UTC(), *o})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func (s *Summary) addHour(h int64, o Outcomes) {
	b := s.hours[h]
	if b == nil {
		if len(s.hours) >= maxHours {
			s.hoursDropped += o.Total()
			return
		}
		b = &Outcomes{}
		s.hours[h] = b
	}
	b.merge(o)
}

// RuleCounts is what the compiled rule set holds.
type RuleCounts struct {
	Detection   int `json:"detection"`
	Correlation int `json:"correlation"`
	Filter      int `json:"filter"`
}

// AlarmTransition is one state change of a CloudWatch alarm.
type AlarmTransition struct {
	Alarm  string `json:"alarm"`
	From   string `json:"from"`
	To     string `json:"to"`
	Time   string `json:"time"`
	Reason string `json:"reason"`
}

// maxTransitions bounds the alarm transitions kept.
const maxTransitions = 1000

// IdentityCenter counts stitched IAM Identity Center sign-in attempts.
type IdentityCenter struct {
	Attempts int64    `json:"attempts"`
	Outcomes Outcomes `json:"outcomes"`
	WithMFA  int64    `json:"with_mfa"`      // a TOTP or WEBAUTHN factor verified
	Console  int64    `json:"console_login"` // the attempt reached a console sign-in
	Evicted  int64    `json:"evicted"`       // closed early by the stitcher's bound
}

// AddAttempt counts one stitched Identity Center sign-in attempt. The
// pipeline runs an event.Stitcher over the sign-in records in event order
// (stitching is not per worker) and adds what it returns.
func (s *Summary) AddAttempt(a *event.Attempt) {
	s.ic.Attempts++
	s.ic.Outcomes.add(a.Outcome)
	if a.MFAUsed {
		s.ic.WithMFA++
	}
	if a.ConsoleLogin {
		s.ic.Console++
	}
	if a.Evicted {
		s.ic.Evicted++
	}
}

// New returns an empty Summary with the default Config.
func New() *Summary { return NewWithConfig(Config{}) }

// NewWithConfig returns an empty Summary; zero fields of cfg take their
// defaults.
func NewWithConfig(cfg Config) *Summary {
	cfg = cfg.withDefaults()
	c := func() *Counter { return NewCounter(cfg.TopCap) }
	return &Summary{
		cfg: cfg, signIns: map[string]*Outcomes{}, mfa: map[event.ActorType]*MFACount{},
		rootNames: NewCounter(1000), ips: c(), users: c(), agents: c(), siIPs: c(), siUsers: c(),
		siAgents: c(), regions: c(), accounts: c(), scanned: map[string]bool{}, hours: map[int64]*Outcomes{},
		fIPs: c(), fUsers: c(), fAgents: c(), consoleBy: map[event.ActorType]*Outcomes{},
	}
}

// AddFile counts a file (object, archive member) read as CloudTrail and the
// bytes it decoded to.
func (s *Summary) AddFile(name string, decodedBytes int64) {
	s.filesRead++
	s.decoded += decodedBytes
}

// AddSkipped records a skipped file and why; past Config.MaxSkipped files
// only the count grows.
func (s *Summary) AddSkipped(name, reason string) {
	s.filesSkipped++
	if len(s.skipped) < s.cfg.MaxSkipped {
		s.skipped = append(s.skipped, Skipped{name, reason})
	}
}

// Skipped returns the skipped files listed (at most Config.MaxSkipped).
func (s *Summary) Skipped() []Skipped { return append([]Skipped(nil), s.skipped...) }

// AddRead counts one decoded event, before de-duplication.
func (s *Summary) AddRead() { s.eventsRead++ }

// AddDuplicate counts an event dropped as a repeated eventID.
func (s *Summary) AddDuplicate() { s.duplicates++ }

// AddOutOfRange counts an event left out by --since, --until or --account.
func (s *Summary) AddOutOfRange() { s.outOfRange++ }

// AddProblem counts an input problem and keeps the first positions
// ("file:line:column: message" or similar).
func (s *Summary) AddProblem(position string) {
	s.problems++
	if len(s.positions) < s.cfg.MaxPositions {
		s.positions = append(s.positions, position)
	}
}

// SetThroughput records the scan's wall time and the input bytes read.
func (s *Summary) SetThroughput(elapsed time.Duration, bytesRead int64) {
	s.elapsed, s.bytesRead = elapsed, bytesRead
}

// SetRules records the size of the compiled rule set.
func (s *Summary) SetRules(detection, correlation, filter int) {
	s.rules = RuleCounts{detection, correlation, filter}
}

// SetCorrelationStats records how much correlation state was evicted at
// its bounds (a non-zero count is also a warning).
func (s *Summary) SetCorrelationStats(evictions uint64) { s.evictions = int64(evictions) }

// AddAlarmTransition records a CloudWatch alarm state change.
func (s *Summary) AddAlarmTransition(alarm, from, to string, at time.Time, reason string) {
	if len(s.transitions) < maxTransitions {
		s.transitions = append(s.transitions, AlarmTransition{alarm, from, to, formatTime(at), reason})
	}
}

// SetAlerts records the detections reported, counted by level.
func (s *Summary) SetAlerts(alerts []alert.Alert) {
	s.byLevel = CountLevels(alerts)
}

// CountLevels counts alerts by level; every level is present, and alerts
// with a level that is not one of the five count as "unknown".
func CountLevels(alerts []alert.Alert) map[string]int {
	m := map[string]int{}
	for _, l := range alert.Levels {
		m[string(l)] = 0
	}
	for i := range alerts {
		l := alerts[i].Level()
		if l.Rank() == 0 {
			m["unknown"]++
		} else {
			m[string(l)]++
		}
	}
	return m
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// NoteScannedRegion records a region the input covers (from the key layout
// AWSLogs/.../CloudTrail/<region>/), for the region coverage warning. When
// none is noted, the regions seen in events stand in.
func (s *Summary) NoteScannedRegion(region string) { s.scanned[region] = true }

// Unique returns the number of events added.
func (s *Summary) Unique() int64 { return s.unique }

// Untimed returns the number of events with no readable time.
func (s *Summary) Untimed() int64 { return s.untimed }

// TimeRange returns the first and last event times (zero when none).
func (s *Summary) TimeRange() (first, last time.Time) { return s.first, s.last }

// SignIns returns the sign-in counts of one event name.
func (s *Summary) SignIns(eventName string) Outcomes {
	if o := s.signIns[eventName]; o != nil {
		return *o
	}
	return Outcomes{}
}

// MFA returns the MFA counts of successful console sign-ins of one type.
func (s *Summary) MFA(t event.ActorType) MFACount {
	if m := s.mfa[t]; m != nil {
		return *m
	}
	return MFACount{}
}

// Root returns the number of events by the root user and the outcomes of
// root console sign-ins.
func (s *Summary) Root() (events int64, signIns Outcomes) { return s.rootEvents, s.rootSignIns }

var keyRoot = []byte("Root")

// AddEvent counts one unique event. It reads only a few top-level fields
// (and userIdentity) unless the event is a sign-in, which is normalized.
func (s *Summary) AddEvent(root event.Value, raw []byte) {
	var n Normalized
	n.Time, n.Timed = event.EventTime(root)
	if si, ok := event.NormalizeSignIn(root); ok {
		rec := si // only a sign-in's record is moved to the heap
		n.SignIn = &rec
	}
	s.AddEventNormalized(root, raw, n)
}

// Normalized is what a caller that has read an event already knows of it.
type Normalized struct {
	Time   time.Time     // event.EventTime's result
	Timed  bool          // event.EventTime's ok
	SignIn *event.SignIn // event.NormalizeSignIn's record, nil when not a sign-in
}

// AddEventNormalized is AddEvent for a caller that has read the event's time
// and built its sign-in record already, so they are not worked out again.
func (s *Summary) AddEventNormalized(root event.Value, raw []byte, n Normalized) {
	c := event.ReadCommon(root)
	s.AddEventCommon(&c, raw, n)
}

// AddEventCommon is AddEventNormalized for a caller that has looked up the
// event's common fields (event.ReadCommon) too. (They are a parameter of
// their own, not a member of Normalized: n's time is kept, and the escape
// analysis would then move every caller's Common to the heap.)
func (s *Summary) AddEventCommon(c *event.Common, raw []byte, n Normalized) {
	s.unique++
	s.eventBytes += int64(len(raw))
	if n.Timed {
		s.addTime(n.Time)
	} else {
		s.untimed++
	}
	s.regions.AddBytes(c.Region.Bytes())
	acct := c.Account
	if acct.Kind() != event.String {
		acct = c.IdentityAccount
	}
	s.accounts.AddBytes(acct.Bytes())
	addNonEmpty(s.ips, c.SourceIP.Bytes())
	addNonEmpty(s.agents, c.UserAgent.Bytes())
	user := c.ARN.Bytes()
	if len(user) == 0 {
		user = c.UserName.Bytes()
	}
	if len(user) == 0 {
		user = c.PrincipalID.Bytes()
	}
	addNonEmpty(s.users, user)
	if bytes.Equal(c.IdentityType.Bytes(), keyRoot) {
		s.rootEvents++
		s.rootNames.AddBytes(c.EventName.Bytes())
	}
	if n.SignIn != nil {
		s.addSignIn(n.SignIn)
	}
}

func (s *Summary) addTime(t time.Time) {
	if s.first.IsZero() || t.Before(s.first) {
		s.first = t
	}
	if s.last.IsZero() || t.After(s.last) {
		s.last = t
	}
}

func (s *Summary) addSignIn(si *event.SignIn) {
	name := si.EventName
	o := s.signIns[name]
	if o == nil {
		if len(s.signIns) >= maxEventNames {
			name = OtherEventName
			o = s.signIns[name]
		}
		if o == nil {
			o = &Outcomes{}
			s.signIns[name] = o
		}
	}
	o.add(si.Outcome)
	if si.EventName == "ConsoleLogin" && si.Outcome == event.Success {
		s.addMFA(si)
	}
	if si.EventName == "ConsoleLogin" && !si.Untimed {
		var o Outcomes
		o.add(si.Outcome)
		s.addHour(si.Time.Unix()/3600, o)
	}
	if si.EventName == "ConsoleLogin" {
		s.addConsole(si)
	}
	user := signInUser(si)
	addKeys(si, user, s.siIPs, s.siUsers, s.siAgents)
	if si.Outcome == event.Failure {
		addKeys(si, user, s.fIPs, s.fUsers, s.fAgents)
	}
}

func (s *Summary) addConsole(si *event.SignIn) {
	if si.Actor.Type == event.ActorRoot {
		s.rootSignIns.add(si.Outcome)
	}
	o := s.consoleBy[si.Actor.Type]
	if o == nil {
		o = &Outcomes{}
		s.consoleBy[si.Actor.Type] = o
	}
	o.add(si.Outcome)
}

// addKeys counts a sign-in's address, user and user agent.
func addKeys(si *event.SignIn, user string, ips, users, agents *Counter) {
	for _, p := range [3]struct {
		c *Counter
		k string
	}{{ips, si.SourceIP}, {users, user}, {agents, si.UserAgent}} {
		if p.k != "" {
			p.c.Add(p.k, 1)
		}
	}
}

func addNonEmpty(c *Counter, key []byte) {
	if len(key) > 0 {
		c.AddBytes(key)
	}
}

// HiddenUserKey stands for sign-ins whose user name AWS hid (a user name
// that does not exist) in the user rankings.
const HiddenUserKey = "(" + event.HiddenUser + ")"

// signInUser is the ranking key of a sign-in's principal: its ARN; for IAM
// users and root without one (failed sign-ins often carry none) the ARN
// they would have, so that both count as one user; else account:name.
func signInUser(si *event.SignIn) string {
	a := &si.Actor
	acct := a.AccountID
	if acct == "" {
		acct = si.Account
	}
	switch {
	case a.ARN != "":
		return a.ARN
	case a.Hidden:
		return HiddenUserKey
	case a.Type == event.ActorRoot && acct != "":
		return "arn:aws:iam::" + acct + ":root"
	case a.Type == event.ActorIAMUser && a.Name != "" && acct != "":
		return "arn:aws:iam::" + acct + ":user/" + a.Name
	case a.Name != "" && acct != "":
		return acct + ":" + a.Name
	}
	return a.Name
}

func (s *Summary) addMFA(si *event.SignIn) {
	m := s.mfa[si.Actor.Type]
	if m == nil {
		m = &MFACount{}
		s.mfa[si.Actor.Type] = m
	}
	switch {
	case si.MFAUsed:
		m.With++
	case si.Actor.SSO:
		m.IdP++
	case si.MFAKnown:
		m.Without++
	default:
		m.Unknown++
	}
}

// Merge adds o into s (o is left unchanged). Parse-error positions and
// skipped files keep s's first, then o's, up to the caps.
func (s *Summary) Merge(o *Summary) {
	s.mergePipeline(o)
	s.unique += o.unique
	s.untimed += o.untimed
	s.eventBytes += o.eventBytes
	if !o.first.IsZero() {
		s.addTime(o.first)
		s.addTime(o.last)
	}
	s.mergeSignIns(o)
	s.rootEvents += o.rootEvents
	s.rootSignIns.merge(o.rootSignIns)
	s.ic.Attempts += o.ic.Attempts
	s.ic.Outcomes.merge(o.ic.Outcomes)
	s.ic.WithMFA += o.ic.WithMFA
	s.ic.Console += o.ic.Console
	s.ic.Evicted += o.ic.Evicted
	for _, p := range [][2]*Counter{{s.rootNames, o.rootNames}, {s.ips, o.ips}, {s.users, o.users},
		{s.agents, o.agents}, {s.siIPs, o.siIPs}, {s.siUsers, o.siUsers}, {s.siAgents, o.siAgents},
		{s.fIPs, o.fIPs}, {s.fUsers, o.fUsers}, {s.fAgents, o.fAgents},
		{s.regions, o.regions}, {s.accounts, o.accounts}} {
		p[0].Merge(p[1])
	}
	for r := range o.scanned {
		s.scanned[r] = true
	}
	for h, c := range o.hours {
		s.addHour(h, *c)
	}
	s.hoursDropped += o.hoursDropped
}

// mergePipeline merges what the pipeline reported.
func (s *Summary) mergePipeline(o *Summary) {
	s.filesRead += o.filesRead
	s.filesSkipped += o.filesSkipped
	s.eventsRead += o.eventsRead
	s.duplicates += o.duplicates
	s.outOfRange += o.outOfRange
	s.problems += o.problems
	s.bytesRead += o.bytesRead
	s.decoded += o.decoded
	s.elapsed = max(s.elapsed, o.elapsed)
	if o.rules != (RuleCounts{}) {
		s.rules = o.rules
	}
	s.evictions += o.evictions
	if o.byLevel != nil {
		if s.byLevel == nil {
			s.byLevel = map[string]int{}
		}
		for k, n := range o.byLevel {
			s.byLevel[k] += n
		}
	}
	s.transitions = appendCapped(s.transitions, o.transitions, maxTransitions)
	s.skipped = appendCapped(s.skipped, o.skipped, s.cfg.MaxSkipped)
	s.positions = appendCapped(s.positions, o.positions, s.cfg.MaxPositions)
}

func appendCapped[T any](dst, src []T, limit int) []T {
	if room := limit - len(dst); room > 0 {
		dst = append(dst, src[:min(room, len(src))]...)
	}
	return dst
}

func (s *Summary) mergeSignIns(o *Summary) {
	for name, c := range o.signIns {
		t := s.signIns[name]
		if t == nil {
			if len(s.signIns) >= maxEventNames {
				name = OtherEventName
				t = s.signIns[name]
			}
			if t == nil {
				t = &Outcomes{}
				s.signIns[name] = t
			}
		}
		t.merge(*c)
	}
	for typ, c := range o.consoleBy {
		t := s.consoleBy[typ]
		if t == nil {
			t = &Outcomes{}
			s.consoleBy[typ] = t
		}
		t.merge(*c)
	}
	for typ, c := range o.mfa {
		t := s.mfa[typ]
		if t == nil {
			t = &MFACount{}
			s.mfa[typ] = t
		}
		t.With += c.With
		t.Without += c.Without
		t.IdP += c.IdP
		t.Unknown += c.Unknown
	}
}
