package baseline

import (
	"reflect"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/geo"
)

// threeCountries picks public addresses that the embedded data places in
// three different countries. Which countries they are is read from the
// data (a fixture property), never assumed.
func threeCountries(t *testing.T) (ips [3]string) {
	t.Helper()
	candidates := []string{"8.8.8.8", "193.0.6.139", "202.12.29.205", "200.160.2.3", "196.216.2.1",
		"210.130.0.1", "1.1.1.1", "9.9.9.9", "2001:67c:2e8:22::c100:68b"}
	seen := map[string]bool{}
	n := 0
	for _, ip := range candidates {
		c := geo.Country(ip)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		ips[n] = ip
		if n++; n == 3 {
			return ips
		}
	}
	t.Fatalf("the IP data gives fewer than three countries for %v", candidates)
	return ips
}

func TestWithRealIPData(t *testing.T) {
	ips := threeCountries(t)
	home, away, third := geo.Country(ips[0]), geo.Country(ips[1]), geo.Country(ips[2])
	d, err := NewCountry(Config{LearningPeriod: time.Hour}, nil) // nil: geo.Country
	if err != nil {
		t.Fatal(err)
	}
	ev := normalize(t, iamUserLogin)
	sign := func(ip string, at time.Time) (Finding, bool) {
		ev.SourceIP, ev.Time = ip, at
		s, ok := FromEvent(&ev)
		if !ok {
			t.Fatal("fixture not a sign-in")
		}
		return d.Observe(s)
	}
	if _, ok := sign(ips[0], day(0)); ok {
		t.Fatal("finding while learning")
	}
	for _, ip := range []string{"10.0.0.1", "AWS Internal", "192.0.2.44", "fd00::1"} {
		if _, ok := sign(ip, day(1)); ok {
			t.Errorf("finding for %q, which has no country", ip)
		}
	}
	if st := d.Stats(); st.UnknownCountry != 4 {
		t.Errorf("unknown-country sign-ins %d, want 4", st.UnknownCountry)
	}
	if _, ok := sign(ips[0], day(2)); ok {
		t.Error("finding for the home country")
	}
	f, ok := sign(ips[1], day(3))
	if !ok || f.Country != away || !reflect.DeepEqual(f.Known, []string{home}) {
		t.Errorf("away sign-in: %+v %v, want country %s known [%s]", f, ok, away, home)
	}
	if _, ok := sign(ips[1], day(4)); ok {
		t.Error("second finding for the same country")
	}
	if f, ok := sign(ips[2], day(5)); !ok || f.Country != third {
		t.Errorf("third country: %+v %v", f, ok)
	}
}
