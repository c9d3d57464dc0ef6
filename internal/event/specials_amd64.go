//go:build !purego

package event

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

// specialMasks is in specials_amd64.s: specialMasksAVX2 when useAVX2,
// else specialMasksSSE2.
//
//go:noescape
func specialMasks(dst []uint64, src []byte)

//go:noescape
func specialMasksSSE2(dst []uint64, src []byte)

//go:noescape
func specialMasksAVX2(dst []uint64, src []byte)

// useAVX2 tells specialMasks that the CPU has AVX2 and the OS saves its
// registers. Tests switch it to check both classifiers.
var useAVX2 = cpu.X86.HasAVX2

// specWords is how many 64-byte blocks of the input one fill classifies:
// 512 bytes, so that an event's parse looks at most a few hundred bytes
// past its end.
const specWords = 8

// specials is a window of the input classified 64 bytes at a time: bit k
// of masks[w] is set when byte base+64w+k is a quote, a backslash or a
// control character, the bytes a string scan stops at. Strings are then
// scanned a mask word at a time instead of a byte or eight at a time.
type specials struct {
	base, end int // the window is data[base:end]; base is a multiple of 64
	masks     [specWords]uint64
}

// next returns the offset of the first byte at or after i that needs
// attention inside a string, or len(data).
func (s *specials) next(data []byte, i int) int {
	for i < len(data) {
		if i < s.base || i >= s.end {
			s.fill(data, i)
		}
		if m := s.masks[(i-s.base)>>6] >> (uint(i) & 63); m != 0 {
			return i + bits.TrailingZeros64(m)
		}
		i = (i | 63) + 1
	}
	return len(data)
}

// fill classifies the window of data that holds offset i.
func (s *specials) fill(data []byte, i int) {
	base := i &^ 63
	end := min(base+specWords*64, len(data))
	full := (end - base) / 64
	if full > 0 {
		specialMasks(s.masks[:full], data[base:base+full*64])
	}
	if tail := data[base+full*64 : end]; len(tail) > 0 {
		var m uint64
		for k, c := range tail {
			if !strSafe[c] {
				m |= 1 << k
			}
		}
		s.masks[full] = m
	}
	s.base, s.end = base, end
}

// scanString is the package's scanString with the parser's classified
// window.
func (p *parser) scanString(i int) (int, bool, error) {
	data := p.data
	start := i
	i++
	// Most strings end in the classified window where they start, in the
	// mask word where they start or the next few: no call.
	if s := &p.spec; i >= s.base && i < s.end {
		w := (i - s.base) >> 6
		m := s.masks[w&(specWords-1)] >> (uint(i) & 63)
		j := i
		for m == 0 && w+1 < specWords && s.base+(w+1)*64 < s.end {
			w++
			m, j = s.masks[w], s.base+w*64
		}
		if m != 0 {
			if j += bits.TrailingZeros64(m); j < len(data) && data[j] == '"' {
				return j + 1, false, nil
			}
		}
	}
	esc := false
	for {
		next, done, err := stringSpecial(data, start, p.spec.next(data, i))
		if done || err != nil {
			return next, esc, err
		}
		esc, i = true, next
	}
}

// quickEnd is scanString's first step, small enough to inline: the offset
// past the closing quote of the string whose contents start at data[i],
// when that quote is in the same mask word and nothing before it needs
// attention; otherwise -1.
func (p *parser) quickEnd(i int) int {
	if s := &p.spec; i >= s.base && i < s.end {
		if m := s.masks[((i-s.base)>>6)&(specWords-1)] >> (uint(i) & 63); m != 0 {
			if j := i + bits.TrailingZeros64(m); j < len(p.data) && p.data[j] == '"' {
				return j + 1
			}
		}
	}
	return -1
}
