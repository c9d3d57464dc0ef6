package event

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ActorType is the kind of principal behind a sign-in event. Known
// userIdentity.type values keep their CloudTrail spelling; anything else is
// ActorUnknown.
type ActorType string

// The actor types of SPEC 3, plus the other userIdentity.type values
// CloudTrail documents.
const (
	ActorRoot               ActorType = "Root"
	ActorIAMUser            ActorType = "IAMUser"
	ActorAssumedRole        ActorType = "AssumedRole"
	ActorFederatedUser      ActorType = "FederatedUser"
	ActorIdentityCenterUser ActorType = "IdentityCenterUser"
	ActorAWSService         ActorType = "AWSService"
	ActorAWSAccount         ActorType = "AWSAccount"
	ActorSAMLUser           ActorType = "SAMLUser"
	ActorWebIdentityUser    ActorType = "WebIdentityUser"
	ActorUnknown            ActorType = "Unknown"
)

// Outcome is the result of a sign-in step.
type Outcome string

// The outcomes.
const (
	Success        Outcome = "Success"
	Failure        Outcome = "Failure"
	OutcomeUnknown Outcome = "Unknown"
)

// HiddenUser is AWS's stand-in for a user name that does not exist (or was
// mistyped); it never names a principal.
const HiddenUser = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Actor is the normalized principal of a sign-in event.
type Actor struct {
	Type          ActorType `json:"type"`
	Name          string    `json:"name,omitempty"` // user name, role session name, "root"; empty when Hidden
	ARN           string    `json:"arn,omitempty"`
	PrincipalID   string    `json:"principal_id,omitempty"`
	AccountID     string    `json:"account_id,omitempty"` // userIdentity.accountId
	AccessKeyID   string    `json:"access_key_id,omitempty"`
	SessionIssuer string    `json:"session_issuer,omitempty"` // ARN (or name) of the role behind an assumed-role session
	SSO           bool      `json:"sso,omitempty"`            // an Identity Center or SAML federated session
	InstanceID    string    `json:"instance_id,omitempty"`    // EC2 instance id when the session name is i-...
	Hidden        bool      `json:"hidden,omitempty"`         // user name was HIDDEN_DUE_TO_SECURITY_REASONS
}

// SignIn is the normalized record of one sign-in related event (SPEC 3).
type SignIn struct {
	Time           time.Time `json:"time"`
	Untimed        bool      `json:"untimed,omitempty"` // neither eventTime nor @timestamp could be read
	EventID        string    `json:"event_id,omitempty"`
	Account        string    `json:"account,omitempty"` // recipientAccountId, else userIdentity.accountId
	Region         string    `json:"region,omitempty"`
	EventSource    string    `json:"event_source"`
	EventName      string    `json:"event_name"`
	EventType      string    `json:"event_type,omitempty"`
	Actor          Actor     `json:"actor"`
	Outcome        Outcome   `json:"outcome"`
	FailureReason  string    `json:"failure_reason,omitempty"` // errorMessage, else errorCode
	ErrorCode      string    `json:"error_code,omitempty"`
	MFAUsed        bool      `json:"mfa_used"`
	MFAKnown       bool      `json:"mfa_known"` // the event says whether MFA was used
	MFAType        string    `json:"mfa_type,omitempty"`
	MFAIdentifier  string    `json:"mfa_identifier,omitempty"`
	CredentialType string    `json:"credential_type,omitempty"` // PASSWORD, TOTP, WEBAUTHN, EXTERNAL_IDP...
	SourceIP       string    `json:"source_ip,omitempty"`       // canonical form when an IP, else the raw string
	SourceIsIP     bool      `json:"source_is_ip"`
	UserAgent      string    `json:"user_agent,omitempty"`
	LoginTo        string    `json:"login_to,omitempty"`
	SAMLProvider   string    `json:"saml_provider,omitempty"`    // additionalEventData.SamlProviderArn
	AuthWorkflowID string    `json:"auth_workflow_id,omitempty"` // Identity Center sign-in flow id
	TargetUser     string    `json:"target_user,omitempty"`      // requestParameters.userName of IAM credential changes
}

var ssoSignIn = map[string]bool{
	"Authenticate": true, "Federate": true, "CreateToken": true, "GetRoleCredentials": true,
	"Logout": true, "CreateTokenWithIAM": true,
}

