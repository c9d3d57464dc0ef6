package scan

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// idKey is the de-duplication key of an eventID: the 16 bytes of a UUID, or
// the first 16 bytes of the SHA-256 of any other string. 16 bytes a key keeps
// the set within the memory budget of SPEC 10 (32 bytes per unique event).
// The bytes are held as two little-endian words, built in registers: a key
// written a byte at a time and then read a word at a time (to hash and to
// compare it) made each read wait for the sixteen byte stores to retire,
// since the CPU cannot forward several narrow stores to one wide load.
type idKey struct{ lo, hi uint64 }

// bytes returns the key's 16 bytes.
func (k idKey) bytes() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], k.lo)
	binary.LittleEndian.PutUint64(b[8:], k.hi)
	return b
}

func makeKey(id []byte) idKey {
	if len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' {
		if k, ok := uuidKey((*[36]byte)(id)); ok {
			return k // a UUID, case-insensitively: lossless
		}
	}
	sum := sha256.Sum256(append([]byte("eventID:"), id...))
	return idKey{binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])}
}

// uuidKey decodes the 32 hex digits of a UUID, written out with constant
// offsets so that no index is checked; ok is false if one is not a hex
// digit. Byte j of the key (the digits' j-th pair) is byte j%8 of word j/8.
func uuidKey(u *[36]byte) (k idKey, ok bool) {
	var bad byte
	pair := func(i int) uint64 {
		hi, lo := hexVal[u[i]], hexVal[u[i+1]]
		bad |= hi | lo
		return uint64(hi<<4 | lo&0x0f)
	}
	k.lo = pair(0) | pair(2)<<8 | pair(4)<<16 | pair(6)<<24 |
		pair(9)<<32 | pair(11)<<40 | pair(14)<<48 | pair(16)<<56
	k.hi = pair(19) | pair(21)<<8 | pair(24)<<16 | pair(26)<<24 |
		pair(28)<<32 | pair(30)<<40 | pair(32)<<48 | pair(34)<<56
	return k, bad&0xf0 == 0
}

// hexVal maps a hex digit (either case) to its value and anything else to
// 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// dedupShardBits sets the number of shards; the top bits of a key's hash
// pick its shard and the low bits its slot, so the two stay independent.
const (
	dedupShardBits = 6
	dedupShards    = 1 << dedupShardBits
)

// dedupSet is a concurrent set of eventIDs: shards, each an open-addressing
// table of 16-byte keys. A Go map would do, but the set outgrows the CPU
// caches within a few hundred thousand events, and there each lookup of a
// map costs two or three cache misses (its control word, then the slot),
// where a flat table of keys costs one.
type dedupSet struct {
	shards [dedupShards]dedupShard
}

// dedupShard is one lock and its table, padded to two cache lines so that
// workers locking different shards never write to the same line.
type dedupShard struct {
	sync.Mutex
	idTable
	_ [128 - unsafe.Sizeof(sync.Mutex{}) - unsafe.Sizeof(idTable{})]byte
}

func newDedupSet() *dedupSet { return &dedupSet{} }

// firstSeen records id and reports whether it was new.
func (s *dedupSet) firstSeen(id []byte) bool {
	k := makeKey(id)
	return s.add(k, k.hash())
}

// add records the key k, whose hash is h, and reports whether it was new.
func (s *dedupSet) add(k idKey, h uint64) bool {
	sh := &s.shards[h>>(64-dedupShardBits)]
	sh.Lock()
	added := sh.insert(k, h)
	sh.Unlock()
	return added
}

// prefetch starts loading the slot where the key with hash h would go, so
// that an add some work later does not wait for memory: past a few hundred
// thousand events, the table outgrows the CPU caches and each add costs a
// cache miss. It reads the shard's table without its lock (atomically): a
// table replaced meanwhile only makes the prefetch useless.
func (s *dedupSet) prefetch(h uint64) {
	sh := &s.shards[h>>(64-dedupShardBits)]
	if base := sh.base.Load(); base != 0 {
		prefetch(base + uintptr(h&sh.mask.Load())*unsafe.Sizeof(idKey{}))
	}
}

// hash mixes the key's two halves: UUIDs of other versions than 4 have
// fixed or slowly changing bytes.
func (k idKey) hash() uint64 {
	h := (k.lo ^ bits.RotateLeft64(k.hi, 29)) * 0x9E3779B97F4A7C15
	return h ^ h>>32
}

// idTable is a set of idKeys with linear probing. The all-zero key marks an
// empty slot, so its presence is kept apart.
type idTable struct {
	slots   []idKey
	n       int
	hasZero bool
	// base and mask are the address of slots[0] and len(slots)-1, for
	// prefetch, which does not take the lock.
	base atomic.Uintptr
	mask atomic.Uint64
}

// maxLoad is the fill (in eighths) at which the table doubles: after a
// doubling it is 7/16 full, so a key costs 16/(7/16) ≈ 37 bytes at worst
// and 16/(7/8) ≈ 18 at best.
const maxLoad = 7

func (t *idTable) insert(k idKey, h uint64) bool {
	if k == (idKey{}) {
		added := !t.hasZero
		t.hasZero = true
		return added
	}
	if 8*(t.n+1) > maxLoad*len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case k:
			return false
		case idKey{}:
			t.slots[i] = k
			t.n++
			return true
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	size := 2 * len(old)
	if size == 0 {
		size = 1024
	}
	t.slots = make([]idKey, size)
	mask := uint64(size - 1)
	t.base.Store(uintptr(unsafe.Pointer(&t.slots[0])))
	t.mask.Store(mask)
	for _, k := range old {
		if k == (idKey{}) {
			continue
		}
		for i := k.hash() & mask; ; i = (i + 1) & mask {
			if t.slots[i] == (idKey{}) {
				t.slots[i] = k
				break
			}
		}
	}
}
