// Package alert defines what a detection becomes once it fires: an Alert
// with its rule, group key, time span, evidence and a one-line human summary
// (SPEC 6). Producers (single-event rules, correlations, CloudWatch alarms,
// baselines, internal warnings) fill an Alert; Summarize writes its summary.
package alert

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// Level is a Sigma severity level.
type Level string

// The levels, lowest first.
const (
	Informational Level = "informational"
	Low           Level = "low"
	Medium        Level = "medium"
	High          Level = "high"
	Critical      Level = "critical"
)

// Levels lists the levels from lowest to highest.
var Levels = []Level{Informational, Low, Medium, High, Critical}

// ParseLevel reads a level name, case-insensitively ("info" is accepted for
// informational).
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if l == "info" {
		return Informational, nil
	}
	if l.Rank() == 0 {
		return "", fmt.Errorf("unknown level %q (want one of informational, low, medium, high, critical)", s)
	}
	return l, nil
}

// Rank orders levels: informational 1 … critical 5; 0 for an unknown level.
func (l Level) Rank() int {
	for i, x := range Levels {
		if strings.EqualFold(string(l), string(x)) {
			return i + 1
		}
	}
	return 0
}

// The kinds of rule that raise alerts.
const (
	KindSingle          = "single"
	KindEventCount      = "event_count"
	KindValueCount      = "value_count"
	KindTemporal        = "temporal"
	KindTemporalOrdered = "temporal_ordered"
	KindValueSum        = "value_sum"
	KindValueAvg        = "value_avg"
	KindValuePercentile = "value_percentile"
	KindCloudWatchAlarm = "cloudwatch_alarm"
	KindBaseline        = "baseline"
	KindInternal        = "internal"
)

// RuleRef is the metadata of the rule that fired.
type RuleRef struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Level string   `json:"level"`
	Tags  []string `json:"tags"`
	Kind  string   `json:"kind,omitempty"` // single, event_count, ..., cloudwatch_alarm, baseline, internal
}

// KV is one field of a group key.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Evidence is one element of an explanation: which selection matched on
// which field and value (or, for correlations and alarms, a note).
type Evidence struct {
	EventID   string   `json:"event_id,omitempty"`
	Selection string   `json:"selection,omitempty"`
	Field     string   `json:"field,omitempty"`
	Modifiers []string `json:"modifiers,omitempty"` // Sigma modifiers of the field (contains, re...)
	Value     string   `json:"value,omitempty"`     // the event's value
	Pattern   string   `json:"pattern,omitempty"`   // what the rule asked for
	Note      string   `json:"note,omitempty"`
}

// Aggregate is the measured value of an aggregating rule (value_count,
// value_sum, an alarm's metric) and the threshold it crossed.
type Aggregate struct {
	Func      string  `json:"func"`            // "value_count", "sum", "avg", "Sum"...
	Field     string  `json:"field,omitempty"` // the field aggregated, e.g. userIdentity.userName
	Value     float64 `json:"value"`
	Threshold string  `json:"threshold,omitempty"` // e.g. ">= 5"
}

// Alert is one fired detection.
type Alert struct {
	Rule        RuleRef
	Account     string
	Region      string
	GroupKey    []KV // ordered as the rule's group-by
	FirstSeen   time.Time
	LastSeen    time.Time
	Count       int      // events behind the alert
	EventIDs    []string // all evidence eventIDs
	Actor       string   // ARN or name of the principal, when one
	SourceIP    string
	UserAgent   string
	EventName   string  // the eventName the evidence events share, when they do
	Value       float64 // the aggregate that satisfied a correlation (count, distinct count, sum...)
	Explanation []Evidence
	Aggregate   *Aggregate     // aggregating rules only
	Records     []event.SignIn // normalized sign-in records of the evidence, when sign-ins
	Summary     string
	Drill       bool // raised by a drill event
}

// Level returns the rule's level as a Level.
func (a *Alert) Level() Level { return Level(strings.ToLower(a.Rule.Level)) }

// AtLeast reports whether the alert's level is at or above min.
func (a *Alert) AtLeast(min Level) bool { return a.Level().Rank() >= min.Rank() }

// SortKV orders a group key by key name (for keys from unordered sources,
// such as alarm dimensions).
func SortKV(kv []KV) {
	sort.SliceStable(kv, func(i, j int) bool { return kv[i].Key < kv[j].Key })
}

// Drill events carry an eventID prefix and a user agent suffix so that a
// real pipeline can tell them apart (they match internal/drill, which
// writes them).
const (
	DrillEventIDPrefix   = "signwatch-drill-"
	DrillUserAgentSuffix = " signwatch-drill/1"
)

// IsDrill reports whether an event carries a drill mark.
func IsDrill(eventID, userAgent string) bool {
	return strings.HasPrefix(eventID, DrillEventIDPrefix) || strings.HasSuffix(userAgent, DrillUserAgentSuffix)
}

// GroupKeyString returns the group key as a readable "k=v, k=v" string.
func (a *Alert) GroupKeyString() string {
	parts := make([]string, len(a.GroupKey))
	for i, kv := range a.GroupKey {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, ", ")
}
