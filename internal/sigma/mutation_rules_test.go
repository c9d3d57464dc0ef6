package sigma

import "testing"

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
