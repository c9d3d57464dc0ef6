package sigma

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// windashChars are the characters the windash modifier makes interchangeable.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// maxWindash bounds the number of dash characters one value may hold under
// windash (5^5 = 3125 variants).
const maxWindash = 5

// windash returns every permutation of the dash characters of each value;
// more than maxValuePatterns variants in all is an error.
func windash(vals []sstring) ([]sstring, error) {
	var out []sstring
	for _, v := range vals {
		vs := []sstring{nil}
		n := 0
		for _, p := range v {
			if p.wild != 0 {
				for i := range vs {
					vs[i] = append(vs[i], p)
				}
				continue
			}
			var segs []string // alternating text and dash positions
			rest := p.lit
			for {
				i, w := indexDash(rest)
				if i < 0 {
					segs = append(segs, rest)
					break
				}
				segs = append(segs, rest[:i], "")
				rest = rest[i+w:]
				n++
			}
			if n > maxWindash {
				return nil, fmt.Errorf("windash: value has more than %d dash characters", maxWindash)
			}
			vs = expandSegs(vs, segs)
		}
		// Values may already be variants (windash|windash, expand): stop
		// once the bound on one rule value's patterns is passed.
		if out = append(out, vs...); len(out) > maxValuePatterns {
			return nil, errTooManyPatterns
		}
	}
	return out, nil
}

// expandSegs appends the literal formed by segs (text, dash, text, dash,
// ...) to each prefix in vs, once per choice of dash characters.
func expandSegs(vs []sstring, segs []string) []sstring {
	texts := []string{segs[0]}
	for i := 1; i+1 < len(segs); i += 2 {
		var next []string
		for _, t := range texts {
			for _, d := range windashChars {
				next = append(next, t+d+segs[i+1])
			}
		}
		texts = next
	}
	var out []sstring
	for _, v := range vs {
		for _, t := range texts {
			nv := append(append(sstring(nil), v...), piece{lit: t})
			out = append(out, nv)
		}
	}
	return out
}

func indexDash(s string) (int, int) {
	best, width := -1, 0
	for _, d := range windashChars {
		if i := strings.Index(s, d); i >= 0 && (best < 0 || i < best) {
			best, width = i, len(d)
		}
	}
	return best, width
}

// encode applies an encoding modifier. Encoded values cannot hold wildcards.
// Chained encodings multiply what a value turns into: base64offset triples
// the number of patterns, wide doubles their length. Both are bounded.
func encode(mod string, vals []sstring) ([]sstring, error) {
	var out []sstring
	size := 0
	for _, v := range vals {
		s, ok := v.plain()
		if !ok {
			return nil, fmt.Errorf("%s cannot encode a value holding wildcards", mod)
		}
		for _, e := range encodeString(mod, s) {
			out = append(out, sstring{{lit: e}})
			size += len(e)
		}
		if len(out) > maxValuePatterns {
			return nil, errTooManyPatterns
		}
		if size > maxValueBytes {
			return nil, fmt.Errorf("%s makes more than %d bytes of patterns (chained encodings multiply the length)", mod, maxValueBytes)
		}
	}
	return out, nil
}

// maxValueBytes bounds the total length of the patterns one rule value's
// encodings give: far above any real rule, far below what a chain such as
// wide|wide|wide|... (doubling at each step) would allocate unchecked.
const maxValueBytes = 1 << 20

func encodeString(mod, s string) []string {
	switch mod {
	case "base64":
		return []string{base64.StdEncoding.EncodeToString([]byte(s))}
	case "base64offset":
		return base64Offsets(s)
	case "utf16be":
		return []string{utf16Bytes(s, binary.BigEndian)}
	case "utf16":
		return []string{"\xff\xfe" + utf16Bytes(s, binary.LittleEndian)}
	}
	return []string{utf16Bytes(s, binary.LittleEndian)} // utf16le, wide
}

