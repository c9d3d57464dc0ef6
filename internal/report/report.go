// Package report writes the result of a scan: the timeline of alerts in
// event-time order, then the summary, as an aligned table, CSV, JSON Lines
// or one JSON document. The JSON shapes are a stable schema, documented in
// docs/scan-output.md and docs/scan-output.schema.json.
package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/summary"
)

// Formats are the accepted values of --format.
var Formats = []string{"table", "csv", "jsonl", "json"}

// ValidFormat reports whether format is one of Formats.
func ValidFormat(format string) bool {
	for _, f := range Formats {
		if f == format {
			return true
		}
	}
	return false
}

// SchemaVersion is the version of the JSON output schema.
const SchemaVersion = "1"

// Options tune the output.
type Options struct {
	// Color writes ANSI colors by level in the table; set it only when the
	// output is a terminal.
	Color bool
	// NoSummary leaves the summary out (table, csv and jsonl).
	NoSummary bool
}

// Write writes alerts (sorted here by event time; the slice is not
// modified) and the summary s (nil for an empty one) in format: one of
// Formats, or "html" (WriteHTML, for --html).
func Write(w io.Writer, format string, alerts []alert.Alert, s *summary.Summary, opt Options) error {
	sorted := Sorted(alerts)
	if s == nil {
		s = summary.New()
	}
	// One buffer for every format: the writers emit a line or a detection
	// at a time, and an unbuffered file would cost a system call for each.
	bw := bufio.NewWriterSize(w, 64<<10)
	w = bw
	var err error
	switch format {
	case "table", "":
		err = writeTable(w, sorted, s, opt)
	case "csv":
		err = writeCSV(w, sorted, s, opt)
	case "jsonl":
		err = writeJSONL(w, sorted, s, opt)
	case "json":
		err = writeJSON(w, sorted, s)
	case "html":
		err = WriteHTML(w, sorted, s)
	default:
		return fmt.Errorf("report: unknown format %q (want table, csv, jsonl or json)", format)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("report: write %s: %w", format, err)
	}
	return nil
}

// Sorted returns a copy of alerts in timeline order: first seen ascending
// (alerts without a time last), then level descending, rule id, group key
// and account, so that equal inputs always print the same.
func Sorted(alerts []alert.Alert) []alert.Alert {
	out := append([]alert.Alert(nil), alerts...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if az, bz := a.FirstSeen.IsZero(), b.FirstSeen.IsZero(); az != bz {
			return bz
		}
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if ra, rb := a.Level().Rank(), b.Level().Rank(); ra != rb {
			return ra > rb
		}
		if a.Rule.ID != b.Rule.ID {
			return a.Rule.ID < b.Rule.ID
		}
		if ka, kb := a.GroupKeyString(), b.GroupKeyString(); ka != kb {
			return ka < kb
		}
		return a.Account < b.Account
	})
	return out
}

// summaryView builds the summary's written form; the detection counts are
// those of the alerts written (after --min-level).
func summaryView(alerts []alert.Alert, s *summary.Summary) *summary.View {
	v := s.View()
	v.DetectionsByLevel = summary.CountLevels(alerts)
	return v
}

// fmtTime writes t as RFC 3339 UTC, "" for the zero time.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := fmtTime(t)
	return &s
}

// Detection is the JSON form of one alert (a "detection" line of jsonl, an
// element of "detections" in json).
type Detection struct {
	Type        string           `json:"type,omitempty"`
	Rule        Rule             `json:"rule"`
	FirstSeen   *string          `json:"first_seen"`
	LastSeen    *string          `json:"last_seen"`
	Account     string           `json:"account"`
	Region      string           `json:"region"`
	GroupKey    GroupKey         `json:"group_key"`
	Summary     string           `json:"summary"`
	Count       int              `json:"count"`
	EventIDs    []string         `json:"event_ids"`
	Actor       string           `json:"actor"`
	SourceIP    string           `json:"source_ip"`
	UserAgent   string           `json:"user_agent"`
	EventName   string           `json:"event_name"`
	Value       float64          `json:"value"`
	Explanation []alert.Evidence `json:"explanation"`
	Aggregate   *alert.Aggregate `json:"aggregate,omitempty"`
	Records     []event.SignIn   `json:"records,omitempty"`
	Drill       bool             `json:"drill"`
}

// Rule is the rule of a detection.
type Rule struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Level string   `json:"level"`
	Tags  []string `json:"tags"`
	Kind  string   `json:"kind"`
}

// NewDetection converts an alert; the summary is computed when the alert
// has none. The detection's slices are its own.
func NewDetection(a *alert.Alert) Detection {
	d := detectionOf(a)
	d.Rule.Tags = append([]string{}, d.Rule.Tags...)
	d.EventIDs = append([]string{}, d.EventIDs...)
	d.Explanation = append([]alert.Evidence{}, d.Explanation...)
	return d
}

// detectionOf is NewDetection sharing the alert's slices, for the encoders,
// which only read them. Nil lists become empty ones (written [], not null).
func detectionOf(a *alert.Alert) Detection {
	d := Detection{
		Rule: Rule{ID: a.Rule.ID, Title: a.Rule.Title, Level: a.Rule.Level,
			Tags: a.Rule.Tags, Kind: a.Rule.Kind},
		FirstSeen: timePtr(a.FirstSeen), LastSeen: timePtr(a.LastSeen),
		Account: a.Account, Region: a.Region, GroupKey: GroupKey(a.GroupKey),
		Summary: a.Summary, Count: a.Count, EventIDs: a.EventIDs,
		Actor: a.Actor, SourceIP: a.SourceIP, UserAgent: a.UserAgent, EventName: a.EventName, Value: a.Value,
		Explanation: a.Explanation,
		Aggregate:   a.Aggregate, Records: a.Records, Drill: a.Drill,
	}
	if d.Rule.Tags == nil {
		d.Rule.Tags = []string{}
	}
	if d.EventIDs == nil {
		d.EventIDs = []string{}
	}
	if d.Explanation == nil {
		d.Explanation = []alert.Evidence{}
	}
	if d.Summary == "" {
		d.Summary = alert.Summarize(a)
	}
	if d.GroupKey == nil {
		d.GroupKey = GroupKey{}
	}
	return d
}
