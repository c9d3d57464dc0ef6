package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

var t0 = time.Date(2023, 7, 16, 4, 33, 40, 0, time.UTC)

func TestLevels(t *testing.T) {
	for i, name := range []string{"informational", "LOW", " Medium ", "high", "Critical"} {
		l, err := ParseLevel(name)
		if err != nil || l.Rank() != i+1 {
			t.Errorf("%q: %v rank %d", name, err, l.Rank())
		}
	}
	if l, err := ParseLevel("info"); err != nil || l != Informational {
		t.Errorf("info: %v %v", l, err)
	}
	if _, err := ParseLevel("severe"); err == nil || !strings.Contains(err.Error(), "severe") {
		t.Errorf("unknown level must fail naming it: %v", err)
	}
	a := Alert{Rule: RuleRef{Level: "High"}}
	if !a.AtLeast(Medium) || !a.AtLeast(High) || a.AtLeast(Critical) {
		t.Error("AtLeast")
	}
	if Level("bogus").Rank() != 0 {
		t.Error("bogus rank")
	}
}

func rootFailure(ip string, at time.Time) event.SignIn {
	return event.SignIn{Time: at, EventName: "ConsoleLogin", Outcome: event.Failure,
		Actor: event.Actor{Type: event.ActorRoot, Name: "root"}, SourceIP: ip, Account: "123456789012"}
}

