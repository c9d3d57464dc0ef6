package baseline

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

var scenarioCfg = Config{
	LearningPeriod: 48 * time.Hour, MaxPrincipals: 20, MaxCountriesPerPrincipal: 3, MaxAccounts: 3,
	TrustedCIDRs: []string{"203.0.113.0/24"},
}

// scenario is a deterministic stream of sign-ins in time order: four
// accounts (one over max_accounts), 40 principals (more than
// max_principals), every fake country, unknown sources.
func scenario(n int) []SignIn {
	r := rand.New(rand.NewPCG(7, 11))
	ips := []string{"192.0.2.10", "192.0.2.20", "198.51.100.30", "198.51.100.40", "203.0.113.50", "AWS Internal", "10.1.2.3"}
	out := make([]SignIn, n)
	at := t0
	for i := range out {
		at = at.Add(time.Duration(r.IntN(1800)) * time.Second)
		a := fmt.Sprintf("%012d", 100+r.IntN(4))
		who := fmt.Sprintf("arn:aws:iam::%s:user/u%d", a, r.IntN(10))
		ip := ips[r.IntN(len(ips))]
		if r.IntN(4) > 0 { // principals mostly stay home
			ip = ips[len(who)%2]
		}
		out[i] = SignIn{Account: a, Principal: who, SourceIP: ip, Time: at, EventID: fmt.Sprintf("ev-%d", i)}
	}
	return out
}

func run(t *testing.T, d *Detector, list []SignIn) []Finding {
	t.Helper()
	var out []Finding
	for _, s := range list {
		if f, ok := d.Observe(s); ok {
			out = append(out, f)
		}
	}
	return out
}

func saved(t *testing.T, d *Detector) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSaveRestoreResumesExactly(t *testing.T) {
	events := scenario(3000)
	whole := newDet(t, scenarioCfg)
	want := run(t, whole, events)
	wantState, wantStats := saved(t, whole), whole.Stats()
	if len(want) < 5 || wantStats.Evictions == 0 || wantStats.CountryEvictions == 0 ||
		wantStats.AccountsOverLimit == 0 || wantStats.UnknownCountry == 0 || wantStats.Trusted == 0 {
		t.Fatalf("scenario does not exercise the detector: %d findings, %+v", len(want), wantStats)
	}
	for _, cut := range []int{0, 1, 500, len(events) / 2, len(events) - 1, len(events)} {
		first := newDet(t, scenarioCfg)
		got := run(t, first, events[:cut])
		state := saved(t, first)
		second := newDet(t, scenarioCfg)
		if err := second.Restore(bytes.NewReader(state)); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if !bytes.Equal(saved(t, second), state) {
			t.Fatalf("cut %d: restored state saves different bytes", cut)
		}
		got = append(got, run(t, second, events[cut:])...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: %d findings after restore, want %d", cut, len(got), len(want))
		}
		if !bytes.Equal(saved(t, second), wantState) || second.Stats() != wantStats {
			t.Fatalf("cut %d: final state differs from the uninterrupted run", cut)
		}
	}
}

func TestSaveIsDeterministic(t *testing.T) {
	events := scenario(1000)
	a, b := newDet(t, scenarioCfg), newDet(t, scenarioCfg)
	run(t, a, events)
	run(t, b, events)
	sa := saved(t, a)
	if !bytes.Equal(sa, saved(t, a)) || !bytes.Equal(sa, saved(t, b)) {
		t.Error("the same state saved different bytes")
	}
}

func TestRestoreWithSmallerLimits(t *testing.T) {
	big := Config{LearningPeriod: time.Hour}
	d := newDet(t, big)
	for i := 0; i < 5; i++ {
		for _, ip := range []string{"192.0.2.10", "192.0.2.20", "198.51.100.30"} {
			d.Observe(in(acct, fmt.Sprintf("u%d", i), ip, day(float64(i))))
		}
	}
	small := newDet(t, Config{LearningPeriod: time.Hour, MaxPrincipals: 2, MaxCountriesPerPrincipal: 1})
	if err := small.Restore(bytes.NewReader(saved(t, d))); err != nil {
		t.Fatal(err)
	}
	st := small.Stats()
	if st.Principals != 2 || st.Evictions != 3 || st.CountryEvictions != 4 {
		t.Errorf("stats after restoring into smaller limits: %+v", st)
	}
	// The two most recent principals survive, each with its most recent
	// country (JP); their other countries are new again.
	expect(t, small, in(acct, "u4", "198.51.100.30", day(9)), "")
	expect(t, small, in(acct, "u3", "192.0.2.10", day(9)), "DE")
	tiny := newDet(t, Config{MaxAccounts: 1})
	d.Observe(in("other", "root", "192.0.2.10", day(9)))
	if err := tiny.Restore(bytes.NewReader(saved(t, d))); err == nil || !strings.Contains(err.Error(), "max_accounts") {
		t.Errorf("restoring 2 accounts into max_accounts 1: %v", err)
	}
}

