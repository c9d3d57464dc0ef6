package cwfilter

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// checkRoundTrip asserts that String is a fixed point of Parse.
func checkRoundTrip(t *testing.T, pattern string) {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	s := p.String()
	q, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(String()=%q) of %q: %v", s, pattern, err)
	}
	if q.String() != s {
		t.Errorf("round trip of %q: %q then %q", pattern, s, q.String())
	}
}

// checkLiterals asserts that raw, which the pattern matches, contains one
// of the pattern's literals (when it has any).
func checkLiterals(t *testing.T, pattern, raw string) {
	t.Helper()
	if !matchRaw(t, pattern, raw) {
		t.Fatalf("checkLiterals: %s does not match %s", pattern, raw)
	}
	p, _ := Parse(pattern)
	lits := p.Literals()
	if lits == nil {
		return
	}
	for _, l := range lits {
		if bytes.Contains([]byte(raw), l) {
			return
		}
	}
	t.Errorf("%s: none of the literals %q occurs in a matching event", pattern, lits)
}

// The term examples of the reference notes (3.4) and the archived page.
func TestTermPatterns(t *testing.T) {
	for _, c := range []struct {
		pattern, msg string
		want         bool
	}{
		{`ERROR`, `[ERROR] A fatal exception has occurred`, true},
		{`ERROR`, `Exiting with ERRORCODE: -1`, true},
		{`ERROR`, `error: lower case`, false},
		{`"ERROR" - "Exiting"`, `Exiting with ERRORCODE: -1`, false},
		{`"ERROR" - "Exiting"`, `[ERROR] A fatal exception has occurred`, true},
		{`ERROR Exception`, `[ERROR] Caught IllegalArgumentException`, true},
		{`ERROR Exception`, `[ERROR] Unhandled Exception`, true},
		{`ERROR Exception`, `[ERROR] Unhandled failure`, false},
		{`ERROR ARGUMENTS`, `ERROR: bad ARGUMENTS`, true},
		{`ERROR -ARGUMENTS`, `ERROR: bad ARGUMENTS`, false},
		{`ERROR -ARGUMENTS`, `ERROR: bad input`, true},
		{`?ERROR ?ARGUMENTS`, `ARGUMENTS missing`, true},
		{`?ERROR ?ARGUMENTS`, `all good`, false},
		{`?ERROR ?WARN`, `WARN message`, true},
		{`ERROR WARN`, `ERROR WARN message`, true},
		{`ERROR WARN`, `ERROR message`, false},
		{`ERROR -WARN`, `ERROR message`, true},
		{`ERROR -WARN`, `ERROR WARN message`, false},
		// ?terms mixed with other terms are ignored.
		{`ERROR ?WARN`, `ERROR message`, true},
		{`"INTERNAL SERVER ERROR"`, `500 INTERNAL SERVER ERROR here`, true},
		{`"INTERNAL SERVER ERROR"`, `INTERNAL ERROR SERVER`, false},
		{`" "`, `anything`, true},
		{`""`, `anything`, true},
		{``, `anything`, true},
		{`%AUTHORIZED%`, `UNAUTHORIZED REQUEST`, true},
		{`%^AUTHORIZED%`, `UNAUTHORIZED REQUEST`, false},
		{`-%^GET%`, `GET /`, false},
		// For JSON events the terms match the message text.
		{`ConsoleLogin`, `{"eventName":"ConsoleLogin"}`, true},
		{`"\"MFAUsed\":\"Yes\""`, `{"MFAUsed":"Yes"}`, true},
		{`"\"MFAUsed\": \"Yes\""`, `{"MFAUsed":"Yes"}`, false},
		{`Root*`, `type Root`, true},
	} {
		if got := matchRaw(t, c.pattern, c.msg); got != c.want {
			t.Errorf("%q on %q: got %v, want %v", c.pattern, c.msg, got, c.want)
		}
		checkRoundTrip(t, c.pattern)
		if c.want {
			checkLiterals(t, c.pattern, c.msg)
		}
	}
}

