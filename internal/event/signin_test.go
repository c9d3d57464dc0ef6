package event

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// Fixtures reproduce the shapes and values of AWS's documented sign-in
// events (seed 000) and of the Identity Center flow (seed 003).

const iamSuccessNoMFA = `{ "eventVersion": "1.08", "userIdentity": { "type": "IAMUser", "principalId": "EXAMPLE6E4XEGITWATV6R", "arn": "arn:aws:iam::999999999999:user/Anaya", "accountId": "999999999999", "userName": "Anaya" }, "eventTime": "2023-07-19T21:44:40Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0", "requestParameters": null, "responseElements": { "ConsoleLogin": "Success" }, "additionalEventData": { "LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No" }, "eventID": "e1bf1000-86a4-4a78-81d7-EXAMPLE83102", "readOnly": false, "eventType": "AwsConsoleSignIn", "managementEvent": true, "recipientAccountId": "999999999999", "eventCategory": "Management" }`

const iamFailureMFA = `{ "eventVersion": "1.08", "userIdentity": { "type": "IAMUser", "principalId": "EXAMPLE6E4XEGITWATV6R", "accountId": "123456789012", "accessKeyId": "", "userName": "Paulo" }, "eventTime": "2023-07-19T22:01:20Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0", "errorMessage": "Failed authentication", "requestParameters": null, "responseElements": { "ConsoleLogin": "Failure" }, "additionalEventData": { "LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes" }, "eventID": "66c97220-2b7d-43b6-a7a0-EXAMPLEbae9c", "eventType": "AwsConsoleSignIn", "recipientAccountId": "123456789012" }`

const checkMfa = `{ "eventVersion": "1.08", "userIdentity": { "type": "IAMUser", "principalId": "EXAMPLE6E4XEGITWATV6R", "accountId": "123456789012", "accessKeyId": "", "userName": "Alice" }, "eventTime": "2023-07-19T22:01:26Z", "eventSource": "signin.amazonaws.com", "eventName": "CheckMfa", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0", "requestParameters": null, "responseElements": { "CheckMfa": "Success" }, "additionalEventData": { "MfaType": "Virtual MFA" }, "eventID": "7d8a0746-b2e7-44f5-9917-EXAMPLEfb77c", "eventType": "AwsConsoleSignIn", "recipientAccountId": "123456789012" }`

const rootSuccessMFA = `{ "eventVersion": "1.08", "userIdentity": { "type": "Root", "principalId": "444455556666", "arn": "arn:aws:iam::444455556666:root", "accountId": "444455556666", "accessKeyId": "" }, "eventTime": "2023-07-13T03:04:43Z", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36", "requestParameters": null, "responseElements": { "ConsoleLogin": "Success" }, "additionalEventData": { "MobileVersion": "No", "MFAIdentifier": "arn:aws:iam::444455556666:mfa/root-account-mfa-device", "MFAUsed": "Yes" }, "eventID": "e0176723-ea76-4275-83a3-EXAMPLEf03fb", "eventType": "AwsConsoleSignIn", "recipientAccountId": "444455556666" }`

const getSigninToken = `{ "eventVersion": "1.08", "userIdentity": { "type": "AssumedRole", "principalId": "EXAMPLEUU4MH7OYK5ZCOA:JohnDoe", "arn": "arn:aws:sts::123456789012:assumed-role/roleName/JohnDoe", "accountId": "123456789012", "accessKeyId": "originalAccessKeyID", "sessionContext": { "sessionIssuer": { "type": "Role", "principalId": "EXAMPLEUU4MH7OYK5ZCOA", "arn": "arn:aws:iam::123456789012:role/roleName", "accountId": "123456789012", "userName": "roleName" }, "webIdFederationData": {}, "attributes": { "creationDate": "2023-09-25T21:30:39Z", "mfaAuthenticated": "false" } } }, "eventTime": "2023-09-25T21:30:39Z", "eventSource": "signin.amazonaws.com", "eventName": "GetSigninToken", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Java/1.8.0_382", "requestParameters": null, "responseElements": { "credentials": { "accessKeyId": "accessKeyID" }, "GetSigninToken": "Success" }, "additionalEventData": { "MobileVersion": "No", "MFAUsed": "No" }, "eventID": "1d66615b-a417-40da-a38e-EXAMPLE8c89b", "eventType": "AwsConsoleSignIn", "recipientAccountId": "123456789012" }`

