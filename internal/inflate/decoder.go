package inflate

import (
	"encoding/binary"
	"io"
)

// decoder is the state of one DEFLATE stream.
type decoder struct {
	in []byte
	// ip is the next input byte to load into b. It runs past len(in) when
	// the stream is truncated: the bytes past the end load as zeros, and
	// overrun tells when a decoded symbol used them.
	ip int
	b  uint64 // bit buffer: its low nb bits are the next input bits
	nb uint

	out   []byte // the output buffer; len(out) is its capacity
	o     int    // output written: out[:o]
	start int    // first output byte of this stream (distances stop there)
	limit int

	// The codes of the current dynamic block, built in place from one
	// block to the next (the fixed codes are shared, never built over).
	lit, dist table
	clt       table // the current block's code-length code
}

// consumed is the number of input bytes the stream took (to its last whole
// byte).
func (d *decoder) consumed() int {
	return min(d.ip-int(d.nb/8), len(d.in))
}

// refill loads input bytes until the bit buffer holds at least 56 bits:
// eight bytes in one load where the input has them.
func (d *decoder) refill() {
	if d.ip+8 <= len(d.in) {
		d.b |= binary.LittleEndian.Uint64(d.in[d.ip:]) << d.nb
		d.ip += int(63-d.nb) >> 3
		d.nb |= 56
		return
	}
	for d.nb <= 56 {
		if d.ip < len(d.in) {
			d.b |= uint64(d.in[d.ip]) << d.nb
		}
		d.ip++
		d.nb += 8
	}
}

// overrun reports whether the bits used so far go past the end of the
// input.
func (d *decoder) overrun() bool {
	return d.ip > len(d.in) && 8*d.ip-int(d.nb) > 8*len(d.in)
}

// bits takes n bits (n <= 32) from the bit buffer, which must hold them.
func (d *decoder) bits(n uint) uint32 {
	v := uint32(d.b & (1<<n - 1))
	d.b >>= n
	d.nb -= n
	return v
}

// corrupt is the error for invalid data found at the current input
// position, or io.ErrUnexpectedEOF when the position is past the end (the
// "invalid" data was the zeros read past a truncation).
func (d *decoder) corrupt(msg string) error {
	if d.overrun() {
		return io.ErrUnexpectedEOF
	}
	return &CorruptError{Offset: int64(d.consumed()), Msg: msg}
}

// run decodes blocks until the final one.
func (d *decoder) run() error {
	for {
		d.refill()
		final := d.bits(1)
		var err error
		switch d.bits(2) {
		case 0:
			err = d.stored()
		case 1:
			err = d.codes(&fixedLit, &fixedDist)
		case 2:
			if err = d.dynamic(); err == nil {
				err = d.codes(&d.lit, &d.dist)
			}
		default:
			err = d.corrupt("invalid block type")
		}
		if err != nil {
			return err
		}
		if d.overrun() {
			return io.ErrUnexpectedEOF
		}
		if final == 1 {
			d.nb -= d.nb % 8 // the stream ends at a byte boundary
			return nil
		}
	}
}

