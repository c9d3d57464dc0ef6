package sigma

import (
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
