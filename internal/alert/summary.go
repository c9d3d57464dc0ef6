package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signwatch/signwatch/internal/event"
)

// Fill sets a.Summary with Summarize when the producer left it empty.
func Fill(a *Alert) {
	if a.Summary == "" {
		a.Summary = Summarize(a)
	}
}

// Summarize writes the one-line human summary of an alert, built only from
// its fields so that it is right for every kind of rule:
//
//	single event:  "Root console sign-in to 111122223333 from 192.0.2.0 (Chrome on Windows)"
//	correlation:   "12 failed root console sign-ins to 123456789012 from 198.51.100.7 in 4 min"
//	value_count:   "Password spraying from one IP: 7 distinct user names to 123456789012 from 203.0.113.9 in 12 min"
//	alarm:         "Failed MFA alarm: Sum 3 (threshold >= 1) in 123456789012 in 5 min"
//
// The subject is the rule title for one event; for several it is counted
// and, when the normalized records all share event, outcome and principal
// type, named from them ("failed root console sign-ins"). A distinct-value
// aggregate (value_count) or a metric without such records is stated. The group key adds
// "to ACCOUNT", "from IP", "for USER" and other key=value pairs; the span
// closes it. Drill alerts start with "[drill] ".
func Summarize(a *Alert) string {
	var b strings.Builder
	if a.Drill {
		b.WriteString("[drill] ")
	}
	b.WriteString(subject(a))
	signIn := isSignInAlert(a)
	seen := map[string]bool{}
	for _, kv := range a.GroupKey {
		writeKey(&b, kv, signIn, seen)
	}
	single := a.Count <= 1 && a.Aggregate == nil
	if !seen["account"] && a.Account != "" {
		writeKey(&b, KV{"recipientAccountId", a.Account}, signIn, seen)
	}
	if single && !seen["user"] && a.Actor != "" && !strings.Contains(strings.ToLower(a.Rule.Title), "root") {
		b.WriteString(" by " + clean(shortActor(a.Actor), 64))
	}
	if !seen["ip"] && a.SourceIP != "" {
		writeKey(&b, KV{"sourceIPAddress", a.SourceIP}, signIn, seen)
	}
	if single && a.UserAgent != "" {
		b.WriteString(" (" + UserAgentSummary(a.UserAgent) + ")")
	}
	if !single && !a.FirstSeen.IsZero() && !a.LastSeen.IsZero() {
		b.WriteString(" in " + Span(a.LastSeen.Sub(a.FirstSeen)))
	}
	return b.String()
}

func subject(a *Alert) string {
	title := clean(a.Rule.Title, 120)
	if title == "" {
		title = clean(a.Rule.ID, 80)
	}
	ag := a.Aggregate
	if ag != nil && ag.Field != "" {
		return title + ": " + aggregatePhrase(ag)
	}
	if a.Count > 1 || ag != nil {
		if noun := recordsNoun(a.Records, a.Count); noun != "" {
			return strconv.Itoa(a.Count) + " " + noun
		}
	}
	if ag != nil {
		return title + ": " + aggregatePhrase(ag)
	}
	if a.Count <= 1 {
		return title
	}
	if p := valuePhrase(a); p != "" {
		return title + ": " + p
	}
	if noun, ok := eventNouns[a.EventName]; ok {
		return fmt.Sprintf("%s: %d %s", title, a.Count, plural(noun, true))
	}
	if a.EventName != "" {
		return fmt.Sprintf("%s: %d %s events", title, a.Count, clean(a.EventName, 60))
	}
	return fmt.Sprintf("%s: %d events", title, a.Count)
}

// valuePhrase states the aggregate of value correlations (Alert.Value
// without an Aggregate): "7 distinct values in 9 events".
func valuePhrase(a *Alert) string {
	v := strconv.FormatFloat(a.Value, 'f', -1, 64)
	switch a.Rule.Kind {
	case KindValueCount:
		return fmt.Sprintf("%s distinct values in %d events", v, a.Count)
	case KindValueSum:
		return fmt.Sprintf("sum %s over %d events", v, a.Count)
	case KindValueAvg:
		return fmt.Sprintf("average %s over %d events", v, a.Count)
	case KindValuePercentile:
		return fmt.Sprintf("percentile value %s over %d events", v, a.Count)
	}
	return ""
}

