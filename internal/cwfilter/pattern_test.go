package cwfilter

import (
	"errors"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// matchRaw parses raw as a JSON event (when it is JSON) and matches it.
func matchRaw(t *testing.T, pattern, raw string) bool {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	var d event.Doc
	var root event.Value
	if d.Parse([]byte(raw)) == nil {
		root = d.Root()
	}
	return p.Match(root, []byte(raw))
}

type matchCase struct {
	pattern string
	want    bool
}

func runCases(t *testing.T, raw string, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		if got := matchRaw(t, c.pattern, raw); got != c.want {
			t.Errorf("%s on %s: got %v, want %v", c.pattern, abbreviate(raw), got, c.want)
		}
	}
}

func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// The example event and patterns of the archived AWS page
// (reference notes 3.1; awsdocs FilterAndPatternSyntax.md).
const awsExampleEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "ThisFlag": true
}`

func TestAWSDocumentedJSONExamples(t *testing.T) {
	runCases(t, awsExampleEvent, []matchCase{
		{`{ $.eventType = "UpdateTrail" }`, true},
		{`{ $.sourceIPAddress != 123.123.* }`, true},
		{`{ $.arrayKey[0] = "value" }`, true},
		{`{ $.objectList[1].id = 2 }`, true},
		{`{ $.SomeObject IS NULL }`, true},
		{`{ $.SomeOtherObject NOT EXISTS }`, true},
		{`{ $.ThisFlag IS TRUE }`, true},
		// Near misses of the same examples.
		{`{ $.eventType = "updatetrail" }`, false},
		{`{ $.sourceIPAddress != 111.111.* }`, false},
		{`{ $.arrayKey[1] = "value" }`, false},
		{`{ $.eventType[0] = "UpdateTrail" }`, false}, // not an array
		{`{ $.objectList[1].id = 1 }`, false},
		{`{ $.objectList[5].id = 2 }`, false},
		{`{ $.ThisFlag IS NULL }`, false},
		{`{ $.eventType IS NULL }`, false},
		{`{ $.SomeObject NOT EXISTS }`, false}, // null is present
		{`{ $.ThisFlag IS FALSE }`, false},
		{`{ $.SomeObject IS TRUE }`, false},
	})
}

// The compound examples of the archived AWS page, with their documented results.
const awsCompoundEvent = `{
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`

func TestAWSDocumentedCompoundExamples(t *testing.T) {
	runCases(t, awsCompoundEvent, []matchCase{
		{`{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, true},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, false},
		{`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, true},
		{`{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, false},
		{`{ $.coordinates[1][2] = 6 }`, true},
		{`{ $.users[*].email = "Jane.Doe@example.com" }`, true},
		{`{ $.users[*].email = "Nobody@example.com" }`, false},
		{`{ $.users[*].id > 2 }`, true},
		{`{ $.users[*].id > 3 }`, false},
		{`{ $.actions[*] = "DELETE" }`, true},
		{`{ $.*.email = "John.Stiles@example.com" }`, true},
		{`{ $.*.email = "John.Doe@example.com" }`, false},
		{`{ $.user.* = 1 }`, true},
	})
}

// {$.users = 1} and {$.users != 1} both fail when users is an array.
func TestSelectorOnContainerMatchesNeitherEqualNorNotEqual(t *testing.T) {
	raw := `{"users": [1, 2, 3], "obj": {"a": 1}}`
	runCases(t, raw, []matchCase{
		{`{ $.users = 1 }`, false},
		{`{ $.users != 1 }`, false},
		{`{ $.obj = "x" }`, false},
		{`{ $.obj != "x" }`, false},
		{`{ $.users = * }`, false},
		{`{ $.users[0] = 1 }`, true},
	})
}

// The numeric examples of the archived AWS page.
func TestAWSDocumentedNumericExamples(t *testing.T) {
	raw := `{"latency": 1500, "numbers": [9, 20], "processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}], "errorCode": 400}`
	runCases(t, raw, []matchCase{
		{`{ $.latency >= 500 }`, true},
		{`{ $.numbers[0] < 10e3 }`, true},
		{`{ $.numbers[0] < 10e-3 }`, false},
		{`{ $.processes[4].averageRuntime <= 55.5 }`, true},
		{`{ $.processes[4].averageRuntime < 55.5 }`, false},
		{`{ $.errorCode = 400 }`, true},
		{`{ $.errorCode != 500 }`, true},
		{`{ $.errorCode != 400 }`, false},
		{`{ $.latency > +1000 }`, true},
		{`{ $.latency > 1.5e3 }`, false},
		{`{ $.latency = * }`, true},
		{`{ $.missing = * }`, false},
	})
}

