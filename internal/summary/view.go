package summary

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// SignInRegions are the regions where console sign-ins are recorded when
// the global endpoint is used (seed 000): root sign-ins in us-east-1; IAM
// user sign-ins in us-east-1 without an account alias cookie, else in
// us-east-2, eu-north-1 or ap-southeast-2 depending on latency.
var SignInRegions = []string{"us-east-1", "us-east-2", "eu-north-1", "ap-southeast-2"}

// MissingSignInRegions returns the SignInRegions the input does not cover:
// the regions noted with NoteScannedRegion, or, when none was noted, the
// regions of the events seen. It is nil when no event was read.
func (s *Summary) MissingSignInRegions() []string {
	if s.unique == 0 {
		return nil
	}
	var missing []string
	for _, r := range SignInRegions {
		covered := s.scanned[r]
		if len(s.scanned) == 0 {
			covered = s.regions.Get(r) > 0
		}
		if !covered {
			missing = append(missing, r)
		}
	}
	return missing
}

// Warnings returns the warnings a reader of the summary must see: the
// region coverage warning of SPEC 7, and rankings that became approximate.
func (s *Summary) Warnings() []string {
	var w []string
	if s.evictions > 0 {
		w = append(w, fmt.Sprintf("correlation state hit its bounds: %d groups or events were evicted, so correlations may have been missed", s.evictions))
	}
	if m := s.MissingSignInRegions(); len(m) > 0 {
		msg := fmt.Sprintf("the input has no events from %s: IAM-user ConsoleLogin events are recorded in "+
			"us-east-1, us-east-2, eu-north-1 or ap-southeast-2 depending on the sign-in endpoint", strings.Join(m, ", "))
		if m[0] == "us-east-1" {
			msg += ", and root sign-ins in us-east-1"
		}
		w = append(w, msg+"; sign-ins recorded in the missing regions cannot be seen")
	}
	for _, c := range []struct {
		name string
		c    *Counter
	}{{"source IPs", s.ips}, {"users", s.users}, {"user agents", s.agents}, {"accounts", s.accounts},
		{"sign-in source IPs", s.siIPs}, {"sign-in users", s.siUsers}, {"sign-in user agents", s.siAgents},
		{"failed sign-in source IPs", s.fIPs}, {"failed sign-in users", s.fUsers}, {"failed sign-in user agents", s.fAgents}} {
		if !c.c.Exact() {
			_, keys := c.c.Dropped()
			w = append(w, fmt.Sprintf("more than %d distinct %s: %d rare ones were dropped, counts in that ranking are lower bounds",
				s.cfg.TopCap, c.name, keys))
		}
	}
	return w
}

// View is the summary as it is written out (the "summary" object of the
// JSON output, docs/scan-output.md).
type View struct {
	Files             FilesView         `json:"files"`
	Events            EventsView        `json:"events"`
	TimeRange         *TimeRange        `json:"time_range"`
	SignIns           []SignInCount     `json:"sign_ins"`
	ConsoleSignIns    []ConsoleCount    `json:"console_sign_ins"`
	MFA               []MFAView         `json:"mfa"`
	Root              RootView          `json:"root"`
	IdentityCenter    IdentityCenter    `json:"identity_center"`
	Top               TopView           `json:"top"`
	SignInTop         TopView           `json:"sign_in_top"`
	FailureTop        TopView           `json:"failure_top"`
	Regions           []Entry           `json:"regions"`
	Accounts          []Entry           `json:"accounts"`
	RulesLoaded       int               `json:"rules_loaded"` // detection + correlation rules
	Rules             RuleCounts        `json:"rules"`
	CorrelationEvicts int64             `json:"correlation_evictions"`
	AlarmTransitions  []AlarmTransition `json:"alarm_transitions"`
	Throughput        Throughput        `json:"throughput"`
	DetectionsByLevel map[string]int    `json:"detections_by_level"`
	Warnings          []string          `json:"warnings"`
}

// FilesView counts files.
type FilesView struct {
	Read             int64     `json:"read"`
	Skipped          int64     `json:"skipped"`
	SkippedFiles     []Skipped `json:"skipped_files"`
	SkippedTruncated bool      `json:"skipped_truncated"`
}

// EventsView counts events.
type EventsView struct {
	Read           int64    `json:"read"`
	Unique         int64    `json:"unique"`
	Duplicates     int64    `json:"duplicates"`
	OutOfRange     int64    `json:"out_of_range"` // left out by --since, --until, --account
	ParseErrors    int64    `json:"parse_errors"`
	ErrorPositions []string `json:"error_positions"`
	Untimed        int64    `json:"untimed"`
}

// TimeRange is the span of event times, RFC 3339 UTC.
type TimeRange struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// SignInCount is the count of one sign-in event name by outcome.
type SignInCount struct {
	EventName string `json:"event_name"`
	Outcomes
	Total int64 `json:"total"`
}

// ConsoleCount is the console sign-ins of one principal type by outcome.
type ConsoleCount struct {
	PrincipalType string `json:"principal_type"`
	Outcomes
	Total int64 `json:"total"`
}

// MFAView is the MFA use of successful console sign-ins of one principal type.
type MFAView struct {
	PrincipalType string `json:"principal_type"`
	MFACount
}

// RootView is the activity of the root user.
type RootView struct {
	Events        int64    `json:"events"`
	SignIns       Outcomes `json:"sign_ins"`
	TopEventNames []Entry  `json:"top_event_names"`
}

