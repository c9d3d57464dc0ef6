package event

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// checkScanStrings holds the parser's string scan (on amd64 the classified
// window, elsewhere the portable loop) to the portable scanString at every
// quote of data: the same end, escape flag and error.
func checkScanStrings(t *testing.T, data []byte) {
	t.Helper()
	shared := parser{data: data} // one window across increasing offsets, as in a parse
	for i, c := range data {
		if c != '"' {
			continue
		}
		wantEnd, wantEsc, wantErr := scanString(data, i)
		fresh := parser{data: data}
		for _, p := range []*parser{&fresh, &shared} {
			end, esc, err := p.scanString(i)
			if end != wantEnd || esc != wantEsc || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("string at %d of %q: got %d, %v, %v; want %d, %v, %v", i, data, end, esc, err, wantEnd, wantEsc, wantErr)
			}
		}
	}
}

func TestParserScanStringAgrees(t *testing.T) { checkScanStringsRandom(t) }

// checkScanStringsRandom runs checkScanStrings on random inputs and on a
// few chosen ones.
func checkScanStringsRandom(t *testing.T) {
	t.Helper()
	// Strings across the 64-byte blocks and 512-byte windows, with every
	// kind of byte a scan stops at, near the end of the input too.
	alphabet := []byte("ab\"\\\x00\x1f\x20\x7f\xff/nu0")
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		size := rng.IntN(1200)
		data := make([]byte, size)
		for i := range data {
			if rng.IntN(8) == 0 {
				data[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				data[i] = byte('a' + rng.IntN(26))
			}
		}
		checkScanStrings(t, data)
	}
	long := make([]byte, 2000)
	for i := range long {
		long[i] = 'x'
	}
	long[0], long[1999] = '"', '"'
	checkScanStrings(t, long)
	checkScanStrings(t, []byte(`"\u00e9\"\\" "unterminated`))
}

func FuzzParserScanString(f *testing.F) {
	f.Add([]byte(`{"a":"b\"c","d\\":"\u0041"}`))
	f.Add([]byte("\"x\x01\""))
	f.Fuzz(func(t *testing.T, data []byte) { checkScanStrings(t, data) })
}
