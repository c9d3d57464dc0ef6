package ruleset_test

import (
	"fmt"
	"strings"
	"testing"

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
		{ruleset.Tuning{TrustedIPRanges: []string{"10.0.0.0/33"}}, "not a CIDR"},
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
