package sigma

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestPlainValueCaseInsensitive(t *testing.T) {
	expect(t, `    sel:
        eventName: ConsoleLogin
    condition: sel
`, map[string]bool{
		`{"eventName":"ConsoleLogin"}`:  true,
		`{"eventName":"consolelogin"}`:  true,
		`{"eventName":"CONSOLELOGIN"}`:  true,
		`{"eventName":"ConsoleLogin2"}`: false,
		`{"eventName":"ConsoleLogi"}`:   false,
		`{"other":"ConsoleLogin"}`:      false,
	})
}

func TestWildcardsAndEscapes(t *testing.T) {
	expect(t, `    sel:
        eventName: 'Get*Policy?'
    condition: sel
`, map[string]bool{
		`{"eventName":"GetBucketPolicyX"}`: true,
		`{"eventName":"GetPolicyé"}`:       true, // ? is one character, not one byte
		`{"eventName":"GetBucketPolicy"}`:  false,
		`{"eventName":"xGetPolicyX"}`:      false,
	})
	expect(t, `    sel:
        a: 'lit\*eral\?'
    condition: sel
`, map[string]bool{
		`{"a":"lit*eral?"}`:  true,
		`{"a":"litXeralY"}`:  false,
		`{"a":"lit*eralY"}`:  false,
		`{"a":"lit**eral?"}`: false,
	})
	// \\* is a backslash followed by a wildcard; \\\* a backslash and a star.
	expect(t, `    sel:
        a: 'C:\\*'
    condition: sel
`, map[string]bool{
		`{"a":"C:\\Windows"}`: true,
		`{"a":"C:Windows"}`:   false,
	})
	expect(t, `    sel:
        a: 'x\\\*'
    condition: sel
`, map[string]bool{
		`{"a":"x\\*"}`:  true,
		`{"a":"x\\yy"}`: false,
	})
	// A single backslash before an ordinary character is literal.
	expect(t, `    sel:
        a: 'C:\Windows\System32'
    condition: sel
`, map[string]bool{
		`{"a":"c:\\windows\\system32"}`: true,
		`{"a":"c:windowssystem32"}`:     false,
	})
}

func TestContainsStartsEnds(t *testing.T) {
	expect(t, `    sel:
        userAgent|contains: 'S3 Browser'
    condition: sel
`, map[string]bool{
		`{"userAgent":"aws S3 browser 9.1"}`: true,
		`{"userAgent":"aws S3-browser"}`:     false,
	})
	expect(t, `    sel:
        eventName|startswith: 'Delete'
    condition: sel
`, map[string]bool{
		`{"eventName":"DeleteTrail"}`:   true,
		`{"eventName":"UndeleteThing"}`: false,
	})
	expect(t, `    sel:
        eventSource|endswith: '.amazonaws.com'
    condition: sel
`, map[string]bool{
		`{"eventSource":"iam.amazonaws.com"}`:      true,
		`{"eventSource":"iam.amazonaws.com.evil"}`: false,
	})
}

func TestAllModifier(t *testing.T) {
	expect(t, `    sel:
        requestParameters.policy|contains|all:
            - 's3:GetObject'
            - 'Allow'
    condition: sel
`, map[string]bool{
		`{"requestParameters":{"policy":"Allow s3:GetObject"}}`: true,
		`{"requestParameters":{"policy":"Allow s3:PutObject"}}`: false,
	})
	expectParseError(t, `    sel:
        a|contains|all: 'one'
    condition: sel
`, "at least two values")
}

func TestListsAreOR(t *testing.T) {
	expect(t, `    sel:
        eventName:
            - StopLogging
            - DeleteTrail
    condition: sel
`, map[string]bool{
		`{"eventName":"DeleteTrail"}`: true,
		`{"eventName":"StopLogging"}`: true,
		`{"eventName":"UpdateTrail"}`: false,
	})
}

func TestMapsAreANDListsOfMapsOR(t *testing.T) {
	body := `    sel:
        - eventSource: ssm.amazonaws.com
          eventName: SendCommand
        - sourceIPAddress: 'AWS Internal'
    condition: sel
`
	expect(t, body, map[string]bool{
		`{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand"}`:  true,
		`{"eventSource":"ssm.amazonaws.com","eventName":"ListCommands"}`: false,
		`{"sourceIPAddress":"AWS Internal"}`:                             true,
		`{"sourceIPAddress":"10.0.0.1"}`:                                 false,
	})
}

