package correlate

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/sigma"
)

const specDir = "../../../shared/reference/sigma-specification/tests/schema/correlation"

// TestSpecExamples parses the specification's own correlation examples.
// The expectations restate what each example file says.
func TestSpecExamples(t *testing.T) {
	if _, err := os.Stat(specDir); err != nil {
		t.Skipf("Sigma specification examples not available at %s: %v", specDir, err)
	}
	want := map[string]struct {
		typ     string
		groupBy []string
		span    time.Duration
		cond    string
		field   string
		rules   int
	}{
		"event_count.yml":      {EventCount, []string{"ComputerName"}, time.Hour, "gte 100", "", 1},
		"event_count_ecs.yml":  {EventCount, []string{"dns.question.name"}, time.Hour, "gte 100", "", 1},
		"temporal.yml":         {Temporal, []string{"ComputerName", "User"}, 5 * time.Minute, "gte 3", "", 3},
		"temporal_ordered.yml": {TemporalOrdered, []string{"ComputerName", "User"}, 5 * time.Minute, "gte 3", "", 3},
		"value_avg.yml":        {ValueAvg, []string{"SourceIP", "User"}, 24 * time.Hour, "gt 500", "BytesOut", 1},
		"value_count.yml":      {ValueCount, []string{"ComputerName", "WorkstationName"}, 24 * time.Hour, "gte 100", "User", 1},
		"value_percentile.yml": {ValuePercentile, []string{"ComputerName"}, 24 * time.Hour, "lte 1", "Image", 1},
		"value_sum.yml":        {ValueSum, []string{"SourceIP", "User"}, time.Hour, "gt 1e+06", "bytes_sent", 1},
	}
	files, _ := filepath.Glob(filepath.Join(specDir, "*.yml"))
	if len(files) == 0 {
		t.Skipf("no examples in %s", specDir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs, errs := sigma.LoadDocuments(name, data)
			if len(errs) > 0 || len(docs) != 1 {
				t.Fatalf("load: %v (%d docs)", errs, len(docs))
			}
			r, err := Parse(docs[0])
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			w, ok := want[name]
			if !ok {
				t.Skipf("no expectation written for new example %s", name)
			}
			if r.Type != w.typ || !reflect.DeepEqual(r.GroupBy, w.groupBy) || r.Timespan != w.span ||
				r.Condition.String() != w.cond || r.ValueField != w.field || len(r.Rules) != w.rules {
				t.Errorf("got type=%s group-by=%v span=%s cond=%q field=%q rules=%d, want %+v",
					r.Type, r.GroupBy, r.Timespan, r.Condition, r.ValueField, len(r.Rules), w)
			}
			if r.Title == "" || r.File != name || r.Line != 1 {
				t.Errorf("meta: title=%q file=%q line=%d", r.Title, r.File, r.Line)
			}
		})
	}
}

// specChain is the specification's closing example: failed logins followed
// by a successful login, with a correlation referencing a correlation by
// name.
const specChain = `
title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
detection:
    selection:
        EventID: [529, 4625]
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
detection:
    selection:
        EventID: [528, 4624]
    condition: selection
`

func TestSpecChainExample(t *testing.T) {
	for _, failures := range []int{9, 10} {
		e := newEngine(t, specChain, DefaultConfig())
		var in []Observation
		for i := 0; i < failures; i++ {
			in = append(in, obs("53ba33fd-3a50-4468-a5ef-c583635cfa92", ids(failures, "f")[i], at(time.Duration(i)*20*time.Second), "User=bob"))
		}
		in = append(in, obs("successful_login", "ok", at(5*time.Minute), "User=bob"))
		got := only(run(e, in), "Correlation - Multiple Failed Logins Followed by Successful Login")
		if want := map[int]int{9: 0, 10: 1}[failures]; len(got) != want {
			t.Errorf("%d failures: %d detections, want %d", failures, len(got), want)
		}
	}
}

