package summary

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
)

// ev builds a CloudTrail event; extra is spliced into the top-level object.
func ev(id, t, region, account, source, name, identity, ip, ua, extra string) string {
	s := fmt.Sprintf(`{"eventVersion":"1.08","eventID":%q,"awsRegion":%q,"recipientAccountId":%q,"eventSource":%q,"eventName":%q,"userIdentity":%s,"sourceIPAddress":%q,"userAgent":%q`,
		id, region, account, source, name, identity, ip, ua)
	if t != "" {
		s += fmt.Sprintf(`,"eventTime":%q`, t)
	}
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

const (
	rootID  = `{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}`
	aliceID = `{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"}`
	ssoID   = `{"type":"AssumedRole","principalId":"AROAEXAMPLE:bob@example.com","arn":"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/bob@example.com","accountId":"123456789012","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc"}}}`
	roleID  = `{"type":"AssumedRole","principalId":"AROAEXAMPLE:app","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0abc","accountId":"123456789012"}`
	firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0"
)

func login(result, mfa string) string {
	return fmt.Sprintf(`"eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":%q},"additionalEventData":{"MFAUsed":%q}`, result, mfa)
}

// corpus is a small scan whose expected counts are written out by hand.
func corpus() []string {
	return []string{
		ev("r1", "2023-07-16T04:33:40Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", rootID, "198.51.100.7", firefox, login("Failure", "No")),
		ev("r2", "2023-07-16T04:34:40Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", rootID, "198.51.100.7", firefox, login("Failure", "No")),
		ev("r3", "2023-07-16T04:35:40Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", rootID, "198.51.100.7", firefox, login("Failure", "No")),
		ev("r4", "2023-07-16T04:36:40Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", rootID, "198.51.100.7", firefox, login("Success", "No")),
		ev("r5", "2023-07-16T04:40:00Z", "us-east-1", "123456789012", "iam.amazonaws.com", "CreateUser", rootID, "198.51.100.7", "aws-cli/2.13.0", `"eventType":"AwsApiCall"`),
		ev("a1", "2023-07-16T05:00:00Z", "us-east-2", "123456789012", "signin.amazonaws.com", "ConsoleLogin", aliceID, "192.0.2.10", firefox, login("Success", "Yes")),
		ev("a2", "2023-07-16T06:00:00Z", "us-east-2", "123456789012", "signin.amazonaws.com", "ConsoleLogin", aliceID, "192.0.2.10", firefox, login("Success", "No")),
		ev("a3", "2023-07-16T06:00:01Z", "us-east-2", "123456789012", "signin.amazonaws.com", "CheckMfa", aliceID, "192.0.2.10", firefox, `"eventType":"AwsConsoleSignIn","responseElements":{"CheckMfa":"Success"}`),
		ev("s1", "2023-07-16T07:00:00Z", "eu-west-1", "210987654321", "signin.amazonaws.com", "ConsoleLogin", ssoID, "203.0.113.5", firefox, login("Success", "No")),
		ev("x1", "2023-07-16T08:00:00Z", "eu-west-1", "210987654321", "s3.amazonaws.com", "GetObject", roleID, "10.0.0.1", "aws-sdk-go/1.0", `"eventType":"AwsApiCall"`),
		ev("x2", "2023-07-16T08:00:01Z", "eu-west-1", "210987654321", "s3.amazonaws.com", "GetObject", roleID, "10.0.0.1", "aws-sdk-go/1.0", `"eventType":"AwsApiCall"`),
		ev("u1", "", "eu-west-1", "210987654321", "s3.amazonaws.com", "ListBuckets", roleID, "AWS Internal", "AWS Internal", `"eventType":"AwsApiCall"`),
	}
}

var corpusTime = time.Date(2023, 7, 16, 5, 0, 0, 0, time.UTC)

func feed(t testing.TB, s *Summary, events []string) {
	t.Helper()
	var d event.Doc
	for _, e := range events {
		if err := d.Parse([]byte(e)); err != nil {
			t.Fatalf("fixture %s: %v", e, err)
		}
		s.AddEvent(d.Root(), []byte(e))
	}
}

func TestSummaryCounts(t *testing.T) {
	s := New()
	feed(t, s, corpus())
	if s.Unique() != 12 || s.Untimed() != 1 {
		t.Errorf("unique %d untimed %d", s.Unique(), s.Untimed())
	}
	if got := s.SignIns("ConsoleLogin"); got != (Outcomes{Success: 4, Failure: 3}) {
		t.Errorf("ConsoleLogin %+v", got)
	}
	if got := s.SignIns("CheckMfa"); got != (Outcomes{Success: 1}) {
		t.Errorf("CheckMfa %+v", got)
	}
	if got := s.SignIns("GetObject"); got != (Outcomes{}) {
		t.Errorf("GetObject counted as a sign-in: %+v", got)
	}
	if got := s.MFA(event.ActorIAMUser); got != (MFACount{With: 1, Without: 1}) {
		t.Errorf("IAM user MFA %+v", got)
	}
	if got := s.MFA(event.ActorRoot); got != (MFACount{Without: 1}) {
		t.Errorf("root MFA %+v", got)
	}
	if got := s.MFA(event.ActorAssumedRole); got != (MFACount{IdP: 1}) {
		t.Errorf("SSO MFA %+v", got)
	}
	events, signIns := s.Root()
	if events != 5 || signIns != (Outcomes{Success: 1, Failure: 3}) {
		t.Errorf("root %d %+v", events, signIns)
	}
	first, last := s.TimeRange()
	if first.Format("15:04:05") != "04:33:40" || last.Format("15:04:05") != "08:00:01" {
		t.Errorf("time range %v %v", first, last)
	}
	v := s.View()
	if v.Top.SourceIPs[0] != (Entry{"198.51.100.7", 5}) {
		t.Errorf("top source IP %+v", v.Top.SourceIPs)
	}
	if v.SignInTop.SourceIPs[0] != (Entry{"198.51.100.7", 4}) || len(v.SignInTop.SourceIPs) != 3 {
		t.Errorf("top sign-in source IPs %+v", v.SignInTop.SourceIPs)
	}
	if v.SignInTop.Users[0] != (Entry{"arn:aws:iam::123456789012:root", 4}) {
		t.Errorf("top sign-in users %+v", v.SignInTop.Users)
	}
	wantConsole := []ConsoleCount{
		{"AssumedRole", Outcomes{Success: 1}, 1},
		{"IAMUser", Outcomes{Success: 2}, 2},
		{"Root", Outcomes{Success: 1, Failure: 3}, 4},
	}
	if !reflect.DeepEqual(v.ConsoleSignIns, wantConsole) {
		t.Errorf("console sign-ins %+v", v.ConsoleSignIns)
	}
	if !reflect.DeepEqual(v.FailureTop.SourceIPs, []Entry{{"198.51.100.7", 3}}) ||
		!reflect.DeepEqual(v.FailureTop.Users, []Entry{{"arn:aws:iam::123456789012:root", 3}}) {
		t.Errorf("failure top %+v", v.FailureTop)
	}
	wantRegions := []Entry{{"eu-west-1", 4}, {"us-east-1", 5}, {"us-east-2", 3}}
	gotRegions := append([]Entry{}, v.Regions...)
	sortEntries(gotRegions)
	if !reflect.DeepEqual(gotRegions, wantRegions) {
		t.Errorf("regions %+v", v.Regions)
	}
	if v.Root.TopEventNames[0] != (Entry{"ConsoleLogin", 4}) || v.Root.TopEventNames[1] != (Entry{"CreateUser", 1}) {
		t.Errorf("root event names %+v", v.Root.TopEventNames)
	}
}

func sortEntries(e []Entry) {
	for i := range e {
		for j := i + 1; j < len(e); j++ {
			if e[j].Key < e[i].Key {
				e[i], e[j] = e[j], e[i]
			}
		}
	}
}

func TestRegionWarning(t *testing.T) {
	s := New()
	if s.MissingSignInRegions() != nil || len(s.Warnings()) != 0 {
		t.Error("no warning without events")
	}
	feed(t, s, corpus())
	if got := s.MissingSignInRegions(); !reflect.DeepEqual(got, []string{"eu-north-1", "ap-southeast-2"}) {
		t.Errorf("missing %v", got)
	}
	w := s.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "eu-north-1, ap-southeast-2") {
		t.Errorf("warning %q", w)
	}
	only := New()
	feed(t, only, corpus()[9:11]) // eu-west-1 only
	if w := only.Warnings(); len(w) != 1 || !strings.Contains(w[0], "us-east-1, us-east-2, eu-north-1, ap-southeast-2") || !strings.Contains(w[0], "root") {
		t.Errorf("eu-west-1 only: %q", w)
	}
	for _, r := range SignInRegions {
		only.NoteScannedRegion(r)
	}
	if w := only.Warnings(); len(w) != 0 {
		t.Errorf("all regions scanned, still warned: %q", w)
	}
}