func TestRegex(t *testing.T) {
	expect(t, `    sel:
        userIdentity.arn|re: '.+:assumed-role/aws:.+'
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}}`: true,
		`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/AWS:ec2-instance/i-1"}}`: false, // case-sensitive by default
	})
	expect(t, `    sel:
        a|re|i: '^admin$'
    condition: sel
`, map[string]bool{
		`{"a":"ADMIN"}`:  true,
		`{"a":"ADMINS"}`: false,
	})
	expect(t, `    sel:
        a|re|m: '^root$'
    condition: sel
`, map[string]bool{
		`{"a":"first\nroot\nlast"}`:  true,
		`{"a":"first\nroots\nlast"}`: false,
	})
	expect(t, `    sel:
        a|re|s: 'begin.end'
    condition: sel
`, map[string]bool{
		`{"a":"begin\nend"}`:   true,
		`{"a":"begin\n\nend"}`: false,
	})
	expect(t, `    sel:
        a|re: 'begin.end'
    condition: sel
`, map[string]bool{
		`{"a":"beginXend"}`:  true,
		`{"a":"begin\nend"}`: false, // without s, dot does not match newline
	})
	expectParseError(t, `    sel:
        a|re: '(unclosed'
    condition: sel
`, "bad regular expression")
	expectParseError(t, `    sel:
        a|i: 'x'
    condition: sel
`, "sub-modifier of re")
}

func TestCIDR(t *testing.T) {
	expect(t, `    sel:
        sourceIPAddress|cidr:
            - 10.0.0.0/8
            - '2001:db8::/32'
    condition: sel
`, map[string]bool{
		`{"sourceIPAddress":"10.20.30.40"}`:       true,
		`{"sourceIPAddress":"11.0.0.1"}`:          false,
		`{"sourceIPAddress":"2001:db8:1::5"}`:     true,
		`{"sourceIPAddress":"2001:db9::5"}`:       false,
		`{"sourceIPAddress":"::ffff:10.1.1.1"}`:   true, // IPv4-mapped IPv6
		`{"sourceIPAddress":"AWS Internal"}`:      false,
		`{"sourceIPAddress":"ec2.amazonaws.com"}`: false,
	})
	expectParseError(t, `    sel:
        a|cidr: 10.0.0.0/33
    condition: sel
`, "bad CIDR")
}

// TestCIDRMappedIPv6Network: an IPv6 network of IPv4-mapped addresses
// holds those addresses as written (Python's ip_network does), not plain
// IPv4 addresses.
func TestCIDRMappedIPv6Network(t *testing.T) {
	expect(t, "    sel:\n        ip|cidr:\n            - '::ffff:0:0/96'\n            - '::ffff:192.0.2.0/120'\n    condition: sel\n", map[string]bool{
		`{"ip":"::ffff:10.1.2.3"}`:  true,
		`{"ip":"::ffff:192.0.2.9"}`: true,
		`{"ip":"10.1.2.3"}`:         false,
		`{"ip":"::10.1.2.3"}`:       false,
		`{"ip":"2001:db8::1"}`:      false,
	})
	expect(t, "    sel:\n        ip|cidr: '::/0'\n    condition: sel\n", map[string]bool{
		`{"ip":"::ffff:10.1.2.3"}`: true,
		`{"ip":"2001:db8::1"}`:     true,
		`{"ip":"10.1.2.3"}`:        false,
	})
}

func TestExists(t *testing.T) {
	body := `    sel:
        errorCode|exists: true
    condition: sel
`
	expect(t, body, map[string]bool{
		`{"errorCode":"AccessDenied"}`: true,
		`{"errorCode":null}`:           true, // present even when null
		`{"errorCode":""}`:             true,
		`{"errorMessage":"x"}`:         false,
	})
	expect(t, `    sel:
        errorCode|exists: false
    condition: sel
`, map[string]bool{
		`{"errorMessage":"x"}`: true,
		`{"errorCode":null}`:   false,
	})
	expectParseError(t, `    sel:
        a|exists: maybe
    condition: sel
`, "exists takes true or false")
}

