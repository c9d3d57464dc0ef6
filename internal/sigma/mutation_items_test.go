package sigma

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// The tests of this file pin down value-matching behaviour that mutation
// testing found unpinned: each fails with a small change of item.go,
// pattern.go, transform.go or the value-matching part of eval.go.

// expectPlaceholders is expect with placeholder values for expand.
func expectPlaceholders(t *testing.T, body string, ph map[string][]string, cases map[string]bool) {
	t.Helper()
	r, err := parseRuleText(t, detectionRule(body), ParseOptions{Placeholders: ph})
	if err != nil {
		t.Fatalf("detection\n%s\nparse: %v", body, err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	for js, want := range cases {
		if got := len(matches(t, e, js)) > 0; got != want {
			t.Errorf("detection\n%s\nevent %s: match = %v, want %v", body, js, got, want)
		}
	}
}

// sel is a detection with one selection holding one item.
func sel(item string) string { return "    sel:\n        " + item + "\n    condition: sel\n" }

// TestEmptyValueMatchesOnlyEmpty: an empty value matches only an empty string
// (docs/sigma.md, "null"), not every value.
func TestEmptyValueMatchesOnlyEmpty(t *testing.T) {
	expect(t, sel("a: ''"), map[string]bool{`{"a":""}`: true, `{"a":"x"}`: false, `{"a":0}`: false})
	expect(t, sel("a|cased: ''"), map[string]bool{`{"a":""}`: true, `{"a":"x"}`: false})
}

// TestEmptyPrefixAndSuffix: every string starts and ends with the empty
// string, including the empty string itself.
func TestEmptyPrefixAndSuffix(t *testing.T) {
	for _, mod := range []string{"startswith", "endswith", "contains"} {
		expect(t, sel("a|"+mod+": ''"), map[string]bool{`{"a":"abc"}`: true, `{"a":""}`: true, `{"b":"abc"}`: false})
	}
}

// TestQuestionMarkIsExactlyOneCharacter: '?' is exactly one character
// wherever it stands (docs/sigma.md, "Wildcards"), also in patterns with a
// single literal, which could otherwise be mistaken for a prefix, suffix
// or exact pattern.
func TestQuestionMarkIsExactlyOneCharacter(t *testing.T) {
	expect(t, sel("a: 'abc?'"), map[string]bool{`{"a":"abc"}`: false, `{"a":"abcd"}`: true, `{"a":"abcde"}`: false})
	expect(t, sel("a: '?abc'"), map[string]bool{`{"a":"abc"}`: false, `{"a":"xabc"}`: true, `{"a":"xxabc"}`: false})
	expect(t, sel("a: '?'"), map[string]bool{`{"a":""}`: false, `{"a":"x"}`: true, `{"a":"é"}`: true, `{"a":"xy"}`: false})
	expect(t, sel("a|contains: 'b?d'"), map[string]bool{`{"a":"abcde"}`: true, `{"a":"abde"}`: false})
}

// TestStarThenQuestionMarksCountCharacters: after a '*', each '?' still
// takes one whole character, also for characters of three UTF-8 bytes: the
// star must not stop inside a character and leave its remaining bytes to
// be counted as characters.
func TestStarThenQuestionMarksCountCharacters(t *testing.T) {
	expect(t, sel("a: 'x*??'"), map[string]bool{
		`{"a":"x€"}`:   false, // one character after x
		`{"a":"x€€"}`:  true,
		`{"a":"xa€€"}`: true,
		`{"a":"x"}`:    false,
	})
}

// TestGeneralPatternMustConsumeWholeValue: a pattern without a trailing
// '*' must reach the end of the value.
func TestGeneralPatternMustConsumeWholeValue(t *testing.T) {
	expect(t, sel("a: 'Get*Policy'"), map[string]bool{
		`{"a":"GetBucketPolicy"}`:  true,
		`{"a":"GetPolicy"}`:        true,
		`{"a":"GetBucketPolicyX"}`: false,
		`{"a":"GetPolicyPolicyX"}`: false,
	})
}

// TestStarBacktrackingKeepsMatchedPrefix: text matched before a '*' is
// not reused after it: 'ab*b' needs a "b" after the leading "ab".
func TestStarBacktrackingKeepsMatchedPrefix(t *testing.T) {
	expect(t, sel("a: 'ab*b'"), map[string]bool{
		`{"a":"ab"}`:   false,
		`{"a":"abb"}`:  true,
		`{"a":"abxb"}`: true,
		`{"a":"abx"}`:  false,
	})
	expect(t, sel("a: 'a*a*a'"), map[string]bool{`{"a":"aa"}`: false, `{"a":"aaa"}`: true, `{"a":"abaca"}`: true})
}

// TestFoldIntoNonASCIIBytes: foldInto agrees with bytes.ToLower for every
// byte value at every position, the bytes from 0x80 up included (invalid
// UTF-8 alone, or starting a multi-byte character).
func TestFoldIntoNonASCIIBytes(t *testing.T) {
	for c := 0x80; c < 0x100; c++ {
		for pos := 0; pos < 17; pos++ {
			v := bytes.Repeat([]byte{'X'}, 17)
			v[pos] = byte(c)
			got := foldInto([]byte("p:"), v)
			want := append([]byte("p:"), bytes.ToLower(v)...)
			if !bytes.Equal(got, want) {
				t.Fatalf("foldInto(%q) = %q, want %q", v, got, want)
			}
		}
	}
}

// TestWindashKeepsWildcards: windash varies the dashes of a value that also
// holds wildcards, and keeps the wildcards.
func TestWindashKeepsWildcards(t *testing.T) {
	expect(t, sel("cmd|windash: 'x-*-y'"), map[string]bool{
		`{"cmd":"x-abc/y"}`:           true,
		`{"cmd":"x\u2013abc\u2015y"}`: true,
		`{"cmd":"x--y"}`:              true,
		`{"cmd":"x-abc+y"}`:           false,
		`{"cmd":"x-abc/yz"}`:          false,
	})
}

// TestWindashMultiByteDashInRule: a rule may write any of the five dash
// characters; each is replaced by all five (docs/sigma.md, "windash").
func TestWindashMultiByteDashInRule(t *testing.T) {
	expect(t, sel("cmd|windash: \"a\u2013b\""), map[string]bool{
		`{"cmd":"a-b"}`:      true,
		`{"cmd":"a/b"}`:      true,
		`{"cmd":"a\u2013b"}`: true,
		`{"cmd":"a\u2014b"}`: true,
		`{"cmd":"a\u2015b"}`: true,
		`{"cmd":"a+b"}`:      false,
	})
}

// TestWindashDashesCountedAcrossWildcards: the limit of five dash
// characters is per value, whether or not wildcards separate them (six:
// three and three either side of a star, are too many; five are not).
func TestWindashDashesCountedAcrossWildcards(t *testing.T) {
	expectParseError(t, sel("cmd|windash: 'a-b-c-d*e-f-g-h'"), "more than 5 dash characters")
	expectParseError(t, sel("cmd|windash: 'a-b-c-d-e-f*g-h'"), "more than 5 dash characters")
	expect(t, sel("cmd|windash: 'a-b-c*d-e-f-g'"), map[string]bool{`{"cmd":"a/b/c d/e/f/g"}`: true, `{"cmd":"a/b/c d/e/f+g"}`: false})
}

// TestWindashCaseInsensitive: windash is not an encoding, the variants are
// compared case-insensitively like any plain value (docs/sigma.md, "Case").
func TestWindashCaseInsensitive(t *testing.T) {
	expect(t, sel("cmd|windash: 'x-Y'"), map[string]bool{`{"cmd":"X/y"}`: true, `{"cmd":"x-y"}`: true})
}

// TestUTF16SurrogatePairs: a character outside the Basic Multilingual Plane
// is two UTF-16 code units (a surrogate pair): U+1F600 is D83D DE00.
func TestUTF16SurrogatePairs(t *testing.T) {
	le := base64.StdEncoding.EncodeToString([]byte("\x3d\xd8\x00\xde"))
	be := base64.StdEncoding.EncodeToString([]byte("\xd8\x3d\xde\x00"))
	expect(t, sel("a|wide|base64: \"\U0001F600\""), map[string]bool{`{"a":"` + le + `"}`: true, `{"a":"` + be + `"}`: false})
	expect(t, sel("a|utf16be|base64: \"\U0001F600\""), map[string]bool{`{"a":"` + be + `"}`: true, `{"a":"` + le + `"}`: false})
}

// TestBase64OffsetStandardAlphabet: base64offset uses the standard
// alphabet ('+' and '/'), as base64 does.
func TestBase64OffsetStandardAlphabet(t *testing.T) {
	for _, pad := range []string{"", "x", "xx"} {
		enc := base64.StdEncoding.EncodeToString([]byte(pad + "~~~~~~~~~" + "z"))
		if !strings.Contains(enc, "+") {
			t.Fatalf("test value %q has no '+'", enc)
		}
		expect(t, sel("a|base64offset|contains: '~~~~~~~~~'"), map[string]bool{`{"a":"` + enc + `"}`: true})
	}
}

// TestBase64OffsetShortValue: a shifted encoding that trims down to
// nothing is left out rather than kept as an empty pattern, which with
// contains would match every value.
func TestBase64OffsetShortValue(t *testing.T) {
	expect(t, sel("a|base64offset|contains: 'a'"), map[string]bool{
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("a")) + `"}`: true,
		`{"a":"zzzz"}`: false,
	})
}

// TestExpandUnmatchedPercent: a '%' that opens no placeholder is literal
// text under expand.
func TestExpandUnmatchedPercent(t *testing.T) {
	expectPlaceholders(t, sel("a|expand: '%p% 100%'"), map[string][]string{"p": {"cpu"}}, map[string]bool{
		`{"a":"cpu 100%"}`: true,
		`{"a":"cpu 100"}`:  false,
	})
	expectPlaceholders(t, sel("a|expand: '50%'"), map[string][]string{"p": {"x"}}, map[string]bool{
		`{"a":"50%"}`: true,
		`{"a":"50"}`:  false,
	})
}

// TestExpandKeepsTextAsWritten: the text around a placeholder is kept as
// written (here compared case-sensitively).
func TestExpandKeepsTextAsWritten(t *testing.T) {
	expectPlaceholders(t, sel("a|expand|cased: 'Pre-%p%'"), map[string][]string{"p": {"X"}}, map[string]bool{
		`{"a":"Pre-X"}`: true,
		`{"a":"pre-X"}`: false,
	})
}

// TestExpandEmptyPlaceholderNamed: a placeholder given with no values
// rejects the rule, naming the placeholder (docs/sigma.md, "expand").
func TestExpandEmptyPlaceholderNamed(t *testing.T) {
	for name, ph := range map[string]map[string][]string{
		"empty":   {"p": {}},
		"unknown": {"q": {"x"}},
	} {
		_, err := parseRuleText(t, detectionRule(sel("a|expand: 'x%p%'")), ParseOptions{Placeholders: ph})
		if err == nil || !strings.Contains(err.Error(), "placeholder %p%") {
			t.Errorf("%s placeholder: error %v, want one naming placeholder %%p%%", name, err)
		}
	}
}

// TestExpandWithTypeModifiers: expand fills in the value before cidr or re
// read it.
func TestExpandWithTypeModifiers(t *testing.T) {
	ph := map[string][]string{"nets": {"10.0.0.0/8", "192.168.0.0/16"}, "user": {"alice", "bob"}}
	expectPlaceholders(t, sel("ip|expand|cidr: '%nets%'"), ph, map[string]bool{
		`{"ip":"192.168.3.4"}`: true,
		`{"ip":"10.9.9.9"}`:    true,
		`{"ip":"172.16.0.1"}`:  false,
	})
	expectPlaceholders(t, sel("u|expand|re: '^%user%[0-9]$'"), ph, map[string]bool{
		`{"u":"bob7"}`:  true,
		`{"u":"bob77"}`: false,
		`{"u":"eve7"}`:  false,
	})
}

// TestValuePatternsBoundExact: one value may give exactly maxValuePatterns
// patterns; one more rejects it (docs/sigma.md, "expand"). Values with one
// dash give five windash variants each, values without dashes one.
func TestValuePatternsBoundExact(t *testing.T) {
	vals := func(dashed, plain int) []string {
		var out []string
		for i := 0; i < dashed; i++ {
			out = append(out, fmt.Sprintf("a-%d", i))
		}
		for i := 0; i < plain; i++ {
			out = append(out, fmt.Sprintf("b%d", i))
		}
		return out
	}
	dashed := maxValuePatterns / 5 // 3276 values: 16380 patterns
	src := detectionRule(sel("a|expand|windash: '%p%'"))
	r, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(dashed, maxValuePatterns-5*dashed)}})
	if err != nil {
		t.Fatalf("%d patterns: %v", maxValuePatterns, err)
	}
	if n := len(r.det.sels[0].groups[0][0].alts[0]); n != maxValuePatterns {
		t.Errorf("got %d patterns, want %d", n, maxValuePatterns)
	}
	if _, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(dashed, maxValuePatterns-5*dashed+1)}}); err == nil ||
		!strings.Contains(err.Error(), "more than 16384 patterns") {
		t.Errorf("%d patterns: %v", maxValuePatterns+1, err)
	}
}

