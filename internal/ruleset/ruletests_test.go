package ruleset_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/sigma"
	"github.com/signwatch/signwatch/rules"
)

// writeRules writes files (name -> content) into a fresh directory.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadRules loads the given files only (no built-in catalog).
func loadRules(t *testing.T, files map[string]string) *ruleset.Set {
	t.Helper()
	set, err := ruleset.Load(ruleset.Options{Paths: []string{writeRules(t, files)}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// failures lists the cases of results that did not pass, for messages.
func failures(results []ruleset.TestResult) []string {
	var out []string
	for _, r := range results {
		if !r.Passed() {
			out = append(out, r.Suite.Rule+" / "+r.Case.Name)
		}
	}
	return out
}

const loginRule = `title: Console login
id: 11111111-1111-4111-8111-111111111111
name: console_login
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventSource: signin.amazonaws.com, eventName: ConsoleLogin}
  condition: sel
level: low
`

// A side-car file holds several documents for one rule (their cases add
// up); documents naming two rules, a file
// without documents, and a malformed case are errors.
func TestSideCarDocuments(t *testing.T) {
	ev := `{"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin"}`
	good := "---\nrule: console_login\ntests:\n  - {name: one, expect: match, events: [" + ev + "]}\n" +
		"---\nrule: console_login\ntests:\n  - {name: two, expect: no-match, events: [{eventName: CheckMfa}]}\n"
	ts, err := ruleset.ParseTestFile("login.tests.yml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if ts.Rule != "console_login" || len(ts.Cases) != 2 || ts.Cases[0].Name != "one" || ts.Cases[1].Name != "two" {
		t.Fatalf("two documents for one rule: %+v", ts)
	}
	set := loadRules(t, map[string]string{"login.yml": loginRule, "login.tests.yml": good})
	if res := set.RunTests(); len(res) != 2 || len(failures(res)) != 0 {
		t.Fatalf("side-car cases: %d results, failing %v", len(res), failures(res))
	}
	for name, body := range map[string]string{
		"two rules":     "rule: a\ntests: [{expect: match, events: [{a: 1}]}]\n---\nrule: b\ntests: [{expect: match, events: [{a: 1}]}]\n",
		"no documents":  "# nothing\n",
		"bad expect":    "rule: a\ntests: [{expect: maybe, events: [{a: 1}]}]\n",
		"bad 2nd doc":   "rule: a\ntests: [{expect: match, events: [{a: 1}]}]\n---\nrule: a\ntests: [{expect: match}]\n",
		"tests no list": "rule: a\ntests: {expect: match, events: [{a: 1}]}\n",
	} {
		if _, err := ruleset.ParseTestFile("x.tests.yml", []byte(body)); err == nil {
			t.Errorf("%s: ParseTestFile accepted %q", name, body)
		}
	}
}

// A case must say match or no-match and carry events; anything else is a
// load error (not a case that silently passes).
func TestMalformedCasesRejected(t *testing.T) {
	for name, tests := range map[string]string{
		"count with no-match": "    - {name: c, expect: no-match, count: 1, events: [{eventName: ConsoleLogin}]}\n",
		"negative count":      "    - {name: c, expect: match, count: -3, events: [{eventName: ConsoleLogin}]}\n",
		"zero count":          "    - {name: c, expect: match, count: 0, events: [{eventName: ConsoleLogin}]}\n",
		"zero count no-match": "    - {name: c, expect: no-match, count: 0, events: [{eventName: ConsoleLogin}]}\n",
		"no expect":           "    - {name: c, events: [{eventName: ConsoleLogin}]}\n",
		"unknown expect":      "    - {name: c, expect: fire, events: [{eventName: ConsoleLogin}]}\n",
		"no events":           "    - {name: c, expect: no-match}\n",
		"empty events":        "    - {name: c, expect: no-match, events: []}\n",
		"not a list":          "    name: c\n    expect: no-match\n    events: [{eventName: ConsoleLogin}]\n",
	} {
		body := loginRule + "signwatch:\n  tests:\n" + tests
		_, err := ruleset.Load(ruleset.Options{Paths: []string{writeRules(t, map[string]string{"r.yml": body})}})
		if err == nil {
			t.Errorf("%s: a malformed case loaded", name)
		}
	}
}

// With SkipTests a broken side-car file does not stop the load either.
func TestSkipTestsSideCar(t *testing.T) {
	dir := writeRules(t, map[string]string{"login.yml": loginRule, "login.tests.yml": "rule: console_login\ntests: broken\n"})
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{dir}}); err == nil {
		t.Fatal("a broken side-car file must fail a load that reads tests")
	}
	set, err := ruleset.Load(ruleset.Options{Paths: []string{dir}, SkipTests: true})
	if err != nil {
		t.Fatalf("SkipTests: %v", err)
	}
	if len(set.Tests) != 0 || len(set.Rules) != 1 {
		t.Fatalf("SkipTests: %d suites, %d rules", len(set.Tests), len(set.Rules))
	}
}

// docs/rule-tests.md: an event without eventTime gets 2024-01-01T00:00:00Z
// plus its index in seconds, one without eventID a fixed ID derived from its
// index; given values are kept. Characters are written as CloudTrail writes
// them (no HTML escaping) and numbers keep their text.
func TestEventDefaults(t *testing.T) {
	body := `rule: r
tests:
  - name: defaults
    expect: match
    events:
      - {eventName: A}
      - '{"eventName": "B", "n": 3600.0, "x": "<sensitiveDataRemoved>"}'
      - {eventName: C, eventTime: "2023-05-06T07:08:09Z", eventID: my-id}
`
	parse := func() []map[string]any {
		ts, err := ruleset.ParseTestFile("r.tests.yml", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var evs []map[string]any
		for _, raw := range ts.Cases[0].Events {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			evs = append(evs, m)
		}
		if raw := string(ts.Cases[0].Events[1]); !strings.Contains(raw, `"<sensitiveDataRemoved>"`) || !strings.Contains(raw, `3600.0`) {
			t.Errorf("event text changed: %s", raw)
		}
		return evs
	}
	evs := parse()
	for i, want := range []string{"2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", "2023-05-06T07:08:09Z"} {
		if got := evs[i]["eventTime"]; got != want {
			t.Errorf("event %d: eventTime %v, want %s", i+1, got, want)
		}
	}
	id0, id1 := evs[0]["eventID"], evs[1]["eventID"]
	if id0 == nil || id0 == "" || id0 == id1 {
		t.Errorf("default eventIDs must differ by index: %v, %v", id0, id1)
	}
	if evs[2]["eventID"] != "my-id" {
		t.Errorf("explicit eventID replaced: %v", evs[2]["eventID"])
	}
	if again := parse(); again[0]["eventID"] != id0 || again[1]["eventID"] != id1 {
		t.Errorf("default eventIDs are not fixed: %v %v, then %v %v", id0, id1, again[0]["eventID"], again[1]["eventID"])
	}
}

// Failures are reported as file:line of the case: each case keeps its own
// line and the suite its file.
func TestCaseLines(t *testing.T) {
	body := "rule: r\ntests:\n  - name: first\n    expect: match\n    events: [{a: 1}]\n  - name: second\n    expect: match\n    events: [{a: 1}]\n"
	ts, err := ruleset.ParseTestFile("dir/r.tests.yml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if ts.File != "dir/r.tests.yml" || ts.Cases[0].Line != 3 || ts.Cases[1].Line != 6 {
		t.Fatalf("file %q, case lines %d and %d; want dir/r.tests.yml, 3 and 6", ts.File, ts.Cases[0].Line, ts.Cases[1].Line)
	}
	set := loadRules(t, map[string]string{"login.yml": loginRule + "signwatch:\n  tests:\n    - name: x\n      expect: match\n      count: 2\n      events: [{eventSource: signin.amazonaws.com, eventName: ConsoleLogin}]\n"})
	res := set.RunTests()
	if len(res) != 1 || res[0].Passed() || res[0].Got != 1 || res[0].Case.Count != 2 || !strings.HasSuffix(res[0].Suite.File, "login.yml") || res[0].Case.Line != 11 {
		t.Fatalf("count 2 of 1 detection: %+v %+v", res[0], res[0].Case)
	}
}

// Passed: count is the exact number of detections; otherwise match means at
// least one; an error never passes.
func TestPassed(t *testing.T) {
	for _, tc := range []struct {
		expect bool
		count  int
		got    int
		err    error
		want   bool
	}{
		{true, 0, 1, nil, true},
		{true, 0, 3, nil, true},
		{true, 0, 0, nil, false},
		{false, 0, 0, nil, true},
		{false, 0, 1, nil, false},
		{false, 0, 0, errors.New("broken"), false},
		{true, 2, 2, nil, true},
		{true, 2, 1, nil, false},
		{true, 2, 3, nil, false},
		{true, 1, 1, nil, true},
		{true, 1, 2, nil, false},
	} {
		r := ruleset.TestResult{Case: &ruleset.TestCase{Expect: tc.expect, Count: tc.count}, Got: tc.got, Err: tc.err}
		if got := r.Passed(); got != tc.want {
			t.Errorf("expect %v count %d got %d err %v: Passed %v, want %v", tc.expect, tc.count, tc.got, tc.err, got, tc.want)
		}
	}
}

// A test naming no loaded rule is an error, even for a no-match case.
func TestUnknownRuleFails(t *testing.T) {
	set := loadRules(t, map[string]string{"login.yml": loginRule,
		"x.tests.yml": "rule: no_such_rule\ntests: [{expect: no-match, events: [{eventName: ConsoleLogin}]}]\n"})
	res := set.RunTests()
	if len(res) != 1 || res[0].Err == nil || res[0].Passed() {
		t.Fatalf("unknown rule: %+v", res)
	}
}

// Tests count only the rule under test, named by id or by name; a rule
// with a name and no id carries tests too.
func TestRuleUnderTestByIDOrName(t *testing.T) {
	ev := "{eventSource: signin.amazonaws.com, eventName: ConsoleLogin}"
	noID := `title: Console login, name only
name: console_login_noid
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ConsoleLogin}
  condition: sel
level: low
signwatch:
  tests:
    - {name: embedded, expect: match, count: 1, events: [` + ev + `]}
`
	other := `title: Another name-only rule
name: other_noid
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventSource: signin.amazonaws.com}
  condition: sel
level: low
`
	set := loadRules(t, map[string]string{
		"login.yml": loginRule, "noid.yml": noID, "other.yml": other,
		"byname.tests.yml": "rule: console_login\ntests: [{name: by name, expect: match, count: 1, events: [" + ev + "]}]\n",
		"byid.tests.yml":   "rule: 11111111-1111-4111-8111-111111111111\ntests: [{name: by id, expect: match, count: 1, events: [" + ev + "]}]\n",
		"noid.tests.yml":   "rule: console_login_noid\ntests: [{name: side-car, expect: match, count: 1, events: [" + ev + "]}]\n",
	})
	requireAllPass(t, set, 4)
}

// Correlation cases: the correlation is found by id or name (with or
// without the other), only its own detections count, and events are seen
// in event time whatever their order in the case.
func TestCorrelationCases(t *testing.T) {
	ev := func(ts string) string {
		return `{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.1, eventTime: "` + ts + `"}`
	}
	three := "[" + ev("2024-01-01T00:02:00Z") + ", " + ev("2024-01-01T00:00:00Z") + ", " + ev("2024-01-01T00:01:00Z") + "]"
	corr := func(head string) string {
		return head + `
logsource: {product: aws, service: cloudtrail}
correlation:
  type: event_count
  rules: [console_login]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {gte: 3}
level: high
`
	}
	set := loadRules(t, map[string]string{
		"login.yml":  loginRule,
		"idonly.yml": corr("title: three logins, id only\nid: 22222222-2222-4222-8222-222222222222"),
		"noid.yml":   corr("title: three logins, name only\nname: three_logins"),
		"t.tests.yml": "rule: 22222222-2222-4222-8222-222222222222\ntests:\n" +
			"  - {name: out of order, expect: match, count: 1, events: " + three + "}\n",
		"u.tests.yml": "rule: three_logins\ntests:\n" +
			"  - {name: by name, expect: match, count: 1, events: " + three + "}\n" +
			"  - {name: missing group-by field, expect: no-match, events: [{eventName: ConsoleLogin, eventSource: signin.amazonaws.com}, {eventName: ConsoleLogin, eventSource: signin.amazonaws.com}, {eventName: ConsoleLogin, eventSource: signin.amazonaws.com}]}\n",
	})
	requireAllPass(t, set, 3)
}

// Describe gives the title and level of a rule or correlation by id or
// name, and the reference itself for an unknown one.
func TestDescribe(t *testing.T) {
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, title, level string }{
		{"aws_root_console_login", "Root Console Sign-In", "high"},
		{"6b0e5a0e-6b8a-4d59-9c1e-6a1f2f0c5a01", "Root Console Sign-In", "high"},
		{"aws_root_brute_force", "Root Sign-In Brute Force", "high"},
		{"no_such_rule", "no_such_rule", ""},
	} {
		if title, level := set.Describe(tc.ref); title != tc.title || level != tc.level {
			t.Errorf("Describe(%s) = %q, %q; want %q, %q", tc.ref, title, level, tc.title, tc.level)
		}
	}
}

// WithTests replaces the suites by fn's results and leaves the set alone.
func TestWithTests(t *testing.T) {
	set := loadRules(t, map[string]string{"login.yml": loginRule + "signwatch:\n  tests:\n    - {name: a, expect: match, events: [{eventSource: signin.amazonaws.com, eventName: ConsoleLogin}]}\n"})
	flipped := set.WithTests(func(ts *ruleset.TestSuite) *ruleset.TestSuite {
		c := *ts
		c.Cases = []ruleset.TestCase{ts.Cases[0]}
		c.Cases[0].Expect = false
		return &c
	})
	if res := flipped.RunTests(); len(res) != 1 || res[0].Passed() {
		t.Errorf("WithTests: the replaced suite was not run: %+v", res)
	}
	if res := set.RunTests(); len(res) != 1 || !res[0].Passed() {
		t.Errorf("WithTests changed the original set: %+v", res)
	}
}

// MatchParsedLazy runs the rules on a parsed event.
func TestMatchParsedLazy(t *testing.T) {
	set := loadRules(t, map[string]string{"login.yml": loginRule})
	var doc event.Doc
	if err := doc.Parse([]byte(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin"}`)); err != nil {
		t.Fatal(err)
	}
	var got []string
	set.MatchParsedLazy(doc.Root(), nil, func(m sigma.LazyMatch) { got = append(got, m.Rule.ID) })
	if len(got) != 1 || got[0] != "11111111-1111-4111-8111-111111111111" {
		t.Fatalf("MatchParsedLazy: %v", got)
	}
}

// requireAllPass runs the set's test cases: there must be n, all passing.
func requireAllPass(t *testing.T, set *ruleset.Set, n int) {
	t.Helper()
	res := set.RunTests()
	if len(res) != n {
		t.Fatalf("%d results, want %d", len(res), n)
	}
	for _, r := range res {
		if !r.Passed() {
			t.Errorf("%s / %s: got %d detections (%v)", r.Suite.Rule, r.Case.Name, r.Got, r.Err)
		}
	}
}

// A misspelt key in a test case, in the signwatch attribute or in a
// side-car document is an error naming the key and its line: ignored, it
// would leave an expectation unchecked (a `cuont: 3` case passes on any
// number of detections) or a rule untested.
func TestTestFormatUnknownKeys(t *testing.T) {
	ev := "[{eventSource: signin.amazonaws.com, eventName: ConsoleLogin}]"
	for _, tc := range []struct {
		name, file, body, want string
	}{
		{"case key", "r.yml", loginRule + "signwatch:\n  tests:\n    - {name: c, expect: match, cuont: 3, events: " + ev + "}\n", `r.yml:11:32: test 1: unknown key "cuont"`},
		{"signwatch key", "r.yml", loginRule + "signwatch:\n  test:\n    - {name: c, expect: match, events: " + ev + "}\n", `r.yml:10:3: signwatch: unknown key "test"`},
		{"signwatch not a mapping", "r.yml", loginRule + "signwatch: tests\n", "r.yml:9:12: signwatch must be a mapping"},
		{"signwatch without tests", "r.yml", loginRule + "signwatch: {}\n", "r.yml:9:12: signwatch: needs `tests:`"},
		{"side-car key", "login.tests.yml", "rule: console_login\nexpected: match\ntests: [{expect: match, events: " + ev + "}]\n", `login.tests.yml:2:1: a test document: unknown key "expected"`},
		{"side-car rule not a scalar", "login.tests.yml", "rule: [console_login]\ntests: [{expect: match, events: " + ev + "}]\n", "login.tests.yml:1:7: rule: must be the id or name of one rule"},
		{"side-car rule empty", "login.tests.yml", "rule: ''\ntests: [{expect: match, events: " + ev + "}]\n", "login.tests.yml:1:7: rule: must be the id or name of one rule"},
		{"case not a mapping", "login.tests.yml", "rule: console_login\ntests: [match]\n", "login.tests.yml:2:9: test 1 must be a mapping"},
	} {
		files := map[string]string{tc.file: tc.body}
		if tc.file != "r.yml" {
			files["login.yml"] = loginRule
		}
		_, err := ruleset.Load(ruleset.Options{Paths: []string{writeRules(t, files)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// An empty list of tests is an error (in the rule or in a side-car file),
// not a suite that passes without checking anything.
func TestEmptyTestList(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"embedded": {"r.yml": loginRule + "signwatch:\n  tests: []\n"},
		"side-car": {"login.yml": loginRule, "login.tests.yml": "rule: console_login\ntests: []\n"},
	} {
		_, err := ruleset.Load(ruleset.Options{Paths: []string{writeRules(t, files)}})
		if err == nil || !strings.Contains(err.Error(), "tests is empty") {
			t.Errorf("%s: got %v, want an error for the empty list", name, err)
		}
	}
}

// A JSON-string event must be one object: the string null is an error (it
// used to panic), and so is anything after the object (a second object
// pasted into the same string would be dropped without a word). White
// space after it is fine.
func TestJSONEventIsOneObject(t *testing.T) {
	for _, tc := range []struct {
		event string
		ok    bool
	}{
		{`'null'`, false},
		{`'{"eventName": "A"} {"eventName": "B"}'`, false},
		{`'{"eventName": "A"},'`, false},
		{`'[{"eventName": "A"}]'`, false},
		{`'{"eventName": "A"}  '`, true},
	} {
		body := "rule: r\ntests:\n  - {name: c, expect: match, events: [" + tc.event + "]}\n"
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
					tc.ok = true // reported below as a failure either way
				}
			}()
			_, err = ruleset.ParseTestFile("r.tests.yml", []byte(body))
		}()
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "panic"):
			t.Errorf("%s: %v", tc.event, err)
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.event, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "r.tests.yml:3:")):
			t.Errorf("%s: got %v, want an error at r.tests.yml:3", tc.event, err)
		}
	}
}