func TestCased(t *testing.T) {
	expect(t, `    sel:
        eventName|cased: ConsoleLogin
    condition: sel
`, map[string]bool{
		`{"eventName":"ConsoleLogin"}`: true,
		`{"eventName":"consoleLogin"}`: false,
	})
}

func TestNeq(t *testing.T) {
	expect(t, `    sel:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin|neq: Success
    condition: sel
`, map[string]bool{
		`{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}`: true,
		`{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"success"}}`: false,
		`{"eventName":"ConsoleLogin","responseElements":null}`:                       false, // absent: no value to differ
	})
	expect(t, `    sel:
        a|neq:
            - x
            - y
    condition: sel
`, map[string]bool{
		`{"a":"z"}`: true,
		`{"a":"y"}`: false,
	})
}

func TestFieldref(t *testing.T) {
	expect(t, `    sel:
        userIdentity.userName|fieldref: requestParameters.userName
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":"Alice"}}`: true,
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":"bob"}}`:   false,
		`{"userIdentity":{"userName":"alice"}}`:                                          false,
	})
	expect(t, `    sel:
        userIdentity.arn|fieldref|endswith: requestParameters.userName
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"alice"}}`: true,
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"alic"}}`:  false,
	})
	expect(t, `    sel:
        userIdentity.arn|fieldref|contains: requestParameters.userName
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"user/ali"}}`: true,
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"bob"}}`:      false,
	})
	expect(t, `    sel:
        userIdentity.arn|fieldref|startswith: requestParameters.prefix
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"prefix":"arn:aws"}}`: true,
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"prefix":"aws"}}`:     false,
	})
}

func TestFieldrefNeq(t *testing.T) {
	expect(t, `    sel:
        userIdentity.userName|fieldref|neq: requestParameters.userName
    condition: sel
`, map[string]bool{
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":"bob"}}`:   true,
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":"ALICE"}}`: false,
		// No referenced value to differ from: no match, as for a missing field.
		`{"userIdentity":{"userName":"alice"}}`:                                               false,
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":null}}`:         false,
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":[]}}`:           false,
		`{"userIdentity":{"userName":"alice"},"requestParameters":{"userName":[null,"bob"]}}`: true,
	})
}

func TestNumericComparisons(t *testing.T) {
	for mod, cases := range map[string]map[string]bool{
		"gt":  {`{"n":11}`: true, `{"n":10}`: false},
		"gte": {`{"n":10}`: true, `{"n":9.5}`: false},
		"lt":  {`{"n":9}`: true, `{"n":10}`: false},
		"lte": {`{"n":10}`: true, `{"n":"10.5"}`: false},
	} {
		expect(t, "    sel:\n        n|"+mod+": 10\n    condition: sel\n", cases)
	}
	expect(t, "    sel:\n        n|gt: 10\n    condition: sel\n", map[string]bool{
		`{"n":"12"}`:  true, // a string holding a number compares as a number
		`{"n":"abc"}`: false,
		`{"n":true}`:  false,
	})
	expectParseError(t, "    sel:\n        n|gt: ten\n    condition: sel\n", "needs a number")
}

// TestCompareRuleValues: a comparison's rule value is a decimal number, as
// an event's must be; what strconv.ParseFloat reads beyond that (NaN,
// infinities, hexadecimal, '_', spaces) is rejected at the value, and a
// number past float64's range compares as an infinity, as in events.
func TestCompareRuleValues(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "'-infinity'", "'+Inf'", "'0x1p4'", "'0x10'", "'1_000'", "' 5 '", "''", "'1e'", "'--5'", ".nan", ".inf"} {
		expectParseError(t, sel("n|gt: "+v), "gt needs a number")
	}
	expect(t, sel("n|lt: 1e999"), map[string]bool{`{"n":1e308}`: true, `{"n":1e999}`: false})
	expect(t, sel("n|gt: '-1e999'"), map[string]bool{`{"n":-1e308}`: true, `{"n":-1e999}`: false})
	expect(t, sel("n|gte: '+5'"), map[string]bool{`{"n":5}`: true, `{"n":4.9}`: false})
	expect(t, sel("n|lte: '007'"), map[string]bool{`{"n":7}`: true, `{"n":7.5}`: false})
	expect(t, sel("n|gt: 0x1F"), map[string]bool{`{"n":32}`: true, `{"n":31}`: false}) // a YAML integer
	expect(t, sel("n|lt: .5"), map[string]bool{`{"n":0.25}`: true, `{"n":0.5}`: false})
}