// stored copies a stored block.
func (d *decoder) stored() error {
	d.nb -= d.nb % 8
	// Back to whole bytes: the block's header and data are read directly.
	p := d.ip - int(d.nb/8)
	d.b, d.nb = 0, 0
	if p+4 > len(d.in) {
		d.ip = len(d.in) + 1
		return io.ErrUnexpectedEOF
	}
	n := int(binary.LittleEndian.Uint16(d.in[p:]))
	if binary.LittleEndian.Uint16(d.in[p+2:]) != ^uint16(n) {
		d.ip = p
		return d.corrupt("stored block length does not match its complement")
	}
	p += 4
	avail := min(n, len(d.in)-p)
	err := d.room(avail)
	if err != nil { // past the limit: what fits under it
		avail = d.limit - d.o
	}
	d.o += copy(d.out[d.o:], d.in[p:p+avail])
	d.ip = p + avail
	if err == nil && avail < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// room makes room for n more output bytes by growing the buffer. When they
// would pass the limit it makes room up to the limit and returns ErrLimit:
// the caller then writes what fits and stops.
func (d *decoder) room(n int) error {
	need := d.o + n
	if need <= len(d.out) && need <= d.limit {
		return nil
	}
	if need > d.limit {
		need = d.limit
	}
	if need > len(d.out) {
		size := max(2*len(d.out), need, 64<<10)
		size = min(size, d.limit)
		grown := make([]byte, size)
		copy(grown, d.out[:d.o])
		d.out = grown
	}
	if d.o+n > d.limit {
		return ErrLimit
	}
	return nil
}

// The length and distance symbols' base values and extra bits (RFC 1951,
// section 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// codeOrder is the order in which a dynamic block lists the code lengths
// of the code-length alphabet.
var codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamic reads a dynamic block's code definitions into d.lit and d.dist.
func (d *decoder) dynamic() error {
	d.refill()
	nlit := int(d.bits(5)) + 257
	ndist := int(d.bits(5)) + 1
	nclen := int(d.bits(4)) + 4
	if nlit > 286 || ndist > 30 {
		return d.corrupt("too many length or distance codes")
	}
	var clens [19]uint8
	for i := range nclen {
		if d.nb < 3 {
			d.refill()
		}
		clens[codeOrder[i]] = uint8(d.bits(3))
	}
	clt := &d.clt
	if !clt.build(clens[:], 7, alphaCodeLen) || clt.empty {
		return d.corrupt("invalid code-length code")
	}
	var lens [286 + 30]uint8
	for i := 0; i < nlit+ndist; {
		d.refill()
		e := clt.entries[d.b&(1<<7-1)]
		if e.kind() != kindCodeLen {
			return d.corrupt("invalid code-length symbol")
		}
		d.b >>= e.len()
		d.nb -= e.len()
		sym := e.value()
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return d.corrupt("repeat of no previous code length")
			}
			rep, val = 3+int(d.bits(2)), lens[i-1]
		case 17:
			rep = 3 + int(d.bits(3))
		default:
			rep = 11 + int(d.bits(7))
		}
		if i+rep > nlit+ndist {
			return d.corrupt("code lengths repeated past the end")
		}
		for range rep {
			lens[i] = val
			i++
		}
	}
	if d.overrun() {
		return io.ErrUnexpectedEOF
	}
	if !d.lit.build(lens[:nlit], litBits, alphaLit) || !d.dist.build(lens[nlit:nlit+ndist], distBits, alphaDist) {
		return d.corrupt("invalid literal/length or distance code")
	}
	if d.lit.empty {
		return d.corrupt("no literal/length codes")
	}
	return nil
}