func parseOne(t *testing.T, src string) (*Rule, error) {
	t.Helper()
	docs, errs := sigma.LoadDocuments("r.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("load: %v", errs)
	}
	return Parse(docs[0])
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		src, pos, msg string
	}{
		{"title: x\ncorrelation: {type: event_count, rules: [a], group-by: [u], timespan: 1w, condition: {gte: 1}}\n", "r.yml:2:", "timespan"},
		{"title: x\ncorrelation:\n  type: event_counts\n  rules: [a]\n  timespan: 1h\n", "r.yml:3:9", "unknown correlation type"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n", "r.yml:3:3", "condition is required"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a, a]\n  timespan: 1h\n  condition: {gte: 2}\n", "r.yml:4:14", "listed twice"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 2, lt: 2}\n", "r.yml:6:14", "can never hold"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 2.5}\n", "r.yml:6:14", "whole number"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: many}\n", "r.yml:6:20", "must be a number"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {above: 2}\n", "r.yml:6:15", "unknown condition operator"},
		{"title: x\ncorrelation:\n  type: value_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 2}\n", "r.yml:6:14", "field is required"},
		{"title: x\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 2, field: u}\n", "r.yml:6:30", "no meaning"},
		{"title: x\ncorrelation:\n  type: temporal_ordered\n  rules: [a, b, c]\n  timespan: 1h\n  condition: {gte: 2}\n", "r.yml:6:14", "requires all 3"},
		{"title: x\ncorrelation:\n  type: temporal\n  rules: [a, b]\n  timespan: 1h\n  condition: {gt: 2}\n", "r.yml:6:14", "can never hold"},
		{"title: x\ncorrelation:\n  type: value_percentile\n  rules: [a]\n  timespan: 1h\n  condition: {field: f, lte: 101}\n", "r.yml:6:14", "between 0 and 100"},
		{"title: x\ncorrelation:\n  type: event_count\n  rulez: [a]\n", "r.yml:4:3", "unknown correlation attribute"},
		{"title: x\ncorrelation: [a]\n", "r.yml:2:14", "must be a mapping"},
		{"correlation:\n  type: event_count\n", "r.yml:1:1", "title is required"},
		{"title: x\ngenerate: yes please\ncorrelation: {type: temporal, rules: [a], timespan: 1h}\n", "r.yml:2:11", "generate must be true or false"},
		{"title: x\ncorrelation:\n  type: temporal\n  rules: [a]\n  timespan: 1h\n  aliases: {ip: [a]}\n", "r.yml:6:17", "must map rule names"},
		{"title: x\ncorrelation:\n  type: value_sum\n  rules: [a]\n  timespan: 1h\n  condition: {field: [a, b], gt: 1}\n", "r.yml:6:22", "single field"},
		{"title: x\ncorrelation:\n  type: temporal\n  rules: []\n  timespan: 1h\n", "r.yml:4:10", "at least one rule"},
		{"title: x\ncorrelation:\n  type: temporal\n  rules: [a]\n  timespan: 0s\n", "r.yml:5:13", "positive"},
	} {
		_, err := parseOne(t, tc.src)
		var pe *sigma.PosError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v is not a *sigma.PosError", tc.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.pos) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q:\n got %v\nwant %s… %s", tc.src, err, tc.pos, tc.msg)
		}
	}
}

func TestParseTimespanUnits(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30s": 30 * time.Second, "15m": 15 * time.Minute, "90m": 90 * time.Minute,
		"2h": 2 * time.Hour, "7d": 7 * 24 * time.Hour,
	} {
		got, err := ParseTimespan(in)
		if err != nil || got != want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1", "m", "1M", "1.5h", "-1h", "1 h", "99999999999d", "1w", "1H"} {
		if _, err := ParseTimespan(bad); err == nil {
			t.Errorf("ParseTimespan(%q) accepted", bad)
		}
	}
}