const apacheLine = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`

// The space-delimited examples of the reference notes and the archived page.
func TestDelimitedPatterns(t *testing.T) {
	for _, c := range []struct {
		pattern, msg string
		want         bool
	}{
		{`[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`, apacheLine, true},
		{`[ip, user, username, timestamp, request =*.html*, status_code = 5*, bytes]`, apacheLine, false},
		{`[ip, user, username, timestamp, request, status_code, bytes]`, apacheLine, true},
		{`[ip, user, username, timestamp, request, status_code]`, apacheLine, false},
		{`[..., status_code, bytes]`, apacheLine, true},
		{`[ip, user, ..., status_code, bytes]`, apacheLine, true},
		{`[ip, user, ...]`, apacheLine, true},
		{`[ip, user, username, timestamp, request, status_code, bytes > 1000]`, apacheLine, true},
		{`[ip, user, username, timestamp, request, status_code, bytes > 2000]`, apacheLine, false},
		{`[ip, user, username, timestamp, request, status_code = 200, bytes]`, apacheLine, false},
		{`[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, apacheLine, true},
		{`[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]`, apacheLine, false},
		{`[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]`, apacheLine, true},
		{`[..., request=*.html*, status_code=4*,]`, apacheLine, true},
		{`[ip = 127.0.0.1, ...]`, apacheLine, true},
		{`[ip != 127.0.0.1, ...]`, apacheLine, false},
		{`[ip, user = "-", ...]`, apacheLine, true},
		{`[..., status_code = %^4\d\d$%, bytes]`, apacheLine, true},
		{`[w1=ERROR, w2]`, `ERROR message`, true},
		{`[w1=ERROR, w2]`, `ERROR WARN message`, false},
		{`[w1=ERROR || w1=WARN, w2]`, `WARN message`, true},
		{`[w1=ERROR || w1=WARN, w2]`, `INFO message`, false},
	} {
		if got := matchRaw(t, c.pattern, c.msg); got != c.want {
			t.Errorf("%q on %q: got %v, want %v", c.pattern, c.msg, got, c.want)
		}
		checkRoundTrip(t, c.pattern)
	}
}

// The extracted fields of the archived page's example.
func TestDelimitedFields(t *testing.T) {
	p, err := Parse(`[..., request=*.html*, status_code=4*,]`)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.Fields([]byte(apacheLine))
	if !ok {
		t.Fatal("no match")
	}
	want := map[string]string{
		"$status_code": "404", "$request": "GET /index.html HTTP/1.0", "$7": "1534",
		"$4": "10/Oct/2000:13:25:15 -0700", "$3": "frank", "$2": "-", "$1": "127.0.0.1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

func TestLiteralsOfJSONPatterns(t *testing.T) {
	checkLiteralCases(t, []literalCase{
		{`{ $.eventName = ConsoleLogin }`, []string{"ConsoleLogin", `\u`}},
		{`{ $.eventName = "Console*" }`, []string{"Console", `\u`}},
		{`{ $.a = "x/yz" }`, []string{"yz", `\u`}},
		{`{ $.userAgent = "*" }`, []string{`"userAgent"`, `\u`}},
		{`{ $.latency > 10 }`, []string{`"latency"`, `\u`}},
		{`{ $.a NOT EXISTS }`, nil},
		{`{ $.a NOT EXISTS || $.b = xyz }`, nil},
		{`{ $.eventName = A || $.eventName = BB }`, []string{"A", `\u`, "BB"}},
		{`{ $.eventName = ConsoleLogin && $.x NOT EXISTS }`, []string{"ConsoleLogin", `\u`}},
		{`{ $.a.* = 1 }`, nil},
	})
}

// A value a JSON event spells with escapes still passes the prefilter.
func TestLiteralsAdmitEscapedSpellings(t *testing.T) {
	pattern := `{ $.eventName = "ConsoleLogin" }`
	raw := `{"eventName":"Console\u004cogin"}`
	var d event.Doc
	if err := d.Parse([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	p, _ := Parse(pattern)
	if !p.Match(d.Root(), []byte(raw)) {
		t.Fatal("escaped value did not match")
	}
	checkLiterals(t, pattern, raw)
}

func TestRoundTripCanonicalForms(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`{$.a=1&&($.b=2||$.c=3)}`, `{ $.a = 1 && ($.b = 2 || $.c = 3) }`},
		{`{ (($.a = 1)) || ($.b = "x y") }`, `{ $.a = 1 || $.b = "x y" }`},
		{`{ $.['a.b'][0].c[*] is null }`, `{ $.['a.b'][0].c[*] IS NULL }`},
		{`{ $.a = %^x\d+$% }`, `{ $.a = %^x\d+$% }`},
		{`{ $.a not exists && $.b IS false }`, `{ $.a NOT EXISTS && $.b IS FALSE }`},
		{`  ERROR   -x  ?y `, `ERROR -x`},
		{`[a,b=1&&a=2||b=3,...]`, `[a, b = 1 && a = 2 || b = 3, ...]`},
	} {
		p, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if p.String() != c.out {
			t.Errorf("String(%q) = %q, want %q", c.in, p.String(), c.out)
		}
		checkRoundTrip(t, c.in)
	}
}

// Term edge cases docs/cloudwatch.md states: a leading or trailing * on a
// bare term is dropped; ?terms mixed with other terms are ignored, so the
// other terms keep their meaning.
func TestTermWildcardsAndMixedOptionalTerms(t *testing.T) {
	checkRaw(t, []rawCase{
		{`*Root`, `type Root`, true},
		{`*Root*`, `RootAccount`, true},
		{`**Root`, `Root`, true},
		{`ERROR WARN ?X`, `ERROR message`, false},
		{`ERROR WARN ?X`, `ERROR WARN message`, true},
		{`ERROR -WARN ?X`, `ERROR WARN`, false},
		{`ERROR -WARN ?ERROR`, `WARN only`, false},
	})
}

// Splitting of space-delimited messages (docs/cloudwatch.md): runs of
// blanks (tabs included) separate fields, a quoted field runs to the next
// unescaped quote, and ... may take no field at all.
func TestDelimitedSplittingAndEllipsis(t *testing.T) {
	checkRaw(t, []rawCase{
		{`[a, b = x, c]`, "1\tx\t3", true},
		{`[a, b = x, c]`, "1 \t x\r\n3", true},
		{`[a, b, c = tail]`, `1 "say \"hi\" now" tail`, true},
		{`[a, b = *now, c]`, `1 "say \"hi\" now" tail`, true},
		{`[ip, ..., user, username, timestamp, request, status_code, bytes]`, apacheLine, true},
		{`[ip, user, username, timestamp, request, status_code, bytes, ...]`, apacheLine, true},
		{`[..., ip, user, username, timestamp, request, status_code, bytes]`, apacheLine, true},
		{`[ip, ..., user, ..., username, timestamp, request, status_code, bytes]`, apacheLine, true},
	})
}

// Conditions across fields with several ... search every placement (up to
// the documented 10,000 steps); a failure under one placement of an
// earlier field must not rule out a later field for other placements.
func TestDelimitedCrossFieldConditionsWithEllipses(t *testing.T) {
	checkRaw(t, []rawCase{
		{`[..., a, ..., b = 1 && a = 2]`, `9 2 9 1`, true},
		{`[..., a, ..., b = 1 && a = 2]`, `9 3 9 1`, false},
		{`[..., a, ..., b = 1 && a = 2]`, strings.Repeat("9 ", 30) + "2 1", true},
	})
}

// Literals of IS conditions are the JSON words (docs/cloudwatch.md), and a
// value holding a backslash contributes a run free of it: the JSON text
// spells the backslash escaped.
func TestLiteralsOfIsConditionsAndBackslashes(t *testing.T) {
	checkLiteralCases(t, []literalCase{
		{`{ $.flag IS TRUE }`, []string{"true"}},
		{`{ $.flag IS FALSE }`, []string{"false"}},
		{`{ $.flag IS NULL }`, []string{"null"}},
		{`{ $.a = "x\\yz" }`, []string{"yz", `\u`}},
	})
	checkLiterals(t, `{ $.a = "x\\yz" }`, `{"a":"x\\yz"}`)
	checkLiterals(t, `{ $.flag IS TRUE }`, `{"flag":true}`)
}

// A bare term may hold any character but a quote; the prefilter literal of
// plain terms is the longest one.
func TestTermQuotesAndLiteral(t *testing.T) {
	for _, bad := range []string{`ab"cd`, `ERROR x"y`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%s) accepted a quote inside a bare term", bad)
		}
	}
	p, err := Parse(`ab abcd abc`)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Literals(); len(got) != 1 || string(got[0]) != "abcd" {
		t.Errorf("Literals = %q, want the longest term abcd", got)
	}
}