// TestTypeModifiersExclusive: a value has one type; two type modifiers, or
// a type modifier with a comparison or time modifier, or a transformation
// after a type modifier, are rejected (docs/sigma.md, "What is supported").
func TestTypeModifiersExclusive(t *testing.T) {
	for _, item := range []string{
		"a|re|cidr: '10.0.0.0/8'",
		"a|cidr|re: 'x'",
		"a|exists|fieldref: b",
		"a|cidr|gt: 5",
		"a|re|lte: 5",
		"a|cidr|hour: 5",
		"a|fieldref|minute: 5",
		"a|re|expand: 'x'",
		"a|cidr|windash: '10.0.0.0/8'",
		"a|gt|base64: 5",
	} {
		_, err := parseRuleText(t, detectionRule(sel(item)), ParseOptions{})
		if err == nil {
			t.Errorf("%s: accepted", item)
		}
	}
}

// TestKeywordRegex: a keyword regular expression is matched per value,
// anchors included (docs/sigma.md, "Keywords").
func TestKeywordRegex(t *testing.T) {
	expect(t, "    keywords:\n        '|re': '^Admin[0-9]+$'\n    condition: keywords\n", map[string]bool{
		`{"a":"Admin12"}`:                true,
		`{"a":"xAdmin12"}`:               false,
		`{"a":{"b":["x","Admin7"]}}`:     true,
		`{"Admin1":"key names are not"}`: false,
	})
}

