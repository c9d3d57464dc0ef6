package sigma

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// threeSels defines selections a, b and c over fields of the same names.
const threeSels = `    a:
        a: 1
    b:
        b: 1
    c:
        c: 1
`

// truthTable checks a condition over a, b, c against want(a, b, c).
func truthTable(t *testing.T, cond string, want func(a, b, c bool) bool) {
	t.Helper()
	e := compileOne(t, threeSels+"    condition: "+cond+"\n")
	for i := 0; i < 8; i++ {
		a, b, c := i&1 != 0, i&2 != 0, i&4 != 0
		var parts []string
		for _, f := range []struct {
			on   bool
			name string
		}{{a, "a"}, {b, "b"}, {c, "c"}} {
			v := "0"
			if f.on {
				v = "1"
			}
			parts = append(parts, `"`+f.name+`":`+v)
		}
		js := "{" + strings.Join(parts, ",") + "}"
		if got := len(matches(t, e, js)) > 0; got != want(a, b, c) {
			t.Errorf("condition %q on a=%v b=%v c=%v: %v, want %v", cond, a, b, c, got, !got)
		}
	}
}

func TestConditionPrecedence(t *testing.T) {
	truthTable(t, "a or b and c", func(a, b, c bool) bool { return a || (b && c) })
	truthTable(t, "a and b or c", func(a, b, c bool) bool { return (a && b) || c })
	truthTable(t, "not a and b", func(a, b, c bool) bool { return !a && b })
	truthTable(t, "not (a and b)", func(a, b, c bool) bool { return !(a && b) })
	truthTable(t, "(a or b) and c", func(a, b, c bool) bool { return (a || b) && c })
	truthTable(t, "a and not b or not c", func(a, b, c bool) bool { return (a && !b) || !c })
	truthTable(t, "not not a", func(a, b, c bool) bool { return a })
	truthTable(t, "a AND b", func(a, b, c bool) bool { return a && b }) // operators are case-insensitive
}

func TestConditionOf(t *testing.T) {
	body := `    sel_one:
        a: 1
    sel_two:
        b: 1
    _helper:
        c: 1
`
	cases := []struct {
		cond string
		want func(a, b, c bool) bool
	}{
		{"1 of sel_*", func(a, b, c bool) bool { return a || b }},
		{"all of sel_*", func(a, b, c bool) bool { return a && b }},
		{"1 of them", func(a, b, c bool) bool { return a || b }},   // _helper excluded
		{"all of them", func(a, b, c bool) bool { return a && b }}, // _helper excluded
		{"1 of _h*", func(a, b, c bool) bool { return c }},         // explicit pattern includes it
		{"not 1 of sel_* and _helper", func(a, b, c bool) bool { return !(a || b) && c }},
		{"all of sel_* or _helper", func(a, b, c bool) bool { return (a && b) || c }},
		{"any of sel_*", func(a, b, c bool) bool { return a || b }},
	}
	for _, tc := range cases {
		e := compileOne(t, body+"    condition: "+tc.cond+"\n")
		for i := 0; i < 8; i++ {
			a, b, c := i&1 != 0, i&2 != 0, i&4 != 0
			js := "{" + kv("a", a) + "," + kv("b", b) + "," + kv("c", c) + "}"
			if got := len(matches(t, e, js)) > 0; got != tc.want(a, b, c) {
				t.Errorf("%q on %s: %v", tc.cond, js, got)
			}
		}
	}
}

func kv(k string, on bool) string {
	if on {
		return `"` + k + `":1`
	}
	return `"` + k + `":0`
}

// truthTables compiles body (selections testing fields a, b and c for 1)
// with each condition and checks it on all eight events against want.
func truthTables(t *testing.T, body string, conds map[string]func(a, b, c bool) bool) {
	t.Helper()
	for cond, want := range conds {
		e := compileOne(t, body+"    condition: "+cond+"\n")
		for i := 0; i < 8; i++ {
			a, b, c := i&1 != 0, i&2 != 0, i&4 != 0
			js := "{" + kv("a", a) + "," + kv("b", b) + "," + kv("c", c) + "}"
			if got := len(matches(t, e, js)) > 0; got != want(a, b, c) {
				t.Errorf("%q on %s: %v", cond, js, got)
			}
		}
	}
}

