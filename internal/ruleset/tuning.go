package ruleset

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Tuning adjusts the loaded rules from configuration, so that thresholds,
// windows and allow-lists are set without editing rule files.
type Tuning struct {
	// TrustedIPRanges (CIDR) are sources the sign-in detections never fire
	// for: a meta filter on every detection rule of the built-in catalog.
	TrustedIPRanges []string `yaml:"trusted_ip_ranges"`
	// BreakGlassRootAccounts are accounts whose root console sign-ins are
	// planned (break-glass procedures): "Root Console Sign-In" and "Console
	// Sign-In Without MFA" stay quiet for root there. Failures, brute force,
	// recovery and password changes still fire.
	BreakGlassRootAccounts []string `yaml:"break_glass_root_accounts"`
	// FederationUserAgents are user-agent prefixes of known federation
	// brokers (e.g. aws-vault): GetSigninToken from them is expected.
	FederationUserAgents []string `yaml:"federation_user_agents"`
	// Rules tunes individual rules, by id or name.
	Rules map[string]RuleTuning `yaml:"rules"`
}

// RuleTuning changes one rule.
type RuleTuning struct {
	// Threshold replaces the lower bound (gte, or gt) of a correlation.
	Threshold *float64 `yaml:"threshold"`
	// Timespan replaces a correlation's window.
	Timespan time.Duration `yaml:"timespan"`
	// Level replaces the rule's level.
	Level string `yaml:"level"`
}

// Rules whose exclusions the allow-lists write; they are built-in rule names.
var (
	breakGlassRules = []string{"aws_root_console_login", "aws_console_login_without_mfa"}
	federationRules = []string{"aws_getsignintoken_outside_sso"}
)

// filters writes the allow-lists as Sigma meta filters on the rules they
// quiet: the built-in rules (builtin, their ids) and named ones of the
// catalog, of those that are loaded. An allow-list none of whose rules is
// loaded (a scan with --no-builtin under a configuration written for the
// catalog) writes no filter.
func (t Tuning) filters(builtin []string, loaded func(ref string) bool) ([]*sigma.Filter, error) {
	present := func(refs []string) []string {
		var out []string
		for _, r := range refs {
			if loaded(r) {
				out = append(out, r)
			}
		}
		return out
	}
	var docs []string
	if len(t.TrustedIPRanges) > 0 {
		for _, c := range t.TrustedIPRanges {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, fmt.Errorf("tuning.trusted_ip_ranges: %q is not a CIDR range: %w", c, err)
			}
			// Said here, not at a line of the generated filter the user
			// never wrote.
			if err := sigma.HostBitsError(p); err != nil {
				return nil, fmt.Errorf("tuning.trusted_ip_ranges: %q %w", c, err)
			}
		}
		if len(builtin) > 0 {
			docs = append(docs, filterDoc("trusted IP ranges", builtin, "sourceIPAddress|cidr", t.TrustedIPRanges))
		}
	}
	if rules := present(breakGlassRules); len(t.BreakGlassRootAccounts) > 0 && len(rules) > 0 {
		docs = append(docs, filterDoc("break-glass root accounts", rules, "", nil,
			"userIdentity.type: Root", "recipientAccountId", literals(t.BreakGlassRootAccounts)))
	}
	if rules := present(federationRules); len(t.FederationUserAgents) > 0 && len(rules) > 0 {
		docs = append(docs, filterDoc("known federation user agents", rules, "userAgent|startswith", literals(t.FederationUserAgents)))
	}
	var out []*sigma.Filter
	for i, d := range docs {
		name := fmt.Sprintf("config:tuning#%d", i+1)
		parsed, errs := sigma.LoadDocuments(name, []byte(d))
		if len(errs) > 0 {
			return nil, errs[0]
		}
		for _, pd := range parsed {
			f, err := sigma.ParseFilter(pd, sigma.ParseOptions{})
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// literals escapes Sigma's wildcards and escape character in configured
// values, which are plain text: a '*' or '?' in a user-agent prefix must
// not allow-list more than it says.
func literals(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = sigmaEscaper.Replace(v)
	}
	return out
}

var sigmaEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)

// filterDoc renders a meta filter excluding events whose field matches one
// of values (and, when given, a fixed extra condition and a second field).
func filterDoc(title string, rules []string, field string, values []string, extra ...any) string {
	doc := map[string]any{
		"title":       "signwatch tuning: " + title,
		"description": "Generated from the configuration file's tuning section.",
		"logsource":   map[string]string{"product": "aws", "service": "cloudtrail"},
	}
	sel := map[string]any{}
	if field != "" {
		sel[field] = values
	}
	if len(extra) == 3 {
		kv := strings.SplitN(extra[0].(string), ": ", 2)
		sel[kv[0]] = kv[1]
		sel[extra[1].(string)] = extra[2]
	}
	doc["filter"] = map[string]any{"rules": rules, "selection": sel, "condition": "selection"}
	out, _ := yaml.Marshal(doc) // plain maps of strings always marshal
	return string(out)
}

// apply changes thresholds, windows and levels of the loaded rules. The
// entries are taken in order of their keys and every bad one is reported:
// map order made which of several errors came out change from run to run.
func (t Tuning) apply(s *Set, omitted func(ref string) bool) []error {
	var errs []error
	for _, ref := range slices.Sorted(maps.Keys(t.Rules)) {
		if target, _ := s.resolve(ref); target == "" && omitted(ref) {
			continue // a rule of the catalog left out of this set
		}
		if err := t.Rules[ref].apply(s, ref); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// apply tunes the rules or correlations with id or name ref.
func (rt RuleTuning) apply(s *Set, ref string) error {
	if rt.Level != "" && levelRank[rt.Level] == 0 {
		return fmt.Errorf("tuning.rules.%s: unknown level %q", ref, rt.Level)
	}
	found := false
	for _, r := range s.Rules {
		if r.ID == ref || (r.Name != "" && r.Name == ref) {
			found = true
			if rt.Threshold != nil || rt.Timespan != 0 {
				return fmt.Errorf("tuning.rules.%s: threshold and timespan apply to correlation rules only", ref)
			}
			if rt.Level != "" {
				r.Level = rt.Level
			}
		}
	}
	for _, c := range s.Correlations {
		if c.ID != ref && (c.Name == "" || c.Name != ref) {
			continue
		}
		found = true
		if rt.Level != "" {
			c.Level = rt.Level
		}
		if rt.Timespan < 0 {
			return fmt.Errorf("tuning.rules.%s: timespan must be positive", ref)
		}
		if rt.Timespan > 0 {
			c.Timespan = rt.Timespan
		}
		if rt.Threshold != nil && !setThreshold(c.Condition.Bounds, *rt.Threshold) {
			return fmt.Errorf("tuning.rules.%s: the rule has no gte/gt condition to set a threshold on", ref)
		}
	}
	if !found {
		return fmt.Errorf("tuning.rules.%s: no loaded rule has this id or name", ref)
	}
	return nil
}

func setThreshold(bounds []correlate.Bound, v float64) bool {
	for i := range bounds {
		if bounds[i].Op == "gte" || bounds[i].Op == "gt" {
			bounds[i].Value = v
			return true
		}
	}
	return false
}

var levelRank = map[string]int{"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