// A side-car file may end with "---" (an empty document), as a rule file
// may; and a YAML alias may stand for an event.
func TestSideCarEmptyDocumentAndAlias(t *testing.T) {
	body := "rule: console_login\ntests:\n  - {name: a, expect: match, events: [&login {eventSource: signin.amazonaws.com, eventName: ConsoleLogin}]}\n" +
		"  - {name: b, expect: match, count: 2, events: [*login, *login]}\n---\n"
	set := loadRules(t, map[string]string{"login.yml": loginRule, "login.tests.yml": body})
	requireAllPass(t, set, 2)
}

// As in a scan, an event whose eventID an earlier event of the case had is
// a duplicate delivery and counts once (docs/rule-tests.md: give explicit
// IDs when a case is about duplicates); events without an explicit ID get
// distinct ones and all count.
func TestCaseDuplicateEventIDs(t *testing.T) {
	ev := func(id string) string {
		s := "{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.1"
		if id != "" {
			s += ", eventID: " + id
		}
		return s + "}"
	}
	set := loadRules(t, map[string]string{
		"login.yml": loginRule + "signwatch:\n  tests:\n" +
			"    - {name: same id, expect: match, count: 1, events: [" + ev("dup") + ", " + ev("dup") + "]}\n" +
			"    - {name: no ids, expect: match, count: 2, events: [" + ev("") + ", " + ev("") + "]}\n",
		"c.yml": "title: three logins\nname: three_logins\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 3}\nlevel: high\n" +
			"signwatch:\n  tests:\n" +
			"    - {name: one delivered three times, expect: no-match, events: [" + ev("dup") + ", " + ev("dup") + ", " + ev("dup") + "]}\n" +
			"    - {name: three, expect: match, count: 1, events: [" + ev("a") + ", " + ev("b") + ", " + ev("dup") + "]}\n",
	})
	requireAllPass(t, set, 4)
}

