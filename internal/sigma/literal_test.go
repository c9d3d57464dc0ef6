package sigma

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkLiteral holds literal.index to bytes.Index.
func checkLiteral(t *testing.T, lit, s []byte) {
	t.Helper()
	l := newLiteral(lit)
	if got, want := l.index(s), bytes.Index(s, lit); got != want {
		t.Fatalf("index of %q (rare byte %q) in %q: %d, want %d", lit, lit[l.rare], s, got, want)
	}
}

func TestLiteralIndexAgrees(t *testing.T) {
	arn := []byte("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0038/niaj.tanaka@example.com")
	for _, lit := range []string{":assumed-role/aws:", ":assumed-role/", "niaj.tanaka@example.com", "arn:", ".com", "a", "@", "Admin_0038/x"} {
		checkLiteral(t, []byte(lit), arn)
	}
	// Random texts over a small alphabet give many partial matches, at
	// the start, the end and across the fallback to bytes.Index.
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("aab:-/Z@\x00é")
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range 20000 {
		s := text(rng.IntN(300))
		var lit []byte
		if len(s) > 0 && rng.IntN(2) == 0 {
			i := rng.IntN(len(s))
			lit = bytes.Clone(s[i : i+rng.IntN(min(40, len(s)-i)+1)])
		} else {
			lit = text(rng.IntN(8))
		}
		checkLiteral(t, lit, s)
	}
	// A rare byte that is everywhere in the text hands over to bytes.Index.
	checkLiteral(t, []byte(strings.Repeat("@", 30)+"x"), []byte(strings.Repeat("@", 5000)+"x"))
	checkLiteral(t, []byte("@@@@y"), bytes.Repeat([]byte("@@@@x"), 1000))
}

// TestLiteralAnchorsOnRareByte: the search starts from a byte that is rare
// in CloudTrail values, not from the first one.
func TestLiteralAnchorsOnRareByte(t *testing.T) {
	for lit, want := range map[string]byte{":assumed-role/aws:": '/', "eventname": 'v', "s3 browser": 'b', "$aws_container": '$'} {
		if l := newLiteral([]byte(lit)); l.b[l.rare] != want {
			t.Errorf("%q anchors on %q, want %q", lit, l.b[l.rare], want)
		}
	}
}

func FuzzLiteralIndex(f *testing.F) {
	f.Add([]byte(":assumed-role/aws:"), []byte("arn:aws:sts::1:assumed-role/aws:x"))
	f.Add([]byte("ab"), []byte("aaaaaaaaaaaaaaaaaaaaab"))
	f.Fuzz(func(t *testing.T, lit, s []byte) { checkLiteral(t, lit, s) })
}