func TestTimeModifiers(t *testing.T) {
	ev := `{"eventTime":"2024-03-10T23:45:07Z"}`
	near := `{"eventTime":"2025-04-11T22:44:07Z"}`
	for mod, want := range map[string]string{"minute": "45", "hour": "23", "day": "10", "week": "10", "month": "3", "year": "2024"} {
		expect(t, "    sel:\n        eventTime|"+mod+": "+want+"\n    condition: sel\n", map[string]bool{ev: true, near: false})
	}
	expect(t, "    sel:\n        eventTime|hour|gte: 22\n    condition: sel\n", map[string]bool{
		ev: true, `{"eventTime":"2024-03-10T21:59:59Z"}`: false, `{"eventTime":"not a time"}`: false,
	})
}

func TestEncodingModifiers(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("secret"))
	expect(t, `    sel:
        a|base64: secret
    condition: sel
`, map[string]bool{
		`{"a":"` + b64 + `"}`: true,
		`{"a":"c2VjcmV1"}`:    false,
	})
	// base64offset finds the value at any byte offset of an encoded text.
	for _, plain := range []string{"xsecrety", "xxsecret", "secretzzz"} {
		enc := base64.StdEncoding.EncodeToString([]byte(plain))
		expect(t, `    sel:
        a|base64offset|contains: secret
    condition: sel
`, map[string]bool{`{"a":"` + enc + `"}`: true})
	}
	expect(t, `    sel:
        a|base64offset|contains: secret
    condition: sel
`, map[string]bool{`{"a":"` + base64.StdEncoding.EncodeToString([]byte("xxsecreT")) + `"}`: false})
	// UTF-16 values are matched against the bytes of the (unescaped) value.
	expect(t, `    sel:
        a|wide|base64: cmd
    condition: sel
`, map[string]bool{
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("c\x00m\x00d\x00")) + `"}`: true,
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("\x00c\x00m\x00d")) + `"}`: false,
	})
	expect(t, `    sel:
        a|utf16be|base64: cmd
    condition: sel
`, map[string]bool{
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("\x00c\x00m\x00d")) + `"}`: true,
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("c\x00m\x00d\x00")) + `"}`: false,
	})
	expect(t, `    sel:
        a|utf16|base64: cmd
    condition: sel
`, map[string]bool{
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("\xff\xfec\x00m\x00d\x00")) + `"}`: true,
		`{"a":"` + base64.StdEncoding.EncodeToString([]byte("c\x00m\x00d\x00")) + `"}`:         false,
	})
	expect(t, `    sel:
        a|utf16le|contains: cmd
    condition: sel
`, map[string]bool{
		`{"a":"x\u0063\u0000m\u0000d\u0000"}`: true,
		`{"a":"cmd"}`:                         false,
	})
	expectParseError(t, `    sel:
        a|base64: 'sec*'
    condition: sel
`, "cannot encode a value holding wildcards")
}

func TestWindash(t *testing.T) {
	body := `    sel:
        cmd|windash|contains: ' -enc '
    condition: sel
`
	expect(t, body, map[string]bool{
		`{"cmd":"ps -enc AA"}`:      true,
		`{"cmd":"ps /enc AA"}`:      true,
		`{"cmd":"ps \u2013enc AA"}`: true,
		`{"cmd":"ps \u2014enc AA"}`: true,
		`{"cmd":"ps \u2015enc AA"}`: true,
		`{"cmd":"ps +enc AA"}`:      false,
	})
}