// TestFieldrefNeedsName: fieldref with an empty value names no field.
func TestFieldrefNeedsName(t *testing.T) {
	expectParseError(t, sel("a|fieldref: ''"), "fieldref needs a field name")
}

// TestFieldrefEveryReferencedValue: fieldref compares with every value of
// the referenced field, not only the first (docs/sigma.md, "fieldref").
func TestFieldrefEveryReferencedValue(t *testing.T) {
	expect(t, sel("a|fieldref: b"), map[string]bool{
		`{"a":"x","b":["y","x"]}`: true,
		`{"a":"x","b":["y","z"]}`: false,
	})
	expect(t, sel("a|fieldref|startswith: b"), map[string]bool{`{"a":"xyz","b":["q","xy"]}`: true})
}

// TestTimeModifierNoZoneConversion: the time modifiers read the time as
// written, without converting it to UTC (docs/sigma.md, "Time modifiers";
// the specification: "not designed to handle timezone ... conversions").
func TestTimeModifierNoZoneConversion(t *testing.T) {
	expect(t, sel("eventTime|hour: 23"), map[string]bool{
		`{"eventTime":"2024-03-10T23:45:07+02:00"}`: true,
		`{"eventTime":"2024-03-10T21:45:07Z"}`:      false,
	})
	expect(t, sel("eventTime|day: 10"), map[string]bool{`{"eventTime":"2024-03-10T23:45:07-05:00"}`: true})
}