func TestRestoreRejectsBadState(t *testing.T) {
	d := newDet(t, scenarioCfg)
	run(t, d, scenario(200))
	good := string(saved(t, d))
	cases := map[string]string{
		"empty":            "",
		"not JSON":         "baseline",
		"truncated":        good[:len(good)/2],
		"trailing data":    good + "{}",
		"wrong version":    strings.Replace(good, `"version":1`, `"version":2`, 1),
		"wrong kind":       strings.Replace(good, `"kind":"new_country"`, `"kind":"asn"`, 1),
		"unknown field":    strings.Replace(good, `"version":1`, `"version":1,"extra":true`, 1),
		"bad code":         `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1}],"principals":[{"account":"a","principal":"p","countries":[{"code":"de","last":1}]}],"stats":{}}`,
		"unsorted codes":   `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1}],"principals":[{"account":"a","principal":"p","countries":[{"code":"FR","last":1},{"code":"DE","last":1}]}],"stats":{}}`,
		"no country":       `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1}],"principals":[{"account":"a","principal":"p","countries":[]}],"stats":{}}`,
		"unknown account":  `{"version":1,"kind":"new_country","accounts":[],"principals":[{"account":"a","principal":"p","countries":[{"code":"DE","last":1}]}],"stats":{}}`,
		"repeated account": `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1},{"account":"a","first":2}],"principals":[],"stats":{}}`,
		"repeated principal": `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1}],"principals":[` +
			`{"account":"a","principal":"p","countries":[{"code":"DE","last":1}]},{"account":"a","principal":"p","countries":[{"code":"FR","last":1}]}],"stats":{}}`,
		"negative counter": `{"version":1,"kind":"new_country","accounts":[],"principals":[],"stats":{"findings":-1}}`,
		"derived counter":  `{"version":1,"kind":"new_country","accounts":[],"principals":[],"stats":{"principals":3}}`,
		"wrong type":       `{"version":1,"kind":"new_country","accounts":[{"account":"a","first":"yesterday"}],"principals":[],"stats":{}}`,
	}
	for name, state := range cases {
		err := d.Restore(strings.NewReader(state))
		if err == nil {
			t.Errorf("%s: restored", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "restore new-country baseline: ") {
			t.Errorf("%s: error without context: %v", name, err)
		}
		if string(saved(t, d)) != good {
			t.Fatalf("%s: a failed restore changed the detector", name)
		}
	}
}

func FuzzRestore(f *testing.F) {
	d, err := NewCountry(scenarioCfg, fakeLookup)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range scenario(300) {
		d.Observe(s)
	}
	var b bytes.Buffer
	if err := d.Save(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"version":1,"kind":"new_country","accounts":[{"account":"a","first":1}],"principals":[{"account":"a","principal":"p","countries":[{"code":"DE","last":1}]}],"stats":{}}`))
	f.Add([]byte(`{"version":1,"kind":"new_country","accounts":null,"principals":null,"stats":{}}`))
	f.Fuzz(func(t *testing.T, state []byte) {
		d, err := NewCountry(scenarioCfg, fakeLookup)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Restore(bytes.NewReader(state)); err != nil {
			return
		}
		// A state that restores saves canonical bytes that restore to
		// the same state, and the detector keeps working.
		var once, twice bytes.Buffer
		if err := d.Save(&once); err != nil {
			t.Fatal(err)
		}
		e, _ := NewCountry(scenarioCfg, fakeLookup)
		if err := e.Restore(bytes.NewReader(once.Bytes())); err != nil {
			t.Fatalf("saved state does not restore: %v", err)
		}
		if err := e.Save(&twice); err != nil || !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("save/restore is not a fixed point: %v", err)
		}
		if st := e.Stats(); st.Principals > scenarioCfg.MaxPrincipals || st.Accounts > scenarioCfg.MaxAccounts {
			t.Fatalf("restored past the bounds: %+v", st)
		}
		e.Observe(SignIn{Account: "a", Principal: "p", SourceIP: "192.0.2.10", Time: t0})
	})
}
