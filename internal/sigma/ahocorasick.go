package sigma

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
	// Root skipping: pairs holds a bit for each two bytes b0 b1 (either
	// case, index b0<<8|b1) that begin some pattern; short for those that
	// are a whole two-byte pattern; triples a bit for the hash of each
	// three bytes that begin a longer pattern. 8 KB each, so they stay in
	// L1 cache. skip is set when every pattern has at least two bytes.
	pairs, short, triples *[1 << 10]uint64
	first                 [256]bool // bytes that begin some pattern
	skip                  bool
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

// newACDFA builds the automaton for patterns (matched ignoring ASCII
// case); pattern i is reported as id i.
func newACDFA(patterns []string) *acDFA {
	a := &acDFA{}
	a.buildClasses(patterns)
	next, outs := a.buildTrie(patterns)
	a.complete(next, outs)
	a.buildPairs(patterns)
	return a
}

// key is a pattern byte as the automaton sees it.
func key(c byte) byte { return foldByte(unframe(c)) }

// buildClasses gives each distinct (folded) pattern byte a class; every
// other byte is class 0. Patterns are printable ASCII plus a few UTF-8
// hazard bytes, far fewer than 255 distinct values.
func (a *acDFA) buildClasses(patterns []string) {
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if c := key(p[i]); a.class[c] == 0 && a.nclass < 255 {
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
}

// buildTrie returns the trie's child maps and the patterns ending at each
// node.
func (a *acDFA) buildTrie(patterns []string) ([]map[uint8]int32, [][]int32) {
	next := []map[uint8]int32{{}}
	outs := [][]int32{nil}
	for id, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[key(p[i])]
			n, ok := next[s][c]
			if !ok {
				n = int32(len(next))
				next = append(next, map[uint8]int32{})
				outs = append(outs, nil)
				next[s][c] = n
			}
			s = n
		}
		outs[s] = append(outs[s], int32(id))
	}
	return next, outs
}

// complete turns the trie into a DFA (breadth first, with failure links)
// and encodes the transition table.
func (a *acDFA) complete(next []map[uint8]int32, outs [][]int32) {
	nc := a.nclass
	a.trans = make([]int32, len(next)*nc)
	a.out = make([][]int32, len(next))
	fail := make([]int32, len(next))
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] = append(a.out[s], outs[s]...)
		if s != 0 {
			a.out[s] = append(a.out[s], a.out[fail[s]]...)
		}
		for c := 0; c < nc; c++ {
			n, ok := next[s][uint8(c)]
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
	for i, t := range a.trans {
		row := t * int32(nc)
		if len(a.out[t]) > 0 {
			row = ^row
		}
		a.trans[i] = row
	}
}

// buildPairs records the two- and three-byte beginnings of the patterns.
func (a *acDFA) buildPairs(patterns []string) {
	a.pairs, a.short, a.triples = new([1 << 10]uint64), new([1 << 10]uint64), new([1 << 10]uint64)
	a.skip = true
	for _, p := range patterns {
		if len(p) < 2 {
			a.skip = false
			continue
		}
		for _, b0 := range caseVariants(unframe(p[0])) {
			a.first[b0] = true
			for _, b1 := range caseVariants(unframe(p[1])) {
				k := uint(b0)<<8 | uint(b1)
				setBit(a.pairs, k)
				if len(p) == 2 {
					setBit(a.short, k)
					continue
				}
				for _, b2 := range caseVariants(unframe(p[2])) {
					setBit(a.triples, tripleHash(k, b2))
				}
			}
		}
	}
}

func setBit(t *[1 << 10]uint64, k uint) { t[k>>6&1023] |= 1 << (k & 63) }

func hasBit(t *[1 << 10]uint64, k uint) bool { return t[k>>6&1023]&(1<<(k&63)) != 0 }

// tripleHash maps a two-byte prefix k and a third byte to 16 bits.
func tripleHash(k uint, c byte) uint { return (k*0x2f1 + uint(c)*0x9b1) & 0xffff }

// skipRoot returns the first position at or after i where a literal may
// begin, or len(raw)-1. Most positions fail the one-byte test and most of
// the others the two-byte one; four positions are tested per step.
func (a *acDFA) skipRoot(raw []byte, i int) int {
	first, pairs := &a.first, a.pairs
	for ; i+4 < len(raw); i += 4 {
		_ = raw[i+4]
		if first[raw[i]] {
			if k := uint(raw[i])<<8 | uint(raw[i+1]); hasBit(pairs, k) && a.canStartAfterPair(raw, i, k) {
				return i
			}
		}
		if first[raw[i+1]] {
			if k := uint(raw[i+1])<<8 | uint(raw[i+2]); hasBit(pairs, k) && a.canStartAfterPair(raw, i+1, k) {
				return i + 1
			}
		}
		if first[raw[i+2]] {
			if k := uint(raw[i+2])<<8 | uint(raw[i+3]); hasBit(pairs, k) && a.canStartAfterPair(raw, i+2, k) {
				return i + 2
			}
		}
		if first[raw[i+3]] {
			if k := uint(raw[i+3])<<8 | uint(raw[i+4]); hasBit(pairs, k) && a.canStartAfterPair(raw, i+3, k) {
				return i + 3
			}
		}
	}
	for ; i+1 < len(raw); i++ {
		if k := uint(raw[i])<<8 | uint(raw[i+1]); first[raw[i]] && hasBit(pairs, k) && a.canStartAfterPair(raw, i, k) {
			return i
		}
	}
	return i
}

// canStartAfterPair reports whether a pattern may begin at raw[i], given
// that the two bytes there (k) begin one.
func (a *acDFA) canStartAfterPair(raw []byte, i int, k uint) bool {
	if hasBit(a.short, k) || i+2 >= len(raw) {
		return true
	}
	return hasBit(a.triples, tripleHash(k, raw[i+2]))
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