// A correlation over a detection rule that has a name and no id is tested
// like any other (the rule's matches reach the correlation under its name).
func TestCorrelationOverNameOnlyRule(t *testing.T) {
	noID := strings.Replace(loginRule, "id: 11111111-1111-4111-8111-111111111111\n", "", 1)
	ev := "{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.1}"
	set := loadRules(t, map[string]string{
		"login.yml": noID,
		"c.yml": "title: two logins\nid: 22222222-2222-4222-8222-222222222222\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {gte: 2}\nlevel: high\n" +
			"signwatch:\n  tests:\n    - {name: two, expect: match, count: 1, events: [" + ev + ", " + ev + "]}\n",
	})
	requireAllPass(t, set, 1)
}

// An event of a case that is not JSON (a case built in code) is an error
// naming the event, not a silent skip.
func TestCaseEventParseError(t *testing.T) {
	set := loadRules(t, map[string]string{"login.yml": loginRule})
	set.Tests = []*ruleset.TestSuite{{Rule: "console_login", Cases: []ruleset.TestCase{{Name: "c", Expect: false,
		Events: [][]byte{[]byte(`{"eventName":"X"}`), []byte(`{"eventName": }`)}}}}}
	res := set.RunTests()
	if len(res) != 1 || res[0].Passed() || res[0].Err == nil || !strings.HasPrefix(res[0].Err.Error(), "event 2:") {
		t.Fatalf("got %+v", res)
	}
}

