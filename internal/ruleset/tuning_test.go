package ruleset_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/rules"
)

func rootFailures(n int, ip string) ruleset.TestCase {
	tc := ruleset.TestCase{Name: "root failures", Expect: true}
	for i := 0; i < n; i++ {
		tc.Events = append(tc.Events, []byte(fmt.Sprintf(`{"eventID":"00000000-0000-4000-8000-%012d","eventTime":"2024-01-01T00:00:%02dZ","userIdentity":{"type":"Root","accountId":"123456789012"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":%q,"responseElements":{"ConsoleLogin":"Failure"},"recipientAccountId":"123456789012"}`, i+1, i, ip)))
	}
	return tc
}

// detections runs one case against a freshly loaded catalog and counts the
// detections of rule.
func detections(t *testing.T, tun ruleset.Tuning, rule string, tc ruleset.TestCase) int {
	t.Helper()
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Tuning: tun})
	if err != nil {
		t.Fatal(err)
	}
	set = set.WithTests(func(*ruleset.TestSuite) *ruleset.TestSuite { return nil })
	set.Tests = []*ruleset.TestSuite{{Rule: rule, Cases: []ruleset.TestCase{tc}}}
	res := set.RunTests()
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	return res[0].Got
}

func TestTuningThreshold(t *testing.T) {
	six := rootFailures(6, "198.51.100.7")
	if got := detections(t, ruleset.Tuning{}, "aws_root_brute_force", six); got != 1 {
		t.Fatalf("default threshold 5: got %d detections of 6 failures, want 1", got)
	}
	ten := 10.0
	tun := ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"aws_root_brute_force": {Threshold: &ten}}}
	if got := detections(t, tun, "aws_root_brute_force", six); got != 0 {
		t.Fatalf("threshold 10: got %d detections of 6 failures, want 0", got)
	}
	if got := detections(t, tun, "aws_root_brute_force", rootFailures(10, "198.51.100.7")); got != 1 {
		t.Fatalf("threshold 10: got %d detections of 10 failures, want 1", got)
	}
}

func TestTuningTrustedRanges(t *testing.T) {
	tun := ruleset.Tuning{TrustedIPRanges: []string{"198.51.100.0/24"}}
	if got := detections(t, tun, "aws_root_brute_force", rootFailures(6, "198.51.100.7")); got != 0 {
		t.Fatalf("trusted source: got %d detections, want 0", got)
	}
	if got := detections(t, tun, "aws_root_brute_force", rootFailures(6, "203.0.113.7")); got != 1 {
		t.Fatalf("untrusted source: got %d detections, want 1", got)
	}
}

func TestTuningErrors(t *testing.T) {
	for _, tc := range []struct {
		tun  ruleset.Tuning
		want string
	}{
		{ruleset.Tuning{TrustedIPRanges: []string{"10.0.0.0/33"}}, `tuning.trusted_ip_ranges: "10.0.0.0/33" is not a CIDR`},
		{ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"no_such_rule": {Level: "low"}}}, "no loaded rule"},
		{ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"aws_root_brute_force": {Level: "severe"}}}, "unknown level"},
		{ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"aws_root_console_login": {Timespan: 5}}}, "correlation rules only"},
	} {
		_, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Tuning: tc.tun})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error containing %q", tc.tun, err, tc.want)
		}
	}
}

// runOne runs one case for rule against a set loaded with opt.
func runOne(t *testing.T, opt ruleset.Options, rule string, events ...string) int {
	t.Helper()
	set, err := ruleset.Load(opt)
	if err != nil {
		t.Fatal(err)
	}
	set = set.WithTests(func(*ruleset.TestSuite) *ruleset.TestSuite { return nil })
	tc := ruleset.TestCase{Name: "case", Expect: true}
	for _, e := range events {
		tc.Events = append(tc.Events, []byte(e))
	}
	set.Tests = []*ruleset.TestSuite{{Rule: rule, Cases: []ruleset.TestCase{tc}}}
	res := set.RunTests()
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	return res[0].Got
}

func consoleLogin(typ, account string) string {
	return fmt.Sprintf(`{"userIdentity":{"type":%q,"accountId":%q,"userName":"u"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.9","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"recipientAccountId":%q}`, typ, account, account)
}

