package ruleset_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/rules"
)

func TestCoverageIncludesUserRules(t *testing.T) {
	own := filepath.Join(t.TempDir(), "own.yml")
	os.WriteFile(own, []byte(`title: CheckMfa from a script
id: 0d8e3a4c-7a43-4b7b-9a55-1c7f3d2b9e10
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventSource: signin.amazonaws.com
    eventName: Check*
    userAgent|contains: python
  condition: sel
level: low
`), 0o600)
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Paths: []string{own}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ruleset.EventCoverage{}
	for _, ec := range set.Coverage() {
		byName[ec.EventName] = ec
	}
	cm := byName["CheckMfa"]
	if len(cm.Rules) != 1 || cm.Rules[0].Title != "CheckMfa from a script" {
		t.Fatalf("CheckMfa coverage should list the user's wildcard rule: %+v", cm.Rules)
	}
	if len(cm.Checks) != 1 || cm.Checks[0].Field != "userAgent" || cm.Checks[0].Value != "python" {
		t.Errorf("CheckMfa checks: %+v", cm.Checks)
	}
	cl := byName["ConsoleLogin"]
	found := false
	for _, c := range cl.Checks {
		if c.Field == "responseElements.ConsoleLogin" && c.Value == "Failure" && c.Rules >= 3 {
			found = true
		}
	}
	if !found || len(cl.Correlations) == 0 {
		t.Errorf("ConsoleLogin coverage lacks the failure check or its correlations: %+v", cl)
	}
}

// Coverage reads eventName values the way the common modifiers would
// (startswith, endswith, contains); the catch-all lists the rules that test
// a sign-in event source (signin or sso) without naming an event; a
// correlation using a rule of the event (by id or name) is listed once;
// checks are told apart by their modifiers and come most common first.
func TestCoverageDetails(t *testing.T) {
	r := func(id, title, level, detection string) string {
		return "title: " + title + "\nid: " + id + "\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n" + detection + "  condition: sel\nlevel: " + level + "\n"
	}
	set := loadRules(t, map[string]string{
		"starts.yml": r("10000000-0000-4000-8000-000000000001", "starts", "high", "  sel: {eventName|startswith: Console, userAgent|contains: curl, sourceIPAddress: 192.0.2.1}\n"),
		"ends.yml":   r("10000000-0000-4000-8000-000000000002", "ends", "low", "  sel: {eventName|endswith: Login, userAgent: curl}\n"),
		"contains.yml": r("10000000-0000-4000-8000-000000000003", "contains", "low",
			"  sel: {eventName|contains: nsoleLog, userAgent|contains: curl, additionalEventData.MFAUsed: 'No', sourceIPAddress: 192.0.2.0}\n"),
		"sso.yml":   r("10000000-0000-4000-8000-000000000004", "sso source", "medium", "  sel: {eventSource: sso.amazonaws.com, userAgent: x}\n"),
		"named.yml": r("10000000-0000-4000-8000-000000000005", "named", "low", "  sel: {eventSource: signin.amazonaws.com, eventName: CheckMfa}\n"),
		"nosrc.yml": r("10000000-0000-4000-8000-000000000006", "no source", "low", "  sel: {userAgent: y}\n"),
		"corr.yml": `title: both
id: 20000000-0000-4000-8000-000000000001
correlation:
  type: temporal
  rules: [10000000-0000-4000-8000-000000000001, 10000000-0000-4000-8000-000000000002]
  group-by: [sourceIPAddress]
  timespan: 5m
level: high
`,
	})
	byName := map[string]ruleset.EventCoverage{}
	for _, ec := range set.Coverage() {
		byName[ec.EventName] = ec
	}
	titles := func(rs []ruleset.CoverageRule) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Title+"/"+r.Level)
		}
		return strings.Join(s, ",")
	}
	if got := titles(byName["ConsoleLogin"].Rules); got != "contains/low,ends/low,starts/high" {
		t.Errorf("ConsoleLogin rules: %s", got)
	}
	if got := titles(byName["CheckMfa"].Rules); got != "named/low" {
		t.Errorf("CheckMfa rules: %s", got)
	}
	if got := titles(byName["GetSigninToken"].Rules); got != "" {
		t.Errorf("GetSigninToken rules: %s", got)
	}
	if got := titles(byName[ruleset.CatchAll].Rules); got != "sso source/medium" {
		t.Errorf("catch-all rules: %s", got)
	}
	if got := titles(byName["ConsoleLogin"].Correlations); got != "both/high" {
		t.Errorf("ConsoleLogin correlations: %s", got)
	}
	// Each entry names the rule's id and file.
	where := func(rs []ruleset.CoverageRule) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.ID+"@"+filepath.Base(r.File))
		}
		return strings.Join(s, ",")
	}
	if got := where(byName["CheckMfa"].Rules); got != "10000000-0000-4000-8000-000000000005@named.yml" {
		t.Errorf("CheckMfa rule id and file: %s", got)
	}
	if got := where(byName["ConsoleLogin"].Correlations); got != "20000000-0000-4000-8000-000000000001@corr.yml" {
		t.Errorf("ConsoleLogin correlation id and file: %s", got)
	}
	var checks []string
	for _, c := range byName["ConsoleLogin"].Checks {
		checks = append(checks, fmt.Sprintf("%s|%s=%s:%d", c.Field, strings.Join(c.Modifiers, "|"), c.Value, c.Rules))
	}
	want := "userAgent|contains=curl:2,additionalEventData.MFAUsed|=No:1,sourceIPAddress|=192.0.2.0:1,sourceIPAddress|=192.0.2.1:1,userAgent|=curl:1"
	if got := strings.Join(checks, ","); got != want {
		t.Errorf("ConsoleLogin checks:\n got %s\nwant %s", got, want)
	}
}