const rootChangePassword = `{ "eventVersion": "1.08", "userIdentity": { "type": "Root", "principalId": "444455556666", "arn": "arn:aws:iam::444455556666:root", "accountId": "444455556666", "accessKeyId": "EXAMPLEAOTKEG44KPW5P", "sessionContext": { "sessionIssuer": {}, "webIdFederationData": {}, "attributes": { "creationDate": "2022-11-25T13:01:14Z", "mfaAuthenticated": "false" } } }, "eventTime": "2022-11-25T13:01:14Z", "eventSource": "iam.amazonaws.com", "eventName": "ChangePassword", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0", "userAgent": "Mozilla/5.0", "requestParameters": null, "responseElements": null, "eventID": "d059176c-4f4d-4a9e-b8d7-EXAMPLE2b7b3", "eventType": "AwsApiCall", "recipientAccountId": "444455556666" }`

func parse(t testing.TB, src string) Value {
	t.Helper()
	d := new(Doc)
	if err := d.Parse([]byte(src)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return d.Root()
}

func norm(t testing.TB, src string) SignIn {
	t.Helper()
	s, ok := NormalizeSignIn(parse(t, src))
	if !ok {
		t.Fatalf("not a sign-in: %s", src)
	}
	return s
}

// mutate decodes src, applies fn to the generic map and re-encodes it.
func mutate(t testing.TB, src string, fn func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(src), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sub(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	if v == nil {
		v = map[string]any{}
		m[key] = v
	}
	return v
}

func TestNormalizeIAMUser(t *testing.T) {
	s := norm(t, iamSuccessNoMFA)
	want := SignIn{
		Time: time.Date(2023, 7, 19, 21, 44, 40, 0, time.UTC), EventID: "e1bf1000-86a4-4a78-81d7-EXAMPLE83102",
		Account: "999999999999", Region: "us-east-1", EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
		EventType: "AwsConsoleSignIn",
		Actor: Actor{Type: ActorIAMUser, Name: "Anaya", ARN: "arn:aws:iam::999999999999:user/Anaya",
			PrincipalID: "EXAMPLE6E4XEGITWATV6R", AccountID: "999999999999"},
		Outcome: Success, MFAUsed: false, MFAKnown: true, SourceIP: "192.0.2.0", SourceIsIP: true,
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0",
		LoginTo:   "https://console.aws.amazon.com/console/home",
	}
	if s != want {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestNormalizeFailureAndMFA(t *testing.T) {
	s := norm(t, iamFailureMFA)
	if s.Outcome != Failure || s.FailureReason != "Failed authentication" || !s.MFAUsed || !s.MFAKnown {
		t.Errorf("failure with MFA: %+v", s)
	}
	if s.Actor.Name != "Paulo" || s.Actor.ARN != "" {
		t.Errorf("actor: %+v", s.Actor)
	}
	c := norm(t, checkMfa)
	if c.Outcome != Success || c.MFAType != "Virtual MFA" || c.MFAKnown {
		t.Errorf("CheckMfa: %+v", c)
	}
	r := norm(t, rootSuccessMFA)
	if r.Actor.Type != ActorRoot || r.Actor.Name != "root" || !r.MFAUsed ||
		r.MFAIdentifier != "arn:aws:iam::444455556666:mfa/root-account-mfa-device" || r.Account != "444455556666" {
		t.Errorf("root: %+v", r)
	}
}

func TestMFAShapes(t *testing.T) {
	cases := []struct {
		v           any
		used, known bool
	}{
		{"Yes", true, true}, {"YES", true, true}, {"No", false, true}, {true, true, true},
		{false, false, true}, {"true", true, true}, {"maybe", false, false}, {nil, false, false},
		{"y", true, true}, {"N", false, true}, {" Yes ", true, true}, {"FALSE", false, true},
	}
	for _, c := range cases {
		src := mutate(t, iamSuccessNoMFA, func(m map[string]any) { sub(m, "additionalEventData")["MFAUsed"] = c.v })
		s := norm(t, src)
		if s.MFAUsed != c.used || s.MFAKnown != c.known {
			t.Errorf("MFAUsed %#v: used %v known %v", c.v, s.MFAUsed, s.MFAKnown)
		}
	}
	src := mutate(t, iamSuccessNoMFA, func(m map[string]any) { delete(sub(m, "additionalEventData"), "MFAUsed") })
	if s := norm(t, src); s.MFAKnown {
		t.Errorf("absent MFAUsed must be unknown: %+v", s)
	}
	if s := norm(t, rootChangePassword); s.MFAUsed || !s.MFAKnown {
		t.Errorf("mfaAuthenticated false on an IAM call: %+v", s)
	}
	// Identity Center steps tell MFA by their credential type: a TOTP or
	// WebAuthn step is MFA (any case); a password says MFA was not used
	// only on the step that completes authentication (an MFA step may
	// follow a password's verification); an external IdP's sign-in does not
	// tell.
	for _, c := range []struct {
		step, credType string
		used, known    bool
	}{
		{"CredentialVerification", "TOTP", true, true},
		{"CredentialVerification", "totp", true, true},
		{"CredentialChallenge", "WEBAUTHN", true, true},
		{"UserAuthentication", "WebAuthn", true, true},
		{"CredentialVerification", "PASSWORD", false, false},
		{"UserAuthentication", "PASSWORD", false, true},
		{"UserAuthentication", "EXTERNAL_IDP", false, false},
	} {
		s := norm(t, icStep(t, c.step, "wf", c.credType, "", "", 0))
		if s.MFAUsed != c.used || s.MFAKnown != c.known {
			t.Errorf("%s with %s: used %v known %v, want %v %v", c.step, c.credType, s.MFAUsed, s.MFAKnown, c.used, c.known)
		}
	}
}

func TestOutcomeRules(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want Outcome
	}{
		{"GetSigninToken element", getSigninToken, Success},
		{"ChangePassword API call without error", rootChangePassword, Success},
		{"API call with errorCode", mutate(t, rootChangePassword, func(m map[string]any) { m["errorCode"] = "PasswordPolicyViolation" }), Failure},
		{"PasswordUpdated Failure", mutate(t, rootChangePassword, func(m map[string]any) {
			m["eventSource"], m["eventName"], m["eventType"] = "signin.amazonaws.com", "PasswordUpdated", "AwsConsoleSignIn"
			m["responseElements"] = map[string]any{"PasswordUpdated": "Failure"}
		}), Failure},
		{"ConsoleLogin without result", mutate(t, iamSuccessNoMFA, func(m map[string]any) { m["responseElements"] = nil }), OutcomeUnknown},
		{"ConsoleLogin without result but error", mutate(t, iamSuccessNoMFA, func(m map[string]any) {
			m["responseElements"] = nil
			m["errorMessage"] = "Failed authentication"
		}), Failure},
		{"verification, AWS key", icStep(t, "CredentialVerification", "wf", "TOTP", "CredentialVerification", "Failure", 0), Failure},
		{"verification, seed 003 key", icStep(t, "CredentialVerification", "wf", "TOTP", "CredentialChallenge", "Failure", 0), Failure},
		{"verification success, seed 003 key", icStep(t, "CredentialVerification", "wf", "PASSWORD", "CredentialChallenge", "Success", 0), Success},
	}
	for _, c := range cases {
		if s := norm(t, c.src); s.Outcome != c.want {
			t.Errorf("%s: outcome %s, want %s", c.name, s.Outcome, c.want)
		}
	}
}

// TestOutcomeDetails: results are read whatever their case and in both
// words AWS uses for failure, a service event with no result and no error
// succeeded, and a failure's reason is its message, else its code.
func TestOutcomeDetails(t *testing.T) {
	withResult := func(result string) string {
		return mutate(t, iamSuccessNoMFA, func(m map[string]any) { m["responseElements"] = map[string]any{"ConsoleLogin": result} })
	}
	withError := func(code, msg string) string {
		return mutate(t, rootChangePassword, func(m map[string]any) {
			m["errorCode"], m["errorMessage"] = code, msg
		})
	}
	cases := []struct {
		name, src string
		want      Outcome
		code, why string
	}{
		{"Failed", withResult("Failed"), Failure, "", ""},
		{"SUCCESS", withResult("SUCCESS"), Success, "", ""},
		{"failure", withResult("failure"), Failure, "", ""},
		{"something else", withResult("Pending"), OutcomeUnknown, "", ""},
		{"service event without result", icStep(t, "UserAuthentication", "wf", "", "", "", 0), Success, "", ""},
		{"code and message", withError("PasswordPolicyViolation", "Password does not conform"), Failure, "PasswordPolicyViolation", "Password does not conform"},
		{"code only", withError("PasswordPolicyViolation", ""), Failure, "PasswordPolicyViolation", "PasswordPolicyViolation"},
		{"message only", withError("", "Failed authentication"), Failure, "", "Failed authentication"},
	}
	for _, c := range cases {
		s := norm(t, c.src)
		if s.Outcome != c.want || s.ErrorCode != c.code || s.FailureReason != c.why {
			t.Errorf("%s: outcome %s code %q reason %q, want %s %q %q", c.name, s.Outcome, s.ErrorCode, s.FailureReason, c.want, c.code, c.why)
		}
	}
}

func TestSourceAddresses(t *testing.T) {
	cases := []struct {
		in, out string
		ip      bool
	}{
		{"192.0.2.0", "192.0.2.0", true},
		{"2001:DB8:0:0::0001", "2001:db8::1", true},
		{"::ffff:198.51.100.7", "198.51.100.7", true},
		{"AWS Internal", "AWS Internal", false},
		{"signin.amazonaws.com", "signin.amazonaws.com", false},
		{"225.01.00.16", "225.01.00.16", false},
	}
	for _, c := range cases {
		src := mutate(t, iamSuccessNoMFA, func(m map[string]any) { m["sourceIPAddress"] = c.in })
		s := norm(t, src)
		if s.SourceIP != c.out || s.SourceIsIP != c.ip {
			t.Errorf("%q: got %q ip=%v", c.in, s.SourceIP, s.SourceIsIP)
		}
	}
}

func TestActors(t *testing.T) {
	g := norm(t, getSigninToken)
	if g.Actor.Type != ActorAssumedRole || g.Actor.Name != "JohnDoe" || g.Actor.SessionIssuer != "arn:aws:iam::123456789012:role/roleName" ||
		g.Actor.SSO || g.Actor.AccessKeyID != "originalAccessKeyID" || g.Actor.InstanceID != "" {
		t.Errorf("assumed role: %+v", g.Actor)
	}
	ec2 := mutate(t, getSigninToken, func(m map[string]any) {
		ui := sub(m, "userIdentity")
		ui["arn"] = "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0"
		ui["principalId"] = "AROAEXAMPLE:i-0123456789abcdef0"
	})
	if s := norm(t, ec2); s.Actor.InstanceID != "i-0123456789abcdef0" {
		t.Errorf("instance id: %+v", s.Actor)
	}
	sso := mutate(t, getSigninToken, func(m map[string]any) {
		m["eventName"] = "ConsoleLogin"
		ui := sub(m, "userIdentity")
		ui["arn"] = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/user1"
		sub(sub(ui, "sessionContext"), "sessionIssuer")["arn"] = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
	})
	if s := norm(t, sso); !s.Actor.SSO || s.Actor.Name != "user1" {
		t.Errorf("sso session: %+v", s.Actor)
	}
	saml := mutate(t, getSigninToken, func(m map[string]any) {
		m["eventName"] = "ConsoleLogin"
		sub(m, "additionalEventData")["SamlProviderArn"] = "arn:aws:iam::123456789012:saml-provider/idp"
	})
	if s := norm(t, saml); !s.Actor.SSO || s.SAMLProvider == "" {
		t.Errorf("saml session: %+v", s)
	}
	hidden := mutate(t, iamFailureMFA, func(m map[string]any) { sub(m, "userIdentity")["userName"] = HiddenUser })
	if s := norm(t, hidden); !s.Actor.Hidden || s.Actor.Name != "" {
		t.Errorf("hidden user: %+v", s.Actor)
	}
	fed := mutate(t, getSigninToken, func(m map[string]any) {
		ui := sub(m, "userIdentity")
		ui["type"] = "FederatedUser"
		ui["arn"] = "arn:aws:sts::123456789012:federated-user/Bob"
		delete(ui, "sessionContext")
	})
	if s := norm(t, fed); s.Actor.Type != ActorFederatedUser || s.Actor.Name != "Bob" {
		t.Errorf("federated: %+v", s.Actor)
	}
	weird := mutate(t, iamSuccessNoMFA, func(m map[string]any) { sub(m, "userIdentity")["type"] = "Martian" })
	if s := norm(t, weird); s.Actor.Type != ActorUnknown {
		t.Errorf("unknown type: %+v", s.Actor)
	}
	ic := mutate(t, iamSuccessNoMFA, func(m map[string]any) {
		m["userIdentity"] = map[string]any{"type": "IdentityCenterUser", "accountId": "123456789012",
			"onBehalfOf": map[string]any{"userId": "94482488-3041-7026-18f3-be45837cd0e4"}}
	})
	if s := norm(t, ic); s.Actor.Type != ActorIdentityCenterUser || s.Actor.Name != "94482488-3041-7026-18f3-be45837cd0e4" || !s.Actor.SSO {
		t.Errorf("identity center user: %+v", s.Actor)
	}
	// The session issuer is its ARN, else its user name.
	issuerName := mutate(t, getSigninToken, func(m map[string]any) {
		delete(sub(sub(sub(m, "userIdentity"), "sessionContext"), "sessionIssuer"), "arn")
	})
	if s := norm(t, issuerName); s.Actor.SessionIssuer != "roleName" {
		t.Errorf("issuer without ARN: %q, want its userName", s.Actor.SessionIssuer)
	}
	// Only an assumed role's session named like an instance is an instance's.
	userNamedLikeInstance := mutate(t, iamSuccessNoMFA, func(m map[string]any) {
		ui := sub(m, "userIdentity")
		ui["userName"] = "i-0123456789abcdef0"
		ui["arn"] = "arn:aws:iam::123456789012:user/i-0123456789abcdef0"
	})
	if s := norm(t, userNamedLikeInstance); s.Actor.InstanceID != "" {
		t.Errorf("an IAM user named like an instance: %+v", s.Actor)
	}
	// Every userIdentity type CloudTrail documents keeps its name.
	for _, typ := range []ActorType{ActorRoot, ActorIAMUser, ActorAssumedRole, ActorFederatedUser, ActorIdentityCenterUser,
		ActorAWSService, ActorAWSAccount, ActorSAMLUser, ActorWebIdentityUser} {
		src := mutate(t, iamSuccessNoMFA, func(m map[string]any) { sub(m, "userIdentity")["type"] = string(typ) })
		if s := norm(t, src); s.Actor.Type != typ {
			t.Errorf("type %s read as %s", typ, s.Actor.Type)
		}
	}
}

func TestIsSignIn(t *testing.T) {
	yes := [][2]string{
		{"signin.amazonaws.com", "ConsoleLogin"}, {"signin.amazonaws.com", "SwitchRole"},
		{"signin.amazonaws.com", "PasswordRecoveryRequested"}, {"sso.amazonaws.com", "Federate"},
		{"sso.amazonaws.com", "Authenticate"}, {"sso-oauth.amazonaws.com", "CreateToken"},
		{"iam.amazonaws.com", "DeactivateMFADevice"}, {"iam.amazonaws.com", "UpdateLoginProfile"},
	}
	no := [][2]string{
		{"s3.amazonaws.com", "GetObject"}, {"iam.amazonaws.com", "CreateUser"},
		{"sso.amazonaws.com", "ListApplications"}, {"signin.amazonaws.com", ""}, {"", "ConsoleLogin"},
	}
	for _, c := range yes {
		if !IsSignIn(c[0], c[1]) {
			t.Errorf("%v should be a sign-in event", c)
		}
	}
	for _, c := range no {
		if IsSignIn(c[0], c[1]) {
			t.Errorf("%v should not be a sign-in event", c)
		}
	}
	if _, ok := NormalizeSignIn(parse(t, `{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}`)); ok {
		t.Error("GetObject normalized")
	}
	if _, ok := NormalizeSignIn(parse(t, `["ConsoleLogin"]`)); ok {
		t.Error("array normalized")
	}
}

func TestEventTime(t *testing.T) {
	want := time.Date(2024, 6, 2, 19, 41, 40, 0, time.UTC)
	cases := []string{
		`{"eventTime":"2024-06-02T19:41:40Z"}`,
		`{"eventTime":"2024-06-02T21:41:40+02:00"}`,
		`{"eventTime":"2024-06-02 19:41:40"}`,
		`{"eventTime":"2024-06-02 19:41:40.000000000"}`,
		`{"eventTime":"2024-06-02T19:41:40"}`,
		`{"@timestamp":"2024-06-02T19:41:40.000Z"}`,
		`{"eventTime":"garbage","@timestamp":"2024-06-02T19:41:40Z"}`,
		`{"@timestamp":1717357300000}`,
		`{"@timestamp":1717357300}`,
	}
	for _, c := range cases {
		got, ok := EventTime(parse(t, c))
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: %v %v", c, got, ok)
		}
	}
	for _, c := range []string{`{}`, `{"eventTime":"yesterday"}`, `{"eventTime":"2023-02-29T10:00:00Z"}`, `{"eventTime":"2023-13-01T10:00:00Z"}`, `{"eventTime":null}`, `{"@timestamp":-5}`, `{"eventTime":{"a":1}}`} {
		if got, ok := EventTime(parse(t, c)); ok {
			t.Errorf("%s: parsed as %v", c, got)
		}
	}
	src := mutate(t, iamSuccessNoMFA, func(m map[string]any) { delete(m, "eventTime") })
	if s := norm(t, src); !s.Untimed || !s.Time.IsZero() {
		t.Errorf("untimed: %+v", s)
	}
}

func FuzzNormalizeSignIn(f *testing.F) {
	for _, s := range []string{iamSuccessNoMFA, iamFailureMFA, checkMfa, rootSuccessMFA, getSigninToken, rootChangePassword} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","additionalEventData":{"AuthWorkflowID":1},"eventTime":1e300}`))
	st := NewStitcher(StitchConfig{MaxOpen: 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Doc
		if d.Parse(data) != nil {
			return
		}
		if got, want := ActorLabel(d.Root()), ActorOf(d.Root()).Label(); got != want {
			t.Fatalf("ActorLabel %q, ActorOf(...).Label() %q", got, want)
		}
		s, ok := NormalizeSignIn(d.Root())
		if !ok {
			return
		}
		if s.Outcome != Success && s.Outcome != Failure && s.Outcome != OutcomeUnknown {
			t.Fatalf("outcome %q", s.Outcome)
		}
		if s.MFAUsed && !s.MFAKnown {
			t.Fatal("MFA used but not known")
		}
		st.Add(s)
	})
}

// FuzzParseZulu checks the allocation-free fast path against time.Parse:
// the same instant when it accepts, and it accepts whatever time.Parse
// accepts in the layout it reads.
func FuzzParseZulu(f *testing.F) {
	f.Add("2023-07-19T21:44:40Z")
	f.Add("2024-02-29T23:59:59Z")
	f.Add("2023-02-29T10:00:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseZulu([]byte(s))
		want, err := time.Parse("2006-01-02T15:04:05Z", s)
		if !ok {
			// time.Parse also reads a signed year ("-001-..."), which
			// CloudTrail never writes.
			if err == nil && len(s) == 20 && s[0] != '+' && s[0] != '-' {
				t.Fatalf("%q: rejected, time.Parse reads %v", s, want)
			}
			return
		}
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("%q: fast %v, time.Parse %v %v", s, got, want, err)
		}
	})
}