// TestRegexFlagsCombine: several re sub-modifiers all apply.
func TestRegexFlagsCombine(t *testing.T) {
	expect(t, sel("a|re|i|m: '^admin$'"), map[string]bool{
		`{"a":"x\nADMIN\ny"}`: true,
		`{"a":"x\nADMINS"}`:   false,
	})
	expect(t, sel("a|re|m|s|i: '^BEGIN.END$'"), map[string]bool{`{"a":"x\nbegin\nend\ny"}`: true})
}

// TestExplanationNamesMatchedValue: the evidence names the rule value that
// matched (docs/sigma.md, "Explanations"), not the first value of the
// list, and for neq the event's value.
func TestExplanationNamesMatchedValue(t *testing.T) {
	e := compileOne(t, "    sel:\n        a:\n            - x\n            - 'y*'\n    condition: sel\n")
	if x := explain(t, e, `{"a":"yes"}`); len(x) != 1 || x[0].Pattern != "y*" || x[0].Value != "yes" {
		t.Errorf("evidence %+v, want pattern y* and value yes", x)
	}
	e = compileOne(t, sel("a|neq: x"))
	if x := explain(t, e, `{"a":"z"}`); len(x) != 1 || x[0].Value != "z" {
		t.Errorf("neq evidence %+v, want value z", x)
	}
}

