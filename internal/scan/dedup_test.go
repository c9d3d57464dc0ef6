package scan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// TestDedupSetAgreesWithMap checks the set against a map of strings over
// UUIDs (upper and lower case), the all-zero UUID, version-1 UUIDs that
// differ in few bytes, and ids that are not UUIDs, across many growths.
func TestDedupSetAgreesWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := newDedupSet()
	seen := map[string]bool{}
	var ids []string
	for i := 0; i < 200000; i++ {
		var id string
		switch rng.IntN(6) {
		case 0:
			id = "00000000-0000-0000-0000-000000000000"
		case 1:
			id = fmt.Sprintf("%08x-1dd2-11b2-8000-00155d000001", rng.IntN(50000)) // version 1, one node
		case 2:
			id = fmt.Sprintf("req-%d", rng.IntN(50000))
		case 3:
			if len(ids) > 0 {
				id = ids[rng.IntN(len(ids))] // a repeat
				break
			}
			fallthrough
		default:
			id = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1))
		}
		ids = append(ids, id)
		key := string(makeKey([]byte(id)).canonical())
		want := !seen[key]
		seen[key] = true
		if got := s.firstSeen([]byte(id)); got != want {
			t.Fatalf("id %d %q: firstSeen %v, want %v", i, id, got, want)
		}
	}
	if got := s.firstSeen([]byte("00000000-0000-0000-0000-000000000000")); got {
		t.Fatal("the all-zero UUID was forgotten")
	}
	if !s.firstSeen([]byte("never-seen")) || s.firstSeen([]byte("never-seen")) {
		t.Fatal("a new id")
	}
	// Upper-case UUIDs are the same event.
	if s.firstSeen([]byte("ABCDEF01-2345-4678-89AB-CDEF01234567")) != true || s.firstSeen([]byte("abcdef01-2345-4678-89ab-cdef01234567")) {
		t.Fatal("UUIDs compare case-insensitively")
	}
}

func (k idKey) canonical() []byte { b := k.bytes(); return b[:] }

// TestDedupSetConcurrent inserts overlapping ids from several goroutines:
// each id must be reported new exactly once.
func TestDedupSetConcurrent(t *testing.T) {
	s := newDedupSet()
	var mu sync.Mutex
	news := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				id := fmt.Sprintf("id-%d", (i*7+g*5000)%30000)
				if g%2 == 0 {
					// As the scan does: prefetch (no lock) while
					// other goroutines insert and grow the tables.
					s.prefetch(makeKey([]byte(id)).hash())
				}
				if s.firstSeen([]byte(id)) {
					mu.Lock()
					news[id]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for id, n := range news {
		if n != 1 {
			t.Fatalf("%s reported new %d times", id, n)
		}
	}
	if len(news) != 30000 {
		t.Fatalf("%d distinct ids reported new, want 30000", len(news))
	}
}

// TestDedupPrefetchFollowsGrowth checks that what prefetch reads without
// the lock (each table's address and mask) follows the table as it grows:
// a stale address would make every prefetch useless.
func TestDedupPrefetchFollowsGrowth(t *testing.T) {
	s := newDedupSet()
	for i := range 200000 {
		s.firstSeen(fmt.Appendf(nil, "id-%d", i))
	}
	for i := range s.shards {
		sh := &s.shards[i]
		if len(sh.slots) <= 1024 {
			t.Fatalf("shard %d did not grow (%d slots): the test needs more ids", i, len(sh.slots))
		}
		if got, want := sh.base.Load(), uintptr(unsafe.Pointer(&sh.slots[0])); got != want {
			t.Errorf("shard %d: prefetch base %#x, table at %#x", i, got, want)
		}
		if got, want := sh.mask.Load(), uint64(len(sh.slots)-1); got != want {
			t.Errorf("shard %d: prefetch mask %#x, want %#x", i, got, want)
		}
	}
}

func BenchmarkDedupSet(b *testing.B) {
	ids := make([][]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range ids {
		ids[i] = fmt.Appendf(nil, "%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1))
	}
	b.ResetTimer()
	s := newDedupSet()
	for i := 0; i < b.N; i++ {
		if i%len(ids) == 0 && i > 0 {
			s = newDedupSet()
		}
		s.firstSeen(ids[i%len(ids)])
	}
}

// TestMakeKeyUUID checks the UUID fast path against encoding/hex, and that
// strings that only look like UUIDs are hashed instead.
func TestMakeKeyUUID(t *testing.T) {
	id := "3038ebd2-c98a-4c65-9b6e-e22506292313"
	want, _ := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if k := makeKey([]byte(id)); string(k.canonical()) != string(want) {
		t.Fatalf("makeKey(%s) = %x, want %x", id, k, want)
	}
	if makeKey([]byte(strings.ToUpper(id))) != makeKey([]byte(id)) {
		t.Fatal("upper-case UUID differs")
	}
	for _, notUUID := range []string{"3038ebd2-c98a-4c65-9b6e-e2250629231g", "3038ebd2-c98a-4c65-9b6e-e2250629231 ", "3038ebd2xc98a-4c65-9b6e-e22506292313"} {
		if k := makeKey([]byte(notUUID)); string(k.canonical()) == string(want) || k == makeKey([]byte("other")) {
			t.Fatalf("%q: key %x", notUUID, k)
		}
		sum := sha256.Sum256([]byte("eventID:" + notUUID))
		if k := makeKey([]byte(notUUID)); string(k.canonical()) != string(sum[:16]) {
			t.Fatalf("%q: not hashed", notUUID)
		}
	}
}

// TestMakeKeyEveryDigit checks the UUID fast path on random UUIDs in mixed
// case against encoding/hex, and that a non-hex byte at any digit position
// sends the id to the hash.
func TestMakeKeyEveryDigit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const digits = "0123456789abcdefABCDEF"
	for range 200 {
		raw := make([]byte, 16)
		for i := range raw {
			raw[i] = byte(rng.IntN(256))
		}
		h := []byte(hex.EncodeToString(raw))
		for i := range h {
			if rng.IntN(2) == 0 {
				h[i] = bytes.ToUpper(h[i : i+1])[0]
			}
		}
		id := string(h[0:8]) + "-" + string(h[8:12]) + "-" + string(h[12:16]) + "-" + string(h[16:20]) + "-" + string(h[20:32])
		if k := makeKey([]byte(id)); string(k.canonical()) != string(raw) {
			t.Fatalf("makeKey(%s) = %x, want %x", id, k, raw)
		}
		for pos := range len(id) {
			if id[pos] == '-' {
				continue
			}
			bad := []byte(id)
			bad[pos] = "g-x /Z"[rng.IntN(6)]
			if strings.ContainsRune(digits, rune(bad[pos])) {
				continue
			}
			sum := sha256.Sum256(append([]byte("eventID:"), bad...))
			if k := makeKey(bad); string(k.canonical()) != string(sum[:16]) {
				t.Fatalf("%s: not hashed", bad)
			}
		}
	}
}