// Break-glass accounts quiet both root sign-in rules for root in those
// accounts only; IAM users there and root elsewhere still fire.
func TestTuningBreakGlass(t *testing.T) {
	opt := ruleset.Options{Builtin: rules.FS, Tuning: ruleset.Tuning{BreakGlassRootAccounts: []string{"111122223333"}}}
	for _, tc := range []struct {
		rule, event string
		want        int
	}{
		{"aws_root_console_login", consoleLogin("Root", "111122223333"), 0},
		{"aws_console_login_without_mfa", consoleLogin("Root", "111122223333"), 0},
		{"aws_console_login_without_mfa", consoleLogin("IAMUser", "111122223333"), 1},
		{"aws_root_console_login", consoleLogin("Root", "444455556666"), 1},
		{"aws_console_login_without_mfa", consoleLogin("Root", "444455556666"), 1},
	} {
		if got := runOne(t, opt, tc.rule, tc.event); got != tc.want {
			t.Errorf("%s on %s: %d detections, want %d", tc.rule, tc.event, got, tc.want)
		}
	}
}

// checkFederation loads the catalog with federation user agents agents
// and runs a GetSigninToken event of an assumed role from each user agent
// of want, expecting the given number of detections.
func checkFederation(t *testing.T, agents []string, want map[string]int) {
	t.Helper()
	opt := ruleset.Options{Builtin: rules.FS, Tuning: ruleset.Tuning{FederationUserAgents: agents}}
	for ua, n := range want {
		ev := fmt.Sprintf(`{"userIdentity":{"type":"AssumedRole","accountId":"123456789012"},"eventSource":"signin.amazonaws.com","eventName":"GetSigninToken","sourceIPAddress":"203.0.113.9","userAgent":%q,"recipientAccountId":"123456789012"}`, ua)
		if got := runOne(t, opt, "aws_getsignintoken_outside_sso", ev); got != n {
			t.Errorf("agents %q, user agent %q: %d detections, want %d", agents, ua, got, n)
		}
	}
}

// Federation user agents are prefixes: GetSigninToken from them is quiet,
// from anything else (even containing them) it fires.
func TestTuningFederationUserAgents(t *testing.T) {
	checkFederation(t, []string{"aws-vault/"}, map[string]int{"aws-vault/7.2.0": 0, "python aws-vault/7.2.0": 1})
}

// Trusted ranges filter the built-in catalog only: a user's rule still
// fires for a trusted source.
func TestTuningTrustedRangesSpareUserRules(t *testing.T) {
	own := filepath.Join(t.TempDir(), "own.yml")
	if err := os.WriteFile(own, []byte(loginRule), 0o600); err != nil {
		t.Fatal(err)
	}
	opt := ruleset.Options{Builtin: rules.FS, Paths: []string{own}, Tuning: ruleset.Tuning{TrustedIPRanges: []string{"203.0.113.0/24"}}}
	if got := runOne(t, opt, "console_login", consoleLogin("Root", "444455556666")); got != 1 {
		t.Errorf("user rule, trusted source: %d detections, want 1", got)
	}
	if got := runOne(t, opt, "aws_root_console_login", consoleLogin("Root", "444455556666")); got != 0 {
		t.Errorf("built-in rule, trusted source: %d detections, want 0", got)
	}
}

// Levels of detection rules and correlations, and correlation windows,
// are tuned by id or name.
func TestTuningLevelsAndTimespan(t *testing.T) {
	tun := ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{
		"aws_console_login_without_mfa": {Level: "critical"},
		"aws_root_brute_force":          {Level: "low", Timespan: 3 * time.Second},
	}}
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, Tuning: tun})
	if err != nil {
		t.Fatal(err)
	}
	if _, level := set.Describe("aws_console_login_without_mfa"); level != "critical" {
		t.Errorf("detection rule level %q, want critical", level)
	}
	if _, level := set.Describe("aws_root_brute_force"); level != "low" {
		t.Errorf("correlation level %q, want low", level)
	}
	// Six failures one second apart never put five in a 3-second window.
	if got := detections(t, tun, "aws_root_brute_force", rootFailures(6, "198.51.100.7")); got != 0 {
		t.Errorf("timespan 3s: %d detections, want 0", got)
	}
}

