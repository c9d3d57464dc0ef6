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
	"time"

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
	Path   string `json:"path"`
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

// Summary is the scan summary. The exported counters are set by the
// pipeline; AddEvent fills the rest.
type Summary struct {
	cfg Config

	FilesRead    int64         // files (or objects, archive members) read as CloudTrail
	FilesSkipped int64         // files skipped (not CloudTrail, unreadable...)
	EventsRead   int64         // events decoded, duplicates included
	Duplicates   int64         // events dropped as a repeated eventID
	ParseErrors  int64         // input problems
	BytesRead    int64         // input bytes read (compressed size as stored)
	Elapsed      time.Duration // wall time of the scan
	RulesLoaded  int           // rules in the compiled set

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
	regions        *Counter
	accounts       *Counter
	scanned        map[string]bool
	ic             IdentityCenter
}

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

// New returns an empty Summary; zero fields of cfg take their defaults.
func New(cfg Config) *Summary {
	cfg = cfg.withDefaults()
	c := func() *Counter { return NewCounter(cfg.TopCap) }
	return &Summary{
		cfg: cfg, signIns: map[string]*Outcomes{}, mfa: map[event.ActorType]*MFACount{},
		rootNames: NewCounter(1000), ips: c(), users: c(), agents: c(), siIPs: c(), siUsers: c(),
		siAgents: c(), regions: c(), accounts: c(), scanned: map[string]bool{},
	}
}

// AddSkipped records a skipped file and why; past Config.MaxSkipped files
// only the count grows.
func (s *Summary) AddSkipped(path, reason string) {
	s.FilesSkipped++
	if len(s.skipped) < s.cfg.MaxSkipped {
		s.skipped = append(s.skipped, Skipped{path, reason})
	}
}

// AddParseError counts an input problem and keeps the first positions
// ("file:line:column: message" or similar).
func (s *Summary) AddParseError(position string) {
	s.ParseErrors++
	if len(s.positions) < s.cfg.MaxPositions {
		s.positions = append(s.positions, position)
	}
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

var (
	keyRoot = []byte("Root")
	srcSign = []byte("signin.amazonaws.com")
	srcSSO  = []byte("sso.amazonaws.com")
	srcOA   = []byte("sso-oauth.amazonaws.com")
	srcIAM  = []byte("iam.amazonaws.com")
)

// topKeys are the top-level fields AddEvent reads, in one pass.
var topKeys = []string{"eventTime", "@timestamp", "awsRegion", "recipientAccountId", "userIdentity",
	"sourceIPAddress", "userAgent", "eventName", "eventSource"}

const (
	fTime = iota
	fTimestamp
	fRegion
	fAccount
	fIdentity
	fIP
	fAgent
	fName
	fSource
)

var identityKeys = []string{"type", "arn", "userName", "principalId", "accountId"}

// AddEvent counts one unique event. It reads only a few top-level fields
// (and userIdentity) unless the event is a sign-in, which is normalized.
func (s *Summary) AddEvent(root event.Value, raw []byte) {
	s.unique++
	s.eventBytes += int64(len(raw))
	var f [9]event.Value
	var id [5]event.Value
	root.Fields(topKeys, f[:])
	f[fIdentity].Fields(identityKeys, id[:])
	if t, ok := event.ParseTime(f[fTime]); ok {
		s.addTime(t)
	} else if t, ok := event.ParseTime(f[fTimestamp]); ok {
		s.addTime(t)
	} else {
		s.untimed++
	}
	s.regions.AddBytes(f[fRegion].Bytes())
	acct := f[fAccount]
	if acct.Kind() != event.String {
		acct = id[4]
	}
	s.accounts.AddBytes(acct.Bytes())
	addNonEmpty(s.ips, f[fIP].Bytes())
	addNonEmpty(s.agents, f[fAgent].Bytes())
	user := id[1].Bytes()
	if len(user) == 0 {
		user = id[2].Bytes()
	}
	if len(user) == 0 {
		user = id[3].Bytes()
	}
	addNonEmpty(s.users, user)
	name := f[fName].Bytes()
	if bytes.Equal(id[0].Bytes(), keyRoot) {
		s.rootEvents++
		s.rootNames.AddBytes(name)
	}
	src := f[fSource].Bytes()
	if bytes.Equal(src, srcSign) || bytes.Equal(src, srcSSO) || bytes.Equal(src, srcOA) || bytes.Equal(src, srcIAM) {
		if si, ok := event.NormalizeSignIn(root); ok {
			s.addSignIn(&si)
		}
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
	if si.EventName == "ConsoleLogin" && si.Actor.Type == event.ActorRoot {
		s.rootSignIns.add(si.Outcome)
	}
	for _, p := range []struct {
		c *Counter
		k string
	}{{s.siIPs, si.SourceIP}, {s.siAgents, si.UserAgent}, {s.siUsers, signInUser(si)}} {
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

func signInUser(si *event.SignIn) string {
	switch {
	case si.Actor.ARN != "":
		return si.Actor.ARN
	case si.Actor.Hidden:
		return HiddenUserKey
	case si.Actor.Name != "" && si.Account != "":
		return si.Account + ":" + si.Actor.Name
	}
	return si.Actor.Name
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
	s.FilesRead += o.FilesRead
	s.FilesSkipped += o.FilesSkipped
	s.EventsRead += o.EventsRead
	s.Duplicates += o.Duplicates
	s.ParseErrors += o.ParseErrors
	s.BytesRead += o.BytesRead
	if o.Elapsed > s.Elapsed {
		s.Elapsed = o.Elapsed
	}
	if o.RulesLoaded > s.RulesLoaded {
		s.RulesLoaded = o.RulesLoaded
	}
	for _, k := range o.skipped {
		if len(s.skipped) < s.cfg.MaxSkipped {
			s.skipped = append(s.skipped, k)
		}
	}
	for _, p := range o.positions {
		if len(s.positions) < s.cfg.MaxPositions {
			s.positions = append(s.positions, p)
		}
	}
	s.unique += o.unique
	s.untimed += o.untimed
	s.eventBytes += o.eventBytes
	if !o.first.IsZero() {
		s.addTime(o.first)
		s.addTime(o.last)
	}
	s.mergeSignIns(o)
	s.rootEvents += o.rootEvents
	s.ic.Attempts += o.ic.Attempts
	s.ic.Outcomes.merge(o.ic.Outcomes)
	s.ic.WithMFA += o.ic.WithMFA
	s.ic.Console += o.ic.Console
	s.ic.Evicted += o.ic.Evicted
	s.rootSignIns.merge(o.rootSignIns)
	for _, p := range [][2]*Counter{{s.rootNames, o.rootNames}, {s.ips, o.ips}, {s.users, o.users},
		{s.agents, o.agents}, {s.siIPs, o.siIPs}, {s.siUsers, o.siUsers}, {s.siAgents, o.siAgents},
		{s.regions, o.regions}, {s.accounts, o.accounts}} {
		p[0].Merge(p[1])
	}
	for r := range o.scanned {
		s.scanned[r] = true
	}
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