var iamCredentialChange = map[string]bool{
	"ChangePassword": true, "CreateLoginProfile": true, "UpdateLoginProfile": true,
	"DeleteLoginProfile": true, "EnableMFADevice": true, "DeactivateMFADevice": true,
	"DeleteVirtualMFADevice": true, "CreateVirtualMFADevice": true, "ResyncMFADevice": true,
}

// IsSignIn reports whether an event is sign-in related (SPEC 3): every
// signin.amazonaws.com event; the sign-in and token events of IAM Identity
// Center (sso.amazonaws.com and sso-oauth.amazonaws.com: Authenticate,
// Federate, CreateToken, CreateTokenWithIAM, GetRoleCredentials, Logout); and
// the IAM credential changes (password, login profile and MFA device events).
func IsSignIn(eventSource, eventName string) bool {
	switch eventSource {
	case "signin.amazonaws.com":
		return eventName != ""
	case "sso.amazonaws.com", "sso-oauth.amazonaws.com":
		return ssoSignIn[eventName]
	case "iam.amazonaws.com":
		return iamCredentialChange[eventName]
	}
	return false
}

// The top-level keys every event is asked for.
var (
	keyEventSource  = NewKey("eventSource")
	keyEventName    = NewKey("eventName")
	keyUserIdentity = NewKey("userIdentity")
)

// NormalizeSignIn builds the sign-in record of an event. It returns false
// when root is not an object or the event is not a sign-in (IsSignIn).
func NormalizeSignIn(root Value) (SignIn, bool) {
	if root.Kind() != Object {
		return SignIn{}, false
	}
	// Decide on the bytes first: most events are not sign-ins, and their
	// names need not become strings.
	src, name := root.GetKey(keyEventSource), root.GetKey(keyEventName)
	if !scalar(src) || !scalar(name) || !IsSignIn(string(src.Bytes()), string(name.Bytes())) {
		return SignIn{}, false
	}
	s := SignIn{EventSource: src.Str(), EventName: name.Str()}
	t, ok := EventTime(root)
	s.Time, s.Untimed = t, !ok
	s.EventID = str(root, "eventID")
	s.Region = str(root, "awsRegion")
	s.EventType = str(root, "eventType")
	s.UserAgent = str(root, "userAgent")
	s.SourceIP, s.SourceIsIP = CanonicalIP(str(root, "sourceIPAddress"))
	ad := root.Get("additionalEventData")
	s.LoginTo = str(ad, "LoginTo")
	s.CredentialType = str(ad, "CredentialType")
	s.MFAType = str(ad, "MfaType")
	s.MFAIdentifier = str(ad, "MFAIdentifier")
	s.SAMLProvider = str(ad, "SamlProviderArn")
	s.AuthWorkflowID = str(ad, "AuthWorkflowID")
	s.TargetUser = str(root.Get("requestParameters"), "userName")
	s.Actor = normalizeActor(root, &s)
	s.Account = str(root, "recipientAccountId")
	if s.Account == "" {
		s.Account = s.Actor.AccountID
	}
	s.Outcome, s.ErrorCode, s.FailureReason = outcome(root, s.EventName, s.EventType)
	s.MFAUsed, s.MFAKnown = mfa(root, &s)
	return s, true
}

// Label is the text that names the actor in an alert: its ARN, name,
// principal id or type, the first that is known.
func (a Actor) Label() string {
	switch {
	case a.ARN != "":
		return a.ARN
	case a.Name != "":
		return a.Name
	case a.PrincipalID != "":
		return a.PrincipalID
	}
	return string(a.Type)
}

// ActorLabel is ActorOf(root).Label(), without normalizing the actor when
// its ARN names it (as it does in most events).
func ActorLabel(root Value) string {
	if arn := str(root.GetKey(keyUserIdentity), "arn"); arn != "" {
		return arn
	}
	return ActorOf(root).Label()
}

// ActorOf normalizes the principal of any event, sign-in or not, the way
// NormalizeSignIn does for sign-ins (Identity Center steps aside, an
// unknown userIdentity.type is ActorUnknown).
func ActorOf(root Value) Actor {
	s := SignIn{EventSource: str(root, "eventSource"), EventName: str(root, "eventName")}
	s.SAMLProvider = str(root.Get("additionalEventData"), "SamlProviderArn")
	return normalizeActor(root, &s)
}