func TestMergeEqualsSequential(t *testing.T) {
	all := NewWithConfig(Config{MaxPositions: 3})
	feed(t, all, corpus())
	for i := 0; i < 4; i++ {
		all.AddProblem(fmt.Sprintf("f.json:%d:1: invalid", i))
	}
	all.AddSkipped("README.md", "not CloudTrail")
	all.AddFile("a", 10)
	all.AddFile("b", 10)
	all.AddFile("c", 10)
	for i := 0; i < 14; i++ {
		all.AddRead()
	}
	all.AddDuplicate()
	all.AddDuplicate()
	all.AddOutOfRange()
	all.SetCorrelationStats(2)
	all.AddAlarmTransition("mfa", "OK", "ALARM", corpusTime, "threshold crossed")

	a, b := NewWithConfig(Config{MaxPositions: 3}), NewWithConfig(Config{MaxPositions: 3})
	feed(t, a, corpus()[:5])
	feed(t, b, corpus()[5:])
	a.AddProblem("f.json:0:1: invalid")
	a.AddProblem("f.json:1:1: invalid")
	b.AddProblem("f.json:2:1: invalid")
	b.AddProblem("f.json:3:1: invalid")
	b.AddSkipped("README.md", "not CloudTrail")
	attempts := []event.Attempt{{Outcome: event.Success, MFAUsed: true, ConsoleLogin: true}, {Outcome: event.Failure}, {Outcome: event.OutcomeUnknown, Evicted: true}}
	for i := range attempts {
		all.AddAttempt(&attempts[i])
	}
	a.AddAttempt(&attempts[0])
	b.AddAttempt(&attempts[1])
	b.AddAttempt(&attempts[2])
	a.AddFile("a", 10)
	b.AddFile("b", 10)
	b.AddFile("c", 10)
	for i := 0; i < 6; i++ {
		a.AddRead()
	}
	for i := 0; i < 8; i++ {
		b.AddRead()
	}
	a.AddDuplicate()
	b.AddDuplicate()
	b.AddOutOfRange()
	a.SetCorrelationStats(1)
	b.SetCorrelationStats(1)
	b.AddAlarmTransition("mfa", "OK", "ALARM", corpusTime, "threshold crossed")
	a.Merge(b)

	want, _ := json.Marshal(all.View())
	got, _ := json.Marshal(a.View())
	if string(got) != string(want) {
		t.Errorf("merged view differs\n got %s\nwant %s", got, want)
	}
	if !reflect.DeepEqual(a.SignInsOverTime(), all.SignInsOverTime()) {
		t.Errorf("merged histogram differs: %+v", a.SignInsOverTime())
	}
	wantIC := IdentityCenter{Attempts: 3, Outcomes: Outcomes{Success: 1, Failure: 1, Unknown: 1}, WithMFA: 1, Console: 1, Evicted: 1}
	if ic := a.View().IdentityCenter; ic != wantIC {
		t.Errorf("identity center %+v", ic)
	}
	if v := a.View(); len(v.Events.ErrorPositions) != 3 || v.Events.ParseErrors != 4 {
		t.Errorf("positions %v", v.Events.ErrorPositions)
	}
}

