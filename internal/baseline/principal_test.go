package baseline

import (
	"encoding/json"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// Fixtures in the shape of AWS's documented console sign-in events.
const (
	iamUserLogin = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"EXAMPLE6E4XEGITWATV6R","arn":"arn:aws:iam::999999999999:user/Anaya","accountId":"999999999999","userName":"Anaya"},"eventTime":"2023-07-19T21:44:40Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"e1bf1000-86a4-4a78-81d7-EXAMPLE83102","eventType":"AwsConsoleSignIn","recipientAccountId":"999999999999"}`
	rootLogin    = `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"444455556666","arn":"arn:aws:iam::444455556666:root","accountId":"444455556666","accessKeyId":""},"eventTime":"2023-07-13T03:04:43Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"Yes"},"eventID":"e0176723-ea76-4275-83a3-EXAMPLEf03fb","eventType":"AwsConsoleSignIn","recipientAccountId":"444455556666"}`
	hiddenFail   = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"123456789012","accessKeyId":"","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"},"eventTime":"2023-07-19T22:01:20Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","errorMessage":"No username found in supplied account","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"eventID":"66c97220-2b7d-43b6-a7a0-EXAMPLEbae9c","eventType":"AwsConsoleSignIn","recipientAccountId":"123456789012"}`
	ssoLogin     = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com","arn":"arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com","accountId":"444455556666","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"444455556666","userName":"AWSReservedSSO_Admin_0123456789abcdef"}}},"eventTime":"2023-09-25T21:30:39Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"No"},"eventID":"1d66615b-a417-40da-a38e-EXAMPLE8c89c","eventType":"AwsConsoleSignIn","recipientAccountId":"444455556666"}`
	federated    = `{"eventVersion":"1.08","userIdentity":{"type":"FederatedUser","principalId":"123456789012:JohnDoe","arn":"arn:aws:sts::123456789012:federated-user/JohnDoe","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/broker","userName":"broker"}}},"eventTime":"2023-09-25T21:30:39Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"No"},"eventID":"fed-1","eventType":"AwsConsoleSignIn","recipientAccountId":"123456789012"}`
	icAuth       = `{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"111122223333","accountId":"111122223333","userName":"alice"},"eventTime":"2023-09-25T21:29:00Z","eventSource":"sso.amazonaws.com","eventName":"Authenticate","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":null,"eventID":"auth-1","eventType":"AwsServiceEvent","recipientAccountId":"111122223333"}`
	tokenReq     = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"EXAMPLEUU4MH7OYK5ZCOA:JohnDoe","arn":"arn:aws:sts::123456789012:assumed-role/roleName/JohnDoe","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/roleName","userName":"roleName"}}},"eventTime":"2023-09-25T21:30:39Z","eventSource":"signin.amazonaws.com","eventName":"GetSigninToken","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Java/1.8.0_382","requestParameters":null,"responseElements":{"GetSigninToken":"Success"},"eventID":"tok-1","eventType":"AwsConsoleSignIn","recipientAccountId":"123456789012"}`
	checkMfa     = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"EXAMPLE6E4XEGITWATV6R","accountId":"123456789012","userName":"Alice"},"eventTime":"2023-07-19T22:01:26Z","eventSource":"signin.amazonaws.com","eventName":"CheckMfa","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"CheckMfa":"Success"},"eventID":"mfa-1","eventType":"AwsConsoleSignIn","recipientAccountId":"123456789012"}`
)