// scalar reports whether v is a string, number or boolean (what str reads).
func scalar(v Value) bool {
	switch v.Kind() {
	case String, Number, Bool:
		return true
	}
	return false
}

// str returns the string (or scalar text) of member key of v, "" when absent.
func str(v Value, key string) string {
	if m := v.Get(key); scalar(m) {
		return m.Str()
	}
	return ""
}

// CanonicalIP returns the canonical text of an IP address (IPv4-mapped IPv6
// unmapped, IPv6 compressed and lower-case) and true, or s unchanged and false
// when s is not an IP address ("AWS Internal", a service name, an anonymised
// "225.01.00.16").
func CanonicalIP(s string) (string, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return s, false
	}
	return a.Unmap().String(), true
}

func normalizeActor(root Value, s *SignIn) Actor {
	ui := root.Get("userIdentity")
	a := Actor{
		ARN:         str(ui, "arn"),
		PrincipalID: str(ui, "principalId"),
		AccountID:   str(ui, "accountId"),
		AccessKeyID: str(ui, "accessKeyId"),
	}
	a.Type = actorType(str(ui, "type"), s)
	issuer := ui.Path("sessionContext", "sessionIssuer")
	a.SessionIssuer = str(issuer, "arn")
	if a.SessionIssuer == "" {
		a.SessionIssuer = str(issuer, "userName")
	}
	userName := str(ui, "userName")
	if userName == "" {
		userName = str(root.Get("additionalEventData"), "UserName")
	}
	a.Hidden = userName == HiddenUser
	if a.Hidden {
		userName = ""
	}
	a.Name = actorName(a, ui, userName)
	if a.Type == ActorAssumedRole && isInstanceID(a.Name) {
		a.InstanceID = a.Name
	}
	a.SSO = isSSO(a, s)
	return a
}

// actorType maps userIdentity.type. The Identity Center sign-in steps log
// their user with type "Unknown" (or no userIdentity at all); they are
// IdentityCenterUser here.
func actorType(t string, s *SignIn) ActorType {
	switch ActorType(t) {
	case ActorRoot, ActorIAMUser, ActorAssumedRole, ActorFederatedUser, ActorIdentityCenterUser,
		ActorAWSService, ActorAWSAccount, ActorSAMLUser, ActorWebIdentityUser:
		return ActorType(t)
	}
	if isIdentityCenterStep(s.EventSource, s.EventName) {
		return ActorIdentityCenterUser
	}
	return ActorUnknown
}

// isIdentityCenterStep reports whether an event is one of the steps of an
// IAM Identity Center sign-in (before the console login).
func isIdentityCenterStep(source, name string) bool {
	switch source {
	case "signin.amazonaws.com":
		switch name {
		case "CredentialChallenge", "CredentialVerification", "UserAuthentication":
			return true
		}
	case "sso.amazonaws.com", "sso-oauth.amazonaws.com":
		return ssoSignIn[name]
	}
	return false
}

func actorName(a Actor, ui Value, userName string) string {
	switch a.Type {
	case ActorRoot:
		return "root"
	case ActorAssumedRole, ActorFederatedUser:
		if i := strings.LastIndexByte(a.ARN, '/'); i >= 0 && i+1 < len(a.ARN) {
			return a.ARN[i+1:]
		}
		if i := strings.IndexByte(a.PrincipalID, ':'); i >= 0 {
			return a.PrincipalID[i+1:]
		}
	case ActorIAMUser:
		if userName == "" && a.ARN != "" {
			if i := strings.LastIndexByte(a.ARN, '/'); i >= 0 {
				return a.ARN[i+1:]
			}
		}
	case ActorIdentityCenterUser:
		if userName != "" {
			return userName
		}
		if id := str(ui.Get("onBehalfOf"), "userId"); id != "" {
			return id
		}
		return str(ui, "userId")
	case ActorAWSService:
		if by := str(ui, "invokedBy"); by != "" {
			return by
		}
	}
	return userName
}

