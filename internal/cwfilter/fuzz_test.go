package cwfilter

import (
	"bytes"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// FuzzParse checks that Parse never panics, that String is a fixed point of
// Parse, that a pattern and its String match the same events, and that a
// matching event contains one of the pattern's literals.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		seedIAMPattern, seedICPattern, cisCases[0].pattern, cisCases[13].pattern,
		`{ $.a[*].b = "x*" || $.*.c != %^a\d{,2}$% }`, `{ $.['a.b'] IS NULL && $.c NOT EXISTS }`,
		`{ $.n >= -1.5e3 }`, `ERROR -WARN "a b"`, `?x ?%y+%`, `[ip, user, ..., status = 4* && bytes > 10, bytes]`,
		`[..., request=*.html*, status_code=4*,]`, `{ ($.a = 1 }`, `" "`,
	} {
		f.Add(s, `{"a":[{"b":"xy"}],"k":{"c":"a1"},"a.b":null,"n":5,"eventName":"ConsoleLogin"}`)
	}
	f.Add(`ERROR`, `ERROR WARN message`)
	f.Fuzz(func(t *testing.T, pattern, raw string) {
		p, err := Parse(pattern)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		s := p.String()
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", s, pattern, err)
		}
		if q.String() != s {
			t.Fatalf("String not canonical: %q -> %q", s, q.String())
		}
		var d event.Doc
		var root event.Value
		if d.Parse([]byte(raw)) == nil {
			root = d.Root()
		}
		m := p.Match(root, []byte(raw))
		if q.Match(root, []byte(raw)) != m {
			t.Fatalf("%q and its String %q disagree on %q", pattern, s, raw)
		}
		if m {
			lits := p.Literals()
			if lits == nil {
				return
			}
			for _, l := range lits {
				if bytes.Contains([]byte(raw), l) {
					return
				}
			}
			t.Fatalf("%q matches %q which holds none of %q", pattern, raw, lits)
		}
	})
}