// Checks that differ only in their modifiers come in a fixed order (no
// modifier first, then by modifiers), the same on every call; and a rule
// that makes the same check in two selections counts once.
func TestCoverageChecksOrderAndCount(t *testing.T) {
	r := func(id, detection, cond string) string {
		return "title: r" + id + "\nid: 10000000-0000-4000-8000-00000000000" + id + "\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n" + detection + "  condition: " + cond + "\nlevel: low\n"
	}
	set := loadRules(t, map[string]string{
		"1.yml": r("1", "  sel: {eventName: ConsoleLogin, userAgent|startswith: curl}\n", "sel"),
		"2.yml": r("2", "  sel: {eventName: ConsoleLogin, userAgent: curl}\n", "sel"),
		"3.yml": r("3", "  sel: {eventName: ConsoleLogin, userAgent|contains: curl}\n", "sel"),
		"4.yml": r("4", "  a: {eventName: ConsoleLogin, userAgent|endswith: curl}\n  b: {eventName: ConsoleLogin, userAgent|endswith: curl, sourceIPAddress: 192.0.2.1}\n", "a or b"),
	})
	want := "sourceIPAddress||192.0.2.1:1 userAgent||curl:1 userAgent|contains|curl:1 userAgent|endswith|curl:1 userAgent|startswith|curl:1"
	for i := 0; i < 30; i++ {
		var got []string
		for _, ec := range set.Coverage() {
			if ec.EventName != "ConsoleLogin" {
				continue
			}
			for _, c := range ec.Checks {
				got = append(got, fmt.Sprintf("%s|%s|%s:%d", c.Field, strings.Join(c.Modifiers, "|"), c.Value, c.Rules))
			}
		}
		if g := strings.Join(got, " "); g != want {
			t.Fatalf("call %d: checks\n got %s\nwant %s", i+1, g, want)
		}
	}
}

// eventName values are read as the rule's modifiers say: startswith and
// endswith anchor, re is a regular expression (case-sensitive unless
// re|i), and a wildcard for every name lists the rule under each event but
// not under the catch-all (it names an event).
func TestCoverageEventNameModifiers(t *testing.T) {
	r := func(id, sel string) string {
		return "title: r" + id + "\nid: 30000000-0000-4000-8000-00000000000" + id + "\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventSource: signin.amazonaws.com, " + sel + "}\n  condition: sel\nlevel: low\n"
	}
	set := loadRules(t, map[string]string{
		"1.yml": r("1", "eventName|startswith: Login"),
		"2.yml": r("2", "eventName|endswith: Console"),
		"3.yml": r("3", "eventName|re: '^Console(Login)?$'"),
		"4.yml": r("4", "eventName|re: '^consolelogin$'"),
		"5.yml": r("5", "eventName|re|i: '^consolelogin$'"),
		"6.yml": r("6", "eventName: '*'"),
		"7.yml": r("7", "eventName|base64: ConsoleLogin"),
	})
	got := map[string]string{}
	for _, ec := range set.Coverage() {
		var ids []string
		for _, r := range ec.Rules {
			ids = append(ids, r.Title)
		}
		got[ec.EventName] = strings.Join(ids, ",")
	}
	for name, want := range map[string]string{"ConsoleLogin": "r3,r5,r6", "CheckMfa": "r6", ruleset.CatchAll: ""} {
		if got[name] != want {
			t.Errorf("%s: rules %q, want %q", name, got[name], want)
		}
	}
}