// isInstanceID reports whether s looks like an EC2 instance id (i- and 8 or
// 17 hexadecimal digits).
func isInstanceID(s string) bool {
	if !strings.HasPrefix(s, "i-") || (len(s) != 10 && len(s) != 19) {
		return false
	}
	for _, c := range []byte(s[2:]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isSSO reports an Identity Center or SAML session: an Identity Center
// actor or step, a role under aws-reserved/sso.amazonaws.com or named
// AWSReservedSSO_*, a SAML provider on the console login, or a SAMLUser.
func isSSO(a Actor, s *SignIn) bool {
	switch {
	case a.Type == ActorIdentityCenterUser, a.Type == ActorSAMLUser, s.SAMLProvider != "":
		return true
	case strings.Contains(a.SessionIssuer, "/aws-reserved/sso.amazonaws.com/"),
		strings.Contains(a.SessionIssuer, "AWSReservedSSO_"),
		strings.Contains(a.ARN, ":assumed-role/AWSReservedSSO_"):
		return true
	}
	return false
}

// outcome applies the rules of SPEC 3: responseElements.<eventName>
// (ConsoleLogin, CheckMfa, GetSigninToken, PasswordUpdated...), then
// serviceEventDetails (CredentialVerification or CredentialChallenge for the
// Identity Center verification step, <eventName> otherwise), then
// errorCode/errorMessage; an API call or an Identity Center event with no
// error succeeded; anything else is unknown.
func outcome(root Value, name, eventType string) (Outcome, string, string) {
	code, msg := str(root, "errorCode"), str(root, "errorMessage")
	reason := msg
	if reason == "" {
		reason = code
	}
	if o, ok := parseOutcome(root.Path("responseElements", name)); ok {
		return o, code, reason
	}
	sed := root.Get("serviceEventDetails")
	keys := []string{name}
	if name == "CredentialVerification" {
		keys = []string{"CredentialVerification", "CredentialChallenge"}
	}
	for _, k := range keys {
		if o, ok := parseOutcome(sed.Get(k)); ok {
			return o, code, reason
		}
	}
	if code != "" || msg != "" {
		return Failure, code, reason
	}
	switch eventType {
	case "AwsApiCall", "AwsServiceEvent":
		return Success, code, reason
	}
	return OutcomeUnknown, code, reason
}

func parseOutcome(v Value) (Outcome, bool) {
	if v.Kind() != String {
		return "", false
	}
	b := v.Bytes()
	switch {
	case bytes.EqualFold(b, []byte("Success")):
		return Success, true
	case bytes.EqualFold(b, []byte("Failure")), bytes.EqualFold(b, []byte("Failed")):
		return Failure, true
	}
	return "", false
}

// mfa reads additionalEventData.MFAUsed ("Yes", "YES", "No", true, false,
// "true"); for the Identity Center steps a TOTP or WEBAUTHN credential type
// means MFA; for IAM calls sessionContext.attributes.mfaAuthenticated.
func mfa(root Value, s *SignIn) (used, known bool) {
	if v := root.Path("additionalEventData", "MFAUsed"); v.Exists() {
		return parseYes(v)
	}
	if s.CredentialType != "" {
		ct := strings.ToUpper(s.CredentialType)
		if strings.Contains(ct, "TOTP") || strings.Contains(ct, "WEBAUTHN") {
			return true, true
		}
		if strings.Contains(ct, "EXTERNAL_IDP") {
			return false, false
		}
		return false, s.EventName == "UserAuthentication"
	}
	if v := root.Path("userIdentity", "sessionContext", "attributes", "mfaAuthenticated"); v.Exists() {
		return parseYes(v)
	}
	return false, false
}

// parseYes reads a yes/no flag in any of the shapes CloudTrail uses.
func parseYes(v Value) (yes, known bool) {
	switch v.Kind() {
	case Bool:
		return v.True(), true
	case String:
		switch strings.ToLower(strings.TrimSpace(v.Str())) {
		case "yes", "true", "y":
			return true, true
		case "no", "false", "n":
			return false, true
		}
	}
	return false, false
}

// timeLayouts are the eventTime shapes seen in CloudTrail and in exports.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999 -0700",
}

// EventTime returns eventTime, or @timestamp when eventTime is missing or
// unreadable, in UTC. RFC 3339 with or without fraction and zone (no zone
// means UTC), a space instead of "T", and numeric Unix seconds or
// milliseconds (for @timestamp) are accepted.
func EventTime(root Value) (time.Time, bool) {
	if t, ok := ParseTime(root.Get("eventTime")); ok {
		return t, true
	}
	return ParseTime(root.Get("@timestamp"))
}

// ParseTime reads one time value as EventTime does.
func ParseTime(v Value) (time.Time, bool) {
	switch v.Kind() {
	case String:
		if t, ok := ParseZulu(v.Bytes()); ok {
			return t, true
		}
		s := strings.TrimSpace(v.Str())
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC(), true
			}
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return unixTime(n)
		}
	case Number:
		if n, ok := v.Float(); ok {
			return unixTime(n)
		}
	}
	return time.Time{}, false
}