// TopView holds rankings; Approximate is set when a ranking was pruned.
type TopView struct {
	SourceIPs   []Entry `json:"source_ips"`
	Users       []Entry `json:"users"`
	UserAgents  []Entry `json:"user_agents"`
	Approximate bool    `json:"approximate"`
}

// Throughput is the scan speed.
type Throughput struct {
	ElapsedSeconds     float64 `json:"elapsed_seconds"`
	BytesRead          int64   `json:"bytes_read"`    // input bytes as stored (compressed)
	DecodedBytes       int64   `json:"decoded_bytes"` // bytes after decompression
	EventsPerSecond    float64 `json:"events_per_second"`
	MBPerSecond        float64 `json:"mb_per_second"`         // input MB (10^6 bytes) per second
	DecodedMBPerSecond float64 `json:"decoded_mb_per_second"` // decompressed MB per second
}

// maxAccountsShown bounds the account list of the view.
const maxAccountsShown = 1000

// View builds the written form of the summary. Lists are never nil.
func (s *Summary) View() *View {
	skipped := append([]Skipped{}, s.skipped...)
	// By name: workers skip files in whatever order they finish them.
	slices.SortStableFunc(skipped, func(a, b Skipped) int { return strings.Compare(a.Name, b.Name) })
	v := &View{
		Files: FilesView{Read: s.filesRead, Skipped: s.filesSkipped, SkippedFiles: skipped,
			SkippedTruncated: int64(len(s.skipped)) < s.filesSkipped},
		Events: EventsView{Read: s.eventsRead, Unique: s.unique, Duplicates: s.duplicates, OutOfRange: s.outOfRange,
			ParseErrors: s.problems, ErrorPositions: append([]string{}, s.positions...), Untimed: s.untimed},
		SignIns:           s.signInCounts(),
		MFA:               s.mfaViews(),
		IdentityCenter:    s.ic,
		Root:              RootView{Events: s.rootEvents, SignIns: s.rootSignIns, TopEventNames: s.rootNames.Top(s.cfg.TopN)},
		Top:               topView(s.cfg.TopN, s.ips, s.users, s.agents),
		SignInTop:         topView(s.cfg.TopN, s.siIPs, s.siUsers, s.siAgents),
		FailureTop:        topView(s.cfg.TopN, s.fIPs, s.fUsers, s.fAgents),
		ConsoleSignIns:    s.consoleCounts(),
		Regions:           named(s.regions.Top(0)),
		Accounts:          named(s.accounts.Top(maxAccountsShown)),
		RulesLoaded:       s.rules.Detection + s.rules.Correlation,
		Rules:             s.rules,
		CorrelationEvicts: s.evictions,
		AlarmTransitions:  append([]AlarmTransition{}, s.transitions...),
		Throughput:        s.throughput(),
		DetectionsByLevel: s.byLevel,
		Warnings:          s.Warnings(),
	}
	if v.Warnings == nil {
		v.Warnings = []string{}
	}
	if v.DetectionsByLevel == nil {
		v.DetectionsByLevel = CountLevels(nil)
	} else {
		v.DetectionsByLevel = maps.Clone(v.DetectionsByLevel)
	}
	if !s.first.IsZero() {
		v.TimeRange = &TimeRange{First: s.first.UTC().Format(time.RFC3339), Last: s.last.UTC().Format(time.RFC3339)}
	}
	return v
}

// named shows the empty key as "(none)".
func named(list []Entry) []Entry {
	for i := range list {
		if list[i].Key == "" {
			list[i].Key = "(none)"
		}
	}
	return list
}

func (s *Summary) signInCounts() []SignInCount {
	out := make([]SignInCount, 0, len(s.signIns))
	for name, o := range s.signIns {
		out = append(out, SignInCount{EventName: name, Outcomes: *o, Total: o.Total()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].EventName < out[j].EventName
	})
	return out
}

func (s *Summary) consoleCounts() []ConsoleCount {
	out := make([]ConsoleCount, 0, len(s.consoleBy))
	for t, o := range s.consoleBy {
		out = append(out, ConsoleCount{PrincipalType: string(t), Outcomes: *o, Total: o.Total()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PrincipalType < out[j].PrincipalType })
	return out
}

func (s *Summary) mfaViews() []MFAView {
	out := make([]MFAView, 0, len(s.mfa))
	for t, m := range s.mfa {
		out = append(out, MFAView{PrincipalType: string(t), MFACount: *m})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PrincipalType < out[j].PrincipalType })
	return out
}

func topView(n int, ips, users, agents *Counter) TopView {
	return TopView{SourceIPs: ips.Top(n), Users: users.Top(n), UserAgents: agents.Top(n),
		Approximate: !ips.Exact() || !users.Exact() || !agents.Exact()}
}

func (s *Summary) throughput() Throughput {
	t := Throughput{ElapsedSeconds: s.elapsed.Seconds(), BytesRead: s.bytesRead, DecodedBytes: s.decoded}
	if sec := s.elapsed.Seconds(); sec > 0 {
		t.EventsPerSecond = float64(s.eventsRead) / sec
		t.MBPerSecond = float64(s.bytesRead) / 1e6 / sec
		t.DecodedMBPerSecond = float64(s.decoded) / 1e6 / sec
	}
	return t
}
