package inflate

import "math/bits"

// Primary table sizes, in bits: most literal/length codes of CloudTrail's
// gzip objects are at most 10 bits long, most distance codes at most 8;
// longer codes take a second lookup in a subtable.
const (
	litBits  = 10
	distBits = 8
)

// The kinds of table entry. The zero entry is invalid: a code the block
// does not define.
const (
	kindInvalid = iota
	kindLiteral // value is the byte
	kindMatch   // a length or distance: value is the base, extra its extra bits
	kindEnd     // end of block
	kindSub     // value is the subtable's offset, subBits its index bits
	kindCodeLen // value is a code-length symbol (0-18)
)

// entry is one table entry: bits 0-3 the code's length (the whole code,
// also in subtables; for a kindSub entry, the primary bits), bits 4-6 the
// kind, bits 8-12 the extra bits or subtable bits, bits 16-31 the value.
type entry uint32

func (e entry) len() uint     { return uint(e & 15) }
func (e entry) kind() uint8   { return uint8(e>>4) & 7 }
func (e entry) extra() uint   { return uint(e>>8) & 31 }
func (e entry) subBits() uint { return uint(e>>8) & 31 }
func (e entry) value() int    { return int(e >> 16) }

func newEntry(length uint, kind uint8, extra uint, value int) entry {
	return entry(length) | entry(kind)<<4 | entry(extra)<<8 | entry(value)<<16
}

// table decodes one Huffman code: the primary entries indexed by the next
// primary bits of input, then the subtables.
type table struct {
	entries []entry
	empty   bool // the code has no symbols
}

// The alphabets a table decodes.
const (
	alphaLit     = kindLiteral
	alphaDist    = kindMatch
	alphaCodeLen = kindCodeLen
)

// symbolEntry is the entry of sym in alphabet alpha, for a code of the
// given length.
func symbolEntry(alpha uint8, sym int, length uint) entry {
	switch alpha {
	case alphaLit:
		switch {
		case sym < 256:
			return newEntry(length, kindLiteral, 0, sym)
		case sym == 256:
			return newEntry(length, kindEnd, 0, 0)
		case sym-257 < len(lengthBase):
			return newEntry(length, kindMatch, uint(lengthExtra[sym-257]), int(lengthBase[sym-257]))
		}
	case alphaDist:
		if sym < len(distBase) {
			return newEntry(length, kindMatch, uint(distExtra[sym]), int(distBase[sym]))
		}
	case alphaCodeLen:
		return newEntry(length, kindCodeLen, 0, sym)
	}
	return newEntry(length, kindInvalid, 0, 0) // 286, 287, distances 30, 31
}

// build makes t decode the canonical code with the given code lengths (one
// per symbol, 0 for none), with primary-bit primary entries. It reports
// false for a code that is over-subscribed, or incomplete other than a
// single code of one bit, as Go's own inflater does; a code with no symbols
// is accepted (t.empty), and every lookup in it finds an invalid entry.
func (t *table) build(lens []uint8, primary uint, alpha uint8) bool {
	var count [16]int
	maxLen := 0
	for _, l := range lens {
		count[l]++
		maxLen = max(maxLen, int(l))
	}
	count[0] = 0
	left := 1
	for l := 1; l <= 15; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false // over-subscribed
		}
	}
	if maxLen > 0 && left > 0 && !(maxLen == 1 && count[1] == 1) {
		return false // incomplete
	}
	var next [16]int
	code := 0
	for l := 1; l <= 15; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	size := 1 << primary
	// Codes longer than primary bits share primary slots by their first
	// primary bits; each such slot gets a subtable as wide as its longest
	// code needs. Only the slots in use are visited (a block's build is
	// per block: tens of thousands of builds in a big scan).
	var revs [288]uint16
	var subMax [1 << litBits]uint8 // by slot: the longest code, 0 for none
	var slots [288]uint16          // the slots with a subtable, in first-use order
	nslots := 0
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		r := bits.Reverse16(uint16(next[l])) >> (16 - l)
		next[l]++
		revs[sym] = r
		if uint(l) > primary {
			p := int(r) & (size - 1)
			if subMax[p] == 0 {
				slots[nslots] = uint16(p)
				nslots++
			}
			subMax[p] = max(subMax[p], l)
		}
	}
	total := size
	for _, p := range slots[:nslots] {
		total += 1 << (uint(subMax[p]) - primary)
	}
	if cap(t.entries) < total {
		t.entries = make([]entry, total)
	} else {
		t.entries = t.entries[:total]
		if left > 0 || maxLen == 0 {
			clear(t.entries) // an incomplete code leaves entries unfilled: invalid
		}
	}
	t.empty = maxLen == 0
	// The subtables follow the primary entries in slot order of first use;
	// a slot's primary entry points at its subtable.
	offset := size
	for _, p := range slots[:nslots] {
		t.entries[p] = newEntry(primary, kindSub, uint(subMax[p])-primary, offset)
		offset += 1 << (uint(subMax[p]) - primary)
	}
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		e := symbolEntry(alpha, sym, uint(l))
		r := int(revs[sym])
		if uint(l) <= primary {
			for k := r; k < size; k += 1 << l {
				t.entries[k] = e
			}
			continue
		}
		ptr := t.entries[r&(size-1)]
		sub := t.entries[ptr.value() : ptr.value()+1<<ptr.subBits()]
		for k := r >> primary; k < len(sub); k += 1 << (uint(l) - primary) {
			sub[k] = e
		}
	}
	return true
}

// The fixed codes of block type 1 (RFC 1951, section 3.2.6). They are
// shared by every decoder and never built over.
var fixedLit, fixedDist = func() (lit, dist table) {
	lit.build(fixedLens(288, 0), litBits, alphaLit)
	dist.build(fixedLens(32, 5), distBits, alphaDist)
	return lit, dist
}()

// fixedLens returns the fixed code lengths of n symbols: the literal/length
// code's when every is 0, or every symbol's length.
func fixedLens(n int, every uint8) []uint8 {
	lens := make([]uint8, n)
	for i := range lens {
		switch {
		case every != 0:
			lens[i] = every
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	return lens
}
