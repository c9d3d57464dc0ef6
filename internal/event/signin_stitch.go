package event

import (
	"sort"
	"strings"
	"time"
)

// An IAM Identity Center sign-in is logged as several events:
// CredentialChallenge → CredentialVerification (repeated per factor) →
// UserAuthentication in the Identity Center account, then sso Authenticate
// and Federate, then ConsoleLogin as an AWSReservedSSO_* role session in the
// target account. The Stitcher joins them into one Attempt.
//
// Keys, in order of strength:
//
//  1. additionalEventData.AuthWorkflowID: AWS's own id of one sign-in flow,
//     present on CredentialChallenge, CredentialVerification and
//     UserAuthentication. Events with the same id are one attempt, whatever
//     their time or address.
//  2. For the steps that carry no workflow id (sso Authenticate, Federate,
//     GetRoleCredentials, and the SSO ConsoleLogin): the lower-cased user
//     name (userIdentity.userName, additionalEventData.UserName, or the role
//     session name of the console login) together with the exact source
//     address, within Window after the attempt's last step. The newest open
//     attempt with that key is joined; otherwise a new attempt starts.
//
// An attempt closes when its ConsoleLogin arrives, or when no step has joined
// it for Window of event time (the high-water mark of the times seen, so
// events a little out of order still join). At most MaxOpen attempts are
// open; beyond that the oldest are closed early and counted in Evicted.

// StitchConfig bounds the Stitcher.
type StitchConfig struct {
	// Window is how long after its last step an attempt stays open
	// (default 10 minutes).
	Window time.Duration `yaml:"window"`
	// MaxOpen caps the open attempts (default 100000).
	MaxOpen int `yaml:"max_open"`
}

// Step is one event of an Attempt.
type Step struct {
	EventID        string    `json:"event_id,omitempty"`
	EventName      string    `json:"event_name"`
	Time           time.Time `json:"time"`
	CredentialType string    `json:"credential_type,omitempty"`
	Outcome        Outcome   `json:"outcome"`
}