func TestCounterKeepsHeavyHitters(t *testing.T) {
	c := NewCounter(100)
	for i := 0; i < 10000; i++ {
		c.Add(fmt.Sprintf("rare-%05d", i), 1)
		if i%10 == 0 {
			c.AddBytes([]byte("heavy"))
		}
		if i%20 == 0 {
			c.Add("medium", 1)
		}
	}
	if c.Len() > 100 {
		t.Fatalf("cap exceeded: %d keys", c.Len())
	}
	top := c.Top(2)
	if top[0] != (Entry{"heavy", 1000}) || top[1] != (Entry{"medium", 500}) {
		t.Errorf("top %+v", top)
	}
	if c.Exact() {
		t.Error("pruned counter reported exact")
	}
	occ, keys := c.Dropped()
	if occ == 0 || keys == 0 || occ < keys {
		t.Errorf("dropped %d occurrences %d keys", occ, keys)
	}
	ties := NewCounter(10)
	for _, k := range []string{"b", "c", "a"} {
		ties.Add(k, 2)
	}
	if got := ties.Top(0); !reflect.DeepEqual(got, []Entry{{"a", 2}, {"b", 2}, {"c", 2}}) {
		t.Errorf("ties %+v", got)
	}
}

func TestAddEventCheapForNonSignIns(t *testing.T) {
	s := New()
	e := corpus()[9]
	var d event.Doc
	if err := d.Parse([]byte(e)); err != nil {
		t.Fatal(err)
	}
	root, raw := d.Root(), []byte(e)
	s.AddEvent(root, raw)
	if n := testing.AllocsPerRun(100, func() { s.AddEvent(root, raw) }); n != 0 {
		t.Errorf("AddEvent of a known non-sign-in allocates %v times", n)
	}
}