// codes decodes a Huffman-coded block's symbols up to its end. The bit
// buffer and the output position live in locals for the loop (written back
// for the slow paths), so that they stay in registers.
func (d *decoder) codes(litTable, distTable *table) error {
	lit, dist := litTable.entries, distTable.entries
	in := d.in
	b, nb, ip := d.b, d.nb, d.ip
	out, o := d.out, d.o
	end := min(len(out), d.limit) // the fast paths write below it
	// The slow paths write the locals back first (no closure: captured,
	// the locals would live in memory).
	for {
		// 56 bits hold the longest symbol: a 15-bit length code, 5 extra
		// bits, a 15-bit distance code and 13 extra bits.
		if ip+8 <= len(in) {
			b |= binary.LittleEndian.Uint64(in[ip:]) << nb
			ip += int(63-nb) >> 3
			nb |= 56
		} else {
			d.b, d.nb, d.ip = b, nb, ip
			d.refill()
			b, nb, ip = d.b, d.nb, d.ip
		}
		e := lit[b&(1<<litBits-1)]
		if e.kind() == kindSub {
			e = lit[e.value()+int(b>>litBits&(1<<e.subBits()-1))]
		}
		b >>= e.len()
		nb -= e.len()
		if ip > len(in) {
			if d.b, d.nb, d.ip, d.o = b, nb, ip, o; d.overrun() {
				return io.ErrUnexpectedEOF // the code was cut: nothing of it is written
			}
		}
		if e.kind() == kindLiteral {
			if o >= end {
				var err error
				if out, end, err = d.roomFor(1, b, nb, ip, o); err != nil {
					return err
				}
			}
			out[o] = byte(e.value())
			o++
			// At least 41 bits are left, enough for another code: a
			// literal after a literal needs no refill. (Written out twice
			// on purpose: as a two-round loop it measured 3% slower.)
			e = lit[b&(1<<litBits-1)]
			if e.kind() == kindSub {
				e = lit[e.value()+int(b>>litBits&(1<<e.subBits()-1))]
			}
			if e.kind() != kindLiteral {
				continue // decoded again after the refill
			}
			b >>= e.len()
			nb -= e.len()
			if ip > len(in) {
				if d.b, d.nb, d.ip, d.o = b, nb, ip, o; d.overrun() {
					return io.ErrUnexpectedEOF
				}
			}
			if o >= end {
				var err error
				if out, end, err = d.roomFor(1, b, nb, ip, o); err != nil {
					return err
				}
			}
			out[o] = byte(e.value())
			o++
			continue
		}
		if e.kind() != kindMatch {
			d.b, d.nb, d.ip, d.o = b, nb, ip, o
			if e.kind() == kindEnd {
				return nil
			}
			return d.corrupt("invalid literal/length code")
		}
		ex := e.extra()
		length := e.value() + int(b&(1<<ex-1))
		b >>= ex
		nb -= ex
		de := dist[b&(1<<distBits-1)]
		if de.kind() == kindSub {
			de = dist[de.value()+int(b>>distBits&(1<<de.subBits()-1))]
		}
		if de.kind() != kindMatch {
			d.b, d.nb, d.ip, d.o = b, nb, ip, o
			return d.corrupt("invalid distance code")
		}
		b >>= de.len()
		nb -= de.len()
		ex = de.extra()
		back := de.value() + int(b&(1<<ex-1))
		b >>= ex
		nb -= ex
		if ip > len(in) {
			if d.b, d.nb, d.ip, d.o = b, nb, ip, o; d.overrun() {
				return io.ErrUnexpectedEOF
			}
		}
		if back > o-d.start {
			d.b, d.nb, d.ip, d.o = b, nb, ip, o
			return d.corrupt("distance too far back")
		}
		if length <= 16 && back >= 16 && o+16 <= end {
			// Most matches are short: sixteen bytes in two words, past
			// the match's end into room the next symbols overwrite (back
			// >= 16: only bytes written before are read).
			from := o - back
			src, dst := out[from:from+16:from+16], out[o:o+16:o+16]
			binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src))
			binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
			o += length
			continue
		}
		if o+length <= end && back >= length {
			copy(out[o:o+length], out[o-back:])
			o += length
			continue
		}
		d.b, d.nb, d.ip, d.o = b, nb, ip, o
		if o+length > end {
			err := d.room(length)
			out, end = d.out, min(len(d.out), d.limit)
			if err != nil {
				// Copy what fits under the limit, as a stream would.
				d.copyMatch(min(length, d.limit-d.o), back)
				return err
			}
		}
		d.copyMatch(length, back)
		o = d.o
	}
}

// roomFor is room for codes: it first writes back the loop's state, and
// returns the output buffer and the end the fast paths write below.
func (d *decoder) roomFor(n int, b uint64, nb uint, ip, o int) ([]byte, int, error) {
	d.b, d.nb, d.ip, d.o = b, nb, ip, o
	err := d.room(n)
	return d.out, min(len(d.out), d.limit), err
}

// copyMatch copies n bytes from dist back; the output has room for them.
func (d *decoder) copyMatch(n, dist int) {
	o := d.o
	if dist >= n {
		copy(d.out[o:o+n], d.out[o-dist:])
	} else {
		// Overlapping: the bytes repeat with period dist.
		for i := range n {
			d.out[o+i] = d.out[o+i-dist]
		}
	}
	d.o = o + n
}
