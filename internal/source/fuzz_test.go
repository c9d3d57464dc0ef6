package source

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseKey checks that any key parses without panic into consistent
// facts, and that display names are always valid UTF-8.
func FuzzParseKey(f *testing.F) {
	for _, k := range layoutKeys {
		f.Add(k, false)
	}
	f.Add("SANS/us-east-2/2021/07/", true)
	f.Add("a/2021/13/40/123456789012_CloudTrail_x_2021x_y", false)
	f.Add("caf\xe9/\x00", false)
	flt := newFilter(Options{Since: time.Date(2021, 7, 28, 0, 0, 0, 0, time.UTC), Until: time.Date(2021, 7, 29, 0, 0, 0, 0, time.UTC), Accounts: []string{"111111111111"}})
	f.Fuzz(func(t *testing.T, key string, dir bool) {
		k := parseKey(key, dir)
		if k.dateDepth > 0 && !k.from.Before(k.to) {
			t.Fatalf("empty date range %+v", k)
		}
		if k.account != "" && !isDigits(k.account, 12) {
			t.Fatalf("account %q", k.account)
		}
		if ok, why := flt.keep(k); !ok && why == "" {
			t.Fatal("pruned without a reason")
		}
		_ = flt.startAfter(key, k)
		if n := displayName(key); !utf8.ValidString(n) {
			t.Fatalf("display name %q is not UTF-8", n)
		}
	})
}
