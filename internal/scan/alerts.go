package scan

import (
	"fmt"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/sigma"
	"github.com/signwatch/signwatch/internal/summary"
)

// brief is what an alert shows of one evidence event.
type brief struct {
	Time      time.Time
	Account   string
	Region    string
	Actor     string
	SourceIP  string
	UserAgent string
	EventName string
	Drill     bool
	Record    *event.SignIn // the normalized record, for sign-in events
}

func newBrief(root event.Value, c *event.Common, t time.Time, si *event.SignIn) brief {
	b := brief{
		Time:      t,
		Account:   c.Account.Str(),
		Region:    c.Region.Str(),
		SourceIP:  c.SourceIP.Str(),
		UserAgent: c.UserAgent.Str(),
		EventName: c.EventName.Str(),
	}
	if b.Account == "" {
		b.Account = c.IdentityAccount.Str()
	}
	if si != nil {
		b.Record = ownRecord(si)
		b.Actor = b.Record.Actor.Label()
	} else {
		b.Actor = event.ActorLabel(root)
	}
	b.Drill = alert.IsDrill(c.EventID.Str(), b.UserAgent)
	return b
}

// ownRecord copies a sign-in record the worker reuses for its next event,
// for an alert to keep; nil stays nil.
func ownRecord(si *event.SignIn) *event.SignIn {
	if si == nil {
		return nil
	}
	r := *si
	return &r
}

func ruleRef(m sigma.Meta, kind string) alert.RuleRef {
	return alert.RuleRef{ID: m.ID, Title: m.Title, Level: m.Level, Tags: m.Tags, Kind: kind}
}

func singleAlert(r *sigma.Rule, x sigma.Explanation, b brief, id string) alert.Alert {
	a := alert.Alert{
		Rule:      ruleRef(r.Meta, "single"),
		Account:   b.Account,
		Region:    b.Region,
		FirstSeen: b.Time,
		LastSeen:  b.Time,
		Count:     1,
		EventIDs:  []string{id},
		Actor:     b.Actor,
		SourceIP:  b.SourceIP,
		UserAgent: b.UserAgent,
		EventName: b.EventName,
		Drill:     b.Drill,
	}
	if b.Record != nil {
		a.Records = []event.SignIn{*b.Record}
	}
	a.Explanation = evidence(x)
	return a // its group writes the summary once complete
}

// evidence converts the engine's explanation for an alert.
func evidence(x sigma.Explanation) []alert.Evidence {
	out := make([]alert.Evidence, 0, len(x))
	for _, e := range x {
		out = append(out, alert.Evidence{Selection: e.Selection, Field: e.Field, Modifiers: e.Modifiers, Pattern: e.Pattern, Value: e.Value})
	}
	return out
}

func correlationAlert(d correlate.Detection, briefs map[string]brief) alert.Alert {
	a := alert.Alert{
		Rule:      ruleRef(d.Rule.Meta, d.Rule.Type),
		FirstSeen: d.First,
		LastSeen:  d.Last,
		Count:     d.Count,
		Value:     d.Value,
		EventIDs:  d.EventIDs,
	}
	if d.Rule.Type == correlate.ValueCount || d.Rule.Type == correlate.ValueSum ||
		d.Rule.Type == correlate.ValueAvg || d.Rule.Type == correlate.ValuePercentile {
		field := d.Rule.ValueField
		if field == "" && len(d.Rule.Condition.Fields) > 0 {
			field = d.Rule.Condition.Fields[0]
		}
		a.Aggregate = &alert.Aggregate{Func: d.Rule.Type, Field: field, Value: d.Value, Threshold: d.Rule.Condition.String()}
	}
	// A chained correlation counts its inputs (an intermediate detection is
	// one); the alert counts the events behind it.
	if len(d.EventIDs) > a.Count {
		a.Count = len(d.EventIDs)
	}
	for _, kv := range d.GroupKey {
		a.GroupKey = append(a.GroupKey, alert.KV{Key: kv.Key, Value: kv.Value})
	}
	// The alert shows the details of its evidence: a field is shown when all
	// evidence events agree on it, so a spray from many IPs shows none.
	first := true
	drill := true
	for _, id := range d.EventIDs {
		b, ok := briefs[id]
		if !ok {
			continue
		}
		drill = drill && b.Drill
		if b.Record != nil && len(a.Records) < maxRecords {
			a.Records = append(a.Records, *b.Record)
		}
		if first {
			a.Account, a.Region, a.Actor, a.SourceIP, a.UserAgent, a.EventName = b.Account, b.Region, b.Actor, b.SourceIP, b.UserAgent, b.EventName
			first = false
			continue
		}
		a.Account = agree(a.Account, b.Account)
		a.Region = agree(a.Region, b.Region)
		a.Actor = agree(a.Actor, b.Actor)
		a.SourceIP = agree(a.SourceIP, b.SourceIP)
		a.UserAgent = agree(a.UserAgent, b.UserAgent)
		a.EventName = agree(a.EventName, b.EventName)
	}
	a.Drill = drill && !first
	a.Summary = alert.Summarize(&a)
	return a
}

