package sigma

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestFoldIntoAgreesWithToLower checks the eight-bytes-at-a-time fold
// against bytes.ToLower on every ASCII byte in every position, on mixed
// strings and on non-ASCII text, appending to a non-empty buffer.
func TestFoldIntoAgreesWithToLower(t *testing.T) {
	check := func(v []byte) {
		t.Helper()
		prefix := []byte("keep:")
		got := foldInto(append([]byte(nil), prefix...), v)
		want := append(append([]byte(nil), prefix...), bytes.ToLower(v)...)
		if !bytes.Equal(got, want) {
			t.Fatalf("foldInto(%q) = %q, want %q", v, got[len(prefix):], want[len(prefix):])
		}
	}
	for c := 0; c < 128; c++ {
		for pos := 0; pos < 17; pos++ {
			v := bytes.Repeat([]byte{'x'}, 17)
			v[pos] = byte(c)
			check(v)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 2000; i++ {
		v := make([]byte, rng.IntN(40))
		for j := range v {
			v[j] = byte(rng.IntN(128))
		}
		check(v)
	}
	for _, s := range []string{"ConsoleLogin", "AWS Internal", "ÉVÉNEMENT-Login", "aws-cli/2.15 Python/3.11 İstanbul", "K\u212aLVIN", ""} {
		check([]byte(s))
	}
}

func FuzzFoldInto(f *testing.F) {
	f.Add([]byte("GetSigninToken"))
	f.Add([]byte("ÀB\xffC"))
	f.Fuzz(func(t *testing.T, v []byte) {
		if got, want := foldInto([]byte("p"), v), append([]byte("p"), bytes.ToLower(v)...); !bytes.Equal(got, want) {
			t.Fatalf("foldInto(%q) = %q, want %q", v, got, want)
		}
	})
}
