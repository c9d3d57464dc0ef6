package scan

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/signwatch/signwatch/internal/alert"
)

// TestPermute checks the in-place permutation against building the
// permuted slice, on random permutations with cycles of every length.
func TestPermute(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 40 {
		for range 20 {
			alerts := make([]alert.Alert, n)
			for i := range alerts {
				alerts[i].Summary = strconv.Itoa(i)
			}
			idx := rng.Perm(n)
			want := make([]string, n)
			for i, j := range idx {
				want[i] = alerts[j].Summary
			}
			permute(alerts, idx)
			for i := range alerts {
				if alerts[i].Summary != want[i] {
					t.Fatalf("n=%d: position %d holds alert %s, want %s", n, i, alerts[i].Summary, want[i])
				}
			}
		}
	}
}