// Side-car files are named *.tests.yml or *.tests.yaml, in any case; other
// names are rule files.
func TestIsTestFile(t *testing.T) {
	for name, want := range map[string]bool{
		"a.tests.yml": true, "dir/a.tests.yaml": true, "A.TESTS.YML": true, "a.Tests.Yaml": true,
		"a.yml": false, "tests.yml": false, "a.tests.yml.bak": false, "a.test.yml": false, "a.tests.yml/b.yml": false,
	} {
		if got := ruleset.IsTestFile(name); got != want {
			t.Errorf("IsTestFile(%q) = %v, want %v", name, got, want)
		}
	}
	set := loadRules(t, map[string]string{"login.yml": loginRule,
		"Login.Tests.YAML": "rule: console_login\ntests: [{expect: match, events: [{eventSource: signin.amazonaws.com, eventName: ConsoleLogin}]}]\n"})
	requireAllPass(t, set, 1)
}

// Errors of the test format name the file and the line (and column) of
// the offending node, and say what is wrong.
func TestTestFormatErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"yaml syntax", "rule: r\ntests: [{expect: match\n", "r.tests.yml:1: YAML syntax: "}, // as in rule files
		{"no rule", "tests: [{expect: match, events: [{a: 1}]}]\n", "r.tests.yml:1:1: a test document needs `rule:` and `tests:`"},
		{"no tests", "rule: r\n", "r.tests.yml:1:1: a test document needs `rule:` and `tests:`"},
		{"bad count", "rule: r\ntests:\n  - expect: match\n    count: abc\n    events: [{a: 1}]\n", "r.tests.yml:3:5: test 1: yaml: unmarshal errors"},
		{"event is a list", "rule: r\ntests:\n  - name: c\n    expect: match\n    events:\n      - {a: 1}\n      - [1, 2]\n", `r.tests.yml:7:9: test "c" event 2: an event is a mapping or a JSON string`},
		{"event not JSON", "rule: r\ntests:\n  - name: c\n    expect: match\n    events:\n      - 'eventName: x'\n", `r.tests.yml:6:9: test "c" event 1: not a JSON object`},
		{"event duplicate key", "rule: r\ntests:\n  - name: c\n    expect: match\n    events:\n      - {a: 1, a: 2}\n", `r.tests.yml:6:9: test "c" event 1: yaml: unmarshal errors`},
		{"default case name", "rule: r\ntests:\n  - {expect: match, events: [{a: 1}]}\n  - {expect: match, events: [[]]}\n", `r.tests.yml:4:30: test "case 2" event 1:`},
	} {
		_, err := ruleset.ParseTestFile("r.tests.yml", []byte(tc.body))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error starting %q", tc.name, err, tc.want)
		}
	}
	// A rule carrying tests needs an id or a name to be tested by.
	anon := strings.Replace(strings.Replace(loginRule, "id: 11111111-1111-4111-8111-111111111111\n", "", 1), "name: console_login\n", "", 1)
	_, err := ruleset.Load(ruleset.Options{Paths: []string{writeRules(t, map[string]string{"anon.yml": anon + "signwatch:\n  tests: [{expect: match, events: [{a: 1}]}]\n"})}})
	if err == nil || !strings.Contains(err.Error(), "anon.yml:1:1: a rule that carries tests needs an id or a name") {
		t.Errorf("anonymous rule with tests: got %v", err)
	}
}