func TestConditionList(t *testing.T) {
	e := compileOne(t, threeSels+"    condition:\n        - a and b\n        - c\n")
	for js, want := range map[string]bool{`{"a":1,"b":1}`: true, `{"c":1}`: true, `{"a":1}`: false} {
		if got := len(matches(t, e, js)) > 0; got != want {
			t.Errorf("%s: %v", js, got)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	for cond, want := range map[string]string{
		"a and":                "unexpected end",
		"a and missing":        `unknown search identifier "missing"`,
		"(a or b":              "missing closing parenthesis for the one at character 1 of the condition",
		"a and (b or (c)":      "missing closing parenthesis for the one at character 7 of the condition",
		"a b":                  `unexpected "b"`,
		"1 of nothing*":        "matches no search identifier",
		"2 of a*":              "only \"1 of\" and \"all of\"",
		"a | count() > 5":      "legacy aggregation",
		"a | count() by x > 5": "correlation rule",
		"a | near b":           "temporal",
		"sel*":                 "needs \"1 of\"",
		"a and $":              "unexpected character",
		"":                     "empty condition",
	} {
		expectParseError(t, threeSels+"    condition: '"+cond+"'\n", want)
	}
}

func TestConditionErrorColumn(t *testing.T) {
	_, err := parseRuleText(t, detectionRule(threeSels+"    condition: a and zz\n"), ParseOptions{})
	if err == nil {
		t.Fatal("accepted")
	}
	// "    condition: a and zz": zz starts at column 22, line 13.
	if !strings.HasPrefix(err.Error(), "test.yml:13:22:") {
		t.Errorf("position: %v", err)
	}
}

func TestParseConditionNesting(t *testing.T) {
	deep := strings.Repeat("(", 500) + "a" + strings.Repeat(")", 500)
	if _, err := parseCondition(deep, func(string, bool) []int { return []int{0} }); err == nil {
		t.Error("deeply nested condition accepted")
	}
}

// TestConditionThemCaseInsensitive: "them" is an operator word, so its case
// does not matter (docs/sigma.md).
func TestConditionThemCaseInsensitive(t *testing.T) {
	truthTable(t, "1 of THEM", func(a, b, c bool) bool { return a || b || c })
	truthTable(t, "All Of Them", func(a, b, c bool) bool { return a && b && c })
}

// TestConditionErrorColumnQuoted: in a quoted condition the column counts
// the opening quote.
func TestConditionErrorColumnQuoted(t *testing.T) {
	_, err := parseRuleText(t, detectionRule(threeSels+"    condition: 'a and zz'\n"), ParseOptions{})
	// "    condition: 'a and zz'": zz starts at column 23, line 13.
	if err == nil || !strings.HasPrefix(err.Error(), "test.yml:13:23:") {
		t.Errorf("position: %v", err)
	}
}

// TestConditionNonASCIIIdentifiers: search identifiers may hold non-ASCII
// letters; they are matched exactly (case-sensitive), "?" in a pattern is
// one character, and error columns count characters, not bytes.
func TestConditionNonASCIIIdentifiers(t *testing.T) {
	body := `    auswahl_ä:
        a: 1
    auswahl_ö:
        b: 1
    _größe:
        c: 1
`
	truthTables(t, body, map[string]func(a, b, c bool) bool{
		"auswahl_ä and not _größe": func(a, b, c bool) bool { return a && !c },
		"1 of auswahl_*":           func(a, b, c bool) bool { return a || b },
		"all of auswahl_?":         func(a, b, c bool) bool { return a && b },
		"1 of _gr??e":              func(a, b, c bool) bool { return c },
	})
	expectParseError(t, body+"    condition: AUSWAHL_Ä\n", `unknown search identifier "AUSWAHL_Ä"`)
	// "    condition: auswahl_ä and zz": zz starts at character 30 of line 13.
	_, err := parseRuleText(t, detectionRule(body+"    condition: auswahl_ä and zz\n"), ParseOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "test.yml:13:30:") {
		t.Errorf("position: %v", err)
	}
}

// TestConditionErrorPositionAcrossLines: a condition error points at the
// unknown identifier where it is written, however the condition is
// written: on one line, quoted, or over several lines (a block scalar, a
// plain or quoted scalar folded across lines), where the value has lost
// the file's line breaks and indentation. The expected position is found
// by searching the file's text for the identifier.
func TestConditionErrorPositionAcrossLines(t *testing.T) {
	const sels = "    sel_a:\n        a: 1\n    sel_b:\n        b: 1\n"
	unknown := `unknown search identifier "zz"`
	for name, tc := range map[string]struct{ cond, at, msg string }{
		"plain":             {"    condition: sel_a and zz\n", "zz", unknown},
		"single-quoted":     {"    condition: 'sel_a and zz'\n", "zz", unknown},
		"double-quoted":     {"    condition: \"sel_a and zz\"\n", "zz", unknown},
		"doubled quote":     {"    condition: 'sel_a or sel_b and ''x'''\n", "''x", "unexpected character"},
		"non-ASCII before":  {"    condition: sel_a and not (sel_b or sel_b) and   zz # ä\n", "zz", unknown},
		"literal block":     {"    condition: |\n        sel_a\n        and sel_b\n          or zz\n", "zz", unknown},
		"folded block":      {"    condition: >\n        sel_a and\n        sel_b or\n\n        zz\n", "zz", unknown},
		"plain over lines":  {"    condition: sel_a and\n        sel_b or\n        zz\n", "zz", unknown},
		"quoted over lines": {"    condition: 'sel_a and\n        sel_b or\n\n        zz'\n", "zz", unknown},
		"list":              {"    condition:\n        - sel_a\n        - >-\n            sel_b and\n            zz\n", "zz", unknown},
		"windows line ends": {"    condition: |\r\n        sel_a or\r\n        zz\r\n", "zz", unknown},
		// An error at the end points just past the last character.
		"unexpected end": {"    condition: >\n        sel_a and\n        (sel_b or sel_b\n", "(sel_b or sel_b|", "missing closing parenthesis"},
	} {
		text := detectionRule(sels + tc.cond)
		if name == "windows line ends" {
			text = strings.ReplaceAll(detectionRule(sels), "\n", "\r\n") + tc.cond
		}
		_, err := parseRuleText(t, text, ParseOptions{})
		want := positionOf(t, text, tc.at)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want %q at %s", name, err, tc.msg, want)
		}
	}
}

// positionOf returns "test.yml:LINE:COLUMN: " for the one occurrence of
// s in text, the column counted in characters; a trailing "|" in s asks
// for the position just past the rest of s.
func positionOf(t *testing.T, text, s string) string {
	t.Helper()
	past := strings.HasSuffix(s, "|")
	s = strings.TrimSuffix(s, "|")
	i := strings.Index(text, s)
	if i < 0 || strings.Count(text, s) != 1 {
		t.Fatalf("%q must occur once in the test rule", s)
	}
	if past {
		i += len(s)
	}
	line := 1 + strings.Count(text[:i], "\n")
	col := 1 + utf8.RuneCountInString(text[strings.LastIndex(text[:i], "\n")+1:i])
	return fmt.Sprintf("test.yml:%d:%d: ", line, col)
}