// unixTime reads seconds, or milliseconds when the number is too large to be
// seconds before the year 5000.
func unixTime(n float64) (time.Time, bool) {
	if n <= 0 || n != n {
		return time.Time{}, false
	}
	if n > 1e11 {
		n /= 1000
	}
	if n > 1e11 {
		return time.Time{}, false
	}
	sec := int64(n)
	return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC(), true
}

// ParseZulu reads the shape CloudTrail writes, "2006-01-02T15:04:05Z"
// (without quotes), as time.Parse would, without allocating: every event's
// time passes here. Other shapes, and impossible dates, return false.
func ParseZulu(b []byte) (time.Time, bool) {
	if len(b) != 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' {
		return time.Time{}, false
	}
	// Each digit is checked as it is read: a byte below '0' wraps round
	// to a large value, so one comparison rejects both sides.
	var bad byte
	digit := func(c byte) int {
		c -= '0'
		if c > 9 {
			bad = 1
		}
		return int(c)
	}
	y := digit(b[0])*1000 + digit(b[1])*100 + digit(b[2])*10 + digit(b[3])
	mo := digit(b[5])*10 + digit(b[6])
	d := digit(b[8])*10 + digit(b[9])
	h := digit(b[11])*10 + digit(b[12])
	mi := digit(b[14])*10 + digit(b[15])
	sec := digit(b[17])*10 + digit(b[18])
	if bad != 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	days := daysFromCivil(y, mo, d)
	return time.Unix(days*86400+int64(h*3600+mi*60+sec), 0).UTC(), true
}

// daysIn returns the number of days of month m (1 to 12) of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the date
// y-m-d of the proleptic Gregorian calendar (year 0 and later): the years
// are counted from March, so that the leap day ends a year, in 400-year
// eras of 146,097 days.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := (y + 400) / 400 // y >= -1: one era early, taken off below
	yoe := y - (era-1)*400 // year of the era, 0 to 399
	mp := (m + 9) % 12     // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era-1)*146097 + int64(doe) - 719468
}

// Fields looks up several members of object v in one pass: out[i] becomes
// the member named keys[i] (the last one when repeated, as Get), or Missing.
// out must be at least as long as keys. It is Get for hot paths that read
// many top-level fields of every event.
func (v Value) Fields(keys []Key, out []Value) {
	out = out[:len(keys)]
	if v.Kind() != Object {
		clear(out)
		return
	}
	d := v.d
	if v.i == 0 && d.RootKeysPlain() {
		// Each result is written once, found or Missing: no clearing
		// pass first (a Value holds a pointer, so clearing is a call).
		for i, k := range keys {
			if k.slot != 0 {
				if e := d.known[k.slot]; e != 0 {
					out[i] = Value{d, e - 1}
				} else {
					out[i] = Value{}
				}
			} else {
				out[i] = v.Get(k.name)
			}
		}
		return
	}
	clear(out)
	j := v.i + 1
	for c := v.n().count; c > 0; c-- {
		n := &d.nodes[j]
		kl := int(n.keyEnd - n.keyStart)
		for i, k := range keys {
			if n.keyEscaped {
				if keyEqual(d.raw, n, k.name) {
					out[i] = Value{d, j}
				}
				continue
			}
			// The length and first byte rule out most keys without a
			// call.
			if kl == len(k.name) && (kl == 0 || d.raw[n.keyStart] == k.name[0]) &&
				string(d.raw[n.keyStart:n.keyEnd]) == k.name {
				out[i] = Value{d, j}
			}
		}
		j = n.next
	}
}