func TestFieldsMatchesGet(t *testing.T) {
	src := `{"a":1,"b\u0063":"x","a":2,"long":{"k":true},"":null}`
	v := parse(t, src)
	keys := []string{"a", "bc", "long", "", "absent"}
	out := make([]Value, len(keys))
	v.Fields(NewKeys(keys...), out)
	for i, k := range keys {
		if got, want := string(out[i].Raw()), string(v.Get(k).Raw()); got != want || out[i].Kind() != v.Get(k).Kind() {
			t.Errorf("Fields %q = %q, Get = %q", k, got, want)
		}
	}
	parse(t, `[1]`).Fields(NewKeys(keys...), out)
	for i := range out {
		if out[i].Exists() {
			t.Errorf("array member %d found", i)
		}
	}
}

// TestNestedFieldsMatchesGet holds Fields on nested objects, which compares
// keys as words, to Get: keys of every length up to past sixteen bytes,
// keys that share their first or last eight bytes or differ only in the
// middle, repeated and escaped keys, and members so close to the end of the
// text that eight bytes cannot be read from a short key.
func TestNestedFieldsMatchesGet(t *testing.T) {
	keys := []string{"", "a", "ab", "arn", "type", "abcdefg", "abcdefgh", "abcdefghi",
		"principalId", "accessKeyId", "abcdefgh12345678", "abcdefghX2345678",
		"abcdefgh1234567812345678", "abcdefgh1234X67812345678", "sessionContext", "userName", "absent",
		"abcdefgh12345678x"}
	src := `{"top":{"":0,"a":1,"ab":2,"arn":3,"type":4,"abcdefg":5,"abcdefgh":6,"abcdefghi":7,` +
		`"principalId":8,"accessKeyId":9,"abcdefgh12345678":10,"abcdefgh1234567812345678":11,` +
		`"sessionContext":{"a":12},"user\u004eame":13,"a":14,"abcdefgh1234X67812345678":15},` +
		`"end":{"b":{"a":16}}}`
	root := parse(t, src)
	for _, v := range []Value{root.Get("top"), root.Get("end").Get("b")} {
		out := make([]Value, len(keys))
		v.Fields(NewKeys(keys...), out)
		for i, k := range keys {
			if got, want := out[i].Offset(), v.Get(k).Offset(); got != want {
				t.Errorf("Fields(%q) at %d, Get at %d", k, got, want)
			}
		}
	}
	if got := root.Get("top").Get("a").Raw(); string(got) != "14" {
		t.Errorf("repeated key: got %s, want the last member", got)
	}
}

