package sigma

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/event"
)

func TestKeywords(t *testing.T) {
	expect(t, `    keywords:
        - 'AssumeRoot'
        - 'evil.example'
    condition: keywords
`, map[string]bool{
		`{"eventName":"AssumeRoot"}`:                           true,
		`{"requestParameters":{"x":["a","x.evil.example.y"]}}`: true, // anywhere inside any value
		`{"eventName":"AssumeRole"}`:                           false,
		`{"AssumeRoot":"key names are not searched"}`:          false,
	})
	expect(t, `    keywords:
        '|all':
            - 'OabVirtualDirectory'
            - ' -ExternalUrl '
    condition: keywords
`, map[string]bool{
		`{"a":"Set-OabVirtualDirectory -ExternalUrl http://x","b":1}`: true,
		`{"a":"Set-OabVirtualDirectory","b":" -ExternalUrl "}`:        true, // each in some value
		`{"a":"Set-OabVirtualDirectory -InternalUrl http://x"}`:       false,
	})
	expect(t, `    keywords:
        - 443
    condition: keywords
`, map[string]bool{`{"port":443}`: true, `{"port":444}`: false})
}

func TestNull(t *testing.T) {
	body := `    sel:
        eventName: ConsoleLogin
    nul:
        errorCode: null
    condition: sel and nul
`
	expect(t, body, map[string]bool{
		`{"eventName":"ConsoleLogin"}`:                  true, // missing counts as null
		`{"eventName":"ConsoleLogin","errorCode":null}`: true,
		`{"eventName":"ConsoleLogin","errorCode":""}`:   false,
		`{"eventName":"ConsoleLogin","errorCode":"x"}`:  false,
	})
	expect(t, `    sel:
        errorCode: ''
    condition: sel
`, map[string]bool{`{"errorCode":""}`: true, `{"errorCode":null}`: false, `{}`: false})
	expectParseError(t, `    sel:
        a:
            - ''
            - null
    condition: sel
`, "null cannot be part of a list")
}

func TestDottedPaths(t *testing.T) {
	body := `    sel:
        userIdentity.sessionContext.sessionIssuer.type: Role
    condition: sel
`
	expect(t, body, map[string]bool{
		`{"userIdentity":{"sessionContext":{"sessionIssuer":{"type":"Role"}}}}`: true,
		`{"userIdentity":{"sessionContext":{"sessionIssuer":{"type":"User"}}}}`: false,
		`{"userIdentity":{"sessionContext.sessionIssuer":{"type":"Role"}}}`:     true, // literal key with a dot
		`{"userIdentity.sessionContext.sessionIssuer.type":"Role"}`:             true,
		`{"userIdentity":{"sessionContext":"Role"}}`:                            false,
	})
	// A path crossing an array matches when any element matches.
	expect(t, `    sel:
        requestParameters.items.name: target
    condition: sel
`, map[string]bool{
		`{"requestParameters":{"items":[{"name":"a"},{"name":"target"}]}}`:  true,
		`{"requestParameters":{"items":[{"name":"a"},{"other":"target"}]}}`: false,
		`{"requestParameters":{"items":[[{"name":"target"}]]}}`:             true,
	})
	// A field holding an array of scalars matches when any element does.
	expect(t, `    sel:
        resources|endswith: ':trail/main'
    condition: sel
`, map[string]bool{
		`{"resources":["x","arn:aws:cloudtrail:us-east-1:1:trail/main"]}`: true,
		`{"resources":["x","y"]}`: false,
	})
}

func TestObjectsAsJSONText(t *testing.T) {
	expect(t, `    sel:
        requestParameters|contains: '"status":"Suspended"'
    condition: sel
`, map[string]bool{
		`{"requestParameters":{"bucket":"b","status":"Suspended"}}`: true,
		`{"requestParameters":{"bucket":"b","status":"Enabled"}}`:   false,
	})
}

