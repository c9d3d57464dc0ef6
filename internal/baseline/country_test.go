package baseline

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The logic tests use a fixed lookup table: the detector's behaviour must
// not depend on which country real data gives an address. The addresses
// are from the documentation ranges on purpose (the real data has no
// country for them, so a mix-up with geo.Country would show).
var fakeCountries = map[string]string{
	"192.0.2.10": "DE", "192.0.2.11": "DE", "192.0.2.20": "FR", "198.51.100.30": "JP",
	"198.51.100.40": "BR", "203.0.113.50": "KE",
}

func fakeLookup(ip string) string { return fakeCountries[ip] }

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return t0.Add(time.Duration(n * float64(24*time.Hour))) }

func newDet(t *testing.T, cfg Config) *Detector {
	t.Helper()
	d, err := NewCountry(cfg, fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func in(account, who, ip string, at time.Time) SignIn {
	return SignIn{Account: account, Principal: who, SourceIP: ip, Time: at, EventID: who + "@" + at.Format(time.RFC3339Nano)}
}

// expect observes s and checks whether a finding comes out, and its country.
func expect(t *testing.T, d *Detector, s SignIn, country string) Finding {
	t.Helper()
	f, ok := d.Observe(s)
	switch {
	case country == "" && ok:
		t.Fatalf("%s from %s at %s: unexpected finding %+v", s.Principal, s.SourceIP, s.Time, f)
	case country != "" && !ok:
		t.Fatalf("%s from %s at %s: no finding, want %s", s.Principal, s.SourceIP, s.Time, country)
	case ok && (f.Country != country || f.SignIn != s):
		t.Fatalf("finding %+v, want country %s for %+v", f, country, s)
	}
	return f
}

const acct = "111122223333"

func TestLearningThenNewCountry(t *testing.T) {
	d := newDet(t, Config{})
	alice := "arn:aws:iam::111122223333:user/alice"
	expect(t, d, in(acct, alice, "192.0.2.10", day(0)), "")  // DE, learning
	expect(t, d, in(acct, alice, "192.0.2.20", day(3)), "")  // FR, learning
	expect(t, d, in(acct, alice, "192.0.2.11", day(15)), "") // DE again: known
	f := expect(t, d, in(acct, alice, "198.51.100.30", day(16)), "JP")
	if !reflect.DeepEqual(f.Known, []string{"DE", "FR"}) {
		t.Errorf("Known = %v, want the baseline before the sign-in [DE FR]", f.Known)
	}
	expect(t, d, in(acct, alice, "198.51.100.30", day(17)), "") // one finding per principal+country
	f = expect(t, d, in(acct, alice, "198.51.100.40", day(18)), "BR")
	if !reflect.DeepEqual(f.Known, []string{"DE", "FR", "JP"}) {
		t.Errorf("Known = %v after JP joined", f.Known)
	}
	st := d.Stats()
	if st.Findings != 2 || st.SignIns != 6 || st.Learning != 2 || st.Principals != 1 || st.Accounts != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestNewPrincipalAfterLearningStartsABaseline(t *testing.T) {
	d := newDet(t, Config{})
	expect(t, d, in(acct, "root", "192.0.2.10", day(0)), "")
	expect(t, d, in(acct, "user/bob", "198.51.100.30", day(20)), "") // first ever sign-in of bob
	expect(t, d, in(acct, "user/bob", "198.51.100.30", day(21)), "")
	expect(t, d, in(acct, "user/bob", "192.0.2.10", day(22)), "DE") // DE is root's, not bob's
	if st := d.Stats(); st.NewPrincipals != 1 || st.Findings != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestLearningPeriodIsPerAccount(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: 48 * time.Hour})
	expect(t, d, in("A", "root", "192.0.2.10", day(0)), "")
	expect(t, d, in("B", "root", "192.0.2.10", day(10)), "")      // B starts learning on day 10
	expect(t, d, in("B", "root", "192.0.2.20", day(11)), "")      // B still learning
	expect(t, d, in("A", "root", "192.0.2.20", day(11)), "FR")    // A learnt long ago
	expect(t, d, in("B", "root", "198.51.100.30", day(12)), "JP") // exactly 48h after B's first
	// The boundary: one nanosecond before the end still learns.
	expect(t, d, in("C", "root", "192.0.2.10", day(20)), "")
	expect(t, d, in("C", "root", "192.0.2.20", day(22).Add(-1)), "")
	expect(t, d, in("C", "root", "198.51.100.30", day(22)), "JP")
	// Same principal name in two accounts: two baselines.
	expect(t, d, in("A", "root", "198.51.100.40", day(30)), "BR")
	expect(t, d, in("B", "root", "198.51.100.40", day(30)), "BR")
}

func TestUnknownCountriesAndIgnored(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: time.Hour})
	expect(t, d, in(acct, "root", "192.0.2.10", day(0)), "")
	for _, ip := range []string{"AWS Internal", "signin.amazonaws.com", "10.0.0.1", ""} {
		expect(t, d, in(acct, "root", ip, day(1)), "")
	}
	expect(t, d, in(acct, "HIDDEN_DUE_TO_SECURITY_REASONS", "192.0.2.20", day(1)), "")
	expect(t, d, in(acct, "", "192.0.2.20", day(1)), "")
	expect(t, d, in("", "root", "192.0.2.20", day(1)), "")
	expect(t, d, SignIn{Account: acct, Principal: "root", SourceIP: "192.0.2.20"}, "")
	expect(t, d, in(acct, "root", "192.0.2.20", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "")
	st := d.Stats()
	if st.UnknownCountry != 4 || st.Ignored != 5 || st.Principals != 1 {
		t.Errorf("stats %+v", st)
	}
	// None of them changed the baseline: FR is still new.
	expect(t, d, in(acct, "root", "192.0.2.20", day(2)), "FR")
}

func TestLookupAnswerMustBeACode(t *testing.T) {
	d, err := NewCountry(Config{LearningPeriod: time.Hour}, func(string) string { return "Germany" })
	if err != nil {
		t.Fatal(err)
	}
	expect(t, d, in(acct, "root", "192.0.2.10", day(0)), "")
	if st := d.Stats(); st.UnknownCountry != 1 || st.Principals != 0 {
		t.Errorf("a lookup answer that is not a code was used: %+v", st)
	}
}

func TestTrustedCIDRs(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: time.Hour, TrustedCIDRs: []string{"198.51.100.0/27", "203.0.113.50", "::ffff:192.0.2.20/128"}})
	expect(t, d, in(acct, "root", "192.0.2.10", day(0)), "")
	expect(t, d, in(acct, "root", "198.51.100.30", day(1)), "") // JP, trusted range
	expect(t, d, in(acct, "root", "203.0.113.50", day(1)), "")  // KE, trusted address
	expect(t, d, in(acct, "root", "192.0.2.20", day(1)), "")    // FR, trusted (mapped form in config)
	// A trusted sign-in still teaches the baseline: JP from elsewhere is known.
	fakeCountries["198.51.100.99"] = "JP"
	defer delete(fakeCountries, "198.51.100.99")
	expect(t, d, in(acct, "root", "198.51.100.99", day(2)), "")
	expect(t, d, in(acct, "root", "198.51.100.40", day(2)), "BR") // .40 is outside the /27
	if st := d.Stats(); st.Trusted != 3 || st.Findings != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestDisabled(t *testing.T) {
	d := newDet(t, Config{Disabled: true, LearningPeriod: time.Hour})
	expect(t, d, in(acct, "root", "192.0.2.10", day(0)), "")
	expect(t, d, in(acct, "root", "192.0.2.20", day(5)), "")
	if st := d.Stats(); st != (Stats{}) {
		t.Errorf("disabled detector kept state: %+v", st)
	}
	if d.Meta().ID != NewCountryID {
		t.Error("disabled detector lost its metadata")
	}
}