// maxRecords bounds the normalized sign-in records an alert carries.
const maxRecords = 50

func agree(a, b string) string {
	if a == b {
		return a
	}
	return ""
}

func alarmAlert(tr cwfilter.Transition) alert.Alert {
	a := alert.Alert{
		Rule:      alert.RuleRef{ID: "cloudwatch-alarm:" + tr.Alarm, Title: "CloudWatch alarm " + tr.Alarm, Level: "high", Kind: "cloudwatch_alarm"},
		FirstSeen: tr.Time,
		LastSeen:  tr.Time,
		Count:     len(tr.EventIDs),
		EventIDs:  tr.EventIDs,
	}
	for k, v := range tr.Dimensions {
		a.GroupKey = append(a.GroupKey, alert.KV{Key: k, Value: v})
	}
	alert.SortKV(a.GroupKey)
	a.Summary = fmt.Sprintf("alarm %s entered ALARM: %s", tr.Alarm, tr.Reason)
	return a
}

// internalAlert is raised when signwatch itself hit a bound (state limits):
// detections may have been missed, and that must not be silent.
func internalAlert(id, title string, n int, s *summary.Summary, format string) alert.Alert {
	start, end := s.TimeRange()
	return alert.Alert{
		Rule:      alert.RuleRef{ID: "signwatch-internal-" + id, Title: title, Level: "medium", Kind: alert.KindInternal},
		FirstSeen: start,
		LastSeen:  end,
		Count:     n,
		Summary:   fmt.Sprintf(format, n),
	}
}

func evictionAlert(n int, s *summary.Summary) alert.Alert {
	return internalAlert("correlation-eviction", "Correlation state evicted", n, s,
		"%d correlation groups or events were evicted at the state limits; raise correlation.max_groups / max_events_per_group")
}

func baselineAlert(m baseline.Meta, f baseline.Finding) alert.Alert {
	a := alert.Alert{
		Rule:      alert.RuleRef{ID: m.ID, Title: m.Title, Level: m.Level, Tags: m.Tags, Kind: alert.KindBaseline},
		Account:   f.Account,
		FirstSeen: f.Time,
		LastSeen:  f.Time,
		Count:     1,
		EventIDs:  []string{f.EventID},
		Actor:     f.Principal,
		SourceIP:  f.SourceIP,
		GroupKey:  []alert.KV{{Key: "account", Value: f.Account}, {Key: "principal", Value: f.Principal}, {Key: "country", Value: f.Country}},
		Drill:     alert.IsDrill(f.EventID, ""),
	}
	known := "none"
	if len(f.Known) > 0 {
		known = strings.Join(f.Known, ", ")
	}
	a.Summary = fmt.Sprintf("%s signed in to %s from %s (%s); baseline: %s", f.Principal, f.Account, f.Country, f.SourceIP, known)
	if a.Drill {
		a.Summary = "[drill] " + a.Summary
	}
	return a
}

func baselineEvictionAlert(n int, s *summary.Summary) alert.Alert {
	return internalAlert("baseline-eviction", "Baseline state evicted", n, s,
		"%d principals or countries were evicted from the new-country baseline at its limits; raise baselines.new_country.max_principals / max_countries_per_principal")
}

func groupOverflowAlert(n int, s *summary.Summary) alert.Alert {
	return internalAlert("alert-overflow", "Alert groups overflowed", n, s,
		"%d rule matches were not kept: more than "+fmt.Sprint(maxGroups)+" alert groups; a rule is matching far too much or the scan is too wide")
}
