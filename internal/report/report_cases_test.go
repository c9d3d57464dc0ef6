package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

// TestSortedTies checks the tie-breakers of the timeline order
// (docs/scan-output.md): level (critical first), rule id, group key,
// account.
func TestSortedTies(t *testing.T) {
	mk := func(name, id, level, key, account string) alert.Alert {
		a := alert.Alert{Rule: alert.RuleRef{ID: id, Level: level}, Account: account, FirstSeen: t0, Summary: name}
		if key != "" {
			a.GroupKey = []alert.KV{{Key: "k", Value: key}}
		}
		return a
	}
	in := []alert.Alert{
		mk("e", "a", "low", "", ""),
		mk("d", "b", "high", "", ""),
		mk("c", "a", "high", "2", ""),
		mk("b", "a", "high", "1", "2"),
		mk("a", "a", "high", "1", "1"),
		mk("f", "z", "Critical", "", ""),
	}
	var got []string
	for _, a := range Sorted(in) {
		got = append(got, a.Summary)
	}
	if strings.Join(got, "") != "fabcde" {
		t.Errorf("order %v, want f a b c d e", got)
	}
}

func TestValidFormat(t *testing.T) {
	for _, f := range Formats {
		if !ValidFormat(f) {
			t.Errorf("ValidFormat(%q) = false", f)
		}
	}
	for _, f := range []string{"xml", "JSON", "jsonl "} {
		if ValidFormat(f) {
			t.Errorf("ValidFormat(%q) = true", f)
		}
	}
}

// TestNewDetectionOwnsSlicesAndWritesUTC: the detection's slices are its
// own, and times are RFC 3339 in UTC whatever the alert's location.
func TestNewDetectionOwnsSlicesAndWritesUTC(t *testing.T) {
	a := alert.Alert{Rule: alert.RuleRef{ID: "x", Tags: []string{"t1"}}, EventIDs: []string{"e1"},
		Explanation: []alert.Evidence{{Note: "n"}},
		FirstSeen:   t0.In(time.FixedZone("UTC+2", 2*3600)), LastSeen: t0.Add(time.Minute).In(time.FixedZone("UTC-5", -5*3600))}
	d := NewDetection(&a)
	d.Rule.Tags[0], d.EventIDs[0], d.Explanation[0].Note = "changed", "changed", "changed"
	if a.Rule.Tags[0] != "t1" || a.EventIDs[0] != "e1" || a.Explanation[0].Note != "n" {
		t.Errorf("NewDetection shares the alert's slices: %+v", a)
	}
	if *d.FirstSeen != "2023-07-16T04:33:40Z" || *d.LastSeen != "2023-07-16T04:34:40Z" {
		t.Errorf("times %s %s, want UTC", *d.FirstSeen, *d.LastSeen)
	}
	var b bytes.Buffer
	if err := Write(&b, "csv", []alert.Alert{a}, nil, Options{NoSummary: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2023-07-16T04:33:40Z,2023-07-16T04:34:40Z") {
		t.Errorf("csv times not UTC:\n%s", b.String())
	}
}

func TestJSONLNoSummary(t *testing.T) {
	out := write(t, "jsonl", Options{NoSummary: true})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want the 3 detection lines only, got %d lines", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"type":"detection"`) {
			t.Errorf("line %s", l)
		}
	}
}

func TestGroupKeyNull(t *testing.T) {
	var d struct {
		G GroupKey `json:"group_key"`
	}
	d.G = GroupKey{{Key: "a", Value: "b"}}
	if err := json.Unmarshal([]byte(`{"group_key":null}`), &d); err != nil || d.G != nil {
		t.Errorf("null group key: %v %v", d.G, err)
	}
}

// TestJSONStringAtEveryOffset puts each byte that must be escaped (and
// multi-byte text) at every offset of plain ASCII, so that the eight-byte
// steps of appendJSONString meet it in every lane.
func TestJSONStringAtEveryOffset(t *testing.T) {
	for _, special := range []string{"\x00", "\x1f", "\"", "\\", "\x80", "\xbf", "\xff", "\xc3", "é", "\u2028", "\u2029", "\x7f", "<&>"} {
		for pos := 0; pos < 17; pos++ {
			s := strings.Repeat("a", pos) + special + strings.Repeat("b", 17-pos)
			var want bytes.Buffer
			if err := newEncoder(&want).Encode(s); err != nil {
				t.Fatal(err)
			}
			if got := appendJSONString(nil, s); string(got) != strings.TrimSuffix(want.String(), "\n") {
				t.Errorf("%q: got %s, want %s", s, got, want.String())
			}
		}
	}
}