// Reference notes 3.3: results reported by logs:TestMetricFilter.
const edgeEvent = `{"someString": "111.111.111.111", "someInt": 123, "someFloat": 12.34, "someFloat2": 12.0,
  "someObject": {}, "someArray": [], "someNull": null, "emptyString": ""}`

func TestReferenceEdgeCaseSemantics(t *testing.T) {
	runCases(t, edgeEvent, []matchCase{
		{`{ $.someInt = "123" }`, true},
		{`{ $.someInt != "123.0" }`, true},
		{`{ $.someInt = 123.0 }`, true},
		{`{ $.someFloat2 = 12 }`, true},
		{`{ $.someInt = 1* }`, true},
		{`{ $.someFloat = *.34 }`, true},
		{`{ $.someString = "*" }`, true},
		{`{ $.emptyString = "*" }`, true},
		{`{ $.someObject != "123" }`, false},
		{`{ $.someObject = "123" }`, false},
		{`{ $.someArray != "123" }`, false},
		{`{ $.someString > 123 }`, false},
		{`{ $.someString = *.111.111.111 }`, true},
		// A missing field satisfies neither = nor != (SPEC section 4).
		{`{ $.nothere = "x" }`, false},
		{`{ $.nothere != "x" }`, false},
		{`{ $.nothere != * }`, false},
		{`{ $.nothere NOT EXISTS }`, true},
		{`{ $.someNull = "x" }`, false},
		{`{ $.someNull != "x" }`, false},
		{`{ $.someInt = "12*" }`, true},
		{`{ $.someInt = "12" }`, false},
	})
}

func TestReferenceRejectedPatterns(t *testing.T) {
	for _, bad := range []struct {
		pattern string
		col     int
	}{
		{`{ $.someString > unquoted_string }`, 18},
		{`{ $.someString > "123" }`, 18},
		{`{ $.a IS NOT NULL }`, 10},
		{`{ $.a EXISTS }`, 7},
		{`{ $.a = %something!% }`, 19},
		{`{ $.a = %(ab)% }`, 10},
		{`{ $.a = %é% }`, 10},
		{`{ $.a = %a% || $.b = %b% || $.c = %c% }`, 35},
		{`{ $.a[*].b[*] = 1 }`, 3},
		{`{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }`, 45},
		{`{ $.a > %x% }`, 7},
	} {
		_, err := Parse(bad.pattern)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%s) = %v, want a SyntaxError", bad.pattern, err)
			continue
		}
		if se.Column != bad.col {
			t.Errorf("Parse(%s): column %d (%s), want %d", bad.pattern, se.Column, se.Msg, bad.col)
		}
	}
}

func TestSyntaxErrorsPointAtTheColumn(t *testing.T) {
	for _, c := range []struct {
		pattern string
		col     int
		msg     string
	}{
		{`{ $.eventName = ConsoleLogin `, 30, "missing }"},
		{`{ ($.a = 1 }`, 12, "missing )"},
		{`{ $.a = }`, 9, "expected a value"},
		{`{ $.a == 1 }`, 8, "expected a value"},
		{`{ $.a ~ 1 }`, 7, "expected an operator"},
		{`{ a = 1 }`, 3, "expected a condition"},
		{`{ $a = 1 }`, 4, "starts with $."},
		{`{ $.a = foo@bar }`, 12, "double-quoted"},
		{`{ $.a = 1 } x`, 13, "after the closing }"},
		{`{ $.a = 1 && }`, 14, "expected a condition"},
		{`{ }`, 3, "empty JSON filter pattern"},
		{`{ $.a[x] = 1 }`, 7, "array index"},
		{`{ $.a[0 = 1 }`, 8, "expected ]"},
		{`{ $.a = "unterminated }`, 9, "unterminated"},
		{`{ $.é = 1 }`, 5, "property name"},
		{`{ $.a = "x" && $.b = %ab }`, 22, "unterminated regular expression"},
		{`[a, b`, 6, "missing ]"},
		{`[a, a]`, 6, "used twice"},
		{`[a = 1 && c = 2, b]`, 11, "not a field"},
		{`ERROR -`, 8, "expected a term"},
		{`? x`, 2, "expected a term after '?'"},
		{`{ $.a = 1 is true }`, 11, "expected &&, || or }"},
	} {
		_, err := Parse(c.pattern)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%s) = %v, want a SyntaxError", c.pattern, err)
			continue
		}
		if se.Column != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%s): column %d %q, want column %d containing %q", c.pattern, se.Column, se.Msg, c.col, c.msg)
		}
	}
}