func normalize(t *testing.T, src string) event.SignIn {
	t.Helper()
	d := new(event.Doc)
	if err := d.Parse([]byte(src)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	s, ok := event.NormalizeSignIn(d.Root())
	if !ok {
		t.Fatalf("fixture is not a sign-in: %s", src)
	}
	return s
}

// edit decodes src, applies fn and re-encodes it.
func edit(t *testing.T, src string, fn func(m map[string]any)) string {
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

func TestFromEvent(t *testing.T) {
	for _, tc := range []struct {
		name, src, account, principal string
	}{
		{"IAM user", iamUserLogin, "999999999999", "arn:aws:iam::999999999999:user/Anaya"},
		{"root", rootLogin, "444455556666", "root"},
		{"Identity Center permission set", ssoLogin, "444455556666",
			"arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"},
		{"federated user", federated, "123456789012", "arn:aws:sts::123456789012:federated-user/JohnDoe"},
		{"Identity Center authentication", icAuth, "111122223333", "identity-center-user/alice"},
	} {
		ev := normalize(t, tc.src)
		s, ok := FromEvent(&ev)
		if !ok {
			t.Errorf("%s: not taken as a successful sign-in", tc.name)
			continue
		}
		if s.Account != tc.account || s.Principal != tc.principal || s.SourceIP != "192.0.2.0" ||
			s.EventID != ev.EventID || !s.Time.Equal(ev.Time) {
			t.Errorf("%s: got %+v", tc.name, s)
		}
	}
}

func TestFromEventRejects(t *testing.T) {
	cases := map[string]string{
		"hidden user failure": hiddenFail,
		"GetSigninToken":      tokenReq,
		"CheckMfa":            checkMfa,
		"failed IAM login":    edit(t, iamUserLogin, func(m map[string]any) { m["responseElements"] = map[string]any{"ConsoleLogin": "Failure"} }),
		"hidden user success?": edit(t, iamUserLogin, func(m map[string]any) {
			m["userIdentity"] = map[string]any{"type": "IAMUser", "accountId": "1", "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
		}),
		"untimed": edit(t, rootLogin, func(m map[string]any) { delete(m, "eventTime") }),
		"AWS service actor": edit(t, rootLogin, func(m map[string]any) {
			m["userIdentity"] = map[string]any{"type": "AWSService", "invokedBy": "sso.amazonaws.com"}
		}),
		"failed Authenticate": edit(t, icAuth, func(m map[string]any) { m["errorCode"] = "AccessDenied" }),
	}
	for name, src := range cases {
		ev := normalize(t, src)
		if s, ok := FromEvent(&ev); ok {
			t.Errorf("%s: taken as a successful sign-in: %+v", name, s)
		}
	}
}

func TestPrincipalKeySessions(t *testing.T) {
	// Two users of one permission set, and one user of two: four keys, one
	// per user and permission set; the session name is the user.
	keys := map[string]bool{}
	for _, user := range []string{"alice@example.com", "bob@example.com"} {
		for _, role := range []string{"AWSReservedSSO_Admin_0123456789abcdef", "AWSReservedSSO_ReadOnly_fedcba9876543210"} {
			src := edit(t, ssoLogin, func(m map[string]any) {
				ui := m["userIdentity"].(map[string]any)
				ui["arn"] = "arn:aws:sts::444455556666:assumed-role/" + role + "/" + user
				ui["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)["arn"] =
					"arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/" + role
			})
			ev := normalize(t, src)
			k, ok := PrincipalKey(&ev.Actor)
			if !ok {
				t.Fatalf("no key for %s/%s", role, user)
			}
			keys[k] = true
		}
	}
	if len(keys) != 4 {
		t.Errorf("keys %v", keys)
	}
	// Without a session issuer the session ARN names role and session.
	a := event.Actor{Type: event.ActorAssumedRole, Name: "bob", ARN: "arn:aws:sts::1:assumed-role/r/bob"}
	if k, ok := PrincipalKey(&a); !ok || k != a.ARN {
		t.Errorf("issuer-less session: %q %v", k, ok)
	}
	for _, a := range []event.Actor{
		{Type: event.ActorAssumedRole, ARN: "arn:aws:sts::1:assumed-role/r/x"},
		{Type: event.ActorIAMUser, Hidden: true},
		{Type: event.ActorIAMUser},
		{Type: event.ActorIdentityCenterUser, Name: event.HiddenUser},
		{Type: event.ActorUnknown, Name: "x"},
	} {
		if k, ok := PrincipalKey(&a); ok {
			t.Errorf("%+v: key %q", a, k)
		}
	}
}