func TestExpandPlaceholders(t *testing.T) {
	src := detectionRule(`    sel:
        eventName: ConsoleLogin
    filter:
        src_ip|expand: '%Trusted%'
    condition: sel and not filter
`)
	if _, err := parseRuleText(t, src, ParseOptions{}); err == nil {
		t.Fatal("rule with an unknown placeholder accepted")
	}
	r, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"Trusted": {"198.51.100.*", "203.0.113.7"}}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{FieldMappings: map[string][]string{"src_ip": {"sourceIPAddress"}}})
	if err != nil {
		t.Fatal(err)
	}
	for js, want := range map[string]bool{
		`{"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.20"}`: false,
		`{"eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.7"}`:   false,
		`{"eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.8"}`:   true,
	} {
		if got := len(matches(t, e, js)) > 0; got != want {
			t.Errorf("%s: match %v, want %v", js, got, want)
		}
	}
	// Without expand, %name% is literal; "\%" escapes a percent sign.
	expect(t, `    sel:
        a: '%Trusted%'
    condition: sel
`, map[string]bool{`{"a":"%trusted%"}`: true, `{"a":"x"}`: false})
	got, err := expandPlaceholders(`\%p%x%`, map[string][]string{"x": {"1", "2"}})
	if err != nil || len(got) != 2 || got[0] != "%p1" || got[1] != "%p2" {
		t.Errorf(`expand \%%p%%x%%: %q, %v`, got, err)
	}
}

func TestDegenerateValues(t *testing.T) {
	expectParseError(t, `    sel:
        a|base64offset|neq: ''
    condition: sel
`, "gives nothing to match")
	many := map[string][]string{"p": make([]string, 100)}
	for i := range many["p"] {
		many["p"][i] = "v"
	}
	if _, err := expandPlaceholders("%p%%p%", many); err == nil {
		t.Error("10,000 expansions accepted")
	}
}

func TestUnknownModifier(t *testing.T) {
	expectParseError(t, `    sel:
        eventName|startwith: Get
    condition: sel
`, `unknown modifier "startwith"`)
	expectParseError(t, `    sel:
        a|contains|startswith: x
    condition: sel
`, "only one of contains")
	expectParseError(t, `    sel:
        a|cidr|contains: 10.0.0.0/8
    condition: sel
`, "cannot be combined")
}

// TestWildcardShapes covers the pattern shapes the fast paths classify:
// two literals around a star, repeated stars (and stars that contains,
// startswith or endswith would add next to one written in the value), and
// a trailing backslash (literal: it escapes nothing).
func TestWildcardShapes(t *testing.T) {
	for body, cases := range map[string]map[string]bool{
		"a: 'Get*Policy'": {`{"a":"GetBucketPolicy"}`: true, `{"a":"GetObject"}`: false},
		"a: 'abc**'":      {`{"a":"abcdef"}`: true, `{"a":"xyz"}`: false},
		"a|contains: '*abc'": {
			`{"a":"xxabcyy"}`: true, `{"a":"xyz"}`: false,
		},
		"a|startswith: 'abc*'": {`{"a":"abcdef"}`: true, `{"a":"xabc"}`: false},
		`a|endswith: '\'`:      {`{"a":"c:\\dir\\"}`: true, `{"a":"c:\\dir"}`: false},
	} {
		expect(t, "    sel:\n        "+body+"\n    condition: sel\n", cases)
	}
}

// TestBooleanValueCased: a YAML boolean is the text "true" whatever its
// spelling, also for a case-sensitive comparison.
func TestBooleanValueCased(t *testing.T) {
	expect(t, `    sel:
        a|cased: True
    condition: sel
`, map[string]bool{`{"a":true}`: true, `{"a":"true"}`: true, `{"a":false}`: false})
}

// TestEncodedValuesCaseSensitive: the case of an encoded value is part of
// the encoding (docs/sigma.md, "Case").
func TestEncodedValuesCaseSensitive(t *testing.T) {
	expect(t, `    sel:
        a|base64: secret
    condition: sel
`, map[string]bool{`{"a":"c2VjcmV0"}`: true, `{"a":"C2VJCMV0"}`: false, `{"a":"c2vjcmv0"}`: false})
}

// TestBase64OffsetVariants checks the three shifted encodings against
// pySigma's definition (SigmaBase64OffsetModifier).
func TestBase64OffsetVariants(t *testing.T) {
	got := base64Offsets("foobar")
	want := []string{"Zm9vYmFy", "Zvb2Jhc", "mb29iYX"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("base64Offsets(foobar) = %q, want %q", got, want)
	}
}