func TestEventNamesBounded(t *testing.T) {
	s := New()
	var events []string
	for i := 0; i < maxEventNames+10; i++ {
		events = append(events, ev(fmt.Sprint(i), "2023-07-16T04:33:40Z", "us-east-1", "1", "signin.amazonaws.com",
			fmt.Sprintf("Made%d", i), aliceID, "192.0.2.1", "x", ""))
	}
	feed(t, s, events)
	if n := len(s.View().SignIns); n > maxEventNames+1 {
		t.Errorf("%d sign-in names kept", n)
	}
	if got := s.SignIns(OtherEventName).Total(); got != 10 {
		t.Errorf("other: %d", got)
	}
}

func BenchmarkAddEvent(b *testing.B) {
	for _, c := range []struct {
		name string
		e    string
	}{{"api-call", corpus()[9]}, {"console-login", corpus()[5]}} {
		b.Run(c.name, func(b *testing.B) {
			s := New()
			var d event.Doc
			if err := d.Parse([]byte(c.e)); err != nil {
				b.Fatal(err)
			}
			root, raw := d.Root(), []byte(c.e)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s.AddEvent(root, raw)
			}
		})
	}
}

// FuzzAddEvent feeds arbitrary JSON events: the summary must never panic,
// and its view must always encode.
func FuzzAddEvent(f *testing.F) {
	for _, e := range corpus() {
		f.Add([]byte(e))
	}
	f.Add([]byte(`{"eventTime":12,"userIdentity":"Root","eventSource":"iam.amazonaws.com","eventName":"ChangePassword"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d event.Doc
		if d.Parse(data) != nil {
			return
		}
		// A fresh summary per input: state shared across millions of fuzz
		// inputs grows without bound and slows the fuzzer to a stall.
		s := NewWithConfig(Config{TopCap: 8})
		s.AddEvent(d.Root(), data)
		s.AddEvent(d.Root(), data)
		if _, err := json.Marshal(s.View()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPipelineCounters(t *testing.T) {
	s := New()
	for i := 0; i < 8; i++ {
		s.AddRead()
	}
	s.AddFile("a.json.gz", 3e6)
	s.SetThroughput(2*time.Second, 4e6)
	s.SetRules(10, 3, 1)
	s.SetCorrelationStats(5)
	s.AddOutOfRange()
	s.SetAlerts([]alert.Alert{{Rule: alert.RuleRef{Level: "high"}}, {Rule: alert.RuleRef{Level: "High"}}, {Rule: alert.RuleRef{Level: "bogus"}}})
	v := s.View()
	if v.RulesLoaded != 13 || v.Rules != (RuleCounts{10, 3, 1}) {
		t.Errorf("rules %d %+v", v.RulesLoaded, v.Rules)
	}
	want := Throughput{ElapsedSeconds: 2, BytesRead: 4e6, DecodedBytes: 3e6, EventsPerSecond: 4, MBPerSecond: 2, DecodedMBPerSecond: 1.5}
	if v.Throughput != want {
		t.Errorf("throughput %+v", v.Throughput)
	}
	if v.Files.Read != 1 || v.Events.Read != 8 || v.Events.OutOfRange != 1 || v.CorrelationEvicts != 5 {
		t.Errorf("counters %+v %+v", v.Files, v.Events)
	}
	if v.DetectionsByLevel["high"] != 2 || v.DetectionsByLevel["unknown"] != 1 || v.DetectionsByLevel["low"] != 0 {
		t.Errorf("levels %v", v.DetectionsByLevel)
	}
	if len(v.Warnings) == 0 || !strings.Contains(v.Warnings[0], "5 groups or events were evicted") {
		t.Errorf("eviction warning %q", v.Warnings)
	}
}

func TestSignInUserKeyUnifiesIAMUsers(t *testing.T) {
	s := New()
	noARN := `{"type":"IAMUser","accountId":"123456789012","userName":"alice"}`
	feed(t, s, []string{
		ev("n1", "2023-07-16T05:00:00Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", noARN, "192.0.2.10", firefox, login("Failure", "No")),
		ev("n2", "2023-07-16T05:01:00Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", aliceID, "192.0.2.10", firefox, login("Success", "No")),
		ev("n3", "2023-07-16T05:02:00Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", `{"type":"IAMUser","accountId":"123456789012","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}`, "192.0.2.10", firefox, login("Failure", "No")),
	})
	users := s.View().SignInTop.Users
	want := []Entry{{"arn:aws:iam::123456789012:user/alice", 2}, {HiddenUserKey, 1}}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users %+v", users)
	}
}

