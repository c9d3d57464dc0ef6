package ruleset

import (
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/signwatch/signwatch/internal/sigma"
)

// SignInEventNames are the sign-in events of SPEC 3 that coverage reports on.
var SignInEventNames = []string{
	"ConsoleLogin", "CheckMfa", "GetSigninToken", "PasswordRecoveryRequested", "PasswordRecoveryCompleted",
	"PasswordUpdated", "SwitchRole", "ExitRole", "RenewRole", "CredentialChallenge", "CredentialVerification",
	"UserAuthentication", "ExternalIdPDirectoryLogin", "Authenticate", "Federate", "CreateToken",
	"ChangePassword", "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
	"CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice", "DeleteVirtualMFADevice",
}

// CatchAll names the coverage entry for rules that test a sign-in event
// source without naming an event.
const CatchAll = "_catch_all"

// signInSources are the event sources of sign-in activity.
var signInSources = []string{"signin.amazonaws.com", "sso.amazonaws.com"}

// EventCoverage is, for one sign-in event name, the rules that reference it
// and the other fields and values they check (seed 002's "common indicators").
type EventCoverage struct {
	EventName    string         `json:"event_name"`
	Rules        []CoverageRule `json:"rules"`
	Correlations []CoverageRule `json:"correlations"`
	Checks       []Check        `json:"checks"`
}

// CoverageRule names a rule in a coverage report.
type CoverageRule struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Level string `json:"level"`
	File  string `json:"file"`
}

// Check is one field test and how many of the event's rules make it.
type Check struct {
	Field     string   `json:"field"`
	Modifiers []string `json:"modifiers"`
	Value     string   `json:"value"`
	Rules     int      `json:"rules"`
}

// Coverage reports, for every sign-in event name and the catch-all, which
// loaded rules (the user's included) reference it and what they check.
func (s *Set) Coverage() []EventCoverage {
	var out []EventCoverage
	for _, name := range append(append([]string(nil), SignInEventNames...), CatchAll) {
		ec := EventCoverage{EventName: name, Rules: []CoverageRule{}, Correlations: []CoverageRule{}, Checks: []Check{}}
		checks := map[string]*Check{}
		refs := map[string]bool{}
		for _, r := range s.Rules {
			preds := r.Predicates()
			if !references(preds, name) {
				continue
			}
			ec.Rules = append(ec.Rules, CoverageRule{ID: r.ID, Title: r.Title, Level: r.Level, File: r.File})
			refs[key(r.Meta)] = true
			if r.Name != "" {
				refs[r.Name] = true
			}
			addChecks(checks, preds)
		}
		for _, c := range s.Correlations {
			for _, ref := range c.Rules {
				if refs[ref] {
					ec.Correlations = append(ec.Correlations, CoverageRule{ID: c.ID, Title: c.Title, Level: c.Level, File: c.File})
					break
				}
			}
		}
		for _, c := range checks {
			ec.Checks = append(ec.Checks, *c)
		}
		sort.Slice(ec.Checks, func(i, j int) bool {
			a, b := ec.Checks[i], ec.Checks[j]
			if a.Rules != b.Rules {
				return a.Rules > b.Rules
			}
			if a.Field != b.Field {
				return a.Field < b.Field
			}
			if a.Value != b.Value {
				return a.Value < b.Value
			}
			// The same test with other modifiers: without this the order
			// came from map iteration and changed from run to run.
			return slices.Compare(a.Modifiers, b.Modifiers) < 0
		})
		out = append(out, ec)
	}
	return out
}

// references tells whether a rule's predicates name the event (an eventName
// value matching it, wildcards allowed) or, for the catch-all, test a sign-in
// event source without any eventName.
func references(preds []sigma.Predicate, name string) bool {
	hasName, hasSource := false, false
	for _, p := range preds {
		switch p.Field {
		case "eventName":
			hasName = true
			for _, v := range p.Values {
				if name != CatchAll && valueMatches(v, p.Modifiers, name) {
					return true
				}
			}
		case "eventSource":
			for _, v := range p.Values {
				for _, src := range signInSources {
					if valueMatches(v, p.Modifiers, src) {
						hasSource = true
					}
				}
			}
		}
	}
	return name == CatchAll && hasSource && !hasName
}

// valueMatches applies a rule value to a literal the way the common
// modifiers would (case-insensitive; * and ? wildcards; contains,
// startswith, endswith; re, case-sensitive unless re|i). Other modifiers
// (base64...) are not evaluated.
func valueMatches(v string, mods []string, lit string) bool {
	if slices.Contains(mods, "re") {
		// A rule written as eventName|re: '^Console(Login)?$' covers the
		// event as much as one naming it.
		flags := ""
		for _, m := range mods {
			if m == "i" || m == "m" || m == "s" {
				flags += m
			}
		}
		if flags != "" {
			v = "(?" + flags + ")" + v
		}
		re, err := regexp.Compile(v)
		return err == nil && re.MatchString(lit)
	}
	pat := strings.ToLower(v)
	for _, m := range mods {
		switch m {
		case "contains":
			pat = "*" + pat + "*"
		case "startswith":
			pat += "*"
		case "endswith":
			pat = "*" + pat
		case "base64", "base64offset", "cidr", "fieldref":
			return false
		}
	}
	ok, err := path.Match(pat, strings.ToLower(lit))
	return err == nil && ok
}

// addChecks counts the field tests of one rule's predicates, each once
// however many of the rule's selections make it (Check.Rules counts rules).
func addChecks(checks map[string]*Check, preds []sigma.Predicate) {
	counted := map[string]bool{}
	for _, p := range preds {
		if p.Field == "eventName" || p.Field == "eventSource" {
			continue
		}
		for _, v := range p.Values {
			k := p.Field + "|" + strings.Join(p.Modifiers, "|") + "=" + v
			if counted[k] {
				continue
			}
			counted[k] = true
			c, ok := checks[k]
			if !ok {
				c = &Check{Field: p.Field, Modifiers: append([]string{}, p.Modifiers...), Value: v}
				checks[k] = c
			}
			c.Rules++
		}
	}
}