// TestWindashEveryDash: every dash of the value is replaced, whichever
// character it is and wherever it is; five dashes are still accepted.
func TestWindashEveryDash(t *testing.T) {
	expect(t, `    sel:
        cmd|windash|contains: '/a -b'
    condition: sel
`, map[string]bool{
		`{"cmd":"x -a /b"}`:      true,
		`{"cmd":"x \u2014a -b"}`: true,
		`{"cmd":"x +a -b"}`:      false,
	})
	expect(t, `    sel:
        cmd|windash: 'a-b-c-d-e-f'
    condition: sel
`, map[string]bool{
		`{"cmd":"a/b\u2013c\u2014d\u2015e-f"}`: true,
		`{"cmd":"a/b\u2013c\u2014d\u2015e+f"}`: false,
	})
}

// TestTimeModifierFormats: the other timestamp layouts of docs/sigma.md,
// and week as the ISO 8601 week (1 January 2021 is in week 53 of 2020).
func TestTimeModifierFormats(t *testing.T) {
	expect(t, "    sel:\n        eventTime|day: 10\n    condition: sel\n", map[string]bool{
		`{"eventTime":"2024-03-10 23:45:07"}`: true,
		`{"eventTime":"2024-03-10T23:45:07"}`: true,
		`{"eventTime":"2024-03-10"}`:          true,
		`{"eventTime":"2024-03-11"}`:          false,
	})
	expect(t, "    sel:\n        eventTime|week: 53\n    condition: sel\n", map[string]bool{
		`{"eventTime":"2021-01-01T00:00:00Z"}`: true,
		`{"eventTime":"2021-01-04T00:00:00Z"}`: false,
	})
}

// TestFieldrefCasedNullAll: cased makes fieldref exact; a null referenced
// value is no value; with all, each referenced field must match.
func TestFieldrefCasedNullAll(t *testing.T) {
	expect(t, `    sel:
        a|fieldref|cased: b
    condition: sel
`, map[string]bool{`{"a":"Alice","b":"alice"}`: false, `{"a":"alice","b":"alice"}`: true})
	expect(t, `    sel:
        a|fieldref|contains: b
    condition: sel
`, map[string]bool{`{"a":"x","b":null}`: false, `{"a":"x","b":[null,"x"]}`: true})
	expect(t, `    sel:
        a|fieldref|all:
            - b
            - c
    condition: sel
`, map[string]bool{
		`{"a":"x","b":"x","c":"y"}`: false,
		`{"a":"x","b":"y","c":"x"}`: false,
		`{"a":"x","b":"X","c":"x"}`: true,
	})
}

// TestNeqNullAndArrays: neq needs a non-null value, and no value of an
// array may equal a listed value (docs/sigma.md, "neq").
func TestNeqNullAndArrays(t *testing.T) {
	expect(t, `    sel:
        a|neq: x
    condition: sel
`, map[string]bool{
		`{"a":null}`:       false,
		`{"a":["z","x"]}`:  false,
		`{"a":["z","y"]}`:  true,
		`{"a":[null,"z"]}`: true,
	})
}

// TestModifierCombinationsRejected lists combinations docs/sigma.md says
// are rejected.
func TestModifierCombinationsRejected(t *testing.T) {
	for body, want := range map[string]string{
		"a|hour|minute: 5": "cannot be combined",
		"a|gt|lt: 5":       "cannot be combined",
		"a|base64|re: 'x'": "cannot be combined",
		"a|neq|all:\n            - x\n            - y":       "neq cannot be combined",
		"a|neq|exists: true":                                 "neq cannot be combined",
		"a|contains: null":                                   "null cannot be used with modifiers",
		"a|exists:\n            - true\n            - false": "exists takes true or false",
	} {
		expectParseError(t, "    sel:\n        "+body+"\n    condition: sel\n", want)
	}
}

// TestRegexCaseSensitiveLiteral: a case-sensitive regex whose literal holds
// upper case letters.
func TestRegexCaseSensitiveLiteral(t *testing.T) {
	expect(t, "    sel:\n        a|re: 'Admin[0-9]'\n    condition: sel\n", map[string]bool{
		`{"a":"xAdmin1"}`: true,
		`{"a":"xadmin1"}`: false,
	})
}

