// Package baseline holds signwatch's built-in baseline detectors: detections
// a rule language cannot express because they compare an event with what a
// principal usually does. The first is "sign-in from a new country": a
// principal's successful sign-in from a country unseen in its baseline.
//
// A detector carries the same metadata as a rule (Meta), is tuned in the
// configuration file (Config), sees successful sign-ins in event-time order
// (Observe), keeps bounded state (Stats counts what the bounds evict) and
// saves and restores that state as deterministic bytes (Save, Restore).
// docs/baseline.md describes the semantics.
package baseline

import (
	"fmt"
	"net/netip"
	"time"
)

// Defaults applied by NewCountry to zero Config fields.
const (
	DefaultLearningPeriod           = 14 * 24 * time.Hour
	DefaultMaxPrincipals            = 100_000
	DefaultMaxCountriesPerPrincipal = 32
	DefaultMaxAccounts              = 10_000
)

// Config tunes the new-country detector (configuration section
// "baselines.new_country" of the config file, by convention). Zero fields
// take the defaults above.
type Config struct {
	// Disabled turns the detector off: Observe never reports a finding and
	// keeps no state.
	Disabled bool `yaml:"disabled"`
	// LearningPeriod is how much event time, per account, counts from the
	// first sign-in seen in that account before findings are raised
	// (default 336h, 14 days). While an account learns, its principals'
	// countries are added to their baselines silently. A duration string
	// such as "336h" or "72h30m".
	LearningPeriod time.Duration `yaml:"learning_period"`
	// MaxPrincipals bounds the principals tracked (default 100000). When a
	// new principal would exceed it, the least recently seen one is evicted
	// (counted in Stats.Evictions); its next sign-in starts a new baseline.
	MaxPrincipals int `yaml:"max_principals"`
	// MaxCountriesPerPrincipal bounds one principal's baseline (default 32).
	// Beyond it, the country seen least recently is dropped (counted in
	// Stats.CountryEvictions).
	MaxCountriesPerPrincipal int `yaml:"max_countries_per_principal"`
	// MaxAccounts bounds the accounts whose learning period is tracked
	// (default 10000). Sign-ins of further accounts are not evaluated
	// (counted in Stats.AccountsOverLimit).
	MaxAccounts int `yaml:"max_accounts"`
	// TrustedCIDRs are source ranges (CIDR, or a single address) that never
	// raise a finding, for example office or VPN egress ranges. A sign-in
	// from them still adds its country to the principal's baseline.
	TrustedCIDRs []string `yaml:"trusted_cidrs"`
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, []netip.Prefix, error) {
	switch {
	case c.LearningPeriod < 0:
		return c, nil, fmt.Errorf("learning_period: %v is negative", c.LearningPeriod)
	case c.MaxPrincipals < 0:
		return c, nil, fmt.Errorf("max_principals: %d is negative", c.MaxPrincipals)
	case c.MaxCountriesPerPrincipal < 0:
		return c, nil, fmt.Errorf("max_countries_per_principal: %d is negative", c.MaxCountriesPerPrincipal)
	case c.MaxAccounts < 0:
		return c, nil, fmt.Errorf("max_accounts: %d is negative", c.MaxAccounts)
	}
	if c.LearningPeriod == 0 {
		c.LearningPeriod = DefaultLearningPeriod
	}
	if c.MaxPrincipals == 0 {
		c.MaxPrincipals = DefaultMaxPrincipals
	}
	if c.MaxCountriesPerPrincipal == 0 {
		c.MaxCountriesPerPrincipal = DefaultMaxCountriesPerPrincipal
	}
	if c.MaxAccounts == 0 {
		c.MaxAccounts = DefaultMaxAccounts
	}
	trusted, err := parseCIDRs(c.TrustedCIDRs)
	return c, trusted, err
}

// parseCIDRs reads trusted ranges; a bare address is a one-address range.
func parseCIDRs(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("trusted_cidrs[%d]: %q is not a CIDR range or an IP address", i, s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