func TestLRUEviction(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: time.Hour, MaxPrincipals: 2})
	expect(t, d, in(acct, "a", "192.0.2.10", day(0)), "")
	expect(t, d, in(acct, "b", "192.0.2.10", day(0.1)), "")
	expect(t, d, in(acct, "a", "192.0.2.10", day(0.2)), "") // a is now the most recent
	expect(t, d, in(acct, "c", "192.0.2.10", day(0.3)), "") // evicts b, the least recent
	if st := d.Stats(); st.Evictions != 1 || st.Principals != 2 {
		t.Fatalf("stats %+v", st)
	}
	expect(t, d, in(acct, "a", "192.0.2.20", day(1)), "FR") // a kept its baseline
	expect(t, d, in(acct, "b", "192.0.2.20", day(1)), "")   // b starts over (and evicts c)
	expect(t, d, in(acct, "c", "192.0.2.20", day(1)), "")   // c too
	if st := d.Stats(); st.Evictions != 3 || st.NewPrincipals != 4 {
		t.Errorf("stats %+v", st)
	}
}

func TestCountryBound(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: time.Hour, MaxCountriesPerPrincipal: 2})
	expect(t, d, in(acct, "a", "192.0.2.10", day(0)), "") // DE
	expect(t, d, in(acct, "a", "192.0.2.20", day(0)), "") // FR
	expect(t, d, in(acct, "a", "192.0.2.10", day(1)), "") // DE seen again: FR is now the least recent
	f := expect(t, d, in(acct, "a", "198.51.100.30", day(2)), "JP")
	if !reflect.DeepEqual(f.Known, []string{"DE", "FR"}) {
		t.Errorf("Known %v", f.Known)
	}
	if st := d.Stats(); st.CountryEvictions != 1 {
		t.Fatalf("stats %+v", st)
	}
	expect(t, d, in(acct, "a", "192.0.2.10", day(3)), "")   // DE kept
	expect(t, d, in(acct, "a", "192.0.2.20", day(3)), "FR") // FR was dropped
}

