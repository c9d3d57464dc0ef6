package sigma

import (
	"strings"
	"testing"
)

// Tests written while testing the engine's tests by mutation: each pins a
// behaviour of rule loading, conditions, field resolution, the rule index or
// the literal prefilter that no earlier test did.

// TestMayMatchNumberOutOfFloatRange: a JSON number too large for a float64
// (1e999) is still a number, written without quotes; the prefilter must not
// require the quotes around the rule's value.
func TestMayMatchNumberOutOfFloatRange(t *testing.T) {
	expect(t, "    sel:\n        n: '1e999'\n    condition: sel\n", map[string]bool{
		`{"n":1e999}`:   true,
		`{"n":"1e999"}`: true,
		`{"n":1e99}`:    false,
	})
}

// TestTitleLengthCountsCharacters: the specification's limit is 256
// characters, not bytes.
func TestTitleLengthCountsCharacters(t *testing.T) {
	body := "\nlogsource:\n    product: aws\ndetection:\n    s:\n        a: 1\n    condition: s\n"
	if _, err := parseRuleText(t, "title: "+strings.Repeat("é", 256)+body, ParseOptions{}); err != nil {
		t.Errorf("256-character title of 512 bytes: %v", err)
	}
	if _, err := parseRuleText(t, "title: "+strings.Repeat("é", 257)+body, ParseOptions{}); err == nil {
		t.Error("257-character title accepted")
	}
}
