// Package geo maps source IP addresses of CloudTrail events to countries,
// offline, and exposes the country to rules as an enrichment field.
//
// The data is IP2Location LITE (CC BY-SA 4.0), embedded in the binary by the
// github.com/phuslu/iploc module whose version go.mod pins; see
// docs/baseline.md and NOTICE for the attribution and the choice of source.
package geo

import (
	"net/netip"

	"github.com/phuslu/iploc"
)

// DataVersion is the version of the embedded IP-to-country data (the
// iploc module version, which follows the IP2Location LITE monthly
// releases).
const DataVersion = iploc.Version

// FieldSourceCountry is the enrichment field holding the ISO 3166-1 alpha-2
// country of sourceIPAddress.
const FieldSourceCountry = "sourceCountry"

// Fields returns the names of the enrichment fields an Enricher answers, for
// sigma.CompileOptions.EnrichFields.
func Fields() []string { return []string{FieldSourceCountry} }

// Country returns the ISO 3166-1 alpha-2 country of an IP string. It returns
// "" when the country is unknown, when ip is not an IP address (CloudTrail
// puts service names such as "ec2.amazonaws.com" or "AWS Internal" in
// sourceIPAddress), when it carries an IPv6 zone, and for private, reserved,
// loopback, link-local, multicast, shared (CGNAT) and documentation ranges
// (10/8, 192.0.2/24, 198.51.100/24, 203.0.113/24, ::1, fc00::/7,
// 2001:db8::/32 ...), which no country owns. IPv4-mapped IPv6 addresses are
// looked up as IPv4.
func Country(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return ""
	}
	return AddrCountry(a)
}

// AddrCountry is Country for a parsed address.
func AddrCountry(a netip.Addr) string {
	a = a.Unmap()
	if !a.IsValid() || special(a) {
		return ""
	}
	c := iploc.IPCountry(a)
	if !isCode(c) {
		return ""
	}
	return c
}

// isCode accepts two upper-case ASCII letters other than "ZZ" (the data's
// "unknown").
func isCode(c string) bool {
	if len(c) != 2 || c == "ZZ" {
		return false
	}
	return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// specialV4 and specialV6 are the IANA special-purpose ranges (RFC 6890 and
// its updates) that are not routed on the public Internet, plus multicast
// and the reserved class E.
var (
	specialV4 = prefixes(
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	)
	specialV6 = prefixes(
		"::/127", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
		"2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "ff00::/8",
	)
)

func prefixes(list ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(list))
	for i, s := range list {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// special reports whether a (unmapped) lies in a range no country owns.
func special(a netip.Addr) bool {
	list := specialV6
	if a.Is4() {
		list = specialV4
	}
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Enricher answers the enrichment fields of one event for the rule engine
// (it implements sigma.Enricher). The zero value looks countries up with
// Country; Reset it with each event's sourceIPAddress. The lookup is done
// on first use and remembered until the next Reset, so events whose rules
// never ask for the country cost nothing.
//
// Fields: "sourceCountry" (FieldSourceCountry), the ISO 3166-1 alpha-2 code
// of sourceIPAddress; it is absent (EnrichField returns false, so the field
// is missing for rules) when Country returns "".
type Enricher struct {
	lookup  func(string) string
	ip      string
	ipb     []byte // set by ResetBytes; converted on first use
	country string
	done    bool
}

// NewEnricher returns an Enricher that looks countries up with lookup
// (Country when nil).
func NewEnricher(lookup func(ip string) string) *Enricher {
	return &Enricher{lookup: lookup}
}

// Reset starts a new event whose sourceIPAddress is sourceIP (the raw
// string: it need not be an IP address).
func (e *Enricher) Reset(sourceIP string) {
	e.ip, e.ipb, e.country, e.done = sourceIP, nil, "", false
}

// ResetBytes is Reset without converting the address to a string unless a
// rule asks for the country. b must stay unchanged until the next Reset.
func (e *Enricher) ResetBytes(b []byte) {
	e.ip, e.ipb, e.country, e.done = "", b, "", false
}

// EnrichField returns the value of an enrichment field and whether it is
// present. Unknown names are absent.
func (e *Enricher) EnrichField(name string) (string, bool) {
	if name != FieldSourceCountry {
		return "", false
	}
	if !e.done {
		lookup := e.lookup
		if lookup == nil {
			lookup = Country
		}
		if e.ipb != nil {
			e.ip, e.ipb = string(e.ipb), nil
		}
		e.country, e.done = lookup(e.ip), true
	}
	return e.country, e.country != ""
}