// TestExpandAfterWindash: modifiers apply in the order written, so with
// windash|expand the dashes of the value as written vary and then the
// placeholders are replaced by their values (which keep their own dashes).
// expand must not be ignored because it is not the first modifier: the
// specification handles placeholders whenever expand is applied, and a
// placeholder without values rejects the rule.
func TestExpandAfterWindash(t *testing.T) {
	ph := map[string][]string{"p": {"one", "a-b"}}
	expectPlaceholders(t, sel("cmd|windash|expand: 'x-%p%'"), ph, map[string]bool{
		`{"cmd":"x-one"}`:       true,
		`{"cmd":"x/one"}`:       true,
		`{"cmd":"x\u2014a-b"}`:  true,
		`{"cmd":"x-a/b"}`:       false, // the placeholder's value is not varied
		`{"cmd":"x-%p%"}`:       false,
		`{"cmd":"x+one"}`:       false,
		`{"cmd":"x-two"}`:       false,
		`{"cmd":"x-one-extra"}`: false,
	})
	expectPlaceholders(t, sel("cmd|windash|contains|expand: ' -%p% '"), ph, map[string]bool{
		`{"cmd":"run /one now"}`: true,
		`{"cmd":"run one now"}`:  false,
	})
	_, err := parseRuleText(t, detectionRule(sel("cmd|windash|expand: 'x-%q%'")), ParseOptions{Placeholders: ph})
	if err == nil || !strings.Contains(err.Error(), "placeholder %q%") {
		t.Errorf("windash|expand with an unknown placeholder: %v, want an error naming it", err)
	}
}