// threshold replaces a gt bound as well as a gte one; a correlation without
// either, a detection rule, and a negative timespan are errors.
func TestTuningThresholdBounds(t *testing.T) {
	corr := func(name, cond string) string {
		return "title: " + name + "\nname: " + name + "\ncorrelation:\n  type: event_count\n  rules: [console_login]\n  group-by: [sourceIPAddress]\n  timespan: 10m\n  condition: {" + cond + "}\nlevel: high\n"
	}
	dir := writeRules(t, map[string]string{"login.yml": loginRule, "gt.yml": corr("gt_four", "gt: 4"), "lte.yml": corr("lte_four", "lte: 4")})
	one := 1.0
	opt := ruleset.Options{Paths: []string{dir}, Tuning: ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"gt_four": {Threshold: &one}}}}
	ev := `{"eventTime":"2024-01-01T00:00:0%dZ","eventID":"e%d","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.1"}`
	if got := runOne(t, opt, "gt_four", fmt.Sprintf(ev, 1, 1), fmt.Sprintf(ev, 2, 2)); got != 1 {
		t.Errorf("gt tuned to 1: %d detections of 2 events, want 1", got)
	}
	for _, tc := range []struct {
		rt   ruleset.RuleTuning
		ref  string
		want string
	}{
		{ruleset.RuleTuning{Threshold: &one}, "lte_four", "no gte/gt"},
		{ruleset.RuleTuning{Threshold: &one}, "console_login", "correlation rules only"},
		{ruleset.RuleTuning{Timespan: -time.Minute}, "gt_four", "positive"},
		{ruleset.RuleTuning{Timespan: -1}, "gt_four", "positive"},
	} {
		_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}, Tuning: ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{tc.ref: tc.rt}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: got %v, want an error containing %q", tc.ref, tc.rt, err, tc.want)
		}
	}
}

// Every bad tuning entry is reported, in order of the keys, the same on
// every load (the first error in map order used to be the only one).
func TestTuningErrorsAllInKeyOrder(t *testing.T) {
	tun := ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{
		"zz_missing": {Level: "low"}, "aa_missing": {Level: "low"}, "aws_root_brute_force": {Level: "severe"}, "mm_missing": {Level: "low"},
	}}
	want := strings.Join([]string{
		"tuning.rules.aa_missing: no loaded rule has this id or name",
		`tuning.rules.aws_root_brute_force: unknown level "severe"`,
		"tuning.rules.mm_missing: no loaded rule has this id or name",
		"tuning.rules.zz_missing: no loaded rule has this id or name",
	}, "\n")
	for i := 0; i < 10; i++ {
		_, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, SkipTests: true, Tuning: tun})
		if err == nil || err.Error() != want {
			t.Fatalf("load %d: got\n%v\nwant\n%s", i+1, err, want)
		}
	}
}

// Every level a rule may have can be set by tuning.
func TestTuningEveryLevel(t *testing.T) {
	for _, level := range []string{"informational", "low", "medium", "high", "critical"} {
		tun := ruleset.Tuning{Rules: map[string]ruleset.RuleTuning{"aws_root_console_login": {Level: level}, "aws_root_brute_force": {Level: level}}}
		set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, SkipTests: true, Tuning: tun})
		if err != nil {
			t.Fatalf("%s: %v", level, err)
		}
		for _, ref := range []string{"aws_root_console_login", "aws_root_brute_force"} {
			if _, got := set.Describe(ref); got != level {
				t.Errorf("%s: level %q, want %q", ref, got, level)
			}
		}
	}
}