// TestRegexCaseFoldEquivalents: a case-insensitive regular expression
// matches what Go's regexp matches, also where a character's case-folding
// equivalent does not lower-case to it (long s for "s", the Kelvin sign
// for "k", the micro sign for Greek mu): the engine's literal shortcuts and
// the prefilter must not reject those events.
func TestRegexCaseFoldEquivalents(t *testing.T) {
	for _, c := range []struct{ body, event string }{
		{"a|re|i: 'secret'", "\u017fecret"},
		{"a|re: '(?i)secret-key'", "SECRET-\u212aEY"},
		{"a|re|i: 'password'", "pa\u017f\u017fword"},
		{"a|re|i: 'x\u03bcy'", "x\u00b5y"},
		{"a|re|i: 'secret'", "SECRET"},
		{"a|re: 'secret'", "\u017fecret"},
	} {
		pattern := c.body[strings.Index(c.body, "'")+1 : len(c.body)-1]
		if strings.Contains(c.body, "|i") {
			pattern = "(?i)" + pattern
		}
		want := regexp.MustCompile(pattern).MatchString(c.event)
		expect(t, "    sel:\n        "+c.body+"\n    condition: sel\n", map[string]bool{`{"a":"` + c.event + `"}`: want})
	}
}

// TestCompareNeedsJSONNumber: a string counts as a number in gt/gte/lt/lte
// only when it is written as JSON writes numbers; "Inf", "NaN",
// hexadecimal, underscores and a leading "+" are text (strconv.ParseFloat
// would read them).
func TestCompareNeedsJSONNumber(t *testing.T) {
	expect(t, "    sel:\n        n|gt: 10\n    condition: sel\n", map[string]bool{
		`{"n":11}`: true, `{"n":"11"}`: true, `{"n":"1.1e1"}`: true, `{"n":"-0.5E+2"}`: false, `{"n":9}`: false,
		`{"n":"Inf"}`: false, `{"n":"+Inf"}`: false, `{"n":"infinity"}`: false, `{"n":"NaN"}`: false,
		`{"n":"0x1p4"}`: false, `{"n":"1_000"}`: false, `{"n":"+11"}`: false, `{"n":" 11"}`: false,
		`{"n":"011"}`: false, `{"n":"11."}`: false, `{"n":".5e3"}`: false, `{"n":"1e"}`: false, `{"n":""}`: false,
	})
	expect(t, "    sel:\n        n|lt: 10\n    condition: sel\n", map[string]bool{
		`{"n":"-infinity"}`: false, `{"n":"-11"}`: true, `{"n":"-0"}`: true, `{"n":"0.000"}`: true,
	})
}

// TestKeywordCIDRRejected: cidr needs a field name; a keyword search is a
// text search, so a keyword written as a CIDR is looked for as text.
func TestKeywordCIDRRejected(t *testing.T) {
	expectParseError(t, `    keywords:
        '|cidr': 10.0.0.0/8
    condition: keywords
`, `"|cidr": modifier cidr needs a field name`)
	expect(t, `    keywords:
        - 10.0.0.0/8
    condition: keywords
`, map[string]bool{`{"a":"route 10.0.0.0/8"}`: true, `{"sourceIPAddress":"10.1.2.3"}`: false})
}

// TestExpandLimit: one rule value may expand to 4096 values (all
// combinations counted); one more rejects the rule at the value.
func TestExpandLimit(t *testing.T) {
	vals := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("v%d", i)
		}
		return out
	}
	src := detectionRule("    sel:\n        a|expand: '%p%'\n    condition: sel\n")
	r, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(4096)}})
	if err != nil {
		t.Fatalf("4096 values: %v", err)
	}
	if n := len(r.det.sels[0].groups[0][0].alts[0]); n != 4096 {
		t.Errorf("4096 values gave %d patterns", n)
	}
	_, err = parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(4097)}})
	if err == nil || !strings.HasPrefix(err.Error(), "test.yml:8:19: ") || !strings.Contains(err.Error(), "more than 4096 values") {
		t.Errorf("4097 values: %v", err)
	}
	if got, err := expandPlaceholders("%p%-%q%", map[string][]string{"p": vals(64), "q": vals(64)}); err != nil || len(got) != 4096 {
		t.Errorf("64 x 64: %d values, %v", len(got), err)
	}
	if _, err := expandPlaceholders("%p%-%q%", map[string][]string{"p": vals(64), "q": vals(65)}); err == nil {
		t.Error("64 x 65 values accepted")
	}
}

