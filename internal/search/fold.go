package search

import (
	"bytes"
	"strings"
)

// containsFold reports whether lit occurs in raw, ignoring ASCII case. An
// event holding a \u escape may hide any literal, so it always may contain.
func containsFold(raw, lit []byte) bool {
	if len(lit) == 0 || bytes.Contains(raw, []byte(`\u`)) {
		return true
	}
	first := lit[0]
	lower, upper := toLower(first), toUpper(first)
	for i := 0; i+len(lit) <= len(raw); {
		j := indexEither(raw[i:len(raw)-len(lit)+1], lower, upper)
		if j < 0 {
			return false
		}
		i += j
		if bytes.EqualFold(raw[i:i+len(lit)], lit) {
			return true
		}
		i++
	}
	return false
}

func indexEither(b []byte, x, y byte) int {
	if x == y {
		return bytes.IndexByte(b, x)
	}
	i, j := bytes.IndexByte(b, x), bytes.IndexByte(b, y)
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func toUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// clean makes an attacker-controlled value safe for a terminal table: no
// control characters (escape sequences, tabs, newlines).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