// rawCase is a pattern, a raw message and whether the one matches the other.
type rawCase struct {
	pattern, msg string
	want         bool
}

// checkRaw matches each case's pattern against its message.
func checkRaw(t *testing.T, cases []rawCase) {
	t.Helper()
	for _, c := range cases {
		if got := matchRaw(t, c.pattern, c.msg); got != c.want {
			t.Errorf("%q on %q: got %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
}

// literalCase is a pattern and the literals it must report.
type literalCase struct {
	pattern string
	want    []string
}

// checkLiteralCases holds each pattern's Literals to its case.
func checkLiteralCases(t *testing.T, cases []literalCase) {
	t.Helper()
	for _, c := range cases {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range p.Literals() {
			got = append(got, string(l))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Literals(%s) = %q, want %q", c.pattern, got, c.want)
		}
	}
}

// TestDelimitedFieldsKeepEscapes pins down a choice the AWS documentation
// leaves open (docs/cloudwatch.md): inside a quoted field of a
// space-delimited message a backslash only keeps the next character from
// ending the field; the field's value is its text as written, escapes
// included. A condition compares that text, and Fields reports it.
func TestDelimitedFieldsKeepEscapes(t *testing.T) {
	const msg = `1 "say \"hi\" now" tail`
	checkRaw(t, []rawCase{
		{`[a, b = "say \\\"hi\\\" now", c]`, msg, true},
		{`[a, b = "say \"hi\" now", c]`, msg, false},
	})
	p, err := Parse(`[a, b, c]`)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.Fields([]byte(msg))
	if !ok || got["$b"] != `say \"hi\" now` {
		t.Errorf("Fields(%s) = %q, %v; want $b as written, say \\\"hi\\\" now", msg, got, ok)
	}
}