func BenchmarkTopLevelLookup(b *testing.B) {
	v := parse(b, iamSuccessNoMFA)
	keys := []string{"eventTime", "@timestamp", "awsRegion", "recipientAccountId", "userIdentity",
		"sourceIPAddress", "userAgent", "eventName", "eventSource"}
	b.Run("Fields", func(b *testing.B) {
		var out [9]Value
		resolved := NewKeys(keys...)
		for i := 0; i < b.N; i++ {
			v.Fields(resolved, out[:])
		}
	})
	b.Run("Get", func(b *testing.B) {
		var out [9]Value
		for i := 0; i < b.N; i++ {
			for j, k := range keys {
				out[j] = v.Get(k)
			}
		}
	})
}

func BenchmarkNormalizeSignIn(b *testing.B) {
	v := parse(b, rootSuccessMFA)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		NormalizeSignIn(v)
	}
}

func TestActorOf(t *testing.T) {
	a := ActorOf(parse(t, `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0","principalId":"AROAEXAMPLE:i-0123456789abcdef0"}}`))
	if a.Type != ActorAssumedRole || a.Name != "i-0123456789abcdef0" || a.InstanceID != "i-0123456789abcdef0" {
		t.Errorf("%+v", a)
	}
	if a := ActorOf(parse(t, `{"eventName":"ListBuckets"}`)); a.Type != ActorUnknown || a.Name != "" {
		t.Errorf("no identity: %+v", a)
	}
	if a := ActorOf(parse(t, rootChangePassword)); a.Type != ActorRoot || a.Name != "root" {
		t.Errorf("root: %+v", a)
	}
}