// TestExpandAfterEncodingRejected: an encoding written before expand would
// encode the placeholder's name along with the rest of the value, leaving
// nothing for expand to replace; the rule is rejected at the key rather
// than matching the encoded "%name%" text.
func TestExpandAfterEncodingRejected(t *testing.T) {
	for _, mods := range []string{"base64|expand", "wide|expand", "windash|base64offset|expand", "utf16|contains|expand"} {
		expectParseError(t, sel("a|"+mods+": '%p%'"), "expand cannot follow")
	}
}

// TestValueListShapes: an empty list of values would be an OR of nothing
// (an item that can never match, or with a careless loop one that always
// does), and a list element that is itself a list or a map is no value:
// both are rejected.
func TestValueListShapes(t *testing.T) {
	expectParseError(t, sel("a: []"), "empty list of values")
	expectParseError(t, "    sel:\n        a:\n            - x\n            - b: 1\n    condition: sel\n", "a field value must be a string, number, boolean or null")
	expectParseError(t, "    sel:\n        a:\n            - x\n            - [y, z]\n    condition: sel\n", "a field value must be a string, number, boolean or null")
}

// TestCompareFractionalValue: comparisons use the rule's number as written,
// fractions included.
func TestCompareFractionalValue(t *testing.T) {
	expect(t, sel("n|gt: 10.5"), map[string]bool{`{"n":10.7}`: true, `{"n":10.2}`: false, `{"n":10.5}`: false})
	expect(t, sel("n|lte: -0.25"), map[string]bool{`{"n":-0.25}`: true, `{"n":-0.2}`: false, `{"n":-1}`: true})
}

// TestExplanationExistsAndAll: the evidence of exists says whether the
// field is present or absent, and with all each listed value brings its own
// evidence (docs/sigma.md, "Explanations").
func TestExplanationExistsAndAll(t *testing.T) {
	e := compileOne(t, sel("gone|exists: false"))
	if x := explain(t, e, `{"a":1}`); len(x) != 1 || x[0].Value != "(absent)" {
		t.Errorf("exists: false evidence %+v, want value (absent)", x)
	}
	e = compileOne(t, sel("a|exists: true"))
	if x := explain(t, e, `{"a":1}`); len(x) != 1 || x[0].Value != "(present)" {
		t.Errorf("exists: true evidence %+v, want value (present)", x)
	}
	e = compileOne(t, "    sel:\n        a|contains|all:\n            - x\n            - y\n    condition: sel\n")
	x := explain(t, e, `{"a":["1y","2x"]}`)
	var got []string
	for _, ev := range x {
		got = append(got, ev.Pattern+"="+ev.Value)
	}
	if want := "x=2x y=1y"; strings.Join(got, " ") != want {
		t.Errorf("all evidence %q, want %q", got, want)
	}
}

// TestCompareHugeNumbers: a JSON number beyond float64's range is still a
// number, greater (or, negative, less) than any rule value; the
// specification's gt/lt compare the field's value with the rule's.
func TestCompareHugeNumbers(t *testing.T) {
	expect(t, sel("n|gt: 10"), map[string]bool{`{"n":1e400}`: true, `{"n":"1e400"}`: true, `{"n":-1e400}`: false})
	expect(t, sel("n|lt: -10"), map[string]bool{`{"n":-1e400}`: true, `{"n":1e400}`: false})
	expect(t, sel("n|gte: 0"), map[string]bool{`{"n":1e-400}`: true})
}

// TestWindashBoundedWhileBuilding: windash stops as soon as its variants
// pass maxValuePatterns, rather than building them all first: windash
// applied to values that are already windash variants (windash|windash on
// a value with five dashes would make 3,125 x 3,125 patterns) must not make
// loading take minutes and gigabytes (docs/sigma.md, "expand": one value
// may give at most 16,384 patterns).
func TestWindashBoundedWhileBuilding(t *testing.T) {
	five := func(n int) []sstring {
		out := make([]sstring, n)
		for i := range out {
			out[i] = sstring{{lit: "a-b-c-d-e-f"}}
		}
		return out
	}
	if vs, err := windash(five(5)); err != nil || len(vs) != 5*3125 {
		t.Errorf("5 values of 3,125 variants: %d variants, %v", len(vs), err)
	}
	if vs, err := windash(five(6)); err == nil || !strings.Contains(err.Error(), "more than 16384 patterns") {
		t.Errorf("6 values of 3,125 variants: %d variants, %v; want an error", len(vs), err)
	}
	for _, mods := range []string{"windash|windash", "windash|windash|base64offset|contains", "expand|windash|windash"} {
		expectParseError(t, sel("a|"+mods+": 'a-b-c-d-e-f'"), "more than 16384 patterns")
	}
}