// Attempt is one stitched Identity Center sign-in.
type Attempt struct {
	WorkflowID      string    `json:"workflow_id,omitempty"`
	User            string    `json:"user,omitempty"`
	Account         string    `json:"account,omitempty"` // account of the first step (the Identity Center account)
	TargetAccount   string    `json:"target_account,omitempty"`
	SourceIP        string    `json:"source_ip,omitempty"`
	UserAgent       string    `json:"user_agent,omitempty"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	Steps           []Step    `json:"steps"`
	CredentialTypes []string  `json:"credential_types,omitempty"` // verified or failed, in order, without repeats
	Failures        int       `json:"failures"`                   // failed credential verifications
	MFAUsed         bool      `json:"mfa_used"`                   // a TOTP or WEBAUTHN credential verified
	ConsoleLogin    bool      `json:"console_login"`              // the flow reached a console sign-in
	Outcome         Outcome   `json:"outcome"`
	Evicted         bool      `json:"evicted,omitempty"` // closed early because MaxOpen was reached

	links []string // the user+address keys this attempt is indexed under
}

// Stitchable reports whether s is a step the Stitcher joins: an Identity
// Center sign-in step or sso event, or the console login of an SSO session.
func Stitchable(s *SignIn) bool {
	if isIdentityCenterStep(s.EventSource, s.EventName) {
		return true
	}
	return s.EventName == "ConsoleLogin" && s.Actor.SSO && s.SAMLProvider == ""
}

// Stitcher joins Identity Center sign-in steps into attempts. It is not safe
// for concurrent use.
type Stitcher struct {
	cfg     StitchConfig
	open    map[*Attempt]struct{}
	byFlow  map[string]*Attempt
	byLink  map[string]*Attempt
	high    time.Time
	next    time.Time // earliest End+Window of the open attempts (zero: none or unknown)
	evicted int
}

// NewStitcher returns a Stitcher; zero fields of cfg take their defaults.
func NewStitcher(cfg StitchConfig) *Stitcher {
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.MaxOpen <= 0 {
		cfg.MaxOpen = 100000
	}
	return &Stitcher{cfg: cfg, open: map[*Attempt]struct{}{},
		byFlow: map[string]*Attempt{}, byLink: map[string]*Attempt{}}
}

// Evicted returns how many attempts were closed early by the MaxOpen cap.
func (st *Stitcher) Evicted() int { return st.evicted }

// Open returns the number of open attempts.
func (st *Stitcher) Open() int { return len(st.open) }

// Add feeds one sign-in record. Records that are not Stitchable are
// ignored. It returns the attempts this record closed (its own, when it is
// the console login) and those that expired, ordered by start time.
func (st *Stitcher) Add(s SignIn) []Attempt {
	if !Stitchable(&s) {
		return nil
	}
	if s.Time.After(st.high) {
		st.high = s.Time
	}
	var done []Attempt
	if len(st.open) > 0 && st.high.After(st.next) {
		done = st.expire(st.high.Add(-st.cfg.Window), false)
	}
	a := st.find(&s)
	if a == nil {
		a = &Attempt{WorkflowID: s.AuthWorkflowID, Account: s.Account, Start: s.Time, End: s.Time}
		st.open[a] = struct{}{}
	}
	st.join(a, &s)
	if t := a.End.Add(st.cfg.Window); st.next.IsZero() || t.Before(st.next) {
		st.next = t
	}
	if s.EventName == "ConsoleLogin" {
		st.remove(a)
		done = append(done, finish(a))
	}
	if len(st.open) > st.cfg.MaxOpen {
		done = append(done, st.evictOldest()...)
	}
	sortAttempts(done)
	return done
}

// Flush closes and returns every open attempt, ordered by start time.
func (st *Stitcher) Flush() []Attempt {
	done := st.expire(time.Time{}, true)
	sortAttempts(done)
	return done
}

func linkKey(user, ip string) string {
	if user == "" || ip == "" {
		return ""
	}
	return strings.ToLower(user) + "\x00" + ip
}

func stepUser(s *SignIn) string {
	if s.Actor.Hidden {
		return ""
	}
	return s.Actor.Name
}

func (st *Stitcher) find(s *SignIn) *Attempt {
	if s.AuthWorkflowID != "" {
		if a := st.byFlow[s.AuthWorkflowID]; a != nil {
			return a
		}
	}
	if s.AuthWorkflowID != "" && s.EventSource == "signin.amazonaws.com" {
		return nil // a new flow
	}
	a := st.byLink[linkKey(stepUser(s), s.SourceIP)]
	if _, open := st.open[a]; !open || s.Time.Sub(a.End) > st.cfg.Window || a.End.Sub(s.Time) > st.cfg.Window {
		return nil
	}
	return a
}

func (st *Stitcher) join(a *Attempt, s *SignIn) {
	a.Steps = append(a.Steps, Step{EventID: s.EventID, EventName: s.EventName, Time: s.Time,
		CredentialType: s.CredentialType, Outcome: s.Outcome})
	if s.Time.Before(a.Start) {
		a.Start = s.Time
	}
	if s.Time.After(a.End) {
		a.End = s.Time
	}
	if a.WorkflowID == "" && s.AuthWorkflowID != "" {
		a.WorkflowID = s.AuthWorkflowID
	}
	if a.WorkflowID != "" {
		st.byFlow[a.WorkflowID] = a
	}
	if u := stepUser(s); u != "" && (a.User == "" || s.EventName != "ConsoleLogin") {
		a.User = u
	}
	if a.SourceIP == "" {
		a.SourceIP = s.SourceIP
	}
	if a.UserAgent == "" {
		a.UserAgent = s.UserAgent
	}
	if k := linkKey(a.User, a.SourceIP); k != "" {
		st.byLink[k] = a
		if !contains(a.links, k) {
			a.links = append(a.links, k)
		}
	}
	a.note(s)
}

// note records what a step says about the attempt.
func (a *Attempt) note(s *SignIn) {
	if s.EventName == "CredentialVerification" {
		if s.CredentialType != "" && !contains(a.CredentialTypes, s.CredentialType) {
			a.CredentialTypes = append(a.CredentialTypes, s.CredentialType)
		}
		if s.Outcome == Failure {
			a.Failures++
		} else if s.Outcome == Success && s.MFAUsed {
			a.MFAUsed = true
		}
	}
	if s.EventName == "ConsoleLogin" {
		a.ConsoleLogin = true
		a.TargetAccount = s.Account
	}
	if s.EventName == "Federate" && s.Account != a.Account {
		a.TargetAccount = s.Account
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// finish decides the outcome: success when a step that only follows a
// complete authentication succeeded (UserAuthentication, Authenticate,
// Federate, a successful ConsoleLogin), failure when the console login
// failed or a verification failed with nothing successful after it, unknown
// otherwise (an abandoned flow).
func finish(a *Attempt) Attempt {
	a.Outcome = OutcomeUnknown
	for _, s := range a.Steps {
		switch s.EventName {
		case "UserAuthentication", "Authenticate", "Federate", "ConsoleLogin":
			if s.Outcome == Success {
				a.Outcome = Success
			} else if s.Outcome == Failure {
				a.Outcome = Failure
			}
		case "CredentialVerification":
			if s.Outcome == Failure && a.Outcome != Success {
				a.Outcome = Failure
			}
		}
	}
	sort.SliceStable(a.Steps, func(i, j int) bool { return a.Steps[i].Time.Before(a.Steps[j].Time) })
	return *a
}

func (st *Stitcher) remove(a *Attempt) {
	delete(st.open, a)
	if a.WorkflowID != "" && st.byFlow[a.WorkflowID] == a {
		delete(st.byFlow, a.WorkflowID)
	}
	for _, k := range a.links {
		if st.byLink[k] == a {
			delete(st.byLink, k)
		}
	}
}

// expire closes attempts whose last step is before cutoff (all when all)
// and recomputes the earliest expiry of those left.
func (st *Stitcher) expire(cutoff time.Time, all bool) []Attempt {
	var done []Attempt
	st.next = time.Time{}
	for a := range st.open {
		if all || a.End.Before(cutoff) {
			st.remove(a)
			done = append(done, finish(a))
		} else if t := a.End.Add(st.cfg.Window); st.next.IsZero() || t.Before(st.next) {
			st.next = t
		}
	}
	return done
}

// evictOldest closes the oldest tenth of the open attempts.
func (st *Stitcher) evictOldest() []Attempt {
	list := make([]*Attempt, 0, len(st.open))
	for a := range st.open {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].End.Before(list[j].End) })
	n := len(list)/10 + 1
	done := make([]Attempt, 0, n)
	for _, a := range list[:n] {
		st.remove(a)
		a.Evicted = true
		st.evicted++
		done = append(done, finish(a))
	}
	return done
}

func sortAttempts(list []Attempt) {
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].Start.Equal(list[j].Start) {
			return list[i].Start.Before(list[j].Start)
		}
		if list[i].WorkflowID != list[j].WorkflowID {
			return list[i].WorkflowID < list[j].WorkflowID
		}
		return list[i].User < list[j].User
	})
}