// A trusted range with host bits set is an error naming the setting (it
// used to point at a line of the generated filter).
func TestTuningTrustedRangeHostBits(t *testing.T) {
	_, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, SkipTests: true, Tuning: ruleset.Tuning{TrustedIPRanges: []string{"198.51.100.0/24", "198.51.100.7/24"}}})
	want := `tuning.trusted_ip_ranges: "198.51.100.7/24" has host bits set (the network is 198.51.100.0/24; write /32 for the one address)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// Allow-list values are plain text: a '*' or '?' in a federation user
// agent, or in an account, is that character, not a Sigma wildcard.
func TestTuningAllowListsAreLiteral(t *testing.T) {
	checkFederation(t, []string{"broker-*/"}, map[string]int{"broker-*/1.0": 0, "broker-evil/1.0": 1})
	// A backslash is plain text too: `tool\*` is not an escaped wildcard.
	checkFederation(t, []string{`tool\*/`}, map[string]int{`tool\*/1.0`: 0, `tool\x/1.0`: 1})
	glass := ruleset.Options{Builtin: rules.FS, Tuning: ruleset.Tuning{BreakGlassRootAccounts: []string{"11112222333?"}}}
	if got := runOne(t, glass, "aws_root_console_login", consoleLogin("Root", "111122223334")); got != 1 {
		t.Errorf("'?' taken as a wildcard: %d detections, want 1", got)
	}
}

// Each allow-list becomes a filter of its own, named after its place in
// the tuning section (rules list shows the name as the filter's file).
func TestTuningFilterNames(t *testing.T) {
	tun := ruleset.Tuning{TrustedIPRanges: []string{"198.51.100.0/24"}, BreakGlassRootAccounts: []string{"111122223333"}, FederationUserAgents: []string{"aws-vault/"}}
	set, err := ruleset.Load(ruleset.Options{Builtin: rules.FS, SkipTests: true, Tuning: tun})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range set.Filters {
		got = append(got, f.File+" "+f.Title)
	}
	want := "config:tuning#1 signwatch tuning: trusted IP ranges|config:tuning#2 signwatch tuning: break-glass root accounts|config:tuning#3 signwatch tuning: known federation user agents"
	if strings.Join(got, "|") != want {
		t.Errorf("filters %q\nwant %q", strings.Join(got, "|"), want)
	}
}

// TestTuningOfOmittedCatalog: under a configuration written for the whole
// catalog, a set loaded without it (--no-builtin, `rules validate PATH
// --config`) skips the tuning of the catalog's rules and the allow-lists
// that only quiet them, and still rejects a name nothing has, and still
// tunes a loaded rule of the same name.
func TestTuningOfOmittedCatalog(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own.yml")
	if err := os.WriteFile(own, []byte(`title: own
name: aws_console_login_without_mfa
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: ConsoleLogin}
    condition: sel
level: low
`), 0o600); err != nil {
		t.Fatal(err)
	}
	high := ruleset.RuleTuning{Level: "high"}
	ten := 10.0
	tun := ruleset.Tuning{
		TrustedIPRanges:        []string{"198.51.100.0/24"},
		BreakGlassRootAccounts: []string{"111122223333"},
		FederationUserAgents:   []string{"aws-vault/"},
		Rules: map[string]ruleset.RuleTuning{
			"aws_root_brute_force":          {Threshold: &ten, Timespan: 30 * time.Minute},
			"aws_console_login_without_mfa": high,
		},
	}
	set, err := ruleset.Load(ruleset.Options{Paths: []string{own}, BuiltinOmitted: rules.FS, Tuning: tun})
	if err != nil {
		t.Fatalf("tuning of the omitted catalog failed the load: %v", err)
	}
	if len(set.Rules) != 1 || set.Rules[0].Level != "high" {
		t.Errorf("the loaded rule named like a catalog rule was not tuned: %+v", set.Rules)
	}
	// The break-glass allow-list also quiets a rule of this name: it stays.
	if len(set.Filters) != 1 || !strings.Contains(set.Filters[0].Title, "break-glass") {
		var titles []string
		for _, f := range set.Filters {
			titles = append(titles, f.Title)
		}
		t.Errorf("filters %q, want only the break-glass one", titles)
	}
	tun.Rules["aws_root_brute_forse"] = ruleset.RuleTuning{Threshold: &ten}
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{own}, BuiltinOmitted: rules.FS, Tuning: tun}); err == nil || !strings.Contains(err.Error(), "aws_root_brute_forse") {
		t.Errorf("a misspelt rule name was accepted: %v", err)
	}
	delete(tun.Rules, "aws_root_brute_forse")
	if _, err := ruleset.Load(ruleset.Options{Paths: []string{own}, Tuning: tun}); err == nil || !strings.Contains(err.Error(), "aws_root_brute_force") {
		t.Errorf("without BuiltinOmitted, tuning a rule that is not loaded must fail: %v", err)
	}
}
