package sigma

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMayMatchRejects(t *testing.T) {
	e := compileOne(t, `    sel:
        eventSource: signin.amazonaws.com
        eventName: ConsoleLogin
    condition: sel
`)
	for js, want := range map[string]bool{
		`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin"}`:   true,
		`{"eventSource":"SIGNIN.amazonaws.com","eventName":"consolelogin"}`:   true,
		`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}`: false,
		// The exact value is framed by quotes: a longer value does not pass.
		`{"eventSource":"ec2.amazonaws.com","eventName":"ConsoleLoginX"}`: false,
	} {
		if got := e.MayMatch([]byte(js)); got != want {
			t.Errorf("MayMatch(%s) = %v, want %v", js, got, want)
		}
	}
}

// TestMayMatchEscapes checks the events whose raw bytes hide a literal
// behind a JSON escape or a Unicode case mapping: they must pass the
// prefilter and match.
func TestMayMatchEscapes(t *testing.T) {
	cases := []struct{ body, event string }{
		{"    sel:\n        eventName: ConsoleLogin\n    condition: sel\n", `{"eventName":"Console\u004cogin"}`},
		{"    sel:\n        a: 'x/y'\n    condition: sel\n", `{"a":"x\/y"}`},
		{"    sel:\n        a|contains: 'say \"hi\"'\n    condition: sel\n", `{"a":"they say \"hi\" twice"}`},
		{"    sel:\n        a|endswith: '\\bin'\n    condition: sel\n", `{"a":"c:\\bin"}`},
		{"    sel:\n        a: kelvin\n    condition: sel\n", "{\"a\":\"\u212aelvin\"}"},
		{"    sel:\n        a: id\n    condition: sel\n", "{\"a\":\"\u0130d\"}"},
	}
	for _, c := range cases {
		e := compileOne(t, c.body)
		if len(matches(t, e, c.event)) != 1 {
			t.Errorf("%s did not match\n%s", c.event, c.body)
		}
	}
}

// TestMayMatchEscapePrecision checks that an escape of a character no
// required literal holds does not let an event through.
func TestMayMatchEscapePrecision(t *testing.T) {
	e := compileOne(t, "    sel:\n        eventName: ConsoleLogin\n    condition: sel\n")
	for js, want := range map[string]bool{
		`{"eventName":"GetObject","userAgent":"x \u003cy\u003e"}`: false,
		`{"eventName":"Console\u004Cogin"}`:                       true,
		`{"eventName":"Console\u006cogin"}`:                       true,
	} {
		if got := e.MayMatch([]byte(js)); got != want {
			t.Errorf("MayMatch(%s) = %v, want %v", js, got, want)
		}
	}
}

func TestMayMatchUnconstrainedRule(t *testing.T) {
	e := compileOne(t, "    sel:\n        a|neq: x\n    condition: sel\n")
	if !e.MayMatch([]byte(`{"b":1}`)) {
		t.Error("a rule without required literals must make MayMatch true")
	}
	e = compileOne(t, "    sel:\n        a: x\n    condition: not sel\n")
	if !e.MayMatch([]byte(`{"b":1}`)) || len(matches(t, e, `{"b":1}`)) != 1 {
		t.Error("negated selection: the event must pass and match")
	}
}

func TestRequirementSelection(t *testing.T) {
	e := compileOne(t, `    sel:
        eventName: ab
        userAgent|contains: 'longer literal'
    other:
        x|re: 'foo[0-9]+barbaz'
    condition: sel or other
`)
	req := condReq(e.rules[0].det.cond, e.rules[0].det)
	var parts []string
	for _, cl := range req {
		parts = append(parts, strings.Join(cl, "|"))
	}
	got := strings.ReplaceAll(strings.Join(parts, " & "), "\x00", `"`)
	if got != `longer literal|barbaz` { // the 2-byte "ab" is too weak to keep
		t.Errorf("requirement %q", got)
	}
}

func TestRegexLiteral(t *testing.T) {
	for expr, want := range map[string]string{
		".+:assumed-role/aws:.+": ":assumed-role/aws:",
		"^(a|b)cdef$":            "cdef",
		"a|b":                    "",
		"(?i)HELLO":              "hello",
	} {
		if got := regexLiteral(expr); got != want {
			t.Errorf("regexLiteral(%q) = %q, want %q", expr, got, want)
		}
	}
}

// TestMayMatchAgainstBruteForce compares the automaton with a plain
// substring search on random literals and texts over a small alphabet
// (many overlaps and shared prefixes).
func TestMayMatchAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abAB c"[r.IntN(6)]
		}
		return string(b)
	}
	for round := 0; round < 50; round++ {
		var lits []string
		body := "    sel:\n        f|contains:\n"
		for i := 0; i < 1+r.IntN(8); i++ {
			l := strings.TrimSpace(word(2 + r.IntN(5)))
			if len(l) < 2 {
				continue
			}
			lits = append(lits, strings.ToLower(l))
			body += "            - '" + l + "'\n"
		}
		if len(lits) == 0 {
			continue
		}
		e := compileOne(t, body+"    condition: sel\n")
		for k := 0; k < 40; k++ {
			js := `{"f":"` + word(r.IntN(30)) + `"}`
			want := false
			for _, l := range lits {
				want = want || strings.Contains(strings.ToLower(js), l)
			}
			if got := e.MayMatch([]byte(js)); got != want {
				t.Fatalf("literals %q, event %s: MayMatch %v, want %v", lits, js, got, want)
			}
			matches(t, e, js) // checks match => MayMatch and the index
		}
	}
}