func TestPatternLengthLimit(t *testing.T) {
	long := `{ $.a = "` + strings.Repeat("x", MaxPatternLength) + `" }`
	if _, err := Parse(long); err == nil {
		t.Fatal("a pattern longer than 1024 bytes was accepted")
	}
}

func TestPrecedenceAndParentheses(t *testing.T) {
	raw := `{"a": 1, "b": 2, "c": 3}`
	runCases(t, raw, []matchCase{
		// && binds tighter than ||: true || (false && false)
		{`{ $.a = 1 || $.b = 9 && $.c = 9 }`, true},
		{`{ ($.a = 1 || $.b = 9) && $.c = 9 }`, false},
		{`{ $.a = 9 && $.b = 2 || $.c = 3 }`, true},
		{`{ $.a = 9 && ($.b = 2 || $.c = 3) }`, false},
		{`{ ((($.a = 1))) }`, true},
		{`{$.a=1&&$.b=2}`, true},
	})
}

func TestKeywordsAreCaseInsensitive(t *testing.T) {
	raw := `{"n": null, "t": true, "f": false}`
	runCases(t, raw, []matchCase{
		{`{ $.n is null }`, true},
		{`{ $.t Is True }`, true},
		{`{ $.f IS false }`, true},
		{`{ $.x not exists }`, true},
	})
}

func TestBracketNotationAndDottedNames(t *testing.T) {
	raw := `{"cluster.name": "sample-cluster-name", "a": {"b.c": {"d": 5}}, "odd key": "v"}`
	runCases(t, raw, []matchCase{
		{`{ $.['cluster.name'] = "sample-cluster-name" }`, true},
		{`{ $.cluster.name = "sample-cluster-name" }`, false},
		{`{ $.a.['b.c'].d = 5 }`, true},
		{`{ $.a['b.c'].d = 5 }`, true},
		{`{ $.["odd key"] = v }`, true},
	})
}

func TestEscapedValuesCompareDecoded(t *testing.T) {
	raw := `{"path": "a\/b", "q": "say \"hi\"", "u": "caf\u00e9"}`
	runCases(t, raw, []matchCase{
		{`{ $.path = "a/b" }`, true},
		{`{ $.q = "say \"hi\"" }`, true},
		{`{ $.u = "café" }`, true},
		{`{ $.u = "caf*" }`, true},
	})
}

func TestRegexValues(t *testing.T) {
	raw := `{"msg": "UNAUTHORIZED REQUEST", "ip": "10.1.2.3", "code": 404, "arn": "arn:aws:iam::123456789012:user/alice"}`
	runCases(t, raw, []matchCase{
		{`{ $.msg = %AUTHORIZED% }`, true},
		{`{ $.msg = %^AUTHORIZED% }`, false},
		{`{ $.msg = %^UNAUTH% }`, true},
		{`{ $.ip = %^10\.\d{1,3}\.% }`, true},
		{`{ $.ip = %^10\.\d{,2}\.2% }`, true},
		{`{ $.ip != %^192\.168\.% }`, true},
		{`{ $.code = %^4[0-9]{2}$% }`, true},
		{`{ $.arn = %user/ali[a-z]+$% }`, true},
		{`{ $.arn = %iam::\d{12}:role% }`, false},
		{`{ $.nothere != %x% }`, false},
		{`{ $.msg = %authorized% }`, false},
	})
}