// base64Offsets returns the three encodings of s shifted by 0, 1 and 2
// bytes, trimmed to the characters that do not depend on the surrounding
// data (the pySigma definition).
func base64Offsets(s string) []string {
	starts := [3]int{0, 2, 3}
	ends := [3]int{0, 3, 2} // characters trimmed at the end, by (len+shift)%3
	var out []string
	for i := 0; i < 3; i++ {
		b := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		e := len(b) - ends[(len(s)+i)%3]
		if starts[i] < e {
			out = append(out, b[starts[i]:e])
		}
	}
	return out
}

func utf16Bytes(s string, order binary.ByteOrder) string {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(b[2*i:], u)
	}
	return string(b)
}

// maxExpansions bounds the values one rule value may expand to.
const maxExpansions = 4096

// placeholderAt reports the name of the placeholder that starts at s[i], a
// '%': one or more word characters (letters, digits, '_', as Python's \w,
// which pySigma's placeholder pattern uses) and a closing '%'. Any other '%'
// is a plain percent sign, so '5% of %p%' holds one placeholder, p.
func placeholderAt(s string, i int) (string, bool) {
	j := i + 1 + wordPrefix(s[i+1:])
	if j == i+1 || j >= len(s) || s[j] != '%' {
		return "", false
	}
	return s[i+1 : j], true
}

// ValidPlaceholderName reports whether name can be written as %name% in a
// rule value: one or more word characters. A configuration that gives
// values to any other name gives them to nothing.
func ValidPlaceholderName(name string) bool {
	return name != "" && wordPrefix(name) == len(name)
}

// wordPrefix returns the length of the word characters s starts with.
func wordPrefix(s string) int {
	j := 0
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		j += size
	}
	return j
}

// expandPlaceholders replaces each %name% in s by each value of the
// placeholder (all combinations); "\%" is a plain percent sign, and so is a
// '%' that does not start a placeholder (see placeholderAt).
func expandPlaceholders(s string, ph map[string][]string) ([]string, error) {
	return expandPieces(placeholderPieces(s), ph)
}

// expandPieces is expandPlaceholders on a value placeholderPieces split
// (and windash may have varied since): every combination of the values of
// its placeholders, its other text with "\%" read as '%'.
func expandPieces(v sstring, ph map[string][]string) ([]string, error) {
	outs := []string{""}
	for _, p := range v {
		alts := []string{strings.ReplaceAll(p.lit, `\%`, "%")}
		if p.wild == '%' {
			name := p.lit[1 : len(p.lit)-1]
			if alts = ph[name]; len(alts) == 0 {
				return nil, fmt.Errorf("placeholder %%%s%% has no values: give them in the placeholders configuration (known: %s)", name, knownNames(ph))
			}
			if len(outs)*len(alts) > maxExpansions {
				return nil, fmt.Errorf("placeholders expand to more than %d values", maxExpansions)
			}
		}
		next := make([]string, 0, len(outs)*len(alts))
		for _, o := range outs {
			for _, a := range alts {
				next = append(next, o+a)
			}
		}
		outs = next
	}
	return outs, nil
}

// placeholderPieces splits s as expandPlaceholders reads it: each %name%
// is a piece of its own, marked as a wildcard ('%') so that windash leaves
// the name alone; the rest is literal text ("\%" included).
func placeholderPieces(s string) sstring {
	var out sstring
	lit := 0 // start of the pending literal text
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], `\%`):
			i += 2
		case s[i] == '%':
			name, ok := placeholderAt(s, i)
			if !ok {
				i++
				continue
			}
			if lit < i {
				out = append(out, piece{lit: s[lit:i]})
			}
			end := i + len(name) + 2
			out = append(out, piece{lit: s[i:end], wild: '%'})
			i, lit = end, end
		default:
			i++
		}
	}
	if lit < len(s) || len(out) == 0 {
		out = append(out, piece{lit: s[lit:]})
	}
	return out
}

func knownNames(ph map[string][]string) string {
	if len(ph) == 0 {
		return "none"
	}
	var names []string
	for k := range ph {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