func TestNumbersAndBooleansAsText(t *testing.T) {
	body := `    sel:
        responseElements.publiclyAccessible: 'true'
    condition: sel
`
	expect(t, body, map[string]bool{
		`{"responseElements":{"publiclyAccessible":true}}`:   true,
		`{"responseElements":{"publiclyAccessible":"true"}}`: true,
		`{"responseElements":{"publiclyAccessible":false}}`:  false,
	})
	expect(t, `    sel:
        readOnly: false
        eventVersion: 1.08
        code: 0x1F
    condition: sel
`, map[string]bool{
		`{"readOnly":false,"eventVersion":"1.08","code":31}`:   true,
		`{"readOnly":"False","eventVersion":1.08,"code":"31"}`: true,
		`{"readOnly":false,"eventVersion":"1.080","code":31}`:  false, // compared as text, not as numbers
	})
}

func TestLogsourceFiltering(t *testing.T) {
	mk := func(product, service string) *Rule {
		src := "title: t\nid: " + product + service + "\nlogsource:\n    product: " + product + "\n    service: " + service + "\ndetection:\n    s:\n        a: 1\n    condition: s\n"
		r, err := parseRuleText(t, src, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	aws, win, okta := mk("aws", "cloudtrail"), mk("windows", "security"), mk("aws", "guardduty")
	e, err := Compile([]*Rule{aws, win, okta}, nil, CompileOptions{Product: "aws", Service: "cloudtrail"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) != 1 || e.Rules()[0] != aws || len(e.Skipped()) != 2 {
		t.Fatalf("applied %d rules, skipped %d", len(e.Rules()), len(e.Skipped()))
	}
	if got := matches(t, e, `{"a":1}`); len(got) != 1 || got[0].Rule != aws {
		t.Errorf("matches: %v", got)
	}
}

func TestFilters(t *testing.T) {
	rsrc := detectionRule(`    sel:
        eventName: ConsoleLogin
    condition: sel
`)
	r, err := parseRuleText(t, rsrc, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := parseRuleText(t, strings.Replace(rsrc, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 1), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fsrc := `title: Filter the break-glass user
logsource:
    product: aws
filter:
    rules:
        - 11111111-1111-4111-8111-111111111111
    selection:
        userIdentity.userName|startswith: 'breakglass'
    condition: selection
`
	docs, errs := LoadDocuments("mf.yml", []byte(fsrc))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f, err := ParseFilter(docs[0], ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r, other}, []*Filter{f}, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(js string) (filtered, unfiltered int) {
		for _, m := range matches(t, e, js) {
			if m.Rule == r {
				filtered++
			} else {
				unfiltered++
			}
		}
		return
	}
	if len(e.UnusedFilters()) != 0 {
		t.Errorf("filter reported unused")
	}
	if a, b := count(`{"eventName":"ConsoleLogin","userIdentity":{"userName":"breakglass-1"}}`); a != 0 || b != 1 {
		t.Errorf("filtered user: named rule %d, other rule %d; want 0, 1", a, b)
	}
	if a, b := count(`{"eventName":"ConsoleLogin","userIdentity":{"userName":"alice"}}`); a != 1 || b != 1 {
		t.Errorf("other user: named rule %d, other rule %d; want 1, 1", a, b)
	}
	// A filter for another logsource does not apply.
	f.Logsource.Product = "windows"
	e, _ = Compile([]*Rule{r}, []*Filter{f}, CompileOptions{})
	if got := matches(t, e, `{"eventName":"ConsoleLogin","userIdentity":{"userName":"breakglass-1"}}`); len(got) != 1 {
		t.Errorf("filter of another logsource applied")
	}
	if u := e.UnusedFilters(); len(u) != 1 || u[0] != f {
		t.Errorf("unused filters: %v", u)
	}
	// Errors name positions.
	bad := strings.Replace(fsrc, "    condition: selection\n", "    condition: selection and nope\n", 1)
	docs, _ = LoadDocuments("mf.yml", []byte(bad))
	if _, err := ParseFilter(docs[0], ParseOptions{}); err == nil || !strings.Contains(err.Error(), "mf.yml:9:30:") {
		t.Errorf("bad filter condition: %v", err)
	}
	noRules := strings.Replace(fsrc, "    rules:\n        - 11111111-1111-4111-8111-111111111111\n", "", 1)
	docs, _ = LoadDocuments("mf.yml", []byte(noRules))
	if _, err := ParseFilter(docs[0], ParseOptions{}); err == nil || !strings.Contains(err.Error(), "no rules") {
		t.Errorf("filter without rules: %v", err)
	}
}

func TestExplanation(t *testing.T) {
	e := compileOne(t, `    sel:
        eventName: ConsoleLogin
        additionalEventData.MFAUsed: 'No'
    sel_ip:
        sourceIPAddress|cidr: 203.0.113.0/24
    filter:
        userIdentity.type: AssumedRole
    condition: sel and 1 of sel_* and not filter
`)
	ms := matches(t, e, `{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"},"sourceIPAddress":"203.0.113.9","userIdentity":{"type":"IAMUser"}}`)
	if len(ms) != 1 {
		t.Fatalf("%d matches", len(ms))
	}
	x := ms[0].Explanation
	want := []Evidence{
		{Selection: "sel", Field: "eventName", Pattern: "ConsoleLogin", Value: "ConsoleLogin"},
		{Selection: "sel", Field: "additionalEventData.MFAUsed", Pattern: "No", Value: "No"},
		{Selection: "sel_ip", Field: "sourceIPAddress", Modifiers: []string{"cidr"}, Pattern: "203.0.113.0/24", Value: "203.0.113.9"},
	}
	if len(x) != len(want) {
		t.Fatalf("explanation %v", x)
	}
	for i := range want {
		if x[i].Selection != want[i].Selection || x[i].Field != want[i].Field || x[i].Pattern != want[i].Pattern ||
			x[i].Value != want[i].Value || strings.Join(x[i].Modifiers, "|") != strings.Join(want[i].Modifiers, "|") {
			t.Errorf("evidence %d: %+v, want %+v", i, x[i], want[i])
		}
	}
	if s := x.String(); !strings.Contains(s, `sel_ip: sourceIPAddress|cidr="203.0.113.9" matched "203.0.113.0/24"`) {
		t.Errorf("String: %s", s)
	}
}

type mapEnricher map[string]string

func (m mapEnricher) EnrichField(n string) (string, bool) { v, ok := m[n]; return v, ok }

func TestFieldMappingsAndEnrichment(t *testing.T) {
	r, err := parseRuleText(t, detectionRule(`    sel:
        src_ip|startswith: '203.0.113.'
        sourceCountry: KP
    condition: sel
`), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{
		FieldMappings: map[string][]string{"src_ip": {"client.ip", "sourceIPAddress"}},
		EnrichFields:  []string{"sourceCountry"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	run := func(js string, en Enricher) int {
		if err := d.Parse([]byte(js)); err != nil {
			t.Fatal(err)
		}
		n := 0
		e.Match(d.Root(), en, func(Match) { n++ })
		return n
	}
	ev := `{"sourceIPAddress":"203.0.113.5"}`
	if run(ev, mapEnricher{"sourceCountry": "KP"}) != 1 {
		t.Error("mapped field with enrichment did not match")
	}
	if run(ev, mapEnricher{"sourceCountry": "DE"}) != 0 || run(ev, nil) != 0 {
		t.Error("matched with another or no country")
	}
	if run(`{"src_ip":"203.0.113.5"}`, mapEnricher{"sourceCountry": "KP"}) != 0 {
		t.Error("a mapped field read its unmapped name")
	}
	if run(`{"client":{"ip":"10.0.0.1"},"sourceIPAddress":"203.0.113.5"}`, mapEnricher{"sourceCountry": "KP"}) != 1 {
		t.Error("any mapped path should match")
	}
	// FieldValue: first present mapped path wins.
	_ = d.Parse([]byte(`{"client":{"ip":"10.0.0.1"},"sourceIPAddress":"203.0.113.5","userIdentity":{"arn":"a\"b"}}`))
	if v, ok := e.FieldValue(d.Root(), "src_ip"); !ok || v != "10.0.0.1" {
		t.Errorf("FieldValue src_ip = %q, %v", v, ok)
	}
	if v, ok := e.FieldValue(d.Root(), "userIdentity.arn"); !ok || v != `a"b` {
		t.Errorf("FieldValue userIdentity.arn = %q, %v", v, ok)
	}
	if _, ok := e.FieldValue(d.Root(), "nope"); ok {
		t.Error("FieldValue of a missing field reported present")
	}
	if _, ok := e.FieldValue(d.Root(), "sourceCountry"); ok {
		t.Error("FieldValue resolved an enrichment field without an enricher")
	}
	if v, ok := e.FieldValueWith(d.Root(), mapEnricher{"sourceCountry": "KP"}, "sourceCountry"); !ok || v != "KP" {
		t.Errorf("FieldValueWith sourceCountry = %q, %v", v, ok)
	}
}

func TestEmptyArrayAndKeywordPosition(t *testing.T) {
	expect(t, `    sel:
        resources|exists: true
    none:
        resources: null
    condition: sel and not none
`, map[string]bool{`{"resources":[]}`: true, `{"other":[]}`: false})
	expect(t, `    sel:
        resources|contains: ''
    condition: sel
`, map[string]bool{`{"resources":[]}`: false, `{"resources":["x"]}`: true})
	expect(t, `    keywords:
        '|startswith': 'arn:aws:iam'
    condition: keywords
`, map[string]bool{`{"a":"arn:aws:iam::1:root"}`: true, `{"a":"x arn:aws:iam::1:root"}`: false})
}

func TestDuplicateRuleIDs(t *testing.T) {
	src := detectionRule("    sel:\n        a: 1\n    condition: sel\n")
	r1, err := parseRuleText(t, src, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := parseRuleText(t, src, ParseOptions{})
	if _, err := Compile([]*Rule{r1, r2}, nil, CompileOptions{}); err == nil || !strings.Contains(err.Error(), "duplicate rule id") {
		t.Errorf("duplicate ids: %v", err)
	}
}

func TestWindashLimit(t *testing.T) {
	expectParseError(t, `    sel:
        cmd|windash: 'a-b-c-d-e-f-g'
    condition: sel
`, "more than 5 dash")
}

func TestRuleMetadata(t *testing.T) {
	src := detectionRule("    sel:\n        a: 1\n    other:\n        b: 2\n    condition: sel and not other\n") + "level: high\nfields:\n    - a\n"
	r, err := parseRuleText(t, src, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != "high" || r.Title != "test rule" || r.Logsource.Product != "aws" || r.Logsource.Service != "cloudtrail" ||
		strings.Join(r.Selections, ",") != "sel,other" || strings.Join(r.Condition, ",") != "sel and not other" ||
		strings.Join(r.Fields, ",") != "a" || r.File != "test.yml" || r.Line != 1 {
		t.Errorf("metadata: %+v", r)
	}
	badStatus := strings.Replace(src, "level: high", "level: high\nstatus: beta", 1)
	if _, err := parseRuleText(t, badStatus, ParseOptions{}); err == nil || !strings.Contains(err.Error(), `test.yml:13:9: status "beta"`) {
		t.Errorf("bad status: %v", err)
	}
	bad := strings.Replace(src, "level: high", "level: severe", 1)
	if _, err := parseRuleText(t, bad, ParseOptions{}); err == nil || !strings.Contains(err.Error(), `test.yml:12:8: level "severe"`) {
		t.Errorf("bad level: %v", err)
	}
	noLS := strings.Replace(src, "logsource:\n    product: aws\n    service: cloudtrail\n", "", 1)
	if _, err := parseRuleText(t, noLS, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "missing logsource") {
		t.Errorf("no logsource: %v", err)
	}
}

// TestConcurrentMatch runs one engine from several goroutines (run with
// -race to check that the shared state is read-only).
func TestConcurrentMatch(t *testing.T) {
	e := compileOne(t, `    sel:
        eventName: ConsoleLogin
        userIdentity.arn|contains: user/
    condition: sel
`)
	done := make(chan int)
	for g := 0; g < 4; g++ {
		go func() {
			var d event.Doc
			n := 0
			for i := 0; i < 200; i++ {
				js := `{"eventName":"ConsoleLogin","userIdentity":{"arn":"arn:aws:iam::1:user/u` + strings.Repeat("x", i%7) + `"}}`
				if i%2 == 1 {
					js = `{"eventName":"GetObject"}`
				}
				if err := d.Parse([]byte(js)); err != nil {
					panic(err)
				}
				e.Match(d.Root(), nil, func(Match) { n++ })
			}
			done <- n
		}()
	}
	for g := 0; g < 4; g++ {
		if n := <-done; n != 100 {
			t.Errorf("goroutine matched %d events, want 100", n)
		}
	}
}

func TestEmptyEngine(t *testing.T) {
	e, err := Compile(nil, nil, CompileOptions{Product: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	if e.MayMatch([]byte(`{"eventName":"ConsoleLogin"}`)) || e.MayMatch(nil) || len(matches(t, e, `{"a":1}`)) != 0 {
		t.Error("an engine without rules must reject and match nothing")
	}
	if e.NewGate().Pass([]byte(`{}`)) != e.MayMatch([]byte(`{}`)) {
		t.Error("gate disagrees with MayMatch while filtering")
	}
}

// explain returns the explanation of the single rule of e matching js.
func explain(t *testing.T, e *Engine, js string) Explanation {
	t.Helper()
	ms := matches(t, e, js)
	if len(ms) != 1 {
		t.Fatalf("%d matches on %s", len(ms), js)
	}
	return ms[0].Explanation
}

// TestExplanationEvidence: evidence comes from the matching group only,
// once per selection, never from a negated selection, and null tests of a
// missing field say so.
func TestExplanationEvidence(t *testing.T) {
	e := compileOne(t, `    sel:
        - a: 1
          b: 2
        - a: 1
          c: 3
    sel_x:
        x: 1
    nul:
        gone: null
    f1:
        f: 1
    f2:
        g: 1
    h_1:
        h: 1
    h_2:
        i: 1
    condition: sel and 1 of sel* and nul and not (f1 and f2) and not all of h_*
`)
	x := explain(t, e, `{"a":1,"b":0,"c":3,"x":0,"f":1,"h":1}`)
	var got []string
	for _, ev := range x {
		got = append(got, ev.Selection+"."+ev.Field+"="+ev.Value)
	}
	if want := "sel.a=1 sel.c=3 nul.gone=(absent)"; strings.Join(got, " ") != want {
		t.Errorf("evidence %q, want %q", got, want)
	}
}

// TestExplanationText: keyword evidence is labelled, and values are
// clipped after 256 bytes at a character boundary.
func TestExplanationText(t *testing.T) {
	e := compileOne(t, "    keywords:\n        - needle\n    condition: keywords\n")
	if s := explain(t, e, `{"a":"a needle"}`).String(); !strings.HasPrefix(s, `keywords: keyword="a needle" matched "needle"`) {
		t.Errorf("keyword explanation %s", s)
	}
	e = compileOne(t, "    sel:\n        a|startswith: x\n    condition: sel\n")
	long := strings.Repeat("x", 256)
	if v := explain(t, e, `{"a":"`+long+`"}`)[0].Value; v != long {
		t.Errorf("a 256-byte value was clipped: %q", v)
	}
	v := explain(t, e, `{"a":"`+strings.Repeat("x", 255)+`é tail"}`)[0].Value
	if !utf8.ValidString(v) || v != strings.Repeat("x", 255)+"…" {
		t.Errorf("clipped value %q", v)
	}
}

// TestFilterMatching: a filter names a rule by id or name, compares the
// logsource case-insensitively, does not apply to another category, and
// several filters on one rule are all applied.
func TestFilterMatching(t *testing.T) {
	r, err := parseRuleText(t, `title: named
name: console_login_named
logsource:
    product: aws
    service: cloudtrail
    category: auth
detection:
    sel:
        eventName: ConsoleLogin
    condition: sel
`, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	filter := func(logsource, value string) *Filter {
		src := "title: f\nlogsource:\n" + logsource + "filter:\n    rules: console_login_named\n    sel:\n        userIdentity.userName: " + value + "\n    condition: sel\n"
		docs, errs := LoadDocuments("f.yml", []byte(src))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		f, err := ParseFilter(docs[0], ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	byName := filter("    product: AWS\n", "alice")
	second := filter("    service: CloudTrail\n", "bob")
	otherCat := filter("    category: network\n", "carol")
	e, err := Compile([]*Rule{r}, []*Filter{byName, second, otherCat}, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u := e.UnusedFilters(); len(u) != 1 || u[0] != otherCat {
		t.Errorf("unused filters %v, want only the other category's", u)
	}
	for user, want := range map[string]bool{"alice": false, "bob": false, "carol": true, "dave": true} {
		js := `{"eventName":"ConsoleLogin","userIdentity":{"userName":"` + user + `"}}`
		if got := len(matches(t, e, js)) > 0; got != want {
			t.Errorf("user %s: match %v, want %v", user, got, want)
		}
	}
}

// TestLogsourceUnsetAndCase: a rule leaving service empty applies, and
// logsource values compare case-insensitively.
func TestLogsourceUnsetAndCase(t *testing.T) {
	var rules []*Rule
	for i, ls := range []string{"    product: aws\n", "    product: AWS\n    service: CloudTrail\n"} {
		r, err := parseRuleText(t, fmt.Sprintf("title: t\nid: r%d\nlogsource:\n%sdetection:\n    s:\n        a: 1\n    condition: s\n", i, ls), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	e, err := Compile(rules, nil, CompileOptions{Product: "aws", Service: "cloudtrail"})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Rules()) != 2 || len(e.Skipped()) != 0 {
		t.Errorf("applied %d rules, skipped %d; want 2, 0", len(e.Rules()), len(e.Skipped()))
	}
}

// TestRulesWithoutID: ids are optional, so two rules without one are not
// duplicates.
func TestRulesWithoutID(t *testing.T) {
	src := "title: t\nlogsource:\n    product: aws\ndetection:\n    s:\n        a: 1\n    condition: s\n"
	r1, err := parseRuleText(t, src, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := parseRuleText(t, src, ParseOptions{})
	if _, err := Compile([]*Rule{r1, r2}, nil, CompileOptions{}); err != nil {
		t.Errorf("two rules without id: %v", err)
	}
}

// TestTitleLength: the specification allows titles of up to 256 characters.
func TestTitleLength(t *testing.T) {
	body := "\nlogsource:\n    product: aws\ndetection:\n    s:\n        a: 1\n    condition: s\n"
	if _, err := parseRuleText(t, "title: "+strings.Repeat("t", 256)+body, ParseOptions{}); err != nil {
		t.Errorf("256-character title: %v", err)
	}
	if _, err := parseRuleText(t, "title: "+strings.Repeat("t", 257)+body, ParseOptions{}); err == nil {
		t.Error("257-character title accepted")
	}
}

// TestFieldValueSkipsNull: FieldValue returns the first present, non-null
// value in mapping order.
func TestFieldValueSkipsNull(t *testing.T) {
	e, err := Compile(nil, nil, CompileOptions{FieldMappings: map[string][]string{"user": {"a", "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	if err := d.Parse([]byte(`{"a":null,"b":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if v, ok := e.FieldValue(d.Root(), "user"); !ok || v != "x" {
		t.Errorf("FieldValue user = %q, %v; want x", v, ok)
	}
}

// TestDottedKeyOnlyWhereNestedMissing: a key holding dots is read only
// where the nested lookup finds nothing, at the root and below it.
func TestDottedKeyOnlyWhereNestedMissing(t *testing.T) {
	expect(t, "    sel:\n        a.b: y\n    condition: sel\n", map[string]bool{
		`{"a":{"b":"x"},"a.b":"y"}`: false,
		`{"a":{"c":"x"},"a.b":"y"}`: true,
	})
	expect(t, "    sel:\n        u.a.b: y\n    condition: sel\n", map[string]bool{
		`{"u":{"a":{"b":"x"},"a.b":"y"}}`: false,
		`{"u":{"a":{"c":"x"},"a.b":"y"}}`: true,
	})
}

// TestKeywordsSearchBooleans: keywords are searched in boolean values too.
func TestKeywordsSearchBooleans(t *testing.T) {
	expect(t, "    keywords:\n        - 'true'\n    condition: keywords\n", map[string]bool{
		`{"a":{"b":true}}`: true,
		`{"a":false}`:      false,
	})
}

// TestEnrichedFieldExists: an enrichment field is present when the
// Enricher gives it, and missing without an Enricher.
func TestEnrichedFieldExists(t *testing.T) {
	r, err := parseRuleText(t, detectionRule("    sel:\n        sourceCountry|exists: true\n    condition: sel\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{EnrichFields: []string{"sourceCountry"}})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	if err := d.Parse([]byte(`{"sourceCountry":"KP"}`)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		en   Enricher
		want int
	}{{mapEnricher{"sourceCountry": "KP"}, 1}, {mapEnricher{}, 0}, {nil, 0}} {
		n := 0
		e.Match(d.Root(), c.en, func(Match) { n++ })
		if n != c.want {
			t.Errorf("enricher %v: %d matches, want %d", c.en, n, c.want)
		}
	}
}

// TestPredicates lists every value of a field test.
func TestPredicates(t *testing.T) {
	r, err := parseRuleText(t, detectionRule("    sel:\n        a|contains:\n            - x\n            - y\n    condition: sel\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := r.Predicates()
	if len(p) != 1 || p[0].Selection != "sel" || p[0].Field != "a" || strings.Join(p[0].Modifiers, "|") != "contains" || strings.Join(p[0].Values, ",") != "x,y" {
		t.Errorf("predicates %+v", p)
	}
}

// TestKeywordNullRejected: null is never a keyword, alone, in a list of
// keywords or under '|all'; the error is at the null.
func TestKeywordNullRejected(t *testing.T) {
	for body, pos := range map[string]string{
		"    keywords: null\n":                                                    "test.yml:7:15: ",
		"    keywords:\n        - null\n":                                         "test.yml:8:11: ",
		"    keywords:\n        - foo\n        - null\n":                          "test.yml:9:11: ",
		"    keywords:\n        '|all':\n            - foo\n            - null\n": "test.yml:10:15: ",
	} {
		_, err := parseRuleText(t, detectionRule(body+"    condition: keywords\n"), ParseOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), pos) || !strings.Contains(err.Error(), "null needs a field name") {
			t.Errorf("%q: %v, want %snull needs a field name", body, err, pos)
		}
	}
}

// TestMixedKeywordsAndMaps: a list may mix keywords and maps; its elements
// are ORed, the keywords searched in every value as in a keyword list.
func TestMixedKeywordsAndMaps(t *testing.T) {
	expect(t, `    sel:
        - 'evil.example'
        - eventName: DeleteTrail
          eventSource: cloudtrail.amazonaws.com
        - 'AssumeRoot'
    condition: sel
`, map[string]bool{
		`{"requestParameters":{"host":"x.evil.example"}}`:                      true,
		`{"eventName":"AssumeRoot"}`:                                           true,
		`{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`: true,
		`{"eventName":"DeleteTrail","eventSource":"other"}`:                    false,
		`{"eventName":"StopLogging"}`:                                          false,
	})
	expect(t, `    sel:
        - a: 1
        - 'root'
    condition: sel
`, map[string]bool{`{"a":1}`: true, `{"b":"rootkit"}`: true, `{"a":2}`: false})
}

// TestDocumentedEdges holds the decisions docs/sigma.md states for repeated
// keys, spaces around cidr values and empty base64offset shifts.
func TestDocumentedEdges(t *testing.T) {
	// A field reads the last of a repeated key; a keyword reads every value.
	expect(t, sel("f: first"), map[string]bool{`{"f":"first","f":"last"}`: false, `{"f":"last","f":"first"}`: true})
	expect(t, "    kw:\n        - first\n    condition: kw\n", map[string]bool{`{"f":"first","f":"last"}`: true})
	// Spaces around an event's address are ignored by cidr.
	expect(t, sel("ip|cidr: 10.0.0.0/8"), map[string]bool{`{"ip":" 10.1.2.3 "}`: true, `{"ip":"10 .1.2.3"}`: false})
	// "a" shifted by one and two trims to nothing: only the unshifted
	// encoding remains, and contains does not match every value.
	expect(t, sel("f|base64offset|contains: a"), map[string]bool{`{"f":"xYQ=="}`: true, `{"f":"zzz"}`: false})
}
