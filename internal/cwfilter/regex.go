package cwfilter

import (
	"fmt"
	"regexp"
	"strings"
)

// maxRegexes is CloudWatch's limit of regular expressions in one JSON or
// space-delimited filter pattern.
const maxRegexes = 2

// regexValue is a %regex% of a pattern: the source between the percent signs
// and its compiled form. Matching is unanchored and case-sensitive.
type regexValue struct {
	src string
	re  *regexp.Regexp
}

// regexSymbols are the non-alphanumeric characters CloudWatch accepts in a
// regular expression: the documented symbols followed by the operators.
const regexSymbols = ":_#=@/;,-" + `^$?[]{}|\*+.`

// regexEscapes are the letters that may follow a backslash as a class escape.
const regexEscapes = "dDsSwW"

// compileRegex checks body against CloudWatch's regex dialect and compiles
// it. errAt turns an offset inside body into a positioned error.
func compileRegex(body string, errAt func(off int, msg string) error) (*regexValue, error) {
	if body == "" {
		return nil, errAt(0, "empty regular expression")
	}
	var out strings.Builder
	inClass := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 0x80:
			return nil, errAt(i, "multi-byte characters are not supported in CloudWatch regular expressions")
		case c == '(' || c == ')':
			return nil, errAt(i, "parentheses are not supported in CloudWatch regular expressions")
		case c == '\\':
			n, err := regexEscape(body, i, errAt)
			if err != nil {
				return nil, err
			}
			out.WriteString(body[i : i+n])
			i += n - 1
		case c == '[' && !inClass:
			inClass = true
			out.WriteByte(c)
			if i+1 < len(body) && body[i+1] == '^' {
				out.WriteByte('^')
				i++
			}
			if i+1 < len(body) && body[i+1] == ']' { // a leading ] is literal
				out.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			out.WriteByte(c)
		case c == '{' && !inClass:
			n, q, err := regexQuantifier(body, i, errAt)
			if err != nil {
				return nil, err
			}
			out.WriteString(q)
			i += n - 1
		case isAlnum(c) || strings.IndexByte(regexSymbols, c) >= 0:
			out.WriteByte(c)
		default:
			return nil, errAt(i, fmt.Sprintf("character %q is not supported in CloudWatch regular expressions", c))
		}
	}
	if inClass {
		return nil, errAt(len(body), "unterminated character class: missing ]")
	}
	re, err := regexp.Compile(out.String())
	if err != nil {
		return nil, errAt(0, "invalid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return &regexValue{src: body, re: re}, nil
}

// regexEscape validates the escape at body[i] (a backslash) and returns its length.
func regexEscape(body string, i int, errAt func(int, string) error) (int, error) {
	if i+1 >= len(body) {
		return 0, errAt(i, "trailing backslash in regular expression")
	}
	e := body[i+1]
	switch {
	case strings.IndexByte(regexEscapes, e) >= 0:
		return 2, nil
	case e == 'x':
		if i+3 < len(body) && isHex(body[i+2]) && isHex(body[i+3]) {
			return 4, nil
		}
		return 0, errAt(i, `\x must be followed by two hex digits`)
	case strings.IndexByte(regexSymbols, e) >= 0:
		return 2, nil
	}
	return 0, errAt(i, fmt.Sprintf("escape \\%c is not supported in CloudWatch regular expressions", e))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// regexQuantifier validates {m}, {m,}, {,n} or {m,n} at body[i] and returns
// its length and its RE2 spelling ({,n} becomes {0,n}).
func regexQuantifier(body string, i int, errAt func(int, string) error) (int, string, error) {
	end := strings.IndexByte(body[i:], '}')
	if end < 0 {
		return 0, "", errAt(i, "unterminated {m,n} quantifier")
	}
	inner := body[i+1 : i+end]
	lo, hi, comma := inner, "", false
	if k := strings.IndexByte(inner, ','); k >= 0 {
		lo, hi, comma = inner[:k], inner[k+1:], true
	}
	if !allDigits(lo) || !allDigits(hi) || lo == "" && hi == "" {
		return 0, "", errAt(i, "quantifier must be {m}, {m,}, {,n} or {m,n} with decimal numbers")
	}
	if lo == "" {
		lo = "0"
	}
	q := "{" + lo
	if comma {
		q += "," + hi
	}
	return end + 1, q + "}", nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
