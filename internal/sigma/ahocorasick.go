package sigma

import (
	"strings"
)

// acDFA is an Aho-Corasick automaton compiled to a DFA over ASCII
// case-folded bytes, with bytes grouped into equivalence classes to keep
// the transition table small.
type acDFA struct {
	class  [256]uint8
	nclass int
	// trans[row+class] is the row of the next state (state*nclass),
	// bit-inverted (negative) when that state ends a pattern.
	trans []int32
	out   [][]int32 // per state: ids of the patterns ending here
	// pairs[b0<<8|b1] is 1 when the bytes b0 b1 (either case) begin some
	// pattern; skip is set when every pattern has at least two bytes.
	pairs *[1 << 16]uint8
	skip  bool
}

// caseVariants returns c and, for an ASCII letter, its other case.
func caseVariants(c byte) []byte {
	switch {
	case 'a' <= c && c <= 'z':
		return []byte{c, c - 'a' + 'A'}
	case 'A' <= c && c <= 'Z':
		return []byte{c, c - 'A' + 'a'}
	}
	return []byte{c}
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newACDFA builds the automaton for patterns (already lower case); pattern
// i is reported as id i.
func newACDFA(patterns []string) *acDFA {
	a := &acDFA{}
	// Byte classes: one per distinct byte used by the patterns, class 0
	// for every other byte.
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := unframe(p[i])
			if a.class[c] == 0 {
				a.nclass++
				a.class[c] = uint8(a.nclass)
			}
		}
	}
	a.nclass++
	for c := 'A'; c <= 'Z'; c++ {
		a.class[c] = a.class[foldByte(byte(c))]
	}
	a.class[frameByte] = a.class['"']
	// Trie.
	type tnode struct {
		next map[uint8]int32
		out  []int32
	}
	nodes := []tnode{{next: map[uint8]int32{}}}
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[unframe(p[i])]
			n, ok := nodes[s].next[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, tnode{next: map[uint8]int32{}})
				nodes[s].next[c] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Breadth-first completion into a DFA.
	nc := a.nclass
	a.trans = make([]int32, len(nodes)*nc)
	a.out = make([][]int32, len(nodes))
	fail := make([]int32, len(nodes))
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(a.out[s], nodes[s].out...)
		if s != 0 {
			a.out[s] = append(a.out[s], a.out[fail[s]]...)
		}
		for c := 0; c < nc; c++ {
			n, ok := nodes[s].next[uint8(c)]
			switch {
			case ok:
				if s != 0 {
					fail[n] = a.trans[int(fail[s])*nc+c]
				}
				a.trans[int(s)*nc+c] = n
				queue = append(queue, n)
			case s != 0:
				a.trans[int(s)*nc+c] = a.trans[int(fail[s])*nc+c]
			}
		}
	}
	a.pairs = new([1 << 16]uint8)
	a.skip = true
	for _, p := range patterns {
		if len(p) < 2 {
			a.skip = false
			continue
		}
		for _, b0 := range caseVariants(unframe(p[0])) {
			for _, b1 := range caseVariants(unframe(p[1])) {
				a.pairs[int(b0)<<8|int(b1)] = 1
			}
		}
	}
	for i, t := range a.trans {
		row := t * int32(nc)
		if len(a.out[t]) > 0 {
			row = ^row
		}
		a.trans[i] = row
	}
	return a
}

// frameByte marks, in a literal, a JSON string quote that frames the value
// (as opposed to a quote inside the value). It matches '"' in the data;
// a raw NUL never occurs in valid JSON.
const frameByte = 0

func unframe(c byte) byte {
	if c == frameByte {
		return '"'
	}
	return c
}

// hazards are byte strings whose presence can hide a literal from a plain
// byte search: JSON escapes (for literals holding the escaped character)
// and the two non-ASCII characters whose lower case is ASCII (U+0130 'İ'
// -> "i", U+212A Kelvin sign -> "k").
func hazardsFor(lit string) []string {
	h := []string{`\u`}
	if strings.ContainsRune(lit, '"') {
		h = append(h, `\"`)
	}
	if strings.ContainsRune(lit, '\\') {
		h = append(h, `\\`)
	}
	if strings.ContainsRune(lit, '/') {
		h = append(h, `\/`)
	}
	if strings.ContainsRune(lit, 'i') {
		h = append(h, "\u0130")
	}
	if strings.ContainsRune(lit, 'k') {
		h = append(h, "\u212a")
	}
	return h
}
