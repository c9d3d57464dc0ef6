package sigma

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
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

// --- Rule index ---

// TestIndexSlotsReordered: the index keeps, per indexed field, the length
// range of its keys. Fields are reordered (most keys first) after they are
// collected; the ranges must follow them, or a value of one field is judged
// by another field's range and its rule is never evaluated.
func TestIndexSlotsReordered(t *testing.T) {
	bodies := []string{
		"    sel:\n        a: x\n    condition: sel\n",
		"    sel:\n        b:\n            - longvalue-aaaaaaaaaaaa\n            - longvalue-bbbbbbbbbbbbb\n    condition: sel\n",
	}
	e := manyRules(t, len(bodies), func(i int) string { return bodies[i] })
	for js, want := range map[string]int{
		`{"a":"x"}`:                               1,
		`{"b":"longvalue-aaaaaaaaaaaa"}`:          1,
		`{"a":"x","b":"longvalue-bbbbbbbbbbbbb"}`: 2,
		`{"b":"x"}`:                               0,
	} {
		if got := len(matches(t, e, js)); got != want {
			t.Errorf("%s: %d rules match, want %d", js, got, want)
		}
	}
}

// manyRules compiles n rules; rule i is given by body(i).
func manyRules(t *testing.T, n int, body func(i int) string) *Engine {
	t.Helper()
	var rules []*Rule
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("title: r%d\nid: rule-%d\nlogsource:\n    product: aws\ndetection:\n%s", i, i, body(i))
		r, err := parseRuleText(t, src, ParseOptions{})
		if err != nil {
			t.Fatalf("rule %d: %v", i, err)
		}
		rules = append(rules, r)
	}
	e, err := Compile(rules, nil, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestIndexManyRules: with more than 64 rules (several words of candidate
// bits), every rule, indexed or not, is found where it matches.
func TestIndexManyRules(t *testing.T) {
	const n = 150
	e := manyRules(t, n, func(i int) string {
		if i%3 == 0 { // no exact value: always a candidate
			return fmt.Sprintf("    sel:\n        k|startswith: 'v%d-'\n    condition: sel\n", i)
		}
		return fmt.Sprintf("    sel:\n        k: 'v%d-x'\n    condition: sel\n", i)
	})
	for i := 0; i < n; i++ {
		js := fmt.Sprintf(`{"k":"v%d-x"}`, i)
		ms := matches(t, e, js)
		if len(ms) != 1 || ms[0].Rule.ID != fmt.Sprintf("rule-%d", i) {
			t.Errorf("%s: %d matches, want rule-%d alone", js, len(ms), i)
		}
	}
}

// --- Literal prefilter ---

// TestMayMatchWideOr: an OR of two selections that each need several
// literals has more clauses in its product than the prefilter keeps; the
// event that only the second selection matches must still pass.
func TestMayMatchWideOr(t *testing.T) {
	expect(t, `    first:
        a: alphaone
        b: alphatwo
        c: alphathree
    second:
        d: betaone
        e: betatwo
        f: betathree
    condition: first or second
`, map[string]bool{
		`{"a":"alphaone","b":"alphatwo","c":"alphathree"}`: true,
		`{"d":"betaone","e":"betatwo","f":"betathree"}`:    true,
		`{"d":"betaone","e":"betatwo","f":"other"}`:        false,
	})
}

// TestMayMatchEnrichmentField: an enrichment field's value comes from the
// Enricher, not from the raw event, so the prefilter cannot require it.
func TestMayMatchEnrichmentField(t *testing.T) {
	r, err := parseRuleText(t, detectionRule("    sel:\n        sourceCountry: Ruritania\n    condition: sel\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{EnrichFields: []string{"sourceCountry"}})
	if err != nil {
		t.Fatal(err)
	}
	raw := `{"eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.1"}`
	var d event.Doc
	if err := d.Parse([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	n := 0
	e.Match(d.Root(), mapEnricher{"sourceCountry": "Ruritania"}, func(Match) { n++ })
	if n != 1 {
		t.Fatalf("enriched event: %d matches, want 1", n)
	}
	if !e.MayMatch([]byte(raw)) {
		t.Error("MayMatch rejected an event that an enriched field makes match")
	}
}

// TestMayMatchExactObjectText: an exact value compared with an object's
// JSON text ends with '}', which no string quote follows in the raw event.
func TestMayMatchExactObjectText(t *testing.T) {
	expect(t, "    sel:\n        p: '{\"name\":\"trail\"}'\n    condition: sel\n", map[string]bool{
		`{"p":{"name":"trail"}}`:       true,
		`{"p":{"name":"trail"},"q":1}`: true,
		`{"p":{"name":"other"}}`:       false,
	})
}

// TestMayMatchControlCharacters: a value holding a control character (a
// tab) is written in JSON as an escape (\t), so the raw event never holds
// the character itself: the prefilter's literal must leave it out.
func TestMayMatchControlCharacters(t *testing.T) {
	expect(t, "    sel:\n        f|contains: \"col1\\tcol2\"\n    condition: sel\n", map[string]bool{
		`{"f":"x col1\tcol2 y"}`: true,
		`{"f":"x col1 col2 y"}`:  false,
	})
}

// TestMayMatchRegexOptionalParts: only the parts every match of a regular
// expression contains can be required; alternatives and optional groups
// cannot.
func TestMayMatchRegexOptionalParts(t *testing.T) {
	expect(t, "    sel:\n        f|re: 'alphaxx|betayy'\n    condition: sel\n", map[string]bool{
		`{"f":"alphaxx"}`: true,
		`{"f":"betayy"}`:  true,
		`{"f":"gamma"}`:   false,
	})
	expect(t, "    sel:\n        f|re: 'ab(?:cdefgh)?ij'\n    condition: sel\n", map[string]bool{
		`{"f":"abij"}`:       true,
		`{"f":"abcdefghij"}`: true,
		`{"f":"abcdef"}`:     false,
	})
	expect(t, "    sel:\n        f|re: 'pre(?:alphaxx|betayy)'\n    condition: sel\n", map[string]bool{
		`{"f":"prebetayy"}`:  true,
		`{"f":"prealphaxx"}`: true,
		`{"f":"pregamma"}`:   false,
	})
}

// TestMayMatchEscapedCaseMappings: U+212A (Kelvin sign) and U+0130 (capital
// I with dot) lower-case to ASCII k and i; written as JSON escapes they hide
// those letters from a byte search.
func TestMayMatchEscapedCaseMappings(t *testing.T) {
	expect(t, "    sel:\n        f: kelvin\n    condition: sel\n", map[string]bool{
		`{"f":"\u212Aelvin"}`: true,
		`{"f":"\u212aelvin"}`: true,
		`{"f":"elvin"}`:       false,
	})
	expect(t, "    sel:\n        f: identity\n    condition: sel\n", map[string]bool{
		`{"f":"\u0130dentity"}`: true,
		`{"f":"dentity"}`:       false,
	})
}

// TestMayMatchTwoByteLiteral: a one-character endswith value gives a
// two-byte literal, the character and the closing quote.
func TestMayMatchTwoByteLiteral(t *testing.T) {
	expect(t, "    sel:\n        f|endswith: 'q'\n    condition: sel\n", map[string]bool{
		`{"f":"abq"}`:  true,
		`{"f":"q"}`:    true,
		`{"f":"abqz"}`: false,
	})
}

// TestMayMatchLiteralStartAtEnd: the prefilter's root skipping may find a
// literal's first two bytes at the very end of the event (here "}}" of a
// three-byte literal); it must not read past the end (it used to be one
// index away from a panic no test reached).
func TestMayMatchLiteralStartAtEnd(t *testing.T) {
	e := compileOne(t, "    sel:\n        p|contains: '}}}'\n    condition: sel\n")
	for js, want := range map[string]bool{
		`{"x":1,"p":{"b":1}}`:             false,
		`{"p":{"b":1}}`:                   false,
		`{"p":{"b":{"c":{"d":1}}}}`:       true,
		`{"p":{"b":{"c":{"d":1}}},"q":1}`: true,
	} {
		if got := len(matches(t, e, js)) > 0; got != want {
			t.Errorf("%s: match %v, want %v", js, got, want)
		}
		if !want && e.MayMatch([]byte(js)) {
			t.Errorf("%s: MayMatch true, though the literal }}} is absent", js)
		}
	}
}

// --- Conditions ---

// TestConditionSelectionReferencedTwice: a selection's result is computed
// once per event and reused; a false result must stay false when the
// selection is referenced again.
func TestConditionSelectionReferencedTwice(t *testing.T) {
	truthTable(t, "not a and (a or b)", func(a, b, c bool) bool { return !a && b })
	truthTable(t, "(a or b) and not a and (c or a)", func(a, b, c bool) bool { return !a && b && c })
	truthTable(t, "1 of them and not a and not b", func(a, b, c bool) bool { return !a && !b && c })
}

// TestConditionNotNesting: a chain of "not" is bounded like nested
// parentheses (each is a level of recursion), so a hostile condition
// cannot exhaust the stack.
func TestConditionNotNesting(t *testing.T) {
	one := func(string, bool) []int { return []int{0} }
	if _, err := parseCondition(strings.Repeat("not ", 50)+"a", one); err != nil {
		t.Errorf("50 nested nots: %v", err)
	}
	_, err := parseCondition(strings.Repeat("not ", 500)+"a", one)
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("500 nested nots: %v", err)
	}
	mixed := strings.Repeat("not (", 300) + "a" + strings.Repeat(")", 300)
	if _, err := parseCondition(mixed, one); err == nil {
		t.Error("300 levels of not ( ... ) accepted")
	}
}

// TestConditionMoreErrors: malformed conditions are rejected with the
// reason, not read as something else.
func TestConditionMoreErrors(t *testing.T) {
	for cond, want := range map[string]string{
		"(a b":       "missing closing parenthesis for the one at character 1",
		"(a b)":      "missing closing parenthesis for the one at character 1",
		"a?":         `needs "1 of"`,
		"a and or b": `unexpected "or"`,
		"or a":       `unexpected "or"`,
		"1 of (a)":   `expected a search identifier pattern or "them"`,
		"1 of )":     `expected a search identifier pattern or "them"`,
		"1 of":       `expected a search identifier pattern or "them"`,
		"1 of all":   `"all" matches no search identifier`,
		"a | NEAR b": "temporal",
		"not":        "unexpected end of condition",
		"()":         `unexpected ")"`,
	} {
		expectParseError(t, threeSels+"    condition: '"+cond+"'\n", want)
	}
}

// TestConditionIdentifierCharacters: search identifiers are YAML keys;
// dashes, dots and any non-ASCII letters (here À, whose UTF-8 form ends
// with the byte 0x80) are part of them, and tabs and newlines separate
// tokens like spaces.
func TestConditionIdentifierCharacters(t *testing.T) {
	body := "    sel-a:\n        a: 1\n    sel.b:\n        b: 1\n    auswahlÀ:\n        c: 1\n"
	truthTables(t, body, map[string]func(a, b, c bool) bool{
		"sel-a and not sel.b":        func(a, b, c bool) bool { return a && !b },
		"\"sel-a\\tor\\tauswahlÀ\"":  func(a, b, c bool) bool { return a || c },
		"\"sel.b\\nand\\r\\nsel-a\"": func(a, b, c bool) bool { return a && b },
		"1 of sel?b":                 func(a, b, c bool) bool { return b },
		"all of auswahl?":            func(a, b, c bool) bool { return c },
	})
}

// --- Rule loading ---

const loadRule = "title: x\nlogsource: {product: aws}\ndetection:\n    s: {a: 1}\n    condition: s\n"

// TestLoadEmptyDocuments: an empty YAML document (a trailing "---", two
// separators in a row, a document holding only a comment) holds no rule
// and is no error.
func TestLoadEmptyDocuments(t *testing.T) {
	for _, src := range []string{
		loadRule + "---\n",
		loadRule + "---\n---\n" + loadRule,
		"---\n# nothing yet\n---\n" + loadRule,
		"---\n" + loadRule + "--- ~\n",
	} {
		docs, errs := LoadDocuments("f.yml", []byte(src))
		if len(errs) > 0 {
			t.Errorf("%q: %v", src, errs)
		}
		if want := strings.Count(src, "title:"); len(docs) != want {
			t.Errorf("%q: %d documents, want %d", src, len(docs), want)
		}
	}
}

// TestLoadKeepsGoingAfterBadDocument: a document that is not a mapping is
// reported and the documents after it are still returned, with their
// position in the file.
func TestLoadKeepsGoingAfterBadDocument(t *testing.T) {
	docs, errs := LoadDocuments("f.yml", []byte("- a list\n---\n"+loadRule+"---\njust text\n---\n"+loadRule))
	if len(errs) != 2 {
		t.Errorf("errors %v, want two", errs)
	}
	if len(docs) != 2 || docs[0].Index != 1 || docs[1].Index != 3 || docs[0].Line != 3 {
		t.Fatalf("documents %+v, want two, at indexes 1 and 3", docs)
	}
	var pe *PosError
	if !errors.As(errs[0], &pe) || pe.Line != 1 || !strings.Contains(pe.Msg, "document 1 is not a mapping") {
		t.Errorf("first error: %v", errs[0])
	}
}

// TestLoadSyntaxErrorLine: a YAML syntax error names its line.
func TestLoadSyntaxErrorLine(t *testing.T) {
	_, errs := LoadDocuments("f.yml", []byte("title: x\nlogsource: {product: aws}\ndetection: [\n"))
	var pe *PosError
	if len(errs) != 1 || !errors.As(errs[0], &pe) || pe.Line == 0 || !strings.HasPrefix(errs[0].Error(), "f.yml:") {
		t.Fatalf("errors %v, want one syntax error with a line", errs)
	}
	if want := fmt.Sprintf("f.yml:%d: YAML syntax:", pe.Line); !strings.HasPrefix(pe.Error(), want) {
		t.Errorf("%q does not start with %q", pe.Error(), want)
	}
}

// TestPosErrorText: file:line:column when both are known, file:line, or
// the file alone.
func TestPosErrorText(t *testing.T) {
	for e, want := range map[PosError]string{
		{File: "r.yml", Line: 2, Column: 1, Msg: "m"}: "r.yml:2:1: m",
		{File: "r.yml", Line: 2, Msg: "m"}:            "r.yml:2: m",
		{File: "r.yml", Msg: "m"}:                     "r.yml: m",
	} {
		if got := e.Error(); got != want {
			t.Errorf("%+v: %q, want %q", e, got, want)
		}
	}
}

// TestRuleStructureErrors: malformed rules are rejected with the reason
// and a position, instead of loading a rule that matches wrongly (an empty
// map would match every event, an empty list none).
func TestRuleStructureErrors(t *testing.T) {
	for body, want := range map[string]string{
		"    s: {a: 1}\n    s: {b: 1}\n    condition: s\n": `search identifier "s" defined twice`,
		"    condition: s\n":                                             "detection has no search identifier",
		"    s: {a: 1}\n    condition: []\n":                             "condition list is empty",
		"    s: {a: 1}\n    condition:\n        - s\n        - {x: 1}\n": "condition must be a string",
		"    s: {a: 1}\n    condition: {x: 1}\n":                         "condition must be a string or a list of strings",
		"    s: []\n    condition: s\n":                                  `search identifier "s" is an empty list`,
		"    s: {}\n    condition: s\n":                                  "empty map in detection",
		"    s:\n        - {}\n    condition: s\n":                       "empty map in detection",
		"    s: {a: 1}\n":                                                "detection has no condition",
	} {
		expectParseError(t, body, want)
	}
	head := "title: t\n"
	for src, want := range map[string]string{
		"title: '   '\nlogsource: {product: aws}\ndetection:\n    s: {a: 1}\n    condition: s\n":          "rule has no title",
		head + "logsource: aws\ndetection:\n    s: {a: 1}\n    condition: s\n":                            "logsource must be a mapping",
		head + "detection:\n    s: {a: 1}\n    condition: s\n":                                            "missing logsource",
		head + "logsource: {product: aws}\nfields: {a: 1}\ndetection:\n    s: {a: 1}\n    condition: s\n": "fields: must be a list of strings",
		head + "logsource: {product: aws}\nstatus: final\ndetection:\n    s: {a: 1}\n    condition: s\n":  `status "final" is not one of`,
		head + "logsource: {product: aws}\nstatus:\ndetection:\n    s: {a: 1}\n    condition: s\n":        `status "" is not one of`,
		head + "logsource: {product: aws}\nlevel: ''\ndetection:\n    s: {a: 1}\n    condition: s\n":      `level "" is not one of`,
		head + "logsource: {product: aws}\ndetection: [s]\n":                                              "detection must be a mapping",
	} {
		_, err := parseRuleText(t, src, ParseOptions{})
		var pe *PosError
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		} else if !errors.As(err, &pe) || pe.Line == 0 {
			t.Errorf("%q: error %v has no line", src, err)
		}
	}
}

// TestParseRuleRejectsOtherKinds: ParseRule and ParseFilter each take only
// their own kind of document.
func TestParseRuleRejectsOtherKinds(t *testing.T) {
	docs, errs := LoadDocuments("f.yml", []byte("title: f\nlogsource: {product: aws}\nfilter:\n    rules: [x]\n    s: {a: 1}\n    condition: s\n---\n"+loadRule))
	if len(errs) > 0 || len(docs) != 2 {
		t.Fatalf("%d documents, errors %v", len(docs), errs)
	}
	if _, err := ParseRule(docs[0], ParseOptions{}); err == nil || !strings.Contains(err.Error(), "not a detection rule") {
		t.Errorf("ParseRule of a filter: %v", err)
	}
	if _, err := ParseFilter(docs[1], ParseOptions{}); err == nil || !strings.Contains(err.Error(), "not a filter") {
		t.Errorf("ParseFilter of a rule: %v", err)
	}
}

// parseFilterText parses the single filter in src.
func parseFilterText(t *testing.T, src string) (*Filter, error) {
	t.Helper()
	docs, errs := LoadDocuments("mf.yml", []byte(src))
	if len(errs) > 0 || len(docs) != 1 {
		t.Fatalf("%d documents, errors %v", len(docs), errs)
	}
	return ParseFilter(docs[0], ParseOptions{})
}

// TestFilterRulesKeyIsNoSelection: a filter's "rules" list names rules; it
// is not a search identifier, so "all of them" does not require the rule
// id to appear in the event.
func TestFilterRulesKeyIsNoSelection(t *testing.T) {
	f, err := parseFilterText(t, `title: f
logsource: {product: aws}
filter:
    rules: [11111111-1111-4111-8111-111111111111]
    user:
        userIdentity.userName: breakglass
    condition: all of them
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Selections) != 1 || f.Selections[0] != "user" {
		t.Errorf("filter selections %q, want [user]", f.Selections)
	}
	r, err := parseRuleText(t, detectionRule("    sel:\n        eventName: ConsoleLogin\n    condition: sel\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, []*Filter{f}, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := matches(t, e, `{"eventName":"ConsoleLogin","userIdentity":{"userName":"breakglass"}}`); len(got) != 0 {
		t.Error("the filter did not remove the break-glass user's login")
	}
	if got := matches(t, e, `{"eventName":"ConsoleLogin","userIdentity":{"userName":"alice"}}`); len(got) != 1 {
		t.Error("the filter removed another user's login")
	}
}

// TestFilterStructureErrors: a filter must have a title and name at least
// one rule; an empty reference would name nothing.
func TestFilterStructureErrors(t *testing.T) {
	tail := "    s: {a: 1}\n    condition: s\n"
	for src, want := range map[string]string{
		"logsource: {product: aws}\nfilter:\n    rules: [x]\n" + tail:               "filter has no title",
		"title: f\nlogsource: {product: aws}\nfilter:\n    rules: []\n" + tail:      "filter rules list is empty",
		"title: f\nlogsource: {product: aws}\nfilter:\n    rules: [x, '']\n" + tail: "each entry must be a rule id or name",
		"title: f\nlogsource: {product: aws}\nfilter:\n    rules: ''\n" + tail:      "rule id or name",
		"title: f\nlogsource: {product: aws}\nfilter:\n    rules:\n" + tail:         "rule id or name",
		"title: f\nlogsource: {product: aws}\nfilter:\n    rules: {x: 1}\n" + tail:  "filter rules must be a list",
		"title: f\nlogsource: {product: aws}\nfilter: [x]\n":                        "filter must be a mapping",
	} {
		if _, err := parseFilterText(t, src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// TestFilterAppliesToNamedRulesOnly: a filter names rules by id or name; a
// rule without a name is not named by any filter.
func TestFilterAppliesToNamedRulesOnly(t *testing.T) {
	f, err := parseFilterText(t, "title: f\nlogsource: {product: aws}\nfilter:\n    rules: [some-rule-name]\n    s: {a: 1}\n    condition: s\n")
	if err != nil {
		t.Fatal(err)
	}
	aws := Logsource{Product: "aws"}
	for _, r := range []*Rule{
		{Meta: Meta{ID: "x"}, Logsource: aws},
		{Meta: Meta{}, Logsource: aws},
		{Meta: Meta{Name: "other-name"}, Logsource: aws},
	} {
		if f.appliesTo(r) {
			t.Errorf("filter for some-rule-name applies to %+v", r.Meta)
		}
	}
	if !f.appliesTo(&Rule{Meta: Meta{Name: "some-rule-name"}, Logsource: aws}) || !f.appliesTo(&Rule{Meta: Meta{ID: "some-rule-name"}, Logsource: aws}) {
		t.Error("filter does not apply to the rule it names")
	}
}

// --- Field resolution ---

// TestFieldValueFirstOfArray: where a path crosses an array, FieldValue
// gives the first non-null value in event order (docs/sigma.md, field
// mappings: "the first present, non-null value").
func TestFieldValueFirstOfArray(t *testing.T) {
	e, err := Compile(nil, nil, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	if err := d.Parse([]byte(`{"r":[{"arn":null},{"arn":"first"},{"arn":"second"}]}`)); err != nil {
		t.Fatal(err)
	}
	if v, ok := e.FieldValue(d.Root(), "r.arn"); !ok || v != "first" {
		t.Errorf("FieldValue r.arn = %q, %v; want first", v, ok)
	}
}

// TestStateGenerationWrap: the per-event caches are keyed by a generation
// counter; when it wraps around, no value of an earlier event may be taken
// for the current one.
func TestStateGenerationWrap(t *testing.T) {
	e := compileOne(t, "    sel:\n        userIdentity.type: Root\n    condition: sel\n")
	parse := func(js string) event.Value {
		var d event.Doc
		if err := d.Parse([]byte(js)); err != nil {
			t.Fatal(err)
		}
		return d.Root()
	}
	st := newState(e)
	count := func() int {
		n := 0
		for _, c := range e.rules {
			if st.ruleMatches(c) {
				n++
			}
		}
		return n
	}
	st.reset(parse(`{"userIdentity":{"type":"Root"}}`), nil) // generation 1
	if count() != 1 {
		t.Fatal("first event does not match")
	}
	st.gen = ^uint32(0) // the next reset wraps to generation 1 again
	st.reset(parse(`{"userIdentity":{"type":"IAMUser"}}`), nil)
	if st.gen != 1 {
		t.Fatalf("generation %d after the wrap, want 1", st.gen)
	}
	if count() != 0 {
		t.Error("after the generation counter wrapped, a cached value of the previous event was used")
	}
}

// TestFieldValueManyFields: FieldValue remembers how each field name is
// resolved; each name keeps its own resolution, whatever the order of the
// calls.
func TestFieldValueManyFields(t *testing.T) {
	e, err := Compile(nil, nil, CompileOptions{FieldMappings: map[string][]string{"user": {"u.name"}}})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	if err := d.Parse([]byte(`{"a":"va","x":"vx","u":{"name":"vu"},"user":"unmapped"}`)); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "va", "x": "vx", "user": "vu", "u.name": "vu"}
	for round := 0; round < 2; round++ {
		for _, f := range []string{"a", "x", "user", "u.name", "x", "a"} {
			if v, ok := e.FieldValue(d.Root(), f); !ok || v != want[f] {
				t.Errorf("round %d: FieldValue %s = %q, %v; want %q", round, f, v, ok, want[f])
			}
		}
	}
}

// TestCompileUnparsedRule: a Rule not made by ParseRule has no detection;
// Compile reports it instead of building an engine that fails on the
// first event.
func TestCompileUnparsedRule(t *testing.T) {
	if _, err := Compile([]*Rule{{Meta: Meta{Title: "hand made", ID: "x"}}}, nil, CompileOptions{}); err == nil {
		t.Error("Compile accepted a rule without a parsed detection")
	}
	if _, err := Compile([]*Rule{nil}, nil, CompileOptions{}); err == nil {
		t.Error("Compile accepted a nil rule")
	}
}

// TestMayMatchManyRulesAndLiterals: the prefilter keeps per-rule and
// per-literal scratch space on the stack up to some size; rule sets and
// literal sets around those sizes must work the same.
func TestMayMatchManyRulesAndLiterals(t *testing.T) {
	for _, n := range []int{127, 128, 129, 130} {
		e := manyRules(t, n, func(i int) string {
			return fmt.Sprintf("    sel:\n        k: 'value-%d'\n    condition: sel\n", i)
		})
		for _, i := range []int{0, n - 2, n - 1} {
			js := fmt.Sprintf(`{"k":"value-%d"}`, i)
			if !e.MayMatch([]byte(js)) || len(matches(t, e, js)) != 1 {
				t.Errorf("%d rules: %s not matched by rule %d alone, or rejected", n, js, i)
			}
		}
		if e.MayMatch([]byte(`{"k":"value-x"}`)) {
			t.Errorf("%d rules: an event no rule matches passed", n)
		}
	}
	for _, n := range []int{1023, 1024, 1025, 1026} {
		var b strings.Builder
		b.WriteString("    sel:\n        k:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "            - 'literal-%d'\n", i)
		}
		b.WriteString("    condition: sel\n")
		e := compileOne(t, b.String())
		for _, i := range []int{0, n - 2, n - 1} {
			js := fmt.Sprintf(`{"k":"literal-%d"}`, i)
			if !e.MayMatch([]byte(js)) || len(matches(t, e, js)) != 1 {
				t.Errorf("%d literals: %s rejected or not matched", n, js)
			}
		}
	}
}

// TestIndexKeysOfDifferentLengths: one indexed field whose keys differ
// much in length; short values must still be looked up.
func TestIndexKeysOfDifferentLengths(t *testing.T) {
	expect(t, "    sel:\n        a:\n            - x\n            - a-much-longer-value\n    condition: sel\n", map[string]bool{
		`{"a":"x"}`:                   true,
		`{"a":"A-Much-Longer-Value"}`: true,
		`{"a":"y"}`:                   false,
	})
}

// TestObjectTextWithEscapesDecoded: JSON carried in a string inside an
// object is also searched with its escapes decoded (docs/sigma.md,
// objects and arrays).
func TestObjectTextWithEscapesDecoded(t *testing.T) {
	expect(t, "    sel:\n        requestParameters|contains: '\"Action\":\"s3:GetObject\"'\n    condition: sel\n", map[string]bool{
		`{"requestParameters":{"policy":"{\"Action\":\"s3:GetObject\"}"}}`: true,
		`{"requestParameters":{"policy":"{\"Action\":\"s3:PutObject\"}"}}`: false,
	})
}

// TestMayMatchEscapeAndLiteralTogether: one clause satisfied only through
// an escape (the quote inside the value) and another by a literal in the
// raw bytes together make the rule possible.
func TestMayMatchEscapeAndLiteralTogether(t *testing.T) {
	expect(t, "    sel:\n        a: 'quote\"inside'\n        b: plainlongvalue\n    condition: sel\n", map[string]bool{
		`{"a":"quote\"inside","b":"plainlongvalue"}`: true,
		`{"a":"quote\"inside","b":"other"}`:          false,
	})
}

// TestRuleErrorPositions: errors point at the offending node: the second
// definition of an identifier, the timeframe key, the token of a
// condition (with the "condition:" prefix naming where it is).
func TestRuleErrorPositions(t *testing.T) {
	for body, want := range map[string]string{
		// detectionRule puts the first detection line on line 7.
		"    s: {a: 1}\n    s: {b: 1}\n    condition: s\n":            "test.yml:8:5: search identifier",
		"    s: {a: 1}\n    timeframe: 5m\n    condition: s\n":        "test.yml:8:5: legacy aggregation",
		"    s: {a: 1}\n    condition: s and t\n":                     "test.yml:8:22: condition: unknown search identifier",
		"    s:\n        - [nested]\n    condition: s\n":              "test.yml:8:11: a list element of \"s\" must be a value or a map",
		"    s:\n        - a\n        - [nested]\n    condition: s\n": "test.yml:9:11: a list element",
	} {
		_, err := parseRuleText(t, detectionRule(body), ParseOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want it to start with %q", body, err, want)
		}
	}
}

// TestExplanationOfEveryTrueSelection: every selection that is true and
// referenced without negation is evidence (docs/sigma.md, explanations),
// also those the evaluation did not need ("1 of", "or").
func TestExplanationOfEveryTrueSelection(t *testing.T) {
	sels := "    sel_a:\n        a: 1\n    sel_b:\n        b: 1\n    sel_c:\n        c: 1\n"
	for cond, want := range map[string]string{
		"1 of sel_*":                     "sel_a,sel_b",
		"sel_a or sel_b":                 "sel_a,sel_b",
		"sel_a or (sel_b and not sel_c)": "sel_a,sel_b",
		"sel_a or not sel_b":             "sel_a",
		"all of sel_*":                   "",
	} {
		e := compileOne(t, sels+"    condition: "+cond+"\n")
		ms := matches(t, e, `{"a":1,"b":1}`)
		if (len(ms) == 1) != (want != "") {
			t.Fatalf("%s: %d matches", cond, len(ms))
		}
		if len(ms) == 0 {
			continue
		}
		var got []string
		for _, ev := range ms[0].Explanation {
			got = append(got, ev.Selection)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: evidence from %q, want %s", cond, got, want)
		}
	}
}

// TestMayMatchLiteralNearEnd: a literal that begins among the last bytes
// of the event, whatever the alignment there (the scan's position skipping
// works four bytes at a time from wherever the automaton returns to its
// root, here after the literal "zzqzzq" of the other rule, and then byte by
// byte).
func TestMayMatchLiteralNearEnd(t *testing.T) {
	e := manyRules(t, 2, func(i int) string {
		if i == 0 {
			return "    sel:\n        p|contains: '1}}'\n    condition: sel\n"
		}
		return "    sel:\n        y|contains: zzqzzq\n        c: absentvalue\n    condition: sel\n"
	})
	for pad := 0; pad < 9; pad++ {
		for _, js := range []string{
			`{"` + strings.Repeat("x", pad) + `":0,"p":{"a":{"b":1}}}`,
			`{"y":"zzqzzq` + strings.Repeat("x", pad) + `","p":{"a":{"b":1}}}`,
		} {
			if len(matches(t, e, js)) != 1 {
				t.Errorf("%s: no match", js)
			}
		}
	}
}

// TestMayMatchLiteralsEndingTogether: several literals of different rules
// can end at the same place of the event: the same text with and without
// framing quotes, or one literal a suffix of another. Each must count for
// its own rule.
func TestMayMatchLiteralsEndingTogether(t *testing.T) {
	var rules []*Rule
	for _, body := range []string{
		// literal "zzabcdef" and a clause the events below never meet
		"    sel:\n        a|contains: zzabcdef\n        c: absentvalue\n    condition: sel\n",
		// literal "abcdef", a suffix of the first
		"    sel:\n        b|contains: abcdef\n    condition: sel\n",
		// framed exact value
		"    sel:\n        e: qrstuv\n    condition: sel\n",
		// the same literal as the previous, with real quotes instead of
		// framing, and a clause the events below never meet
		"    sel:\n        d|contains: '\"qrstuv\"'\n        c: absentvalue\n    condition: sel\n",
	} {
		src := fmt.Sprintf("title: r%d\nid: r%d\nlogsource:\n    product: aws\ndetection:\n%s", len(rules), len(rules), body)
		r, err := parseRuleText(t, src, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	e, err := Compile(rules, nil, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for js, want := range map[string]string{
		`{"b":"zzabcdef"}`: "r1",
		`{"e":"qrstuv"}`:   "r2",
		`{"d":"qrstuv"}`:   "",
	} {
		ms := matches(t, e, js)
		got := ""
		if len(ms) == 1 {
			got = ms[0].Rule.ID
		}
		if got != want || len(ms) > 1 {
			t.Errorf("%s: %d matches (%s), want %q", js, len(ms), got, want)
		}
	}
}

// TestMayMatchManyLiteralsFoundOnce: the scan remembers each literal it
// has found (one bit per literal); with more than 64 literals, finding one
// must not hide another.
func TestMayMatchManyLiteralsFoundOnce(t *testing.T) {
	const n = 140
	e := manyRules(t, n, func(i int) string {
		if i == 0 { // a literal every event below holds, and one none holds
			return "    sel:\n        a: common-literal\n        c: absentvalue\n    condition: sel\n"
		}
		return fmt.Sprintf("    sel:\n        k: 'lit-%d'\n    condition: sel\n", i)
	})
	for i := 1; i < n; i++ {
		js := fmt.Sprintf(`{"a":"common-literal","k":"lit-%d"}`, i)
		if ms := matches(t, e, js); len(ms) != 1 {
			t.Errorf("%s: %d matches, want 1", js, len(ms))
		}
	}
}
