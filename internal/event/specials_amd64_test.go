//go:build !purego

package event

import (
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// referenceMasks is what specialMasks computes, a byte at a time.
func referenceMasks(src []byte, words int) []uint64 {
	out := make([]uint64, words)
	for k, c := range src[:64*words] {
		if !strSafe[c] {
			out[k/64] |= 1 << (k % 64)
		}
	}
	return out
}

// TestSpecialMasksClassifiers holds both classifiers in assembly (AVX2 only
// where the CPU has it) to the byte-at-a-time reference, on every byte
// value at every position of a block and on random blocks.
func TestSpecialMasksClassifiers(t *testing.T) {
	impls := map[string]func([]uint64, []byte){"sse2": specialMasksSSE2}
	if cpu.X86.HasAVX2 {
		impls["avx2"] = specialMasksAVX2
	} else {
		t.Log("no AVX2 on this CPU: only the SSE2 classifier is checked")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var cases [][]byte
	for c := range 256 {
		for _, pos := range []int{0, 15, 16, 31, 32, 33, 47, 63} {
			b := make([]byte, 64)
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			cases = append(cases, b)
		}
	}
	for range 2000 {
		b := make([]byte, 64*(1+rng.IntN(specWords)))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, b)
	}
	for name, f := range impls {
		for _, src := range cases {
			words := len(src) / 64
			got := make([]uint64, words)
			f(got, src)
			want := referenceMasks(src, words)
			for w := range want {
				if got[w] != want[w] {
					t.Fatalf("%s: word %d of %q: mask %064b, want %064b", name, w, src, got[w], want[w])
				}
			}
		}
	}
}

// TestParserWithEachClassifier runs the string-scan agreement test with the
// parser's classifier switched to SSE2 (and back to AVX2 where available),
// so both feed the parser's fast paths.
func TestParserWithEachClassifier(t *testing.T) {
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, avx := range []bool{false, true} {
		if avx && !cpu.X86.HasAVX2 {
			continue
		}
		useAVX2 = avx
		checkScanStringsRandom(t)
	}
}

// TestAVX2ClassifierIsAllVEX reads the AVX2 classifier's assembly and fails
// on any legacy SSE instruction naming an X register: once a VPBROADCASTB
// has dirtied the upper halves of the Y registers, each one pays an SSE/AVX
// transition, which made the classifier ten times slower than SSE2 (a
// MOVQ AX, X2 between two broadcasts did it) without changing its output.
func TestAVX2ClassifierIsAllVEX(t *testing.T) {
	src, err := os.ReadFile("specials_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	// The function and the macro it uses, CLASSIFY32, defined before it.
	text := string(src)
	from, to := strings.Index(text, "#define CLASSIFY32"), strings.Index(text, "TEXT ·specialMasksAVX2(SB)")
	if from < 0 || to < 0 {
		t.Fatal("CLASSIFY32 or specialMasksAVX2 not found in specials_amd64.s")
	}
	if end := strings.Index(text[to+1:], "\nTEXT "); end >= 0 {
		text = text[:to+1+end]
	}
	registers := regexp.MustCompile(`\b[XY](1[0-5]|[0-9])\b`)
	checked := 0
	first := strings.Count(text[:from], "\n")
	for n, line := range strings.Split(text, "\n") {
		if n < first {
			continue
		}
		fields := strings.Fields(strings.TrimSuffix(strings.TrimSpace(line), `\`))
		if len(fields) < 2 || strings.HasPrefix(fields[0], "//") || !registers.MatchString(strings.Join(fields[1:], " ")) {
			continue
		}
		checked++
		if !strings.HasPrefix(fields[0], "V") {
			t.Errorf("specials_amd64.s:%d: %s is a legacy SSE instruction in the AVX2 classifier; use its VEX form", n+1, fields[0])
		}
	}
	if checked < 10 {
		t.Fatalf("only %d vector instructions found: the test no longer reads the classifier", checked)
	}
}
