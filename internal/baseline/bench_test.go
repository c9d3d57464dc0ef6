package baseline

import (
	"testing"
)

// BenchmarkObserve measures one sign-in through the detector with the real
// IP data, over many principals.
func BenchmarkObserve(b *testing.B) {
	events := scenario(10000)
	ips := []string{"8.8.8.8", "193.0.6.139", "200.160.2.3", "196.216.2.1", "2001:67c:2e8:22::c100:68b"}
	for i := range events {
		events[i].SourceIP = ips[i%len(ips)]
	}
	d, err := NewCountry(Config{MaxPrincipals: 1000, MaxAccounts: 10}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Observe(events[i%len(events)])
	}
}
