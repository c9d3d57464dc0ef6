package baseline

import (
	"container/list"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/geo"
)

// SignIn is one successful sign-in, as the detector sees it.
type SignIn struct {
	Account   string    `json:"account"`   // the AWS account signed in to
	Principal string    `json:"principal"` // who, within the account (see PrincipalKey)
	SourceIP  string    `json:"source_ip"` // sourceIPAddress, raw
	EventID   string    `json:"event_id"`
	Time      time.Time `json:"time"` // event time
}

// Finding is a sign-in from a country outside the principal's baseline.
type Finding struct {
	SignIn
	Country string   `json:"country"` // ISO 3166-1 alpha-2
	Known   []string `json:"known"`   // the baseline's countries before this sign-in, sorted
}

// Stats counts what the detector saw and what its bounds evicted.
type Stats struct {
	SignIns           int64 `json:"sign_ins"`            // sign-ins observed (Disabled: none)
	Findings          int64 `json:"findings"`            // findings returned
	Learning          int64 `json:"learning"`            // sign-ins during their account's learning period
	NewPrincipals     int64 `json:"new_principals"`      // principals first seen after their account learnt (baseline started, no finding)
	Trusted           int64 `json:"trusted"`             // sign-ins from trusted_cidrs
	UnknownCountry    int64 `json:"unknown_country"`     // source not an IP, private/reserved, or not in the data
	Ignored           int64 `json:"ignored"`             // no account, no principal, HIDDEN_DUE_TO_SECURITY_REASONS, or no time
	AccountsOverLimit int64 `json:"accounts_over_limit"` // sign-ins not evaluated because max_accounts was reached
	Evictions         int64 `json:"evictions"`           // principals evicted (least recently seen) by max_principals
	CountryEvictions  int64 `json:"country_evictions"`   // countries dropped from a baseline by max_countries_per_principal
	Principals        int   `json:"principals"`          // principals tracked now
	Accounts          int   `json:"accounts"`            // accounts tracked now
}

// Detector is the new-country baseline detector. It is not safe for
// concurrent use.
type Detector struct {
	cfg     Config
	trusted []netip.Prefix
	country func(string) string

	accounts   map[string]int64               // account -> first sign-in (unix ns, event time)
	principals map[principalKey]*list.Element // values are *principal
	lru        *list.List                     // front: least recently seen
	st         Stats
}

type principalKey struct{ account, name string }

type principal struct {
	key       principalKey
	countries []seen // sorted by code
}

// seen is one baseline country and the last event time it was seen.
type seen struct {
	Code string `json:"code"`
	Last int64  `json:"last"` // unix ns
}

// NewCountry returns a new-country detector. country maps a source IP
// string to an ISO 3166-1 alpha-2 code, "" when unknown; nil means
// geo.Country. The error names the Config field that is wrong.
func NewCountry(cfg Config, country func(ip string) string) (*Detector, error) {
	c, trusted, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new-country baseline: %w", err)
	}
	if country == nil {
		country = geo.Country
	}
	d := &Detector{cfg: c, trusted: trusted, country: country}
	d.reset()
	return d, nil
}

func (d *Detector) reset() {
	d.accounts = map[string]int64{}
	d.principals = map[principalKey]*list.Element{}
	d.lru = list.New()
	d.st = Stats{}
}

// Meta returns the detector's rule metadata.
func (d *Detector) Meta() Meta { return newCountryMeta() }

// Config returns the configuration in effect, defaults filled in.
func (d *Detector) Config() Config {
	c := d.cfg
	c.TrustedCIDRs = slices.Clone(c.TrustedCIDRs)
	return c
}

// Stats returns the counters and the current state sizes.
func (d *Detector) Stats() Stats {
	s := d.st
	s.Principals, s.Accounts = len(d.principals), len(d.accounts)
	return s
}

