package sigma

import (
	"errors"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// parseRuleText parses the single rule in src.
func parseRuleText(t testing.TB, src string, opt ParseOptions) (*Rule, error) {
	t.Helper()
	docs, errs := LoadDocuments("test.yml", []byte(src))
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if len(docs) != 1 {
		t.Fatalf("want one document, got %d", len(docs))
	}
	return ParseRule(docs[0], opt)
}

// detectionRule wraps a detection body (indented by 4 spaces) in a rule.
func detectionRule(body string) string {
	return "title: test rule\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n" + body
}

// compileOne parses and compiles one rule given as a detection body.
func compileOne(t testing.TB, body string) *Engine {
	t.Helper()
	r, err := parseRuleText(t, detectionRule(body), ParseOptions{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return e
}

// matches runs the engine over one JSON event and returns the ids of the
// matching rules; it also checks that the prefilter never rejects an event
// that matches.
func matches(t testing.TB, e *Engine, js string) []Match {
	t.Helper()
	var d event.Doc
	if err := d.Parse([]byte(js)); err != nil {
		t.Fatalf("bad test event %s: %v", js, err)
	}
	var out []Match
	e.Match(d.Root(), nil, func(m Match) { out = append(out, m) })
	if len(out) > 0 && !e.MayMatch([]byte(js)) {
		t.Errorf("MayMatch rejected an event that matches: %s", js)
	}
	if brute := bruteForce(e, d.Root(), nil); len(brute) != len(out) {
		t.Errorf("rule index: Match found %d rules, evaluating every rule finds %d, on %s", len(out), len(brute), js)
	}
	return out
}

// bruteForce evaluates every rule of e on ev, bypassing the rule index.
func bruteForce(e *Engine, ev event.Value, en Enricher) []*Rule {
	st := newState(e)
	st.reset(ev, en)
	var out []*Rule
	for _, c := range e.rules {
		if st.ruleMatches(c) {
			out = append(out, c.rule)
		}
	}
	return out
}

// expect asserts whether a one-rule detection matches each event.
func expect(t *testing.T, body string, cases map[string]bool) {
	t.Helper()
	e := compileOne(t, body)
	for js, want := range cases {
		got := len(matches(t, e, js)) > 0
		if got != want {
			t.Errorf("detection\n%s\nevent %s: match = %v, want %v", body, js, got, want)
		}
	}
}

// expectParseError asserts that a detection is rejected with a message
// containing want and a line:column position.
func expectParseError(t *testing.T, body, want string) {
	t.Helper()
	_, err := parseRuleText(t, detectionRule(body), ParseOptions{})
	if err == nil {
		t.Fatalf("detection\n%s\nparsed, want error containing %q", body, want)
	}
	var pe *PosError
	if !errors.As(err, &pe) || pe.Line == 0 || pe.Column == 0 {
		t.Errorf("error %v has no line:column position", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}
