package gen

import "math/rand/v2"

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base32Key  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base64Set  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	digits     = "0123456789"
)

// randFrom returns n characters drawn from set.
func randFrom(r *rand.Rand, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

// uuid returns a random version-4 UUID in lower-case hex.
func uuid(r *rand.Rand) string {
	var b [36]byte
	hi, lo := r.Uint64(), r.Uint64()
	j := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		var nib uint64
		if i < 16 {
			nib = hi >> (60 - 4*uint(i)) & 0xf
		} else {
			nib = lo >> (60 - 4*uint(i-16)) & 0xf
		}
		switch i {
		case 12:
			nib = 4
		case 16:
			nib = 8 | nib&3
		}
		b[j] = hexDigits[nib]
		j++
	}
	return string(b[:])
}

// hexStr returns n random lower-case hex digits.
func hexStr(r *rand.Rand, n int) string { return randFrom(r, hexDigits, n) }

// accessKey returns an access key id with the given prefix (AKIA, ASIA) and
// the account-specific fragment used by AWS to encode the account.
func accessKey(r *rand.Rand, prefix, acctFrag string) string {
	return prefix + acctFrag + randFrom(r, base32Key, 16-len(acctFrag))
}

// uniqueID returns an IAM unique id (AIDA..., AROA...) for an account.
func uniqueID(r *rand.Rand, prefix, acctFrag string) string {
	return prefix + acctFrag + randFrom(r, base32Key, 17-len(acctFrag))
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks an index with probability proportional to w[i].
type weighted struct {
	cum   []int
	total int
}

func newWeighted(w []int) weighted {
	c := make([]int, len(w))
	t := 0
	for i, x := range w {
		t += x
		c[i] = t
	}
	return weighted{cum: c, total: t}
}

func (wt weighted) pick(r *rand.Rand) int {
	x := r.IntN(wt.total)
	lo, hi := 0, len(wt.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if wt.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
