package sigma

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
)

// piece is one part of a Sigma string value: a literal run of text, or a
// wildcard ('*' any run of characters, '?' exactly one character).
type piece struct {
	lit  string
	wild byte // 0 for a literal piece, '*' or '?' for a wildcard; '%' for a placeholder name in lit (placeholderPieces)
}

// sstring is a Sigma string value split into literals and wildcards.
type sstring []piece

// parseSigmaString splits s at unescaped wildcards. A backslash escapes '*',
// '?' and '\' itself; a backslash before any other character is literal
// (specification, "Escape Character").
func parseSigmaString(s string) sstring {
	var out sstring
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, piece{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*' || c == '?':
			flush()
			if c == '*' && len(out) > 0 && out[len(out)-1].wild == '*' {
				continue // "**" is "*"
			}
			out = append(out, piece{wild: c})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

// plain reports whether s holds no wildcard, and its text.
func (s sstring) plain() (string, bool) {
	var b strings.Builder
	for _, p := range s {
		if p.wild != 0 {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// String renders s back in Sigma notation (wildcards and escapes).
func (s sstring) String() string {
	var b strings.Builder
	for _, p := range s {
		if p.wild != 0 {
			b.WriteByte(p.wild)
			continue
		}
		for i := 0; i < len(p.lit); i++ {
			if c := p.lit[i]; c == '*' || c == '?' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(p.lit[i])
		}
	}
	return b.String()
}

// withStar returns s with a '*' wildcard added at the start and/or end.
func (s sstring) withStar(front, back bool) sstring {
	out := make(sstring, 0, len(s)+2)
	if front && (len(s) == 0 || s[0].wild != '*') {
		out = append(out, piece{wild: '*'})
	}
	out = append(out, s...)
	if back && (len(out) == 0 || out[len(out)-1].wild != '*') {
		out = append(out, piece{wild: '*'})
	}
	return out
}

// lower returns s with its literals folded to lower case.
func (s sstring) lower() sstring {
	out := make(sstring, len(s))
	for i, p := range s {
		out[i] = piece{lit: strings.ToLower(p.lit), wild: p.wild}
	}
	return out
}

// globKind classifies a pattern for a fast path.
type globKind uint8

const (
	globExact globKind = iota
	globPrefix
	globSuffix
	globContains
	globAny // "*": matches every value, even empty
	globGeneral
)

// glob is a compiled wildcard pattern. Literal text is already folded to
// lower case unless the pattern is case-sensitive.
type glob struct {
	kind  globKind
	lit   []byte  // for the fast kinds
	find  literal // lit, for globContains
	parts sstring
}

func compileGlob(s sstring) glob {
	n := len(s)
	lits := 0
	for _, p := range s {
		if p.wild == '?' {
			return glob{kind: globGeneral, parts: s}
		}
		if p.wild == 0 {
			lits++
		}
	}
	switch {
	case n == 0:
		return glob{kind: globExact}
	case n == 1 && s[0].wild == '*':
		return glob{kind: globAny}
	case lits > 1:
		return glob{kind: globGeneral, parts: s}
	case n == 1:
		return glob{kind: globExact, lit: []byte(s[0].lit)}
	case n == 2 && s[0].wild == 0:
		return glob{kind: globPrefix, lit: []byte(s[0].lit)}
	case n == 2:
		return glob{kind: globSuffix, lit: []byte(s[1].lit)}
	}
	lit := []byte(s[1].lit)
	return glob{kind: globContains, lit: lit, find: newLiteral(lit)}
}

func (g *glob) match(v []byte) bool {
	switch g.kind {
	case globExact:
		return bytes.Equal(v, g.lit)
	case globPrefix:
		return bytes.HasPrefix(v, g.lit)
	case globSuffix:
		return bytes.HasSuffix(v, g.lit)
	case globContains:
		return g.find.in(v)
	case globAny:
		return true
	}
	return globMatch(g.parts, v)
}

// globMatch matches v against a general wildcard pattern. '*' runs are
// matched greedily with backtracking to the last star only, which is
// linear in practice ("*a*b*" style patterns cannot blow up).
func globMatch(parts sstring, v []byte) bool {
	pi, vi := 0, 0
	starPi, starVi := -1, 0
	for {
		if pi < len(parts) {
			p := parts[pi]
			switch p.wild {
			case '*':
				starPi, starVi = pi, vi
				pi++
				continue
			case '?':
				if vi < len(v) {
					_, size := utf8.DecodeRune(v[vi:])
					vi += size
					pi++
					continue
				}
			default:
				if bytes.HasPrefix(v[vi:], []byte(p.lit)) {
					vi += len(p.lit)
					pi++
					continue
				}
			}
		} else if vi == len(v) {
			return true
		}
		if starPi < 0 || starVi >= len(v) {
			return false
		}
		// Let the last star swallow one more character and retry.
		_, size := utf8.DecodeRune(v[starVi:])
		starVi += size
		pi, vi = starPi+1, starVi
	}
}

// foldInto appends the lower-case form of v to dst (v must not share dst's
// memory). ASCII text is folded eight bytes at a time; other text goes
// through the Unicode mapping.
func foldInto(dst, v []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(v))[:n+len(v)]
	out := dst[n:]
	i := 0
	// Eight ASCII bytes at a time: a byte gets 0x20 added when it is from
	// 'A' to 'Z'. With bytes below 0x80, the additions cannot carry from
	// one byte into the next.
	for ; i+8 <= len(v); i += 8 {
		w := binary.LittleEndian.Uint64(v[i:])
		if w&0x8080808080808080 != 0 {
			return append(dst[:n], bytes.ToLower(v)...)
		}
		atLeastA := w + 0x3f3f3f3f3f3f3f3f // bit 7 set where the byte >= 'A'
		aboveZ := w + 0x2525252525252525   // bit 7 set where the byte > 'Z'
		upper := atLeastA &^ aboveZ & 0x8080808080808080
		binary.LittleEndian.PutUint64(out[i:], w|upper>>2)
	}
	for ; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			return append(dst[:n], bytes.ToLower(v)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return dst
}
