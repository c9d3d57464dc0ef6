package gen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// signinView decodes the fields sign-in checks need.
type signinView struct {
	record
	ID identityFields
}

func views(t *testing.T, opt Options) []signinView {
	t.Helper()
	recs := decodeAll(t, collect(t, opt))
	out := make([]signinView, len(recs))
	for i, r := range recs {
		out[i].record = r
		if err := json.Unmarshal(r.UserIdentity, &out[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func icResult(v signinView) string {
	if s := str(v.ServiceEvent, "CredentialVerification"); s != "" {
		return s
	}
	return str(v.ServiceEvent, "CredentialChallenge")
}

// TestSignInShapes checks every generated sign-in event against the shapes
// of AWS's documented examples (seed documents 000 and 003).
func TestSignInShapes(t *testing.T) {
	for _, v := range views(t, Options{Seed: 21, Events: 40000}) {
		switch v.EventName {
		case "ConsoleLogin":
			res, mfa := str(v.Response, "ConsoleLogin"), str(v.Additional, "MFAUsed")
			if (res != "Success" && res != "Failure") || (mfa != "Yes" && mfa != "No") {
				t.Fatalf("ConsoleLogin result %q MFAUsed %q", res, mfa)
			}
			if res == "Failure" && (v.ID.ARN != "" && v.ID.Type == "IAMUser") {
				t.Errorf("failed IAM ConsoleLogin carries an arn: %s", v.UserIdentity)
			}
			if v.ID.Type == "Root" && v.AWSRegion != "us-east-1" {
				t.Errorf("root ConsoleLogin recorded in %s", v.AWSRegion)
			}
		case "CheckMfa":
			if str(v.Response, "CheckMfa") != "Success" || str(v.Additional, "MfaType") == "" {
				t.Errorf("CheckMfa shape: %v %v", v.Response, v.Additional)
			}
		case "CredentialVerification":
			ct := str(v.Additional, "CredentialType")
			if r := icResult(v); (r != "Success" && r != "Failure") || ct == "" || str(v.Additional, "AuthWorkflowID") == "" {
				t.Errorf("CredentialVerification shape: %v %v", v.ServiceEvent, v.Additional)
			}
		case "GetSigninToken":
			if str(v.Response, "GetSigninToken") != "Success" || v.ID.Type == "" {
				t.Errorf("GetSigninToken shape: %v", v.Response)
			}
		}
		if v.EventSource == "signin.amazonaws.com" && v.ID.Type == "AssumedRole" && strings.Contains(v.ID.ARN, "AWSReservedSSO_") &&
			!strings.Contains(v.ID.PrincipalID, ":") {
			t.Errorf("SSO session principalId without session name: %s", v.UserIdentity)
		}
	}
}

// TestBenignMonth checks the benign-month scenario: a month, 50 accounts,
// thousands of ordinary sign-ins of every kind, and none of the patterns the
// detection catalog rates high or critical.
func TestBenignMonth(t *testing.T) {
	vs := views(t, Options{Seed: 77, Events: 60000, Scenario: ScenarioBenignMonth})
	accounts := map[string]bool{}
	seen := map[string]int{}
	first, _ := time.Parse(time.RFC3339, vs[0].EventTime)
	last, _ := time.Parse(time.RFC3339, vs[len(vs)-1].EventTime)
	for _, v := range vs {
		accounts[v.Recipient] = true
		for _, bad := range benignViolations(v) {
			t.Errorf("benign month holds %s: %s %s", bad, v.EventName, v.UserIdentity)
		}
		seen[benignKind(v)]++
		if v.EventName == "ConsoleLogin" {
			seen["any-signin-login"]++
		}
	}
	if len(accounts) != 50 {
		t.Errorf("%d accounts, want 50", len(accounts))
	}
	if d := last.Sub(first); d < 29*24*time.Hour {
		t.Errorf("benign month spans %v", d)
	}
	for _, k := range []string{"iam-login", "iam-typo", "checkmfa", "sso-login", "portal-token", "ic-password", "ic-typo",
		"switchrole", "instance-role-api", "hidden-user", "saml-login"} {
		if seen[k] == 0 {
			t.Errorf("benign month has no %s events", k)
		}
	}
	if seen["any-signin-login"] < 300 {
		t.Errorf("only %d console sign-ins", seen["any-signin-login"])
	}
	checkNoBursts(t, vs)
}

// benignViolations lists what a benign event must never be.
func benignViolations(v signinView) []string {
	var out []string
	isSignin := v.EventSource == "signin.amazonaws.com"
	if isSignin && v.ID.Type == "Root" {
		out = append(out, "a root sign-in event")
	}
	if v.EventName == "ConsoleLogin" && str(v.Response, "ConsoleLogin") == "Failure" && str(v.Additional, "MFAUsed") == "Yes" {
		out = append(out, "an MFA failure after a correct password")
	}
	if v.EventName == "CredentialVerification" && icResult(v) == "Failure" && str(v.Additional, "CredentialType") != "PASSWORD" {
		out = append(out, "an Identity Center MFA failure")
	}
	if v.EventName == "GetSigninToken" && v.UserAgent != jerseyUA {
		out = append(out, "GetSigninToken outside the SSO portal")
	}
	if isSignin && strings.Contains(v.ID.PrincipalID, ":i-") {
		out = append(out, "a sign-in with EC2 instance credentials")
	}
	if v.ID.Type == "FederatedUser" {
		out = append(out, "a federated user")
	}
	switch v.EventName {
	case "PasswordRecoveryRequested", "PasswordUpdated", "DeactivateMFADevice", "DeleteVirtualMFADevice", "CreateLoginProfile", "UpdateLoginProfile":
		out = append(out, "a credential takeover step")
	}
	return out
}

func benignKind(v signinView) string {
	switch {
	case v.EventName == "ConsoleLogin" && str(v.Response, "ConsoleLogin") == "Failure" && v.ID.UserName == "HIDDEN_DUE_TO_SECURITY_REASONS":
		return "hidden-user"
	case v.EventName == "ConsoleLogin" && str(v.Response, "ConsoleLogin") == "Failure":
		return "iam-typo"
	case v.EventName == "ConsoleLogin" && strings.Contains(v.ID.ARN, "AWSReservedSSO_"):
		return "sso-login"
	case v.EventName == "ConsoleLogin" && v.ID.Type == "IAMUser":
		return "iam-login"
	case v.EventName == "ConsoleLogin" && str(v.Additional, "SamlProviderArn") != "":
		return "saml-login"
	case v.EventName == "CheckMfa":
		return "checkmfa"
	case v.EventName == "GetSigninToken":
		return "portal-token"
	case v.EventName == "CredentialVerification" && icResult(v) == "Failure":
		return "ic-typo"
	case v.EventName == "CredentialVerification":
		return "ic-password"
	case v.EventName == "SwitchRole":
		return "switchrole"
	case v.EventSource != "signin.amazonaws.com" && strings.Contains(v.ID.PrincipalID, ":i-0"):
		return "instance-role-api"
	}
	return ""
}

// checkNoBursts verifies no failure pattern reaches the catalog's
// thresholds: at most 2 consecutive failures per user, and fewer than 5
// distinct failing users per source address in any 30 minutes.
func checkNoBursts(t *testing.T, vs []signinView) {
	t.Helper()
	type fail struct {
		at   time.Time
		user string
	}
	streak := map[string]int{}
	byIP := map[string][]fail{}
	for _, v := range vs {
		if v.EventName != "ConsoleLogin" {
			continue
		}
		user := v.Recipient + "/" + v.ID.UserName + v.ID.PrincipalID
		if str(v.Response, "ConsoleLogin") == "Success" {
			streak[user] = 0
			continue
		}
		streak[user]++
		if streak[user] > 2 {
			t.Errorf("%d consecutive failures for %s", streak[user], user)
		}
		at, _ := time.Parse(time.RFC3339, v.EventTime)
		byIP[v.SourceIP] = append(byIP[v.SourceIP], fail{at, user})
	}
	for ip, fs := range byIP {
		for i := range fs {
			users := map[string]bool{}
			for j := i; j < len(fs) && fs[j].at.Sub(fs[i].at) <= 30*time.Minute; j++ {
				users[fs[j].user] = true
			}
			if len(users) >= 5 {
				t.Errorf("%d distinct users failing from %s within 30 minutes", len(users), ip)
			}
		}
	}
}

// TestMixHasSuspiciousActivity checks the mix scenario keeps what benign
// month leaves out, so scans of it exercise the detections.
func TestMixHasSuspiciousActivity(t *testing.T) {
	found := map[string]bool{}
	for _, v := range views(t, Options{Seed: 5, Events: 100000}) {
		for _, bad := range benignViolations(v) {
			found[bad] = true
		}
	}
	for _, want := range []string{"a root sign-in event", "an MFA failure after a correct password", "an Identity Center MFA failure",
		"GetSigninToken outside the SSO portal", "a federated user"} {
		if !found[want] {
			t.Errorf("mix has no %s", want)
		}
	}
}