func TestParseFull(t *testing.T) {
	r, err := parseOne(t, `title: Lateral
id: 0e95725d-7320-415d-80f7-004da920fc11
name: lateral
level: high
generate: true
correlation:
  type: value_count
  rules: [a_rule, b_rule]
  group-by: [internal_ip]
  timespan: 2d
  aliases:
    internal_ip:
      a_rule: destination.ip
      b_rule: source.ip
  condition:
    field: [user, host]
    gte: 3
    lte: 10
`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != ValueCount || r.Timespan != 48*time.Hour || !r.Generate || r.Level != "high" || r.Name != "lateral" {
		t.Errorf("meta/type: %+v", r)
	}
	if r.Condition.String() != "gte 3 and lte 10" || r.ValueField != "user,host" || len(r.Condition.Fields) != 2 {
		t.Errorf("condition: %s field=%s", r.Condition, r.ValueField)
	}
	if r.Aliases["internal_ip"]["b_rule"] != "source.ip" {
		t.Errorf("aliases: %v", r.Aliases)
	}
	if r.Condition.LowerOnly() || !r.Condition.Match(3) || !r.Condition.Match(10) || r.Condition.Match(11) || r.Condition.Match(2) {
		t.Error("range condition evaluates wrongly")
	}
}

func TestNewRejectsBadReferences(t *testing.T) {
	base := "title: A\nid: 11111111-1111-4111-8111-111111111111\nname: a\ndetection: {s: {x: 1}, condition: s}\n---\n"
	for _, tc := range []struct{ src, msg string }{
		{base + "title: C\ncorrelation: {type: event_count, rules: [nope], group-by: [u], timespan: 1h, condition: {gte: 2}}\n", `"nope" names no known`},
		{base + "title: C\nname: c\ncorrelation: {type: event_count, rules: [d], group-by: [u], timespan: 1h, condition: {gte: 2}}\n---\ntitle: D\nname: d\ncorrelation: {type: event_count, rules: [c], group-by: [u], timespan: 1h, condition: {gte: 2}}\n", "cycle"},
		{base + "title: C\nname: c\ncorrelation: {type: event_count, rules: [c], group-by: [u], timespan: 1h, condition: {gte: 2}}\n", "cycle"},
		{base + "title: B\nname: a\ndetection: {s: {x: 1}, condition: s}\n---\ntitle: C\ncorrelation: {type: event_count, rules: [a], group-by: [u], timespan: 1h, condition: {gte: 2}}\n", "ambiguous"},
		{base + "title: C\ncorrelation: {type: temporal, rules: [a, 11111111-1111-4111-8111-111111111111], group-by: [u], timespan: 1h}\n", "name the same rule"},
		{base + "title: C\ncorrelation: {type: temporal, rules: [a], group-by: [ip], timespan: 1h, aliases: {ip: {b: src}}}\n", `names rule "b"`},
		{base + "title: C\nname: c\ncorrelation: {type: event_count, rules: [a], group-by: [u], timespan: 1h, condition: {gte: 2}}\n---\ntitle: D\ncorrelation: {type: event_count, rules: [c], group-by: [host], timespan: 1h, condition: {gte: 2}}\n", `reads field "host"`},
		{base + "title: C\ncorrelation: {type: event_count, rules: [a], group-by: [u], timespan: 1h, condition: {gte: 5000}}\n", "max_events_per_group"},
	} {
		rules, bases := loadSet(t, tc.src)
		_, err := New(rules, bases, DefaultConfig())
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("New: %v, want error containing %s", err, tc.msg)
		}
	}
}

func TestParseRejectsOtherKinds(t *testing.T) {
	docs, errs := sigma.LoadDocuments("d.yml", []byte("title: t\ndetection: {s: {x: 1}, condition: s}\n"))
	if len(errs) > 0 || len(docs) != 1 {
		t.Fatal(errs)
	}
	if _, err := Parse(docs[0]); err == nil || !strings.Contains(err.Error(), "not a correlation rule") {
		t.Errorf("Parse(detection rule) = %v", err)
	}
}
