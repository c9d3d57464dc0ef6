package baseline

import (
	"strings"

	"github.com/signwatch/signwatch/internal/event"
)

// PrincipalKey returns who signed in, as the baseline keys it within an
// account, and false when the actor is not an identifiable principal:
//
//   - Root: "root" (one per account);
//   - IAMUser: the user ARN, else "user/NAME";
//   - AssumedRole: the session issuer (the role ARN) + "/" + the session
//     name. For an Identity Center permission set (AWSReservedSSO_* role)
//     the session name is the user, so each user of each permission set has
//     its own baseline; other federations that name sessions after users
//     (SAML, a sign-in broker) work the same way;
//   - FederatedUser: the federated-user ARN;
//   - IdentityCenterUser: "identity-center-user/NAME" (user name or id);
//   - anything else (AWS services, unknown actors), and a user name of
//     HIDDEN_DUE_TO_SECURITY_REASONS (no such user): false.
func PrincipalKey(a *event.Actor) (string, bool) {
	if a.Hidden {
		return "", false
	}
	switch a.Type {
	case event.ActorRoot:
		return "root", true
	case event.ActorIAMUser:
		if a.ARN != "" {
			return a.ARN, true
		}
		return prefixed("user/", a.Name)
	case event.ActorAssumedRole:
		return assumedRoleKey(a)
	case event.ActorFederatedUser:
		if a.ARN != "" {
			return a.ARN, true
		}
		return prefixed("federated-user/", a.Name)
	case event.ActorIdentityCenterUser:
		return prefixed("identity-center-user/", a.Name)
	}
	return "", false
}

func assumedRoleKey(a *event.Actor) (string, bool) {
	if a.Name == "" || a.Name == event.HiddenUser {
		return "", false
	}
	if a.SessionIssuer != "" {
		return strings.TrimSuffix(a.SessionIssuer, "/") + "/" + a.Name, true
	}
	if a.ARN != "" { // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION names both
		return a.ARN, true
	}
	return "", false
}

func prefixed(prefix, name string) (string, bool) {
	if name == "" || name == event.HiddenUser {
		return "", false
	}
	return prefix + name, true
}

// FromEvent returns the detector's view of a normalized sign-in event, and
// false unless it is a successful sign-in of an identifiable principal with
// an event time. The successful sign-ins are ConsoleLogin (IAM users, root,
// federated and assumed-role sessions, Identity Center users arriving in a
// member account) and the Identity Center Authenticate event (the user
// authenticated to the portal, the only event an external IdP leaves).
// Failures, CheckMfa, GetSigninToken (a token request, followed by the
// ConsoleLogin that uses it) and credential changes are not sign-ins here.
func FromEvent(s *event.SignIn) (SignIn, bool) {
	if s.Outcome != event.Success || s.Untimed || s.Time.IsZero() || !successfulSignIn(s) {
		return SignIn{}, false
	}
	who, ok := PrincipalKey(&s.Actor)
	if !ok || s.Account == "" {
		return SignIn{}, false
	}
	return SignIn{Account: s.Account, Principal: who, SourceIP: s.SourceIP, EventID: s.EventID, Time: s.Time}, true
}

func successfulSignIn(s *event.SignIn) bool {
	switch {
	case s.EventSource == "signin.amazonaws.com" && s.EventName == "ConsoleLogin":
		return true
	case s.EventSource == "sso.amazonaws.com" && s.EventName == "Authenticate":
		return true
	}
	return false
}