// Observe takes one successful sign-in. Sign-ins must come in event-time
// order (a late one is still evaluated, against the state as it is). It
// returns a finding when, after the account's learning period, a principal
// with a baseline signs in from a country outside it and not from a trusted
// range. The country then joins the baseline, so each principal+country
// gives at most one finding (until evicted).
func (d *Detector) Observe(s SignIn) (Finding, bool) {
	if d.cfg.Disabled {
		return Finding{}, false
	}
	d.st.SignIns++
	if s.Account == "" || s.Principal == "" || s.Principal == event.HiddenUser ||
		s.Time.Before(minTime) || s.Time.After(maxTime) {
		d.st.Ignored++
		return Finding{}, false
	}
	t := s.Time.UnixNano()
	learning, ok := d.learning(s.Account, t)
	if !ok {
		d.st.AccountsOverLimit++
		return Finding{}, false
	}
	code := d.country(s.SourceIP)
	if !isCode(code) {
		d.st.UnknownCountry++
		return Finding{}, false
	}
	trusted := d.isTrusted(s.SourceIP)
	if learning {
		d.st.Learning++
	}
	if trusted {
		d.st.Trusted++
	}
	return d.judge(s, code, t, learning, trusted)
}

// The event times the detector accepts (UnixNano is defined within them);
// others are ignored.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// judge updates the principal's baseline with code and returns a finding
// when the country is new to an existing baseline, past learning and not
// from a trusted range.
func (d *Detector) judge(s SignIn, code string, t int64, learning, trusted bool) (Finding, bool) {
	p, isNew := d.touch(principalKey{s.Account, s.Principal})
	if p.refresh(code, t) {
		return Finding{}, false
	}
	raise := !isNew && !learning && !trusted
	var known []string
	if raise {
		known = p.codes()
	}
	d.add(p, code, t)
	if isNew && !learning {
		d.st.NewPrincipals++
	}
	if !raise {
		return Finding{}, false
	}
	d.st.Findings++
	return Finding{SignIn: s, Country: code, Known: known}, true
}

// learning records the account's first sign-in and reports whether t falls
// in its learning period; ok is false when the account cannot be tracked.
func (d *Detector) learning(account string, t int64) (learning, ok bool) {
	first, known := d.accounts[account]
	if !known {
		if len(d.accounts) >= d.cfg.MaxAccounts {
			return false, false
		}
		first = t
		d.accounts[account] = t
	} else if t < first { // late sign-in: the account's first is earlier
		first = t
		d.accounts[account] = t
	}
	return t-first < int64(d.cfg.LearningPeriod), true
}

func (d *Detector) isTrusted(ip string) bool {
	if len(d.trusted) == 0 {
		return false
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range d.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// touch returns the principal's state, marked most recently seen, creating
// it (and evicting the least recently seen principal) when absent.
func (d *Detector) touch(k principalKey) (*principal, bool) {
	if el, ok := d.principals[k]; ok {
		d.lru.MoveToBack(el)
		return el.Value.(*principal), false
	}
	p := &principal{key: k}
	d.insert(p)
	return p, true
}

// insert adds p as the most recently seen principal, evicting beyond the
// bound.
func (d *Detector) insert(p *principal) {
	d.principals[p.key] = d.lru.PushBack(p)
	for d.lru.Len() > d.cfg.MaxPrincipals {
		old := d.lru.Remove(d.lru.Front()).(*principal)
		delete(d.principals, old.key)
		d.st.Evictions++
	}
}

// add puts code in p's baseline, dropping the least recently seen country
// beyond the bound.
func (d *Detector) add(p *principal, code string, t int64) {
	i, _ := slices.BinarySearchFunc(p.countries, code, func(s seen, c string) int { return strings.Compare(s.Code, c) })
	p.countries = slices.Insert(p.countries, i, seen{Code: code, Last: t})
	d.trimCountries(p)
}

func (d *Detector) trimCountries(p *principal) {
	for len(p.countries) > d.cfg.MaxCountriesPerPrincipal {
		oldest := 0
		for i, s := range p.countries {
			if s.Last < p.countries[oldest].Last {
				oldest = i
			}
		}
		p.countries = slices.Delete(p.countries, oldest, oldest+1)
		d.st.CountryEvictions++
	}
}

// refresh updates the last-seen time of code and reports whether code is
// in the baseline.
func (p *principal) refresh(code string, t int64) bool {
	i, ok := slices.BinarySearchFunc(p.countries, code, func(s seen, c string) int { return strings.Compare(s.Code, c) })
	if ok && t > p.countries[i].Last {
		p.countries[i].Last = t
	}
	return ok
}

func (p *principal) codes() []string {
	out := make([]string, len(p.countries))
	for i, s := range p.countries {
		out[i] = s.Code
	}
	return out
}