// TestCompareModifierNamedInErrors: errors about comparison and time
// modifiers name them as the rule writes them.
func TestCompareModifierNamedInErrors(t *testing.T) {
	for body, want := range map[string]string{
		"'|gt': 5":           "modifier gt needs a field name",
		"'|hour': 5":         "modifier hour needs a field name",
		"'|hour|gte': 5":     "modifier hour|gte needs a field name",
		"a|contains|lt: 5":   "contains/startswith/endswith cannot be combined with lt",
		"a|base64|minute: 5": "base64 cannot be combined with minute",
	} {
		expectParseError(t, "    sel:\n        "+body+"\n    condition: sel\n", want)
	}
}

// TestValuePatternsBounded: placeholders, windash and encodings multiply;
// one rule value may give at most maxValuePatterns patterns, and the rule
// is rejected at the value past that, before the patterns are all built.
func TestValuePatternsBounded(t *testing.T) {
	vals := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("a-%d", i) // one dash: five windash variants each
		}
		return out
	}
	src := detectionRule("    sel:\n        a|expand|windash: '%p%'\n    condition: sel\n")
	if _, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(maxValuePatterns / 5)}}); err != nil {
		t.Errorf("%d patterns: %v", maxValuePatterns/5*5, err)
	}
	_, err := parseRuleText(t, src, ParseOptions{Placeholders: map[string][]string{"p": vals(4096)}})
	if err == nil || !strings.HasPrefix(err.Error(), "test.yml:8:27: ") || !strings.Contains(err.Error(), "more than 16384 patterns") {
		t.Errorf("4096 values x 5 windash variants: %v", err)
	}
}

// TestEncodedLengthBounded: each wide doubles a value's length, so a chain
// of them grows it exponentially with a single pattern. The patterns of one
// value may hold at most maxValueBytes bytes; past that the rule is rejected
// at the value, quickly, and a long but reasonable chain is accepted.
func TestEncodedLengthBounded(t *testing.T) {
	chain := func(n int) string { return strings.Repeat("|wide", n) }
	ok := detectionRule("    sel:\n        a" + chain(10) + ": 'abcd'\n    condition: sel\n") // 4 KiB
	if _, err := parseRuleText(t, ok, ParseOptions{}); err != nil {
		t.Errorf("ten wides: %v", err)
	}
	long := detectionRule("    sel:\n        a" + chain(40) + ": 'abcd'\n    condition: sel\n")
	_, err := parseRuleText(t, long, ParseOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "test.yml:8:") || !strings.Contains(err.Error(), fmt.Sprintf("more than %d bytes", maxValueBytes)) {
		t.Errorf("forty wides: %v", err)
	}
}

// TestCIDRStrict: a cidr value is read as pySigma reads it (Python's strict
// ip_network, docs/sigma.md): a bare address is a network of that one
// address, and a prefix with host bits set is rejected at the value, since
// 10.1.2.3/8 is most likely a mistyped /32 that would match all of 10/8.
func TestCIDRStrict(t *testing.T) {
	expect(t, "    sel:\n        ip|cidr:\n            - 203.0.113.7\n            - '2001:db8::7'\n    condition: sel\n", map[string]bool{
		`{"ip":"203.0.113.7"}`:        true,
		`{"ip":"203.0.113.8"}`:        false,
		`{"ip":"::ffff:203.0.113.7"}`: true,
		`{"ip":"2001:db8::7"}`:        true,
		`{"ip":"2001:db8::8"}`:        false,
	})
	for value, want := range map[string]string{
		"10.1.2.3/8":       "10.1.2.3/8 has host bits set (the network is 10.0.0.0/8; write /32 for the one address)",
		"'2001:db8::1/32'": "has host bits set (the network is 2001:db8::/32; write /128",
		"'fe80::1%eth0'":   "has a zone",
		"not-an-address":   "bad CIDR",
	} {
		expectParseError(t, "    sel:\n        ip|cidr: "+value+"\n    condition: sel\n", want)
	}
}