// TestActorLabel checks the shortcut against the full normalization, and
// the order in which a label is chosen.
func TestActorLabel(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","userName":"alice"}}`, "arn:aws:iam::123456789012:user/alice"},
		{`{"userIdentity":{"type":"Root","principalId":"123456789012"}}`, "root"},
		{`{"userIdentity":{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}}`, "cloudtrail.amazonaws.com"},
		{`{"userIdentity":{"type":"Unknown","principalId":"AIDAEXAMPLE"}}`, "AIDAEXAMPLE"},
		{`{"userIdentity":{"type":"IAMUser","arn":""},"additionalEventData":{"UserName":"bob"}}`, "bob"},
		{`{"userIdentity":{"arn":7}}`, "7"},
		{`{"userIdentity":"odd"}`, "Unknown"},
		{`{}`, "Unknown"},
	} {
		root := parse(t, c.src)
		if got := ActorLabel(root); got != c.want || got != ActorOf(root).Label() {
			t.Errorf("%s: ActorLabel %q, want %q (ActorOf: %q)", c.src, got, c.want, ActorOf(root).Label())
		}
	}
}

// TestParseZuluEveryDay checks the calendar arithmetic against time.Date
// for every day of the years around the era and century boundaries, and at
// the ends of the four-digit range, at a time of day that exercises every
// field.
func TestParseZuluEveryDay(t *testing.T) {
	years := []int{0, 1, 2, 3, 4, 99, 100, 101, 399, 400, 401, 1600, 1900, 1969, 1970, 1971, 1999, 2000, 2001, 2023, 2024, 2100, 2400, 9998, 9999}
	for _, y := range years {
		for day := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == y; day = day.AddDate(0, 0, 1) {
			want := day.Add(23*time.Hour + 59*time.Minute + 58*time.Second)
			s := fmt.Sprintf("%04d-%02d-%02dT23:59:58Z", y, day.Month(), day.Day())
			got, ok := ParseZulu([]byte(s))
			if !ok || got != want {
				t.Fatalf("%s: %v %v, want %v", s, got, ok, want)
			}
		}
	}
	for _, s := range []string{"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "2023-13-01T00:00:00Z",
		"2023-00-10T00:00:00Z", "2023-01-00T00:00:00Z", "2023-01-01T24:00:00Z", "2023-01-01T00:60:00Z", "2023-01-01T00:00:60Z",
		"2023-01-01T00:00:0/Z", "2023-01-01T00:00:0:Z", "2023-01-01 00:00:00Z", "2023-01-01T00:00:00z", "+023-01-01T00:00:00Z"} {
		if got, ok := ParseZulu([]byte(s)); ok {
			t.Errorf("%s: read as %v", s, got)
		}
	}
}
