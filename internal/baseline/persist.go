package baseline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

const stateVersion = 1

// snapshot is the saved form of a Detector: JSON, accounts sorted by id,
// principals from least to most recently seen (the order is state: it
// decides evictions), each principal's countries sorted by code.
type snapshot struct {
	Version    int            `json:"version"`
	Kind       string         `json:"kind"`
	Accounts   []accountSnap  `json:"accounts"`
	Principals []principalSnp `json:"principals"`
	Stats      Stats          `json:"stats"`
}

type accountSnap struct {
	Account string `json:"account"`
	First   int64  `json:"first"` // unix ns, event time of the first sign-in
}

type principalSnp struct {
	Account   string `json:"account"`
	Principal string `json:"principal"`
	Countries []seen `json:"countries"`
}

const snapshotKind = "new_country"

// Save writes the detector's state (baselines, learning starts, counters)
// as JSON. The same state always gives the same bytes.
func (d *Detector) Save(w io.Writer) error {
	s := snapshot{Version: stateVersion, Kind: snapshotKind, Accounts: []accountSnap{}, Principals: []principalSnp{}}
	for a, first := range d.accounts {
		s.Accounts = append(s.Accounts, accountSnap{a, first})
	}
	slices.SortFunc(s.Accounts, func(x, y accountSnap) int { return strings.Compare(x.Account, y.Account) })
	for el := d.lru.Front(); el != nil; el = el.Next() {
		p := el.Value.(*principal)
		s.Principals = append(s.Principals, principalSnp{p.key.account, p.key.name, slices.Clone(p.countries)})
	}
	s.Stats = d.st
	s.Stats.Principals, s.Stats.Accounts = 0, 0 // derived from the state
	bw := bufio.NewWriter(w)
	if err := json.NewEncoder(bw).Encode(&s); err != nil {
		return fmt.Errorf("save new-country baseline: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save new-country baseline: %w", err)
	}
	return nil
}

// Restore replaces the detector's state with one written by Save. The
// configuration may have changed since: principals beyond max_principals
// are evicted (least recently seen first) and countries beyond
// max_countries_per_principal dropped, both counted; more accounts than
// max_accounts is an error. On error the detector is unchanged.
func (d *Detector) Restore(r io.Reader) error {
	s, err := readSnapshot(r)
	if err != nil {
		return fmt.Errorf("restore new-country baseline: %w", err)
	}
	if len(s.Accounts) > d.cfg.MaxAccounts {
		return fmt.Errorf("restore new-country baseline: %d accounts, max_accounts is %d", len(s.Accounts), d.cfg.MaxAccounts)
	}
	n := &Detector{cfg: d.cfg, trusted: d.trusted, country: d.country}
	n.reset()
	n.st = s.Stats
	for _, a := range s.Accounts {
		n.accounts[a.Account] = a.First
	}
	for _, ps := range s.Principals {
		p := &principal{key: principalKey{ps.Account, ps.Principal}, countries: ps.Countries}
		n.insert(p)
	}
	for el := n.lru.Front(); el != nil; el = el.Next() {
		n.trimCountries(el.Value.(*principal))
	}
	*d = *n
	return nil
}

// readSnapshot decodes and checks a snapshot; errors name the entry.
func readSnapshot(r io.Reader) (*snapshot, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.DisallowUnknownFields()
	var s snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode at byte %d: %w", dec.InputOffset(), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the state at byte %d", dec.InputOffset())
	}
	if s.Version != stateVersion || s.Kind != snapshotKind {
		return nil, fmt.Errorf("state is version %d kind %q, want version %d kind %q", s.Version, s.Kind, stateVersion, snapshotKind)
	}
	if err := checkStats(&s.Stats); err != nil {
		return nil, err
	}
	accounts := make(map[string]bool, len(s.Accounts))
	for i, a := range s.Accounts {
		if a.Account == "" || accounts[a.Account] {
			return nil, fmt.Errorf("accounts[%d]: empty or repeated account %q", i, a.Account)
		}
		accounts[a.Account] = true
	}
	keys := make(map[principalKey]bool, len(s.Principals))
	for i, p := range s.Principals {
		if err := checkPrincipal(&p, accounts, keys); err != nil {
			return nil, fmt.Errorf("principals[%d]: %w", i, err)
		}
	}
	return &s, nil
}

func checkStats(st *Stats) error {
	for _, v := range []int64{st.SignIns, st.Findings, st.Learning, st.NewPrincipals, st.Trusted,
		st.UnknownCountry, st.Ignored, st.AccountsOverLimit, st.Evictions, st.CountryEvictions} {
		if v < 0 {
			return fmt.Errorf("stats: negative counter %d", v)
		}
	}
	if st.Principals != 0 || st.Accounts != 0 {
		return fmt.Errorf("stats: principals and accounts are derived, not saved")
	}
	return nil
}

func checkPrincipal(p *principalSnp, accounts map[string]bool, keys map[principalKey]bool) error {
	k := principalKey{p.Account, p.Principal}
	switch {
	case p.Principal == "":
		return fmt.Errorf("empty principal")
	case !accounts[p.Account]:
		return fmt.Errorf("account %q is not in accounts", p.Account)
	case keys[k]:
		return fmt.Errorf("repeated principal %q in account %q", p.Principal, p.Account)
	case len(p.Countries) == 0:
		return fmt.Errorf("principal %q has no country", p.Principal)
	}
	keys[k] = true
	for j, c := range p.Countries {
		if !isCode(c.Code) {
			return fmt.Errorf("countries[%d]: %q is not a country code", j, c.Code)
		}
		if j > 0 && c.Code <= p.Countries[j-1].Code {
			return fmt.Errorf("countries[%d]: %q is out of order or repeated", j, c.Code)
		}
	}
	return nil
}

// isCode accepts two upper-case ASCII letters.
func isCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}
