package geo

import (
	"net/netip"
	"testing"
)

// publicIPs are well-known public resolvers and registry hosts on several
// continents. Tests use them only as "some public addresses": which
// country the data gives each is read from the data, never assumed.
var publicIPs = []string{
	"8.8.8.8", "1.1.1.1", "9.9.9.9", "193.0.6.139", "202.12.29.205",
	"200.160.2.3", "196.216.2.1", "210.130.0.1", "2001:4860:4860::8888",
	"2a00:1450:4001:81c::200e", "2001:67c:2e8:22::c100:68b",
}

func TestCountryNotAnIP(t *testing.T) {
	for _, s := range []string{
		"", "AWS Internal", "ec2.amazonaws.com", "signin.amazonaws.com", " 8.8.8.8", "8.8.8.8 ",
		"8.8.8", "8.8.8.8.8", "225.01.00.16", "1.2.3.4/32", "fe80::1%eth0", "::ffff:", "[::1]",
	} {
		if c := Country(s); c != "" {
			t.Errorf("Country(%q) = %q, want \"\"", s, c)
		}
	}
}

func TestCountryPrivateAndReserved(t *testing.T) {
	for _, s := range []string{
		"0.0.0.0", "10.0.0.1", "10.255.255.255", "100.64.0.1", "127.0.0.1", "169.254.169.254",
		"172.16.0.1", "172.31.255.254", "192.0.0.8", "192.0.2.0", "192.0.2.255", "192.168.1.1",
		"198.18.0.1", "198.51.100.7", "203.0.113.5", "224.0.0.1", "239.255.255.250",
		"240.0.0.1", "255.255.255.255",
		"::", "::1", "fc00::1", "fd12:3456:789a::1", "fe80::1", "ff02::1", "2001:db8::1",
		"2001:db8:ffff::1", "3fff::1", "100::1", "64:ff9b::808:808", "2002:808:808::1",
		"::ffff:10.0.0.1", "::ffff:192.0.2.1",
	} {
		if c := Country(s); c != "" {
			t.Errorf("Country(%q) = %q, want \"\" (special-purpose range)", s, c)
		}
	}
}

func TestCountryPublic(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range publicIPs {
		c := Country(s)
		if !isCode(c) {
			t.Errorf("Country(%q) = %q, want a two-letter code", s, c)
		}
		seen[c] = true
	}
	if len(seen) < 3 {
		t.Errorf("public fixtures map to only %d countries: %v", len(seen), seen)
	}
	// The neighbours of a special range are ordinary addresses.
	for _, s := range []string{"9.255.255.255", "11.0.0.1", "172.32.0.1", "198.51.101.1"} {
		if c := Country(s); c == "" {
			t.Logf("Country(%q) unknown in the data (allowed, but unexpected)", s)
		}
	}
}

func TestCountryMappedAndCanonical(t *testing.T) {
	for _, s := range []string{"8.8.8.8", "193.0.6.139", "200.160.2.3"} {
		want := Country(s)
		for _, alt := range []string{"::ffff:" + s} {
			if got := Country(alt); got != want {
				t.Errorf("Country(%q) = %q, Country(%q) = %q", alt, got, s, want)
			}
		}
	}
	a := netip.MustParseAddr("2a00:1450:4001:81c::200e")
	want := AddrCountry(a)
	for _, alt := range []string{"2A00:1450:4001:81C::200E", "2a00:1450:4001:081c:0000:0000:0000:200e"} {
		if got := Country(alt); got != want || got == "" {
			t.Errorf("Country(%q) = %q, want %q (same address)", alt, got, want)
		}
	}
}

func TestEnricher(t *testing.T) {
	calls := 0
	lookup := func(ip string) string {
		calls++
		if ip == "a" {
			return "AA"
		}
		return ""
	}
	e := NewEnricher(lookup)
	e.Reset("a")
	if calls != 0 {
		t.Fatal("Reset looked the country up eagerly")
	}
	for i := 0; i < 3; i++ {
		if v, ok := e.EnrichField(FieldSourceCountry); !ok || v != "AA" {
			t.Fatalf("EnrichField = %q %v", v, ok)
		}
	}
	if calls != 1 {
		t.Errorf("lookup called %d times for one event, want 1", calls)
	}
	if _, ok := e.EnrichField("sourceASN"); ok {
		t.Error("unknown field reported present")
	}
	e.Reset("AWS Internal")
	if v, ok := e.EnrichField(FieldSourceCountry); ok || v != "" {
		t.Errorf("unknown country: EnrichField = %q %v, want absent", v, ok)
	}
	if calls != 2 {
		t.Errorf("Reset did not clear the remembered country (calls %d)", calls)
	}

	var zero Enricher // the zero value uses Country
	zero.Reset("8.8.8.8")
	if v, ok := zero.EnrichField(FieldSourceCountry); !ok || v != Country("8.8.8.8") {
		t.Errorf("zero Enricher: %q %v", v, ok)
	}
	zero.Reset("10.1.2.3")
	if _, ok := zero.EnrichField(FieldSourceCountry); ok {
		t.Error("private address has a country")
	}
	if f := Fields(); len(f) != 1 || f[0] != FieldSourceCountry {
		t.Errorf("Fields() = %v", f)
	}
}

func BenchmarkCountryIPv4(b *testing.B) {
	ips := []string{"8.8.8.8", "193.0.6.139", "200.160.2.3", "196.216.2.1", "10.0.0.1", "AWS Internal"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Country(ips[i%len(ips)])
	}
}

func BenchmarkCountryIPv6(b *testing.B) {
	ips := []string{"2001:4860:4860::8888", "2a00:1450:4001:81c::200e", "2001:67c:2e8:22::c100:68b"}
	Country(ips[0]) // the IPv6 table is inflated on first use
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Country(ips[i%len(ips)])
	}
}

func FuzzCountry(f *testing.F) {
	for _, s := range append(publicIPs, "10.0.0.1", "AWS Internal", "::ffff:1.2.3.4", "fe80::1%lo") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Country(s)
		if c != "" && !isCode(c) {
			t.Fatalf("Country(%q) = %q", s, c)
		}
		if a, err := netip.ParseAddr(s); err != nil && c != "" {
			t.Fatalf("Country(%q) = %q for a non-address", s, c)
		} else if err == nil && a.Zone() == "" && AddrCountry(a) != c {
			t.Fatalf("Country and AddrCountry disagree on %q", s)
		}
	})
}

func TestEnricherResetBytes(t *testing.T) {
	var e Enricher
	e.lookup = func(ip string) string {
		if ip == "203.0.113.9" {
			return "XX"
		}
		return ""
	}
	e.ResetBytes([]byte("203.0.113.9"))
	if c, ok := e.EnrichField(FieldSourceCountry); !ok || c != "XX" {
		t.Fatalf("ResetBytes: got %q %v", c, ok)
	}
	e.ResetBytes([]byte("AWS Internal"))
	if _, ok := e.EnrichField(FieldSourceCountry); ok {
		t.Fatal("a non-IP source has no country")
	}
}
