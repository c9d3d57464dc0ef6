package event

import (
	"encoding/json"
	"testing"
	"time"
)

var flowStart = time.Date(2020, 12, 8, 20, 40, 13, 0, time.UTC)

// icStep builds an Identity Center sign-in step shaped like AWS's documented
// events: userIdentity type Unknown with the user name, AuthWorkflowID and
// CredentialType in additionalEventData, the result in serviceEventDetails
// under resultKey. offset is seconds after flowStart.
func icStep(t testing.TB, name, workflow, credType, resultKey, result string, offset int) string {
	m := map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{"type": "Unknown", "principalId": "111122223333", "arn": "",
			"accountId": "111122223333", "accessKeyId": "", "userName": "user1"},
		"eventTime":         flowStart.Add(time.Duration(offset) * time.Second).Format(time.RFC3339),
		"eventSource":       "signin.amazonaws.com",
		"eventName":         name,
		"awsRegion":         "us-east-1",
		"sourceIPAddress":   "203.0.113.0",
		"userAgent":         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/87.0.4280.66 Safari/537.36",
		"requestParameters": nil, "responseElements": nil,
		"additionalEventData": map[string]any{"AuthWorkflowID": workflow, "CredentialType": credType},
		"eventID":             name + "-" + workflow + "-" + credType,
		"eventType":           "AwsServiceEvent", "recipientAccountId": "111122223333",
	}
	if resultKey != "" {
		m["serviceEventDetails"] = map[string]any{resultKey: result}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ssoEvent builds an sso.amazonaws.com Authenticate or Federate event.
func ssoEvent(t testing.TB, name, user, ip, account string, offset int) string {
	m := map[string]any{
		"userIdentity": map[string]any{"type": "Unknown", "principalId": "111122223333", "accountId": account, "userName": user},
		"eventTime":    flowStart.Add(time.Duration(offset) * time.Second).Format(time.RFC3339),
		"eventSource":  "sso.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
		"sourceIPAddress": ip, "userAgent": "Mozilla/5.0", "eventID": name + "-" + user + "-" + ip,
		"eventType": "AwsServiceEvent", "recipientAccountId": account,
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ssoConsoleLogin is the console login of an Identity Center permission set
// role session in the target account.
func ssoConsoleLogin(t testing.TB, user, ip string, offset int) string {
	return mutate(t, getSigninToken, func(m map[string]any) {
		m["eventName"] = "ConsoleLogin"
		m["eventID"] = "console-" + user
		m["eventTime"] = flowStart.Add(time.Duration(offset) * time.Second).Format(time.RFC3339)
		m["sourceIPAddress"] = ip
		m["responseElements"] = map[string]any{"ConsoleLogin": "Success"}
		ui := sub(m, "userIdentity")
		ui["arn"] = "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/" + user
		ui["principalId"] = "AROAEXAMPLE:" + user
		sub(sub(ui, "sessionContext"), "sessionIssuer")["arn"] = "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
		m["recipientAccountId"] = "444455556666"
	})
}

func feed(t *testing.T, st *Stitcher, events ...string) []Attempt {
	t.Helper()
	var out []Attempt
	for _, e := range events {
		out = append(out, st.Add(norm(t, e))...)
	}
	return out
}

func TestStitchFullFlow(t *testing.T) {
	st := NewStitcher(StitchConfig{})
	done := feed(t, st,
		icStep(t, "CredentialChallenge", "wf1", "PASSWORD", "CredentialChallenge", "Success", 0),
		icStep(t, "CredentialVerification", "wf1", "PASSWORD", "CredentialChallenge", "Success", 7),
		icStep(t, "CredentialChallenge", "wf1", "TOTP", "CredentialChallenge", "Success", 7),
		icStep(t, "CredentialVerification", "wf1", "TOTP", "CredentialVerification", "Success", 14),
		icStep(t, "UserAuthentication", "wf1", "PASSWORD,TOTP", "UserAuthentication", "Success", 14),
		ssoEvent(t, "Authenticate", "user1", "203.0.113.0", "111122223333", 15),
		ssoEvent(t, "Federate", "user1", "203.0.113.0", "444455556666", 20),
		ssoConsoleLogin(t, "user1", "203.0.113.0", 22),
	)
	if len(done) != 1 {
		t.Fatalf("want the console login to close one attempt, got %d: %+v", len(done), done)
	}
	a := done[0]
	if len(a.Steps) != 8 || a.Outcome != Success || !a.MFAUsed || !a.ConsoleLogin || a.Failures != 0 {
		t.Errorf("attempt: %+v", a)
	}
	if a.WorkflowID != "wf1" || a.User != "user1" || a.Account != "111122223333" || a.TargetAccount != "444455556666" {
		t.Errorf("keys: %+v", a)
	}
	if !a.Start.Equal(flowStart) || !a.End.Equal(flowStart.Add(22*time.Second)) {
		t.Errorf("span %v..%v", a.Start, a.End)
	}
	if got := a.CredentialTypes; len(got) != 2 || got[0] != "PASSWORD" || got[1] != "TOTP" {
		t.Errorf("credential types %v", got)
	}
	if st.Open() != 0 || len(st.Flush()) != 0 {
		t.Error("attempt left open")
	}
}

func TestStitchMFAFailure(t *testing.T) {
	st := NewStitcher(StitchConfig{})
	feed(t, st,
		icStep(t, "CredentialChallenge", "wf2", "PASSWORD", "CredentialChallenge", "Success", 0),
		icStep(t, "CredentialVerification", "wf2", "PASSWORD", "CredentialVerification", "Success", 5),
		icStep(t, "CredentialChallenge", "wf2", "TOTP", "CredentialChallenge", "Success", 5),
		icStep(t, "CredentialVerification", "wf2", "TOTP", "CredentialChallenge", "Failure", 9),
	)
	out := st.Flush()
	if len(out) != 1 || out[0].Outcome != Failure || out[0].Failures != 1 || out[0].MFAUsed || len(out[0].Steps) != 4 {
		t.Fatalf("failed flow: %+v", out)
	}
}

func TestStitchTypoThenSuccess(t *testing.T) {
	st := NewStitcher(StitchConfig{})
	feed(t, st,
		icStep(t, "CredentialVerification", "wf3", "PASSWORD", "CredentialVerification", "Failure", 0),
		icStep(t, "CredentialVerification", "wf3", "PASSWORD", "CredentialVerification", "Success", 10),
		icStep(t, "UserAuthentication", "wf3", "PASSWORD", "UserAuthentication", "Success", 11),
	)
	out := st.Flush()
	if len(out) != 1 || out[0].Outcome != Success || out[0].Failures != 1 {
		t.Fatalf("typo then success: %+v", out)
	}
}

func TestStitchKeysSeparate(t *testing.T) {
	st := NewStitcher(StitchConfig{Window: 5 * time.Minute})
	feed(t, st,
		icStep(t, "UserAuthentication", "wfA", "PASSWORD", "UserAuthentication", "Success", 0),
		icStep(t, "UserAuthentication", "wfB", "PASSWORD", "UserAuthentication", "Success", 1),
		// another address: not the same attempt
		ssoEvent(t, "Authenticate", "user1", "198.51.100.7", "111122223333", 2),
		// another user: not the same attempt
		ssoEvent(t, "Authenticate", "user2", "203.0.113.0", "111122223333", 3),
	)
	out := st.Flush()
	if len(out) != 4 {
		t.Fatalf("want 4 separate attempts, got %d: %+v", len(out), out)
	}
	for i := 1; i < len(out); i++ {
		if out[i].Start.Before(out[i-1].Start) {
			t.Error("flush not ordered by start")
		}
	}
	// The same user and address joins the newest flow, but not after the window.
	st = NewStitcher(StitchConfig{Window: 5 * time.Minute})
	feed(t, st,
		icStep(t, "UserAuthentication", "wfC", "PASSWORD", "UserAuthentication", "Success", 0),
		ssoEvent(t, "Authenticate", "USER1", "203.0.113.0", "111122223333", 60),
	)
	late := feed(t, st, ssoEvent(t, "Federate", "user1", "203.0.113.0", "111122223333", 60+6*60))
	if len(late) != 1 || len(late[0].Steps) != 2 || late[0].WorkflowID != "wfC" {
		t.Fatalf("the late event should expire wfC (2 steps) and not join it: %+v", late)
	}
	rest := st.Flush()
	if len(rest) != 1 || len(rest[0].Steps) != 1 || rest[0].Steps[0].EventName != "Federate" {
		t.Fatalf("late Federate should stand alone: %+v", rest)
	}
}

func TestStitchIgnoresOthersAndBounds(t *testing.T) {
	st := NewStitcher(StitchConfig{MaxOpen: 5})
	if out := st.Add(norm(t, iamSuccessNoMFA)); out != nil || st.Open() != 0 {
		t.Fatal("IAM user console login must not be stitched")
	}
	total := 0
	for i := 0; i < 12; i++ {
		total += len(st.Add(norm(t, icStep(t, "CredentialChallenge", "wf-"+string(rune('a'+i)), "PASSWORD", "CredentialChallenge", "Success", i))))
	}
	if st.Evicted() == 0 || st.Open() > 5 {
		t.Fatalf("cap not enforced: open %d evicted %d", st.Open(), st.Evicted())
	}
	total += len(st.Flush())
	if total != 12 {
		t.Fatalf("attempts lost: %d of 12", total)
	}
}

// A flow whose user is first known by its identity store id and later by
// its user name leaves no stale index behind once closed.
func TestStitchRenamedUserLeavesNoStaleLink(t *testing.T) {
	st := NewStitcher(StitchConfig{Window: 5 * time.Minute})
	first := mutate(t, icStep(t, "CredentialChallenge", "wfR", "PASSWORD", "CredentialChallenge", "Success", 0), func(m map[string]any) {
		m["userIdentity"] = map[string]any{"type": "IdentityCenterUser", "onBehalfOf": map[string]any{"userId": "guid-1"}}
	})
	auth := mutate(t, icStep(t, "UserAuthentication", "wfR", "PASSWORD", "UserAuthentication", "Success", 5), func(m map[string]any) {
		m["userIdentity"] = map[string]any{"type": "IdentityCenterUser", "onBehalfOf": map[string]any{"userId": "guid-1"}}
		sub(m, "additionalEventData")["UserName"] = "alice"
	})
	feed(t, st, first, auth)
	if out := st.Flush(); len(out) != 1 || out[0].User != "alice" || len(out[0].Steps) != 2 {
		t.Fatalf("flow: %+v", out)
	}
	// An sso event for the old id must start a new attempt, not join the closed one.
	feed(t, st, ssoEvent(t, "Authenticate", "guid-1", "203.0.113.0", "111122223333", 10))
	out := st.Flush()
	if len(out) != 1 || len(out[0].Steps) != 1 || out[0].Steps[0].EventName != "Authenticate" {
		t.Fatalf("stale link joined a closed attempt: %+v", out)
	}
	if len(st.byLink) != 0 || len(st.byFlow) != 0 {
		t.Errorf("indexes not emptied: %d links, %d flows", len(st.byLink), len(st.byFlow))
	}
}

// BenchmarkStitcher feeds flows of three steps, 50 of them open at a time.
func BenchmarkStitcher(b *testing.B) {
	recs := make([]SignIn, 0, 3000)
	for i := 0; i < 1000; i++ {
		for j, name := range []string{"CredentialChallenge", "CredentialVerification", "UserAuthentication"} {
			recs = append(recs, SignIn{EventSource: "signin.amazonaws.com", EventName: name, Outcome: Success,
				Time: flowStart.Add(time.Duration(i*12+j) * time.Second), AuthWorkflowID: "wf" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
				Actor: Actor{Type: ActorIdentityCenterUser, Name: "u"}, SourceIP: "203.0.113.1"})
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		st := NewStitcher(StitchConfig{})
		for _, r := range recs {
			st.Add(r)
		}
		st.Flush()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/step")
}