func aggregatePhrase(ag *Aggregate) string {
	v := strconv.FormatFloat(ag.Value, 'f', -1, 64)
	var s string
	if strings.Contains(strings.ToLower(ag.Func), "count") && ag.Field != "" {
		s = v + " distinct " + plural(fieldLabel(ag.Field), ag.Value != 1)
	} else if ag.Field != "" {
		s = ag.Func + " of " + clean(ag.Field, 60) + " " + v
	} else {
		s = ag.Func + " " + v
	}
	if ag.Threshold != "" {
		s += " (threshold " + clean(ag.Threshold, 30) + ")"
	}
	return s
}

// fieldLabel names a field for people: userIdentity.userName → "user name".
func fieldLabel(f string) string {
	last := f
	if i := strings.LastIndexByte(f, '.'); i >= 0 {
		last = f[i+1:]
	}
	switch strings.ToLower(last) {
	case "username", "user", "user_name":
		return "user name"
	case "sourceipaddress", "src_ip", "source_ip", "ip":
		return "source IP"
	case "arn":
		return "principal"
	case "useragent", "user_agent":
		return "user agent"
	case "recipientaccountid", "accountid", "account":
		return "account"
	}
	return clean(f, 60)
}

func plural(s string, many bool) string {
	if !many {
		return s
	}
	if strings.HasSuffix(s, "s") {
		return s + "es"
	}
	return s + "s"
}

var eventNouns = map[string]string{
	"ConsoleLogin":              "console sign-in",
	"CheckMfa":                  "MFA check",
	"GetSigninToken":            "sign-in token request",
	"CredentialVerification":    "Identity Center credential verification",
	"CredentialChallenge":       "Identity Center credential challenge",
	"UserAuthentication":        "Identity Center authentication",
	"PasswordRecoveryRequested": "password recovery request",
	"PasswordUpdated":           "password update",
	"ChangePassword":            "password change",
	"SwitchRole":                "role switch",
}

var actorWords = map[event.ActorType]string{
	event.ActorRoot: "root", event.ActorIAMUser: "IAM user", event.ActorAssumedRole: "assumed-role",
	event.ActorFederatedUser: "federated user", event.ActorIdentityCenterUser: "Identity Center",
}

// recordsNoun names the events when the records all share event name,
// outcome and principal type, e.g. "failed root console sign-ins".
func recordsNoun(recs []event.SignIn, count int) string {
	if len(recs) == 0 {
		return ""
	}
	r0 := recs[0]
	for _, r := range recs[1:] {
		if r.EventName != r0.EventName || r.Outcome != r0.Outcome || r.Actor.Type != r0.Actor.Type {
			return ""
		}
	}
	noun, ok := eventNouns[r0.EventName]
	if !ok {
		noun = clean(r0.EventName, 60) + " event"
	}
	words := []string{}
	switch r0.Outcome {
	case event.Failure:
		words = append(words, "failed")
	case event.Success:
		words = append(words, "successful")
	}
	if w := actorWords[r0.Actor.Type]; w != "" {
		words = append(words, w)
	}
	return strings.Join(append(words, plural(noun, count != 1)), " ")
}

