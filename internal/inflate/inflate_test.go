package inflate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"

	"encoding/binary"
	"errors"
	"fmt"
	kgzip "github.com/klauspost/compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// reference decodes src with the streaming reader Gunzip replaces in
// signwatch, klauspost/compress's (all members). It differs from Go's own
// in one way: it rejects a header with a reserved flag set, as RFC 1952
// says a decoder should.
func reference(src []byte) ([]byte, error) {
	zr, err := kgzip.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func gz(t testing.TB, data []byte, level int, hdr gzip.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Header = hdr
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// samples are inputs of the kinds DEFLATE treats differently: random
// bytes (stored or literal-heavy blocks), long repeats (overlapping
// matches), and text like CloudTrail's (many matches of every length and
// distance, dynamic blocks).
func samples() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var text strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&text, `{"eventVersion":"1.08","eventTime":"2026-01-%02dT%02d:%02d:00Z","eventName":"%s","sourceIPAddress":"198.51.100.%d","requestID":"%08x"},`,
			1+i%28, i%24, i%60, []string{"ConsoleLogin", "GetObject", "AssumeRole", "PutObject"}[rng.IntN(4)], rng.IntN(256), rng.Uint32())
	}
	return map[string][]byte{
		"empty":  {},
		"one":    {'x'},
		"random": random,
		"zeros":  make([]byte, 200_000),
		"period": bytes.Repeat([]byte("abc"), 50_000),
		"text":   []byte(text.String()),
	}
}

func TestGunzipMatchesGo(t *testing.T) {
	for name, data := range samples() {
		for _, level := range []int{gzip.NoCompression, gzip.HuffmanOnly, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
			src := gz(t, data, level, gzip.Header{})
			got, err := Gunzip(nil, src, 1<<30)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s at level %d: %d bytes, error %v; want %d bytes", name, level, len(got), err, len(data))
			}
			// The same with an output buffer too small, and one too big.
			for _, c := range []int{1, len(data) + 100} {
				got, err = Gunzip(make([]byte, 7, max(7, c)), src, 1<<30)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s at level %d, buffer of %d: error %v", name, level, c, err)
				}
			}
		}
	}
}

func TestGunzipMembersAndHeaders(t *testing.T) {
	a, b := []byte(strings.Repeat("first member ", 500)), []byte("second member")
	src := append(gz(t, a, 6, gzip.Header{Name: "a.json", Comment: "c", Extra: []byte{1, 2, 3}}), gz(t, b, 1, gzip.Header{})...)
	got, err := Gunzip(nil, src, 1<<30)
	if err != nil || string(got) != string(a)+string(b) {
		t.Fatalf("two members: %q, %v", got, err)
	}
	// A header CRC (FHCRC), which Go's writer does not write.
	one := gz(t, b, 6, gzip.Header{})
	withCRC := append([]byte(nil), one[:10]...)
	withCRC[3] |= flagHdrCRC
	withCRC = binary.LittleEndian.AppendUint16(withCRC, uint16(crc32.ChecksumIEEE(withCRC)))
	withCRC = append(withCRC, one[10:]...)
	if got, err := Gunzip(nil, withCRC, 1<<30); err != nil || string(got) != string(b) {
		t.Fatalf("header CRC: %q, %v", got, err)
	}
	badCRC := append([]byte(nil), withCRC...)
	badCRC[10] ^= 1
	reserved := append([]byte(nil), one...)
	reserved[3] |= 1 << 5
	longName := gz(t, b, 6, gzip.Header{Name: strings.Repeat("n", maxHeaderString)})
	for name, tc := range map[string]struct {
		src  []byte
		want error
	}{
		"bad magic":          {append([]byte{0x1f, 0x8c}, one[2:]...), ErrHeader},
		"not deflate":        {append([]byte{0x1f, 0x8b, 7}, one[3:]...), ErrHeader},
		"bad header CRC":     {badCRC, ErrHeader},
		"reserved flag":      {reserved, ErrHeader},
		"name too long":      {longName, ErrHeader},
		"garbage after":      {append(append([]byte(nil), one...), "junk after the member"...), ErrHeader},
		"zeros after":        {append(append([]byte(nil), one...), make([]byte, 16)...), ErrHeader},
		"part of a header":   {append(append([]byte(nil), one...), 0x1f, 0x8b, 8, 0), io.ErrUnexpectedEOF},
		"short header":       {one[:5], io.ErrUnexpectedEOF},
		"no trailer":         {one[:len(one)-8], io.ErrUnexpectedEOF},
		"wrong CRC":          {flip(one, len(one)-8), ErrChecksum},
		"wrong size":         {flip(one, len(one)-1), ErrChecksum},
		"truncated in name":  {gz(t, b, 6, gzip.Header{Name: "name.json"})[:14], io.ErrUnexpectedEOF},
		"truncated in extra": {gz(t, b, 6, gzip.Header{Extra: []byte("extra")})[:13], io.ErrUnexpectedEOF},
	} {
		if _, err := Gunzip(nil, tc.src, 1<<30); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", name, err, tc.want)
		}
		if _, ref := reference(tc.src); ref == nil && tc.want != io.ErrUnexpectedEOF {
			t.Errorf("%s: the streaming reader accepts it", name)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}

// TestGunzipTruncated cuts a stream at every length: each gives
// io.ErrUnexpectedEOF and a prefix of the whole output, never bytes decoded
// from past the end.
func TestGunzipTruncated(t *testing.T) {
	data := samples()["text"][:20_000]
	for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.BestCompression} {
		src := gz(t, data, level, gzip.Header{Name: "x"})
		for n := range len(src) {
			got, err := Gunzip(nil, src[:n], 1<<30)
			if err != io.ErrUnexpectedEOF {
				t.Fatalf("level %d, cut at %d of %d: error %v", level, n, len(src), err)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("level %d, cut at %d: output is not a prefix of the data", level, n)
			}
		}
	}
}