func TestSummarizeCorrelation(t *testing.T) {
	var recs []event.SignIn
	for i := 0; i < 12; i++ {
		recs = append(recs, rootFailure("198.51.100.7", t0.Add(time.Duration(i)*20*time.Second)))
	}
	a := &Alert{
		Rule:      RuleRef{ID: "x", Title: "Root sign-in brute force", Level: "high", Kind: KindEventCount},
		GroupKey:  []KV{{"recipientAccountId", "123456789012"}, {"sourceIPAddress", "198.51.100.7"}},
		FirstSeen: t0, LastSeen: t0.Add(220 * time.Second), Count: 12, Records: recs,
	}
	want := "12 failed root console sign-ins to 123456789012 from 198.51.100.7 in 4 min"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Mixed records fall back to the title.
	a.Records = append(a.Records, event.SignIn{EventName: "ConsoleLogin", Outcome: event.Success, Actor: event.Actor{Type: event.ActorRoot}})
	a.Count = 13
	want = "Root sign-in brute force: 13 events to 123456789012 from 198.51.100.7 in 4 min"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSummarizeSingle(t *testing.T) {
	a := &Alert{
		Rule:    RuleRef{Title: "Root console sign-in", Level: "high", Kind: KindSingle},
		Account: "111122223333", SourceIP: "192.0.2.0", Count: 1, Actor: "arn:aws:iam::111122223333:root",
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36",
		FirstSeen: t0, LastSeen: t0,
	}
	want := "Root console sign-in to 111122223333 from 192.0.2.0 (Chrome on Windows)"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	b := &Alert{
		Rule:    RuleRef{Title: "MFA device deactivated or deleted", Level: "high"},
		Account: "123456789012", Actor: "arn:aws:iam::123456789012:user/alice", SourceIP: "AWS Internal",
		UserAgent: "aws-cli/2.13.0 Python/3.11.4 Linux/5.15", Count: 1, Drill: true,
	}
	want = "[drill] MFA device deactivated or deleted in 123456789012 by alice from AWS Internal (aws-cli/2.13.0)"
	if got := Summarize(b); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSummarizeAggregates(t *testing.T) {
	a := &Alert{
		Rule:      RuleRef{Title: "Password spraying from one IP", Level: "high", Kind: KindValueCount},
		GroupKey:  []KV{{"sourceIPAddress", "203.0.113.9"}},
		Account:   "123456789012",
		Aggregate: &Aggregate{Func: "value_count", Field: "userIdentity.userName", Value: 7},
		Count:     9, FirstSeen: t0, LastSeen: t0.Add(12 * time.Minute),
	}
	want := "Password spraying from one IP: 7 distinct user names from 203.0.113.9 to 123456789012 in 12 min"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	alarm := &Alert{
		Rule:      RuleRef{Title: "SignInFailedMFAAlarm", Level: "high", Kind: KindCloudWatchAlarm},
		Account:   "123456789012",
		Aggregate: &Aggregate{Func: "Sum", Value: 3, Threshold: ">= 1"},
		Count:     3, FirstSeen: t0, LastSeen: t0.Add(5 * time.Minute),
	}
	want = "SignInFailedMFAAlarm: Sum 3 (threshold >= 1) to 123456789012 in 5 min"
	if got := Summarize(alarm); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSummarizeUserKeyAndOther(t *testing.T) {
	a := &Alert{
		Rule:     RuleRef{Title: "Repeated failures for one user", Level: "medium"},
		GroupKey: []KV{{"recipientAccountId", "123456789012"}, {"userIdentity.userName", "alice"}, {"awsRegion", "us-east-2"}},
		Count:    10, FirstSeen: t0, LastSeen: t0.Add(90 * time.Minute),
	}
	want := "Repeated failures for one user: 10 events to 123456789012 for alice (awsRegion=us-east-2) in 1 h 30 min"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	Fill(a)
	if a.Summary != want {
		t.Error("Fill did not set the summary")
	}
	a.Summary = "custom"
	Fill(a)
	if a.Summary != "custom" {
		t.Error("Fill overwrote a producer's summary")
	}
}

func TestSummarizeSanitizes(t *testing.T) {
	a := &Alert{Rule: RuleRef{Title: "Console sign-in"}, Count: 1,
		Actor: "evil\x1b[31mred\u202e", UserAgent: "\x1b]0;pwned\x07tool/1.0 more"}
	got := Summarize(a)
	if strings.ContainsAny(got, "\x1b\x07\u202e") {
		t.Errorf("control characters leaked: %q", got)
	}
}

func TestSpanAndUserAgent(t *testing.T) {
	spans := map[time.Duration]string{
		0: "0 s", 35 * time.Second: "35 s", 4*time.Minute + 10*time.Second: "4 min",
		2 * time.Hour: "2 h", 125 * time.Minute: "2 h 5 min", 72 * time.Hour: "3 days",
	}
	for d, want := range spans {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
	uas := map[string]string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36": "Chrome on macOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0":                                      "Firefox on Windows",
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0":             "Edge on Windows",
		"Jersey/${project.version}": "Jersey/${project.version}",
		"":                          "no user agent",
	}
	for ua, want := range uas {
		if got := UserAgentSummary(ua); got != want {
			t.Errorf("UserAgentSummary(%q) = %q, want %q", ua, got, want)
		}
	}
}

func FuzzSummarize(f *testing.F) {
	f.Add("Root console sign-in", "recipientAccountId", "123", "Mozilla/5.0 (Windows NT 10.0) Chrome/1", "high", 3)
	f.Add("", "", "", "\x1b[2J", "weird", 0)
	f.Fuzz(func(t *testing.T, title, key, val, ua, level string, count int) {
		if _, err := ParseLevel(level); err == nil && Level(strings.ToLower(strings.TrimSpace(level))).Rank() == 0 && strings.TrimSpace(strings.ToLower(level)) != "info" {
			t.Fatalf("ParseLevel accepted %q", level)
		}
		a := &Alert{Rule: RuleRef{Title: title}, GroupKey: []KV{{key, val}}, UserAgent: ua, Count: count,
			FirstSeen: t0, LastSeen: t0.Add(time.Duration(count) * time.Second)}
		s := Summarize(a)
		if strings.ContainsAny(s, "\x00\x1b\n\r\x07") {
			t.Fatalf("control character in %q", s)
		}
	})
}

func TestEventNameValueAndHelpers(t *testing.T) {
	a := &Alert{Rule: RuleRef{Title: "Failures from one source IP", Kind: KindEventCount}, EventName: "ConsoleLogin",
		GroupKey: []KV{{"sourceIPAddress", "203.0.113.9"}}, Count: 20, FirstSeen: t0, LastSeen: t0.Add(9 * time.Minute)}
	want := "Failures from one source IP: 20 console sign-ins from 203.0.113.9 in 9 min"
	if got := Summarize(a); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	v := &Alert{Rule: RuleRef{Title: "Password spraying across an account", Kind: KindValueCount}, Value: 11, Count: 14,
		GroupKey: []KV{{"recipientAccountId", "123456789012"}}, FirstSeen: t0, LastSeen: t0.Add(50 * time.Minute)}
	want = "Password spraying across an account: 11 distinct values in 14 events to 123456789012 in 50 min"
	if got := Summarize(v); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	kv := []KV{{"b", "1"}, {"a", "2"}}
	SortKV(kv)
	if kv[0].Key != "a" {
		t.Errorf("SortKV %v", kv)
	}
	if !IsDrill("signwatch-drill-123", "") || !IsDrill("x", "Mozilla/5.0 signwatch-drill/1") || IsDrill("x", "Mozilla/5.0") {
		t.Error("IsDrill")
	}
}

// FuzzClean holds clean's fast path for printable ASCII to the rune by
// rune sanitizer.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"Mozilla/5.0 (X11)", "a\x7fb", "\x1b[2J", "caf\u00e9", "x\u200by", "\xff", strings.Repeat("a", 100)} {
		f.Add(s, 80)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max <= 0 || max > 200 {
			max = 80
		}
		if got, want := clean(s, max), cleanRunes(s, max); got != want {
			t.Fatalf("clean(%q, %d) = %q, want %q", s, max, got, want)
		}
	})
}