func isSignInAlert(a *Alert) bool {
	if len(a.Records) > 0 {
		return true
	}
	t := strings.ToLower(a.Rule.Title)
	for _, w := range []string{"sign-in", "sign in", "signin", "login", "logon", "spraying", "brute force", "failures"} {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// keyRole classifies a group-by field.
func keyRole(key string) string {
	k := strings.ToLower(key)
	if i := strings.LastIndexByte(k, '.'); i >= 0 && !strings.HasPrefix(k, "requestparameters.") {
		k = k[i+1:]
	}
	switch k {
	case "recipientaccountid", "accountid", "account", "account_id":
		return "account"
	case "sourceipaddress", "src_ip", "source_ip", "ip", "sourceip":
		return "ip"
	case "username", "arn", "principalid", "user", "actor", "user_name", "name":
		return "user"
	}
	return ""
}

func writeKey(b *strings.Builder, kv KV, signIn bool, seen map[string]bool) {
	role := keyRole(kv.Key)
	v := clean(kv.Value, 80)
	if v == "" {
		return
	}
	if role != "" && seen[role] {
		role = ""
	}
	switch role {
	case "account":
		if signIn {
			b.WriteString(" to " + v)
		} else {
			b.WriteString(" in " + v)
		}
	case "ip":
		b.WriteString(" from " + v)
	case "user":
		b.WriteString(" for " + shortActor(v))
	default:
		b.WriteString(" (" + clean(kv.Key, 60) + "=" + v + ")")
	}
	if role != "" {
		seen[role] = true
	}
}

// shortActor shortens an ARN to its last path element ("root" for the root
// user); names are returned unchanged.
func shortActor(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	if strings.HasSuffix(s, ":root") {
		return "root"
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && i+1 < len(s) {
		return s[i+1:]
	}
	return s
}

// Span writes a duration for people: "35 s", "4 min", "2 h 5 min", "3 days".
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	// Rounded before the unit is chosen: 59.6 s is "1 min", not "60 s".
	secs, mins := d.Round(time.Second), d.Round(time.Minute)
	switch {
	case secs < time.Minute:
		return fmt.Sprintf("%d s", int(secs/time.Second))
	case mins < time.Hour:
		return fmt.Sprintf("%d min", int(mins/time.Minute))
	case mins < 48*time.Hour:
		m := int(mins / time.Minute)
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d days", int(d.Round(24*time.Hour)/(24*time.Hour)))
}

// UserAgentSummary names the browser and system of a user agent ("Chrome on
// Windows"), or returns its first token ("aws-cli/2.13.0") for tools.
func UserAgentSummary(ua string) string {
	browser := ""
	// On iOS every browser is WebKit and says Safari; Chrome, Firefox and
	// Edge name themselves with their own iOS tokens.
	for _, p := range [][2]string{{"Edg/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"FxiOS/", "Firefox"}, {"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, p[0]) {
			browser = p[1]
			break
		}
	}
	system := ""
	for _, p := range [][2]string{{"Windows", "Windows"}, {"iPhone", "iOS"}, {"iPad", "iOS"},
		{"Mac OS X", "macOS"}, {"Android", "Android"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, p[0]) {
			system = p[1]
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	}
	tok := strings.TrimSpace(ua)
	if i := strings.IndexByte(tok, ' '); i > 0 {
		tok = tok[:i]
	}
	if tok == "" {
		return "no user agent"
	}
	return clean(tok, 40)
}

// clean makes attacker-controlled text safe for one line of output:
// control and format characters become '?', and it is cut to max runes.
func clean(s string, max int) string {
	if len(s) <= max && printableASCII(s) {
		return s // the common case, without a rune table lookup per character
	}
	return cleanRunes(s, max)
}

// cleanRunes is clean rune by rune.
func cleanRunes(s string, max int) string {
	ok := true
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			ok = false
			break
		}
	}
	if ok && len(s) <= max {
		return s
	}
	if max < 0 {
		max = 0
	}
	out := make([]rune, 0, min(len(s), max))
	for _, r := range s {
		if len(out) == max {
			return string(out) + "…" // r and what follows are cut
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

// printableASCII reports whether s holds only printable ASCII, which clean
// leaves as it is: ASCII has no format characters, and its control
// characters are those below 0x20 and DEL.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Clean is the sanitizer Summarize applies to attacker-controlled text
// (user agents, names, ARNs): control and invisible format characters
// become '?', and the text is cut to max runes with an ellipsis.
func Clean(s string, max int) string { return clean(s, max) }