func TestSignInsOverTime(t *testing.T) {
	s := New()
	feed(t, s, corpus())
	got := s.SignInsOverTime()
	// Console logins of corpus(): 04:33-04:36 (3 failures, 1 success), 05:00, 06:00, 07:00 successes.
	want := []TimeBucket{
		{time.Date(2023, 7, 16, 4, 0, 0, 0, time.UTC), Outcomes{Success: 1, Failure: 3}},
		{time.Date(2023, 7, 16, 5, 0, 0, 0, time.UTC), Outcomes{Success: 1}},
		{time.Date(2023, 7, 16, 6, 0, 0, 0, time.UTC), Outcomes{Success: 1}},
		{time.Date(2023, 7, 16, 7, 0, 0, 0, time.UTC), Outcomes{Success: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}

// TestCounterLastKeyCache checks that AddBytes (which remembers the last
// key) counts exactly as Add does, through prunes and merges.
func TestCounterLastKeyCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 200; round++ {
		cached, plain := NewCounter(2+rng.IntN(6)), NewCounter(0)
		plain.cap = cached.cap
		for i := 0; i < 300; i++ {
			k := fmt.Sprintf("k%d", rng.IntN(10))
			if rng.IntN(10) == 0 {
				// a merge in between, which may prune
				o := NewCounter(100)
				o.Add(k, 2)
				cached.Merge(o)
				plain.Merge(o)
				continue
			}
			cached.AddBytes([]byte(k))
			plain.Add(k, 1)
		}
		for i := 0; i < 10; i++ {
			k := fmt.Sprintf("k%d", i)
			if cached.Get(k) != plain.Get(k) {
				t.Fatalf("round %d: %s counted %d, want %d", round, k, cached.Get(k), plain.Get(k))
			}
		}
		if a, b := fmt.Sprint(cached.Dropped()), fmt.Sprint(plain.Dropped()); a != b {
			t.Fatalf("round %d: dropped %s, want %s", round, a, b)
		}
	}
}

// TestAddEventNormalizedAgrees checks that a caller passing what it has
// worked out already gets the summary AddEvent would build.
func TestAddEventNormalizedAgrees(t *testing.T) {
	events := []string{
		ev("a", "2023-07-16T04:33:40Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", rootID, "198.51.100.7", firefox, login("Success", "No")),
		ev("b", "2023-07-16T04:35:00Z", "us-east-1", "123456789012", "signin.amazonaws.com", "ConsoleLogin", aliceID, "198.51.100.8", firefox, login("Failure", "No")),
		ev("c", "", "eu-west-1", "123456789012", "s3.amazonaws.com", "GetObject", roleID, "10.0.0.1", "aws-sdk-go", `"@timestamp":"2023-07-16T05:00:00.000Z"`),
		ev("d", "", "eu-west-1", "123456789012", "s3.amazonaws.com", "PutObject", roleID, "10.0.0.1", "aws-sdk-go", ""),
		ev("e", "1689482020", "eu-west-1", "123456789012", "sso.amazonaws.com", "Federate", ssoID, "203.0.113.9", firefox, ""),
		ev("f", "not a time", "us-east-1", "123456789012", "iam.amazonaws.com", "CreateLoginProfile", aliceID, "203.0.113.9", firefox, `"requestParameters":{"userName":"mallory"}`),
	}
	plain, normalized := New(), New()
	var d event.Doc
	for _, e := range events {
		if err := d.Parse([]byte(e)); err != nil {
			t.Fatal(err)
		}
		plain.AddEvent(d.Root(), []byte(e))
		n := Normalized{}
		n.Time, n.Timed = event.EventTime(d.Root())
		if si, ok := event.NormalizeSignIn(d.Root()); ok {
			n.SignIn = &si
		}
		normalized.AddEventNormalized(d.Root(), []byte(e), n)
	}
	a, _ := json.Marshal(plain.View())
	b, _ := json.Marshal(normalized.View())
	if string(a) != string(b) {
		t.Fatalf("AddEventNormalized differs from AddEvent:\n got %s\nwant %s", b, a)
	}
	if v := plain.View(); v.Events.Unique != int64(len(events)) || len(v.SignIns) == 0 {
		t.Fatalf("the fixture should count sign-ins: %+v", v.SignIns)
	}
}