func TestNeutralizeEveryTrigger(t *testing.T) {
	for _, c := range []string{"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"} {
		if got := Neutralize(c); got != "'"+c {
			t.Errorf("Neutralize(%q) = %q", c, got)
		}
	}
	for _, c := range []string{"", "a=1", " =1", "'=1"} {
		if got := Neutralize(c); got != c {
			t.Errorf("Neutralize(%q) = %q, want it unchanged", c, got)
		}
	}
	// Through the writer, in a detection row.
	checkCSVCellsSafe(t, alert.Alert{Rule: alert.RuleRef{ID: "x", Title: "t", Level: "low"}, Count: 1,
		UserAgent: "+cmd|' /C calc'!A0", Actor: "\tuser", Region: "\rregion"})
}

// TestCSVDetectionColumns checks the joined columns and the line ends of
// docs/scan-output.md.
func TestCSVDetectionColumns(t *testing.T) {
	a := alert.Alert{Rule: alert.RuleRef{ID: "r", Title: "T", Level: "high", Tags: []string{"attack.t1110", "attack.t1078"}, Kind: alert.KindEventCount},
		GroupKey: []alert.KV{{Key: "recipientAccountId", Value: "123456789012"}, {Key: "sourceIPAddress", Value: "198.51.100.7"}},
		EventIDs: []string{"e1", "e2"}, Count: 2, Value: 2, FirstSeen: t0, LastSeen: t0}
	var b bytes.Buffer
	if err := Write(&b, "csv", []alert.Alert{a}, nil, Options{NoSummary: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "\r\n") != 2 || strings.Count(out, "\n") != 2 {
		t.Errorf("want 2 CRLF-terminated lines: %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := map[string]string{}
	for i, h := range CSVHeader {
		row[h] = rows[1][i]
	}
	want := map[string]string{"type": "detection", "rule_kind": "event_count", "tags": "attack.t1110;attack.t1078",
		"group_key": "recipientAccountId=123456789012;sourceIPAddress=198.51.100.7", "event_ids": "e1 e2",
		"count": "2", "aggregate_value": "2", "metric": "", "value": ""}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
}

func TestCSVSummaryBooleans(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(write(t, "csv", Options{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] == "summary" {
			metrics[r[len(r)-2]] = r[len(r)-1]
		}
	}
	for _, m := range []string{"files.skipped_truncated", "top.approximate", "sign_in_top.approximate"} {
		if v, ok := metrics[m]; !ok || v != "false" {
			t.Errorf("metric %s = %q (present %v), want false", m, v, ok)
		}
	}
}

func TestHTMLLevelsDrillAndCounts(t *testing.T) {
	alerts := testAlerts()
	alerts[0].Drill = true // r-root, one event
	alerts = append(alerts, alert.Alert{Rule: alert.RuleRef{ID: "odd", Title: "Odd level", Level: "severe"}, Count: 1, FirstSeen: t0})
	var b bytes.Buffer
	if err := WriteHTML(&b, alerts, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`<span class="lv unknown">unknown</span> 1`, `<span class="lv high">high</span> drill</td>`, "(5 events)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "(1 events)") {
		t.Error("a one-event detection is given an event count")
	}
}

func TestChartEdges(t *testing.T) {
	h := func(hour int, o summary.Outcomes) summary.TimeBucket {
		return summary.TimeBucket{Start: t0.Truncate(time.Hour).Add(time.Duration(hour) * time.Hour), Outcomes: o}
	}
	// 120 hours fit in 120 hourly bars; 121 do not.
	if c := newChart([]summary.TimeBucket{h(0, summary.Outcomes{Success: 1}), h(maxBars-1, summary.Outcomes{Success: 1})}); len(c.Bars) != maxBars || c.Step != "1 h" {
		t.Errorf("%d hours: %d bars of %s", maxBars, len(c.Bars), c.Step)
	}
	if c := newChart([]summary.TimeBucket{h(0, summary.Outcomes{Success: 1}), h(maxBars, summary.Outcomes{Success: 1})}); len(c.Bars) > maxBars || c.Step != "2 h" {
		t.Errorf("%d hours: %d bars of %s", maxBars+1, len(c.Bars), c.Step)
	}
	c := newChart([]summary.TimeBucket{h(0, summary.Outcomes{Success: 1, Failure: 1, Unknown: 2}), h(1, summary.Outcomes{Failure: 2})})
	if c.SuccessTotal != 1 || c.FailureTotal != 3 || c.Max != 4 {
		t.Errorf("totals %d %d max %d", c.SuccessTotal, c.FailureTotal, c.Max)
	}
	// Stacked from the bottom: success, failure, then unknown on top.
	b := c.Bars[0]
	if b.HS != 45 || b.YS != 135 || b.HF != 45 || b.YF != 90 || b.HU != 90 || b.YU != 0 {
		t.Errorf("bar %+v", b)
	}
}

// TestTableCells checks the timeline table's cells: long cells are cut
// with "…" at their column's width, drills are marked, and unknown levels
// are counted.
func TestTableCells(t *testing.T) {
	title := strings.Repeat("R", 50)
	summ := strings.Repeat("s", 150)
	a := alert.Alert{Rule: alert.RuleRef{ID: "x", Title: title, Level: "high"}, Count: 1, Summary: summ, Drill: true, FirstSeen: t0}
	odd := alert.Alert{Rule: alert.RuleRef{ID: "y", Title: "Odd", Level: "severe"}, Count: 1, Summary: "odd", FirstSeen: t0.Add(time.Minute)}
	var b bytes.Buffer
	if err := Write(&b, "table", []alert.Alert{a, odd}, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[1], strings.Repeat("R", 40)+"… ") || strings.Contains(lines[1], strings.Repeat("R", 41)) {
		t.Errorf("rule title not cut at 40 runes: %q", lines[1])
	}
	if !strings.HasSuffix(lines[1], "  "+summ) {
		t.Errorf("summary of 150 runes not kept whole: %q", lines[1])
	}
	if !strings.Contains(lines[1], "high drill") {
		t.Errorf("drill not marked: %q", lines[1])
	}
	if !strings.Contains(out, "Detections     0 critical, 1 high, 0 medium, 0 low, 0 informational, 1 unknown level") {
		t.Errorf("detection counts:\n%s", out)
	}
}

// TestTableSummarySections writes a crafted summary: bounded and long
// rankings, truncated lists, Identity Center, and hostile text.
func TestTableSummarySections(t *testing.T) {
	v := summary.New().View()
	for i := 0; i < 25; i++ {
		v.Regions = append(v.Regions, summary.Entry{Key: fmt.Sprintf("r-%02d", i), Count: int64(100 - i)})
	}
	long := strings.Repeat("u", 45)
	v.Top.UserAgents = []summary.Entry{{Key: long + "\x1b[2J", Count: 100}, {Key: "short", Count: 5}}
	v.Top.SourceIPs = []summary.Entry{{Key: "198.51.100.7\x1b[2J", Count: 3}}
	v.Files.Skipped, v.Files.SkippedFiles, v.Files.SkippedTruncated = 3, []summary.Skipped{{Name: "a\x1b[2J", Reason: "b\x1b[2J"}}, true
	v.TimeRange = &summary.TimeRange{First: "2023-07-16T04:33:40Z", Last: "2023-07-17T00:00:00Z"}
	v.Root.TopEventNames = []summary.Entry{{Key: "ConsoleLogin", Count: 2}, {Key: "GetObject", Count: 1}}
	v.SignIns = []summary.SignInCount{{EventName: "ConsoleLogin\x1b[2J", Outcomes: summary.Outcomes{Failure: 1}, Total: 1}}
	v.AlarmTransitions = []summary.AlarmTransition{{Alarm: "A\x1b[2J", From: "OK\x1b", To: "ALARM\x1b", Time: "2023-07-16T04:33:40Z", Reason: "r\x1b[2J"}}
	v.Events.ParseErrors = 21
	for i := 0; i < 20; i++ {
		v.Events.ErrorPositions = append(v.Events.ErrorPositions, fmt.Sprintf("f:%d:1: bad", i+1))
	}
	v.IdentityCenter = summary.IdentityCenter{Attempts: 1, Outcomes: summary.Outcomes{Success: 1}, Console: 1}
	v.Warnings = []string{"bad \x1b[2J\x07 warning"}
	var b bytes.Buffer
	writeSummary(&b, v, false)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("control characters leaked:\n%q", out)
	}
	for _, want := range []string{
		"r-19 (81) (+5 more)",
		"                 100  " + long + "?[2J\n                   5  short\n",
		"    source IPs   198.51.100.7?[2J (3)\n",
		"    users        none\n",
		"(2 more skipped files not listed)",
		"                 (1 more)\n",
		"Identity Center sign-in attempts: 1 (1 success, 0 failure, 0 abandoned); 0 with MFA, 1 reached the console",
		"WARNING bad ?[2J? warning",
		"Time range     2023-07-16T04:33:40Z .. 2023-07-17T00:00:00Z\n",
		"events: ConsoleLogin (2), GetObject (1)\n",
		"skipped a?[2J: b?[2J\n",
		"Alarm          A?[2J OK? -> ALARM? at 2023-07-16T04:33:40Z: r?[2J\n",
		"ConsoleLogin?[2J",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "r-20") {
		t.Error("more than 20 regions listed")
	}
}

// FuzzAppendJSONString holds appendJSONString to encoding/json (HTML
// escaping off) on any text.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "plain ascii text of some length", "tail\x01", "é\u2028\xff", "0123456789abcdef\"", "arn:aws:iam::123456789012:user/alice"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := newEncoder(&want).Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("%q: got %s, want %s", s, got, want.String())
		}
	})
}