// expect: no match and nomatch are read as no-match (docs/rule-tests.md);
// a suite's line is its tests: list.
func TestExpectSpellings(t *testing.T) {
	ts, err := ruleset.ParseTestFile("r.tests.yml", []byte("rule: r\ntests:\n  - {expect: no match, events: [{a: 1}]}\n  - {expect: nomatch, events: [{a: 1}]}\n  - {expect: no-match, events: [{a: 1}]}\n  - {expect: match, events: [{a: 1}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ts.Line != 3 || len(ts.Cases) != 4 || ts.Cases[0].Expect || ts.Cases[1].Expect || ts.Cases[2].Expect || !ts.Cases[3].Expect {
		t.Errorf("line %d, cases %+v", ts.Line, ts.Cases)
	}
}

// A correlation that fires twice in a case counts both detections: the one
// closed by a later event (reported while observing) and the one at the end.
func TestCorrelationCountsEveryDetection(t *testing.T) {
	ev := func(ts string) string {
		return `{eventSource: signin.amazonaws.com, eventName: ConsoleLogin, sourceIPAddress: 192.0.2.1, eventTime: "` + ts + `"}`
	}
	set := loadRules(t, map[string]string{
		"login.yml": loginRule,
		"c.yml": "title: two logins\nname: two_logins\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 1m\n  condition: {gte: 2}\nlevel: high\n" +
			"signwatch:\n  tests:\n    - {name: two bursts, expect: match, count: 2, events: [" +
			ev("2024-01-01T00:00:00Z") + ", " + ev("2024-01-01T00:00:10Z") + ", " + ev("2024-01-01T01:00:00Z") + ", " + ev("2024-01-01T01:00:10Z") + "]}\n",
	})
	requireAllPass(t, set, 1)
}

// A case of a rule for another log source fails with an error, even a
// no-match case: the rule never sees a CloudTrail event, so the case would
// pass without testing anything.
func TestCaseOfOtherLogsourceFails(t *testing.T) {
	windows := strings.Replace(loginRule, "{product: aws, service: cloudtrail}", "{product: windows, service: security}", 1)
	noID := strings.Replace(strings.Replace(windows, "id: 11111111-1111-4111-8111-111111111111\n", "", 1), "name: console_login", "name: noid_login", 1)
	cases := "signwatch:\n  tests:\n    - {name: quiet, expect: no-match, events: [{eventName: Other}]}\n"
	set := loadRules(t, map[string]string{"login.yml": windows + cases, "noid.yml": noID + cases})
	res := set.RunTests()
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		if r.Passed() || r.Err == nil || !strings.Contains(r.Err.Error(), `logsource product "windows", service "security"`) {
			t.Errorf("%s: got %+v", r.Suite.Rule, r)
		}
	}
}

