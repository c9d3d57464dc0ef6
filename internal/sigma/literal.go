package sigma

import "bytes"

// literal is a byte string that rule values search for inside event values
// (contains patterns, the literal every match of a regular expression
// holds). A search looks for the literal's rarest byte first: CloudTrail
// values are full of the bytes patterns start with (':' and '/' in ARNs,
// letters and digits everywhere), so bytes.Index, which looks for the
// first byte, stops at many places that are not a match. Looking for
// ":assumed-role/aws:" in an ARN stops at each of its six colons; looking
// for its '/' stops once or twice.
type literal struct {
	b    []byte
	rare int // offset in b of the byte searched for first
}

func newLiteral(b []byte) literal {
	l := literal{b: b}
	for i, c := range b {
		if byteRank[c] < byteRank[b[l.rare]] {
			l.rare = i
		}
	}
	return l
}

// in reports whether l occurs in s.
func (l *literal) in(s []byte) bool { return l.index(s) >= 0 }

// index returns the offset of the first occurrence of l in s, or -1.
func (l *literal) index(s []byte) int {
	n := len(l.b)
	switch {
	case n == 0:
		return 0
	case n > len(s):
		return -1
	case n == 1 || len(s) <= 16:
		return bytes.Index(s, l.b)
	}
	rb := l.b[l.rare]
	// The rare byte of a match at start is at start+rare, and a match
	// starts at most at len(s)-n.
	i, last := l.rare, len(s)-n+l.rare
	fails := 0
	for i <= last {
		j := bytes.IndexByte(s[i:last+1], rb)
		if j < 0 {
			return -1
		}
		start := i + j - l.rare
		if bytes.Equal(s[start:start+n], l.b) {
			return start
		}
		i += j + 1
		// Many stops that are not a match mean the rare byte is common
		// here: hand the rest to bytes.Index, whose worst case is linear.
		if fails++; fails > 4+(i>>4) {
			if k := bytes.Index(s[i-l.rare:], l.b); k >= 0 {
				return i - l.rare + k
			}
			return -1
		}
	}
	return -1
}

// byteRank orders bytes by how common they are in CloudTrail values, lower
// for rarer: lower-case letters (rule values are mostly matched folded),
// digits and the separators of ARNs, names and times are common; upper-case
// letters, less common letters and most punctuation rarer; control bytes and
// bytes of multi-byte characters rarest. Only the order matters, and a poor
// guess costs speed, never a match.
var byteRank = func() (r [256]uint8) {
	for c := range r {
		r[c] = 10 // control characters, non-ASCII bytes
	}
	for c := 0x20; c < 0x7f; c++ {
		r[c] = 60 // punctuation
	}
	for c := 'A'; c <= 'Z'; c++ {
		r[c] = 100
	}
	for _, c := range "bfgkmpvwxyz" {
		r[c] = 150
	}
	// In ARNs '/' comes once or twice, and names are full of '-'.
	r['/'], r['_'], r['.'], r['-'] = 110, 130, 140, 160
	for _, c := range "cdhlu" {
		r[c] = 200
	}
	for _, c := range "etaoinsr0123456789: \",=" {
		r[c] = 250
	}
	for _, c := range "jq" {
		r[c] = 80
	}
	return r
}()
