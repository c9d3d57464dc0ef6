package alert

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/event"
)

// summaryCase is one alert and the summary it must get.
type summaryCase struct {
	name string
	a    Alert
	want string
}

func checkSummaries(t *testing.T, cases []summaryCase) {
	t.Helper()
	for _, c := range cases {
		if got := Summarize(&c.a); got != c.want {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

// TestSummarizeSubjects covers the subject of every kind of alert: value
// correlations without an Aggregate, aggregates with and without a field,
// event names without a noun, and subjects named from sign-in records.
func TestSummarizeSubjects(t *testing.T) {
	iamSuccess := func(name string) event.SignIn {
		return event.SignIn{EventName: name, Outcome: event.Success, Actor: event.Actor{Type: event.ActorIAMUser}}
	}
	checkSummaries(t, []summaryCase{
		{"value_sum", Alert{Rule: RuleRef{Title: "Large downloads", Kind: KindValueSum}, Value: 1500, Count: 4},
			"Large downloads: sum 1500 over 4 events"},
		{"value_avg", Alert{Rule: RuleRef{Title: "Slow calls", Kind: KindValueAvg}, Value: 2.5, Count: 6},
			"Slow calls: average 2.5 over 6 events"},
		{"value_percentile", Alert{Rule: RuleRef{Title: "Outliers", Kind: KindValuePercentile}, Value: 99, Count: 20},
			"Outliers: percentile value 99 over 20 events"},
		{"event name without a noun", Alert{Rule: RuleRef{Title: "Bulk reads", Kind: KindEventCount}, EventName: "GetObject", Count: 3},
			"Bulk reads: 3 GetObject events"},
		{"one distinct value", Alert{Rule: RuleRef{Title: "Spray", Kind: KindValueCount}, Count: 2,
			Aggregate: &Aggregate{Func: "value_count", Field: "userIdentity.userName", Value: 1}},
			"Spray: 1 distinct user name"},
		{"distinct source IPs", Alert{Rule: RuleRef{Title: "Many addresses", Kind: KindValueCount}, Count: 5,
			Aggregate: &Aggregate{Func: "value_count", Field: "sourceIPAddress", Value: 3}},
			"Many addresses: 3 distinct source IPs"},
		{"distinct principals", Alert{Rule: RuleRef{Title: "Many principals", Kind: KindValueCount}, Count: 5,
			Aggregate: &Aggregate{Func: "value_count", Field: "userIdentity.arn", Value: 4}},
			"Many principals: 4 distinct principals"},
		{"plural of a noun ending in s", Alert{Rule: RuleRef{Title: "Many", Kind: KindValueCount}, Count: 5,
			Aggregate: &Aggregate{Func: "value_count", Field: "address", Value: 2}},
			"Many: 2 distinct addresses"},
		{"sum of a field", Alert{Rule: RuleRef{Title: "Egress", Kind: KindValueSum}, Count: 3,
			Aggregate: &Aggregate{Func: "sum", Field: "additionalEventData.bytesTransferredOut", Value: 10, Threshold: "> 5"}},
			"Egress: sum of additionalEventData.bytesTransferredOut 10 (threshold > 5)"},
		{"no title: the rule id", Alert{Rule: RuleRef{ID: "rule-7"}, Count: 1}, "rule-7"},
		// An aggregate with records is named from them, in the singular for one event.
		{"aggregate over one record", Alert{Rule: RuleRef{Title: "Root failure alarm", Kind: KindCloudWatchAlarm}, Count: 1,
			Aggregate: &Aggregate{Func: "count", Value: 1}, Records: []event.SignIn{rootFailure("198.51.100.7", t0)}},
			"1 failed root console sign-in"},
		{"records of different principal types", Alert{Rule: RuleRef{Title: "Failed console sign-ins", Kind: KindEventCount}, Count: 2,
			Records: []event.SignIn{rootFailure("198.51.100.7", t0),
				{EventName: "ConsoleLogin", Outcome: event.Failure, Actor: event.Actor{Type: event.ActorIAMUser}}}},
			"Failed console sign-ins: 2 events"},
		{"records of different events", Alert{Rule: RuleRef{Title: "Root failures", Kind: KindEventCount}, Count: 2,
			Records: []event.SignIn{rootFailure("198.51.100.7", t0),
				{EventName: "CheckMfa", Outcome: event.Failure, Actor: event.Actor{Type: event.ActorRoot}}}},
			"Root failures: 2 events"},
		{"records of an event without a noun", Alert{Rule: RuleRef{Title: "Recoveries", Kind: KindEventCount}, Count: 2,
			Records: []event.SignIn{iamSuccess("PasswordRecoveryVerified"), iamSuccess("PasswordRecoveryVerified")}},
			"2 successful IAM user PasswordRecoveryVerified events"},
		// Records make a sign-in alert whatever the title: "to ACCOUNT", not "in".
		{"records make a sign-in alert", Alert{Rule: RuleRef{Title: "Root activity", Kind: KindEventCount}, Count: 2,
			GroupKey: []KV{{"recipientAccountId", "123456789012"}},
			Records:  []event.SignIn{rootFailure("198.51.100.7", t0), rootFailure("198.51.100.7", t0)}},
			"2 failed root console sign-ins to 123456789012"},
		// Titles that name sign-ins make the account "to ACCOUNT".
		{"login title", Alert{Rule: RuleRef{Title: "Console login from a new country"}, Count: 2, Account: "123456789012"},
			"Console login from a new country: 2 events to 123456789012"},
		{"logon title", Alert{Rule: RuleRef{Title: "Federated logon"}, Count: 2, Account: "123456789012"},
			"Federated logon: 2 events to 123456789012"},
		{"brute force title", Alert{Rule: RuleRef{Title: "Brute force against IAM users"}, Count: 2, Account: "123456789012"},
			"Brute force against IAM users: 2 events to 123456789012"},
		{"other title", Alert{Rule: RuleRef{Title: "Access key created"}, Count: 2, Account: "123456789012"},
			"Access key created: 2 events in 123456789012"},
		// Long values are cut: group key values at 80 runes, the actor at
		// 64, a threshold at 30.
		{"long key value", Alert{Rule: RuleRef{Title: "T"}, Count: 2, GroupKey: []KV{{"awsRegion", strings.Repeat("v", 90)}}},
			"T: 2 events (awsRegion=" + strings.Repeat("v", 80) + "…)"},
		{"long actor", Alert{Rule: RuleRef{Title: "T"}, Count: 1, Actor: strings.Repeat("a", 70)},
			"T by " + strings.Repeat("a", 64) + "…"},
		{"long threshold", Alert{Rule: RuleRef{Title: "T", Kind: KindCloudWatchAlarm}, Count: 2,
			Aggregate: &Aggregate{Func: "Sum", Value: 3, Threshold: ">= " + strings.Repeat("9", 40)}},
			"T: Sum 3 (threshold >= " + strings.Repeat("9", 27) + "…)"},
		// Without a last time there is no span to state.
		{"no last time, no span", Alert{Rule: RuleRef{Title: "Bursts", Kind: KindEventCount}, Count: 3, FirstSeen: t0},
			"Bursts: 3 events"},
	})
}

// TestSummarizeGroupKeyRoles covers how group-by fields are written.
func TestSummarizeGroupKeyRoles(t *testing.T) {
	many := func(kv ...KV) Alert {
		return Alert{Rule: RuleRef{Title: "Access keys created", Kind: KindEventCount}, Count: 2, GroupKey: kv}
	}
	checkSummaries(t, []summaryCase{
		// requestParameters.userName is whom the call acted on, not the caller.
		{"request parameter", many(KV{"requestParameters.userName", "bob"}),
			"Access keys created: 2 events (requestParameters.userName=bob)"},
		{"account_id", many(KV{"account_id", "123456789012"}), "Access keys created: 2 events in 123456789012"},
		{"name", many(KV{"userIdentity.name", "bob"}), "Access keys created: 2 events for bob"},
		{"user ARN", many(KV{"userIdentity.arn", "arn:aws:iam::123456789012:user/alice"}), "Access keys created: 2 events for alice"},
		{"empty value", many(KV{"awsRegion", ""}, KV{"sourceIPAddress", ""}), "Access keys created: 2 events"},
		{"second key of a role", many(KV{"sourceIPAddress", "198.51.100.7"}, KV{"src_ip", "203.0.113.1"}),
			"Access keys created: 2 events from 198.51.100.7 (src_ip=203.0.113.1)"},
		// One event: the actor is not repeated when the group key names the user.
		{"user key and actor", Alert{Rule: RuleRef{Title: "Password changed"}, Count: 1,
			GroupKey: []KV{{"userIdentity.userName", "alice"}}, Actor: "arn:aws:iam::123456789012:user/alice"},
			"Password changed for alice"},
		{"root actor", Alert{Rule: RuleRef{Title: "MFA device deactivated"}, Count: 1, Actor: "arn:aws:iam::123456789012:root"},
			"MFA device deactivated by root"},
		{"ARN without a last element", Alert{Rule: RuleRef{Title: "MFA device deactivated"}, Count: 1, Actor: "arn:aws:iam::123456789012:user/"},
			"MFA device deactivated by arn:aws:iam::123456789012:user/"},
	})
	a := many(KV{"a\x1b]0;x\x07b", "v"})
	if got := Summarize(&a); strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("control characters of a key leaked: %q", got)
	}
}

func TestSummarizeClipsTitle(t *testing.T) {
	a := &Alert{Rule: RuleRef{Title: strings.Repeat("t", 130)}, Count: 1}
	if got, want := Summarize(a), strings.Repeat("t", 120)+"…"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	a.Rule.Title = strings.Repeat("t", 120)
	if got := Summarize(a); got != a.Rule.Title {
		t.Errorf("a title of 120 runes was changed: %q", got)
	}
}

func TestSpanEdges(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-35 * time.Second: "35 s", -4 * time.Minute: "4 min",
		30 * time.Hour: "30 h", 47 * time.Hour: "47 h", 48 * time.Hour: "2 days", 86 * time.Hour: "4 days",
		// Rounding can reach the next unit: it is then written in that unit.
		59*time.Second + 600*time.Millisecond: "1 min", 59*time.Minute + 40*time.Second: "1 h",
		59*time.Second + 400*time.Millisecond: "59 s", 47*time.Hour + 59*time.Minute + 40*time.Second: "2 days",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestUserAgentSummaryBrowsers(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 OPR/100.0.0.0":                                 "Opera on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1":                       "Safari on iOS",
		"Mozilla/5.0 (iPad; CPU OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1":                                "Safari on iOS",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Safari/605.1.15":                                         "Safari on macOS",
		"Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36":                                         "Chrome on Android",
		"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36":                                                "Chrome on ChromeOS",
		"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0":                                                                                        "Firefox on Linux",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/117.0.5938.108 Mobile/15E148 Safari/604.1":               "Chrome on iOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/118.0 Mobile/15E148 Safari/605.1.15":                     "Firefox on iOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/117.2045.65 Mobile/15E148 Safari/605.1.15": "Edge on iOS",
		"Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0":                                                                                       "Firefox",
		strings.Repeat("x", 50) + " more": strings.Repeat("x", 40) + "…",
	} {
		if got := UserAgentSummary(ua); got != want {
			t.Errorf("UserAgentSummary(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestCleanCutsAndReplaces(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"abcdef", 3, "abc…"},
		{"日本語テキスト", 3, "日本語…"},
		{"a\x01b", 10, "a?b"},
		{"a\xffb", 10, "a\ufffdb"}, // invalid UTF-8 never passes through
		// Exactly max runes on the slow path: nothing is cut, so no "…".
		{"café", 4, "café"},
		{"ab\x01", 3, "ab?"},
		{"日本語", 3, "日本語"},
	} {
		got := Clean(c.s, c.max)
		if got != c.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Clean(%q, %d) = %q is not valid UTF-8", c.s, c.max, got)
		}
	}
}

func TestRankIgnoresCase(t *testing.T) {
	// Callers rank a rule's level as written in the rule ("High").
	if Level("High").Rank() != 4 || Level("CRITICAL").Rank() != 5 {
		t.Errorf("Rank is case-sensitive: %d %d", Level("High").Rank(), Level("CRITICAL").Rank())
	}
}

func TestGroupKeyString(t *testing.T) {
	a := &Alert{GroupKey: []KV{{"recipientAccountId", "123456789012"}, {"sourceIPAddress", "198.51.100.7"}}}
	if got, want := a.GroupKeyString(), "recipientAccountId=123456789012, sourceIPAddress=198.51.100.7"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