func TestRegexDialectLimits(t *testing.T) {
	for _, ok := range []string{`%a|b%`, `%\x41%`, `%[^a-z]+%`, `%a{2,}%`, `%\w\W\s\S\d\D%`, `%a:_#=@/;,-b%`, `%\.\*\+%`} {
		if _, err := Parse(`{ $.a = ` + ok + ` }`); err != nil {
			t.Errorf("%s rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{`%%`, `%a b%`, `%a!%`, `%\b%`, `%\x4%`, `%a{x}%`, `%[a%`, `%a**%`, `%\%`, `%'%`} {
		if _, err := Parse(`{ $.a = ` + bad + ` }`); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// The choices docs/cloudwatch.md documents where AWS is silent.
func TestDocumentedChoices(t *testing.T) {
	raw := `{"users":[{"id":2},{"id":3}],"status":"404","code":"abc","readOnly":false,"flag":"true","empty":[]}`
	runCases(t, raw, []matchCase{
		// Wildcards are existential, for != as for =.
		{`{ $.users[*].id != 2 }`, true},
		{`{ $.users[*].id != 2 && $.users[*].id != 3 }`, true},
		{`{ $.users[*].name NOT EXISTS }`, true},
		{`{ $.users[*].id NOT EXISTS }`, false},
		{`{ $.empty[*] NOT EXISTS }`, true},
		// Strings holding a decimal number compare numerically.
		{`{ $.status = 404 }`, true},
		{`{ $.status >= 400 }`, true},
		// A non-numeric field satisfies no numeric comparison, != included.
		{`{ $.code != 5 }`, false},
		{`{ $.code = "abc" }`, true},
		// Booleans compare by text; IS TRUE needs a JSON boolean.
		{`{ $.readOnly = false }`, true},
		{`{ $.readOnly != true }`, true},
		{`{ $.flag IS TRUE }`, false},
		{`{ $.readOnly IS FALSE }`, true},
		// An asterisk inside a value is literal.
		{`{ $.code = "a*c" }`, false},
	})
	runCases(t, `{"v":"Ev*ent"}`, []matchCase{{`{ $.v = "Ev*ent" }`, true}, {`{ $.v = Ev*ent }`, true}})
	runCases(t, `{"v":"Event"}`, []matchCase{{`{ $.v = "Ev*ent" }`, false}})
}

// The forms the AWS CDK renders (reference 3.1): exists as = "*", IS NULL,
// NOT EXISTS, IS TRUE/FALSE, clauses wrapped in parentheses, strings
// always quoted with \ and " escaped.
func TestCDKRenderedPatterns(t *testing.T) {
	raw := `{"a":"x","b":null,"d":true,"e":false,"s":"back\\slash \"q\""}`
	runCases(t, raw, []matchCase{
		{`{ ($.a = "*") && ($.b IS NULL) && ($.c NOT EXISTS) && ($.d IS TRUE) && ($.e IS FALSE) }`, true},
		{`{ ($.a = "*") || ($.zz = "*") }`, true},
		{`{ ($.zz = "*") }`, false},
		{`{ ($.s = "back\\slash \"q\"") }`, true},
		{`{ ($.s = "back\\slash") }`, false},
	})
}

// Boundaries of the numeric operators and the number forms of the
// reference (signed, scientific notation, out of float64 range).
func TestNumericBoundariesAndSignedNumbers(t *testing.T) {
	raw := `{"latency": 1500, "delta": 5, "neg": -5, "big": 1e5}`
	runCases(t, raw, []matchCase{
		{`{ $.latency >= 1500 }`, true},
		{`{ $.latency >= 1501 }`, false},
		{`{ $.latency <= 1500 }`, true},
		{`{ $.delta > -10 }`, true},
		{`{ $.delta < -1 }`, false},
		{`{ $.neg < -1 }`, true},
		{`{ $.neg = -5 }`, true},
		{`{ $.neg = 5 }`, false},
		{`{ $.neg > -5.5 }`, true},
		{`{ $.big = 100000 }`, true},
		{`{ $.delta < 1e400 }`, true},
		{`{ $.delta > -1e400 }`, true},
	})
}

// IS TRUE and IS FALSE match JSON booleans only (docs/cloudwatch.md).
func TestIsTrueFalseNeedABoolean(t *testing.T) {
	raw := `{"s": "false", "t": "true", "n": null, "z": 0, "o": {}, "f": false}`
	runCases(t, raw, []matchCase{
		{`{ $.s IS FALSE }`, false},
		{`{ $.t IS TRUE }`, false},
		{`{ $.n IS FALSE }`, false},
		{`{ $.z IS FALSE }`, false},
		{`{ $.o IS FALSE }`, false},
		{`{ $.missing IS FALSE }`, false},
		{`{ $.f IS FALSE }`, true},
	})
}

// .* is any member of an object or element of an array; [*] is any
// element of an array only.
func TestWildcardSelectorKinds(t *testing.T) {
	runCases(t, awsCompoundEvent, []matchCase{
		{`{ $.actions.* = "DELETE" }`, true},
		{`{ $.users.*.id = 3 }`, true},
		{`{ $.user[*] = 1 }`, false},
		{`{ $.user.* = 1 }`, true},
		{`{ $.user[*] NOT EXISTS }`, true},
	})
}

// A leading and a trailing * together: "**" is a wildcard on both edges.
func TestDoubleAsteriskValue(t *testing.T) {
	runCases(t, `{"a": "abc", "b": ""}`, []matchCase{
		{`{ $.a = "**" }`, true},
		{`{ $.b = "**" }`, true},
		{`{ $.a = "*b*" }`, true},
	})
}

// Parentheses nest at most 64 deep (docs/cloudwatch.md).
func TestParenthesesDepthLimit(t *testing.T) {
	nest := func(n int) string {
		return "{ " + strings.Repeat("(", n) + "$.a = 1" + strings.Repeat(")", n) + " }"
	}
	if _, err := Parse(nest(64)); err != nil {
		t.Errorf("64 nested parentheses rejected: %v", err)
	}
	_, err := Parse(nest(65))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "deeper than 64") {
		t.Errorf("65 nested parentheses: %v, want a SyntaxError", err)
	}
}

// Patterns of exactly CloudWatch's 1024-byte limit are accepted.
func TestPatternOfExactlyTheLengthLimit(t *testing.T) {
	prefix, suffix := `{ $.a = "`, `" }`
	exact := prefix + strings.Repeat("x", MaxPatternLength-len(prefix)-len(suffix)) + suffix
	if len(exact) != MaxPatternLength {
		t.Fatalf("fixture is %d bytes", len(exact))
	}
	if _, err := Parse(exact); err != nil {
		t.Errorf("a pattern of exactly %d bytes was rejected: %v", MaxPatternLength, err)
	}
	if _, err := Parse(exact + " "); err == nil {
		t.Errorf("a pattern of %d bytes was accepted", MaxPatternLength+1)
	}
}

// A JSON pattern never matches an event that is not JSON (a Missing ev),
// not even with NOT EXISTS.
func TestJSONPatternOnNonJSONEvent(t *testing.T) {
	for _, pattern := range []string{`{ $.a NOT EXISTS }`, `{ $.a NOT EXISTS || $.b = 1 }`} {
		p, err := Parse(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if p.Match(event.Value{}, []byte(`plain text, not JSON`)) {
			t.Errorf("%s matched a Missing event", pattern)
		}
	}
}

// A run of equalities on one selector inside || matches exactly like the
// conditions it stands for, whatever the field's kind, the wildcards, the
// operators and the selectors of the run.
func TestEqualityRunsMatchLikeTheirConditions(t *testing.T) {
	raw := `{"ro": false, "e": "PutObject", "a": "y", "n": 7}`
	runCases(t, raw, []matchCase{
		{`{ $.ro = true || $.ro = false || $.ro = maybe }`, true},
		{`{ $.ro = true || $.ro = maybe || $.ro = never }`, false},
		{`{ $.e = Put* || $.e = Get || $.e = List }`, true},
		{`{ $.e = Get || $.e = List || $.e = *Object }`, true},
		{`{ $.e != PutObject || $.e = Get || $.e = List }`, false},
		{`{ $.e != Get || $.e = List || $.e = Head }`, true},
		{`{ $.x = y || $.b = y || $.c = y }`, false},
		{`{ $.a = x || $.b = y || $.c = z }`, false},
		{`{ $.b = x || $.a = y || $.c = z }`, true},
		{`{ $.n = "6" || $.n = "7" || $.n = "8" }`, true},
	})
}

// Regex details of the documented dialect: {,n} omits the minimum (zero),
// and { } are ordinary characters inside a class.
func TestRegexQuantifierAndClassDetails(t *testing.T) {
	runCases(t, `{"a": "ab", "b": "x{y"}`, []matchCase{
		{`{ $.a = %^a\d{,2}b$% }`, true},
		{`{ $.a = %^a\d{1,2}b$% }`, false},
		{`{ $.b = %x[{}]y% }`, true},
		{`{ $.a = %[{}]% }`, false},
	})
}

// String is a pattern Parse reads back to the same pattern: control
// characters in values and quotes in bracketed names survive.
func TestStringKeepsEscapesAndQuotedNames(t *testing.T) {
	raw := `{"a": "x\ny", "it's": "v", "t": "x\ty"}`
	for _, pattern := range []string{`{ $.a = "x\ny" }`, `{ $.["it's"] = v }`, `{ $.t = "x\ty" }`} {
		p, err := Parse(pattern)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Errorf("String %q of %s does not parse: %v", p.String(), pattern, err)
			continue
		}
		if !matchRaw(t, pattern, raw) || !matchRaw(t, q.String(), raw) {
			t.Errorf("%s or its String %q does not match %s", pattern, q.String(), raw)
		}
	}
}