// TestEncodeBoundedWhileBuilding: base64offset triples the values it is
// given; chained (base64offset|base64offset|...) the values grow as 3^n,
// and the encoding stops once they pass maxValuePatterns, as windash does.
func TestEncodeBoundedWhileBuilding(t *testing.T) {
	vals := func(n int) []sstring {
		out := make([]sstring, n)
		for i := range out {
			out[i] = sstring{{lit: fmt.Sprintf("value %d", i)}}
		}
		return out
	}
	if vs, err := encode("base64offset", vals(maxValuePatterns/3)); err != nil || len(vs) != maxValuePatterns/3*3 {
		t.Errorf("%d values: %d encodings, %v", maxValuePatterns/3, len(vs), err)
	}
	if vs, err := encode("base64offset", vals(maxValuePatterns/3+1)); err == nil || !strings.Contains(err.Error(), "more than 16384 patterns") {
		t.Errorf("%d values: %d encodings, %v; want an error", maxValuePatterns/3+1, len(vs), err)
	}
	expectParseError(t, sel("a|"+strings.Repeat("base64offset|", 9)+"contains: 'secret'"), "more than 16384 patterns")
}

// TestWindashLeavesPlaceholderNames: with windash|expand the dashes of
// the value vary, not the placeholder's values; an escaped "\%", a lone '%'
// and a '%...%' whose name is not all word characters stay literal text.
func TestWindashLeavesPlaceholderNames(t *testing.T) {
	ph := map[string][]string{"my_list": {"one-two"}, "my-list": {"never"}}
	expectPlaceholders(t, sel("cmd|windash|expand: '-x %my_list% \\%y-z 5%-'"), ph, map[string]bool{
		`{"cmd":"/x one-two %y/z 5%\u2013"}`: true,
		`{"cmd":"-x one-two %y-z 5%-"}`:      true,
		`{"cmd":"-x one/two %y-z 5%-"}`:      false,
		`{"cmd":"-x one-two %y-z 5%+"}`:      false,
		`{"cmd":"-x %my_list% %y-z 5%-"}`:    false,
	})
	expectPlaceholders(t, sel("cmd|windash|expand: '-%my-list%'"), ph, map[string]bool{
		`{"cmd":"/%my/list%"}`: true,
		`{"cmd":"-never"}`:     false,
	})
}

// TestPlaceholderNamesAreWords: a placeholder's name is one or more word
// characters, as pySigma's pattern (?<!\\)%(\w+)% reads it; any other '%'
// is a plain percent sign, so a value may hold one unescaped.
func TestPlaceholderNamesAreWords(t *testing.T) {
	ph := map[string][]string{"p": {"disk"}, "Zoné_2": {"z"}}
	expectPlaceholders(t, sel("msg|expand: '5% of %p% used'"), ph, map[string]bool{
		`{"msg":"5% of disk used"}`: true,
		`{"msg":"5% of %p% used"}`:  false,
	})
	expectPlaceholders(t, sel("msg|expand: '%% %Zoné_2%%'"), ph, map[string]bool{
		`{"msg":"%% z%"}`: true,
	})
	expectPlaceholders(t, sel("msg|expand: '100%'"), ph, map[string]bool{
		`{"msg":"100%"}`: true,
	})
	expectParseError(t, sel("msg|expand: '%q%'"), "placeholder %q% has no values")
}