func TestGate(t *testing.T) {
	e := compileOne(t, "    sel:\n        eventName: ConsoleLogin\n    condition: sel\n")
	hit := []byte(`{"eventName":"ConsoleLogin"}`)
	miss := []byte(`{"eventName":"GetObject"}`)
	g := e.NewGate()
	// Mostly rejected events: every event is scanned and misses are dropped.
	for i := 0; i < 3*gateWindow; i++ {
		ev := miss
		if i%10 == 0 {
			ev = hit
		}
		if got := g.Pass(ev); got != (i%10 == 0) {
			t.Fatalf("event %d: Pass = %v while filtering", i, got)
		}
	}
	if g.Scanned != g.Total {
		t.Errorf("filtering mode scanned %d of %d", g.Scanned, g.Total)
	}
	// Mostly passing events: the gate stops scanning most of them, and
	// still never drops a matching event.
	g2 := e.NewGate()
	for i := 0; i < 4*gateWindow; i++ {
		ev := hit
		if i%10 == 0 {
			ev = miss
		}
		if !g2.Pass(ev) && bytes.Equal(ev, hit) {
			t.Fatal("gate dropped a matching event")
		}
	}
	if g2.Scanned*2 > g2.Total {
		t.Errorf("bypass mode scanned %d of %d events", g2.Scanned, g2.Total)
	}
	// When the mix turns to mostly rejected events, filtering resumes.
	for i := 0; i < 4*gateWindow; i++ {
		g2.Pass(miss)
	}
	before := g2.Scanned
	for i := 0; i < gateWindow; i++ {
		g2.Pass(miss)
	}
	if g2.Scanned-before != gateWindow {
		t.Errorf("after the mix changed, %d of %d events scanned", g2.Scanned-before, gateWindow)
	}
}

// TestIndexUnicodeFoldGrowth: lower-casing can make a value longer in
// bytes (U+023A, two bytes, lowers to U+2C65, three): the rule index must
// still find it.
func TestIndexUnicodeFoldGrowth(t *testing.T) {
	expect(t, "    sel:\n        a: '\u2c65'\n    condition: sel\n", map[string]bool{
		"{\"a\":\"\u023a\"}": true,
		`{"a":"x"}`:          false,
	})
}

// TestMayMatchAlternativeWithoutLiteral: an alternative with no literal
// ('*' here) leaves its item without a requirement.
func TestMayMatchAlternativeWithoutLiteral(t *testing.T) {
	expect(t, "    sel:\n        a:\n            - 'abcdef'\n            - '*'\n    condition: sel\n", map[string]bool{
		`{"a":"zzz"}`: true,
		`{"b":"zzz"}`: false,
	})
}

// TestMayMatchObjectText: a value anchored at the start of an object's JSON
// text is not preceded by a quote in the raw event.
func TestMayMatchObjectText(t *testing.T) {
	expect(t, "    sel:\n        requestParameters|startswith: '{\"bucketName\"'\n    condition: sel\n", map[string]bool{
		`{"requestParameters":{"bucketName":"b"}}`: true,
		`{"requestParameters":{"key":"b"}}`:        false,
	})
}

// TestGateSamplesWhileBypassing: while letting events through unscanned,
// the gate still scans one event in gateSample.
func TestGateSamplesWhileBypassing(t *testing.T) {
	e := compileOne(t, "    sel:\n        eventName: ConsoleLogin\n    condition: sel\n")
	g := e.NewGate()
	hit := []byte(`{"eventName":"ConsoleLogin"}`)
	for i := 0; i < gateWindow; i++ {
		g.Pass(hit)
	}
	before := g.Scanned
	for i := 0; i < gateWindow; i++ {
		g.Pass(hit)
	}
	if n := g.Scanned - before; n != gateWindow/gateSample {
		t.Errorf("bypassing: %d of %d events scanned, want %d", n, gateWindow, gateWindow/gateSample)
	}
}

// TestPrefilterScalarEdges: numbers, true, false and null are written
// without quotes, so the prefilter may not require a quote before a value
// that may begin one, nor after a value that may end one. startswith '1e'
// matches the number 1e5 (numbers compare as their JSON text), endswith
// 'e5' too, and startswith 'tr' matches true; the prefilter once demanded
// '"1e', 'e5"' and '"tr' and lost these detections.
func TestPrefilterScalarEdges(t *testing.T) {
	for body, cases := range map[string]map[string]bool{
		"n|startswith: '1e'":  {`{"n":1e5}`: true, `{"n":"1e5"}`: true, `{"n":"x1e5"}`: false},
		"n|endswith: 'e5'":    {`{"n":1e5}`: true, `{"n":"1e5"}`: true, `{"n":"1e5x"}`: false},
		"n|startswith: '-0.'": {`{"n":-0.5}`: true, `{"n":5}`: false},
		"n|startswith: 'tr'":  {`{"n":true}`: true, `{"n":"tree"}`: true, `{"n":false}`: false},
		"n|endswith: 'LSE'":   {`{"n":false}`: true, `{"n":true}`: false},
		"n|startswith: 'nu'":  {`{"n":null}`: false, `{"n":"nuts"}`: true},
		"n: 'TRUE'":           {`{"n":true}`: true, `{"n":"true"}`: true},
		"n: '1E5'":            {`{"n":1e5}`: true, `{"n":1E5}`: true},
	} {
		expect(t, "    sel:\n        "+body+"\n    condition: sel\n", cases)
	}
}