func TestLateSignInMovesLearningStart(t *testing.T) {
	d := newDet(t, Config{LearningPeriod: 48 * time.Hour})
	expect(t, d, in(acct, "a", "192.0.2.10", day(5)), "")
	expect(t, d, in(acct, "a", "192.0.2.20", day(1)), "") // out of order: the account's first is day 1
	expect(t, d, in(acct, "a", "198.51.100.30", day(4)), "JP")
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{LearningPeriod: -time.Hour}, "learning_period"},
		{Config{MaxPrincipals: -1}, "max_principals"},
		{Config{MaxCountriesPerPrincipal: -1}, "max_countries_per_principal"},
		{Config{MaxAccounts: -1}, "max_accounts"},
		{Config{TrustedCIDRs: []string{"10.0.0.0/8", "10.0.0.0/33"}}, "trusted_cidrs[1]"},
		{Config{TrustedCIDRs: []string{"office"}}, `trusted_cidrs[0]: "office"`},
	} {
		_, err := NewCountry(tc.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one naming %s", tc.cfg, err, tc.want)
		}
	}
	d, err := NewCountry(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Config()
	if c.LearningPeriod != DefaultLearningPeriod || c.MaxPrincipals != DefaultMaxPrincipals ||
		c.MaxCountriesPerPrincipal != DefaultMaxCountriesPerPrincipal || c.MaxAccounts != DefaultMaxAccounts {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestConfigYAML(t *testing.T) {
	src := "learning_period: 72h\nmax_principals: 5000\nmax_countries_per_principal: 8\ntrusted_cidrs: [198.51.100.0/24]\ndisabled: false\n"
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.LearningPeriod != 72*time.Hour || c.MaxPrincipals != 5000 || c.MaxCountriesPerPrincipal != 8 ||
		len(c.TrustedCIDRs) != 1 {
		t.Errorf("decoded %+v", c)
	}
}

func TestMeta(t *testing.T) {
	d := newDet(t, Config{})
	m := d.Meta()
	if m.ID != NewCountryID || m.Level != "medium" || m.Title == "" || m.Description == "" ||
		len(m.Tags) == 0 || len(m.References) == 0 || len(m.FalsePositives) == 0 {
		t.Errorf("incomplete metadata %+v", m)
	}
	m.Tags[0] = "changed"
	if d.Meta().Tags[0] == "changed" {
		t.Error("Meta shares its slices")
	}
	if !uuidRE(m.ID) {
		t.Errorf("id %q is not a UUID", m.ID)
	}
}

func uuidRE(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
	}
	return true
}