// Observation carries the rule's key (its name when it has no id), the
// event's id and time, and the values of the fields asked for that the
// event has.
func TestObservation(t *testing.T) {
	noID := strings.Replace(loginRule, "id: 11111111-1111-4111-8111-111111111111\n", "", 1)
	set := loadRules(t, map[string]string{"login.yml": noID})
	var doc event.Doc
	if err := doc.Parse([]byte(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.1"}`)); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	o := set.Observation(set.Rules[0], doc.Root(), "ev-1", at, []string{"sourceIPAddress", "userAgent"})
	if o.RuleID != "console_login" || o.EventID != "ev-1" || !o.Time.Equal(at) || len(o.Fields) != 1 || o.Fields["sourceIPAddress"] != "192.0.2.1" {
		t.Errorf("got %+v", o)
	}
}

// Events without an eventID (a case built in code) are not duplicates of
// each other: only a repeated non-empty ID is, as in a scan.
func TestCaseEventsWithoutIDs(t *testing.T) {
	set := loadRules(t, map[string]string{"login.yml": loginRule})
	ev := []byte(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin"}`)
	set.Tests = []*ruleset.TestSuite{{Rule: "console_login", Cases: []ruleset.TestCase{{Name: "c", Expect: true, Count: 2, Events: [][]byte{ev, ev}}}}}
	requireAllPass(t, set, 1)
}

// A side-car document that is not a mapping is an error, not skipped.
func TestSideCarScalarDocument(t *testing.T) {
	body := "rule: r\ntests: [{expect: match, events: [{a: 1}]}]\n---\nhello\n"
	if _, err := ruleset.ParseTestFile("r.tests.yml", []byte(body)); err == nil || !strings.Contains(err.Error(), "r.tests.yml:4:1: a test document must be a mapping") {
		t.Errorf("got %v", err)
	}
}
