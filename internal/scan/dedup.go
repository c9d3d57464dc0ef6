package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// idKey is the de-duplication key of an eventID: the 16 bytes of a UUID, or
// the first 16 bytes of the SHA-256 of any other string. 16 bytes a key keeps
// the set within the memory budget of SPEC 10 (32 bytes per unique event).
type idKey [16]byte

func makeKey(id []byte) idKey {
	var k idKey
	if len(id) == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-' {
		var hexb [32]byte
		j := 0
		for i, c := range id {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				continue
			}
			if c >= 'A' && c <= 'F' {
				c += 'a' - 'A'
			}
			hexb[j] = c
			j++
		}
		if _, err := hex.Decode(k[:], hexb[:]); err == nil {
			return k // a UUID, case-insensitively: lossless
		}
	}
	sum := sha256.Sum256(append([]byte("eventID:"), id...))
	copy(k[:], sum[:16])
	return k
}

const dedupShards = 64

// dedupSet is a concurrent set of eventIDs.
type dedupSet struct {
	shards [dedupShards]struct {
		sync.Mutex
		m map[idKey]struct{}
	}
}

func newDedupSet() *dedupSet {
	s := &dedupSet{}
	for i := range s.shards {
		s.shards[i].m = make(map[idKey]struct{})
	}
	return s
}

// firstSeen records id and reports whether it was new.
func (s *dedupSet) firstSeen(id []byte) bool {
	k := makeKey(id)
	// k[3] varies with the time in a version-1 UUID, k[15] with the node;
	// both are random in version 4 and in hashed keys.
	sh := &s.shards[(k[3]^k[15])%dedupShards]
	sh.Lock()
	// One assignment, not a lookup then an insert: the set outgrows the
	// caches, and each probe of it is a memory access.
	n := len(sh.m)
	sh.m[k] = struct{}{}
	added := len(sh.m) > n
	sh.Unlock()
	return added
}