// TestGunzipLimit holds the output to the limit: exactly limit bytes, the
// data's first, and ErrLimit; a limit the data fits is no error.
func TestGunzipLimit(t *testing.T) {
	for name, data := range samples() {
		for _, level := range []int{gzip.NoCompression, gzip.BestSpeed} {
			src := gz(t, data, level, gzip.Header{})
			for _, limit := range []int{0, 1, 1000, len(data) - 1, len(data)} {
				if limit < 0 {
					continue
				}
				got, err := Gunzip(nil, src, limit)
				want := error(nil)
				if limit < len(data) {
					want = ErrLimit
				}
				if err != want || !bytes.Equal(got, data[:min(limit, len(data))]) {
					t.Fatalf("%s, level %d, limit %d of %d: %d bytes, error %v", name, level, limit, len(data), len(got), err)
				}
			}
		}
	}
}

// TestInflateHandMade checks streams written by hand: the shortest fixed
// block, a stored block, invalid block types and codes.
func TestInflateHandMade(t *testing.T) {
	for name, tc := range map[string]struct {
		in      []byte
		out     string
		corrupt bool
	}{
		"empty fixed block":     {in: []byte{0x03, 0x00}},
		"stored block":          {in: []byte{0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, out: "abc"},
		"stored, bad NLEN":      {in: []byte{0x01, 0x03, 0x00, 0xfc, 0xfe, 'a', 'b', 'c'}, corrupt: true},
		"block type 3":          {in: []byte{0x07, 0x00}, corrupt: true},
		"distance before start": {in: fixedMatchAtStart(), corrupt: true},
	} {
		got, n, err := Inflate(nil, tc.in, 1<<20)
		var ce *CorruptError
		switch {
		case tc.corrupt && !errors.As(err, &ce):
			t.Errorf("%s: error %v, want a CorruptError", name, err)
		case !tc.corrupt && (err != nil || string(got) != tc.out || n != len(tc.in)):
			t.Errorf("%s: %q, %d bytes read, error %v", name, got, n, err)
		}
		if _, ref := io.ReadAll(flate.NewReader(bytes.NewReader(tc.in))); (ref != nil) != tc.corrupt {
			t.Errorf("%s: Go's inflater says %v", name, ref)
		}
	}
}

// fixedMatchAtStart is a final fixed-Huffman block whose first symbol is a
// match (length 3, distance 1) with no output before it.
func fixedMatchAtStart() []byte {
	var w bitWriter
	w.put(1, 1)             // final
	w.put(1, 2)             // fixed
	w.putCode(0b0000001, 7) // length symbol 257: length 3
	w.putCode(0b00000, 5)   // distance symbol 0: distance 1
	w.putCode(0, 7)         // end of block
	return w.bytes()
}

type bitWriter struct {
	out []byte
	n   uint
}

// put writes the low n bits of v, least significant first.
func (w *bitWriter) put(v uint32, n uint) {
	for i := range n {
		if w.n%8 == 0 {
			w.out = append(w.out, 0)
		}
		w.out[len(w.out)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// putCode writes a Huffman code, most significant bit first.
func (w *bitWriter) putCode(code uint32, n uint) {
	for i := n; i > 0; i-- {
		w.put(code>>(i-1)&1, 1)
	}
}

func (w *bitWriter) bytes() []byte { return w.out }

// FuzzGunzip holds Gunzip to the streaming reader: whatever one decodes
// whole, the other decodes to the same bytes; Gunzip never panics; and
// whatever it returns with an error is a prefix of what the streaming
// reader reads.
func FuzzGunzip(f *testing.F) {
	for _, data := range samples() {
		for _, level := range []int{gzip.NoCompression, gzip.HuffmanOnly, gzip.BestSpeed, gzip.BestCompression} {
			src := gz(f, data[:min(len(data), 3000)], level, gzip.Header{Name: "n"})
			f.Add(src)
		}
	}
	// Blocks of every kind in one member: a flush after each chunk.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, chunk := range []string{"tiny", strings.Repeat("abcabcabd", 300), "x", string(samples()["text"][:4000])} {
		zw.Write([]byte(chunk))
		zw.Flush()
	}
	zw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := Gunzip(nil, src, 1<<20)
		want, ref := reference(src)
		if len(want) > 1<<20 {
			return // beyond the limit used here
		}
		switch {
		case err == nil && ref != nil:
			t.Fatalf("Gunzip accepts what the streaming reader rejects (%v)", ref)
		case err == nil && !bytes.Equal(got, want):
			t.Fatalf("Gunzip decodes %d bytes, the streaming reader %d", len(got), len(want))
		case ref == nil && err != nil && (err != io.ErrUnexpectedEOF || !bytes.Equal(got, want)):
			// The streaming reader takes a member header cut inside its
			// name or comment for a clean end, after the whole output;
			// nothing else may differ.
			t.Fatalf("the streaming reader decodes it whole, Gunzip gives %d bytes and %v", len(got), err)
		case err != nil && !bytes.HasPrefix(want, got) && !bytes.HasPrefix(got, want):
			t.Fatalf("Gunzip's partial output and the streaming reader's disagree")
		}
	})
}

// BenchmarkGunzip compares Gunzip with the streaming reader it replaces,
// both decoding CloudTrail-like text into a buffer that holds it.
func BenchmarkGunzip(b *testing.B) {
	data := samples()["text"]
	src := gz(b, data, gzip.DefaultCompression, gzip.Header{})
	out := make([]byte, 0, len(data)+1)
	b.Run("Gunzip", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Gunzip(out, src, 1<<30); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("streaming", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		zr, _ := kgzip.NewReader(bytes.NewReader(src))
		for b.Loop() {
			if err := zr.Reset(bytes.NewReader(src)); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(zr, out[:len(data)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFixedThenDynamic decodes a stream whose first block uses the fixed
// codes and whose next one defines its own, then a stream of fixed blocks
// only: building the dynamic block's tables must not write over the
// shared fixed ones.
func TestFixedThenDynamic(t *testing.T) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	fw.Write([]byte("tiny"))
	fw.Flush()
	text := samples()["text"][:50_000]
	fw.Write(text)
	fw.Close()
	mixed := append([]byte(nil), buf.Bytes()...)
	if mixed[0]>>1&3 != 1 {
		t.Fatalf("the first block is of type %d, not fixed: the test needs another writer", mixed[0]>>1&3)
	}
	for range 3 { // the pooled decoder keeps its tables from one stream to the next
		got, _, err := Inflate(nil, mixed, 1<<30)
		if err != nil || string(got) != "tiny"+string(text) {
			t.Fatalf("fixed then dynamic: %d bytes, %v", len(got), err)
		}
		buf.Reset()
		fw.Reset(&buf)
		fw.Write([]byte("fixed again, fixed again"))
		fw.Close()
		if got, _, err := Inflate(nil, buf.Bytes(), 1<<30); err != nil || string(got) != "fixed again, fixed again" {
			t.Fatalf("fixed after a dynamic block elsewhere: %q, %v", got, err)
		}
	}
	// Streams of many small blocks of every kind (a flush after each chunk
	// of a few random letters), decoded one after the other.
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		buf.Reset()
		fw.Reset(&buf)
		var want []byte
		for range 1 + rng.IntN(8) {
			chunk := make([]byte, 1+rng.IntN(3000))
			letters := 1 + rng.IntN(20)
			for i := range chunk {
				chunk[i] = byte('a' + rng.IntN(letters))
			}
			fw.Write(chunk)
			fw.Flush()
			want = append(want, chunk...)
		}
		fw.Close()
		if got, _, err := Inflate(nil, buf.Bytes(), 1<<30); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("blocks of every kind: %d bytes of %d, %v", len(got), len(want), err)
		}
	}
	// The shared fixed tables are still what building them gives.
	var lit, dist table
	lit.build(fixedLens(288, 0), litBits, alphaLit)
	dist.build(fixedLens(32, 5), distBits, alphaDist)
	if !slices.Equal(lit.entries, fixedLit.entries) || !slices.Equal(dist.entries, fixedDist.entries) {
		t.Fatal("the fixed tables were written over")
	}
}
