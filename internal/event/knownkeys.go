package event

import (
	"encoding/binary"
	"math/bits"
)

// Every event's root object is asked for the same dozens of members (the
// decoder's, the summary's, de-duplication's, grouping's, the rules'). On
// the first such lookup, one pass over the root's members notes where the
// members with CloudTrail's usual top-level keys are. Each of those keys
// has a slot, found by a hash chosen at start-up so that no two of them
// share a bucket, and confirmed by comparing the key's words. A lookup by
// Key of a known key is then one array read. When every member of the root
// has a known key, any other key is absent (Get answers at once); otherwise
// other keys, and roots with a key written with escapes, are looked up
// through the root index.

// knownRootKeys are the names the bucket hash keeps apart: the top-level
// members of CloudTrail events and of the envelopes the decoder recognizes.
var knownRootKeys = [...]string{
	"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
	"sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID",
	"eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId",
	"eventCategory", "tlsDetails", "additionalEventData", "errorCode", "errorMessage",
	"resources", "sessionCredentialFromConsole", "serviceEventDetails", "apiVersion",
	"sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "insightDetails", "addendum",
	"edgeDeviceDetails", "annotation", "@timestamp",
	"Records", "detail-type", "detail", "messageType", "logEvents", "records", "requestId",
	"digestStartTime", "digestEndTime", "digestPublicKeyFingerprint", "digestSignatureAlgorithm",
	"digestS3Bucket", "digestS3Object", "previousDigestSignature",
}

// numBuckets is the number of buckets of the known keys' hash (bucketHash
// keeps the top 8 bits of its product).
const numBuckets = 256

// bucketMul is the multiplier of the bucket hash: the first in a fixed
// sequence under which the known keys have distinct buckets.
var bucketMul = findBucketMul(knownRootKeys[:])

// findBucketMul searches a fixed sequence of odd multipliers (splitmix64
// from a fixed seed) for one that gives keys distinct buckets. For 47 keys
// in 256 buckets about one in 70 does.
func findBucketMul(keys []string) uint64 {
	state := uint64(0x5157_4e41_4d45_5321)
	var used [numBuckets]bool
	for range 1 << 20 {
		state += 0x9E3779B97F4A7C15
		z := state
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		mul := (z ^ z>>31) | 1
		clear(used[:])
		ok := true
		for _, k := range keys {
			a, b := keyWords(k)
			h := bucketHash(a, b, len(k), mul)
			if used[h] {
				ok = false
				break
			}
			used[h] = true
		}
		if ok {
			return mul
		}
	}
	panic("event: no bucket multiplier separates the known root keys")
}

// keyWords returns a key's first and last eight bytes (little-endian; a
// shorter key's bytes, zero-padded, twice). Together with the length they
// are the whole key when it is at most 16 bytes long.
func keyWords[K []byte | string](k K) (a, b uint64) {
	if len(k) >= 8 {
		return le64(k), le64(k[len(k)-8:])
	}
	for i := range len(k) {
		a |= uint64(k[i]) << (8 * i)
	}
	return a, a
}

func bucketHash(a, b uint64, n int, mul uint64) uint8 {
	return uint8((a ^ bits.RotateLeft64(b, 29) ^ uint64(n)) * mul >> 56)
}

// The known keys' slots are their index in knownRootKeys plus one (slot 0
// is no key): knownBucket maps a bucket to its slot, knownWords holds each
// slot's key words and length (slot 0's length matches no key).
var knownBucket, knownWords = func() (t [numBuckets]uint8, w [numKnown + 1]keyID) {
	w[0].n = -1
	for i, k := range knownRootKeys {
		id := idOf(k)
		t[bucketHash(id.a, id.b, id.n, bucketMul)] = uint8(i + 1)
		w[i+1] = id
	}
	return t, w
}()

const numKnown = len(knownRootKeys)

// keyID is what compares a key quickly: its first and last eight bytes and
// its length (all of it when it is at most 16 bytes long).
type keyID struct {
	a, b uint64
	n    int
}

func idOf[K []byte | string](k K) keyID {
	a, b := keyWords(k)
	return keyID{a, b, len(k)}
}

// knownSlot returns the slot of k, or 0 when it is not a known key.
func knownSlot[K []byte | string](k K) uint8 {
	id := idOf(k)
	s := knownBucket[bucketHash(id.a, id.b, id.n, bucketMul)]
	if w := knownWords[s]; w != id || id.n > 16 && string(k[8:id.n-8]) != knownRootKeys[s-1][8:id.n-8] {
		return 0
	}
	return s
}

// Key is a member name prepared for lookups in events' root objects
// (GetKey, Fields): a known key's slot.
type Key struct {
	name string
	slot uint8
}

// NewKey prepares name. Make Keys once (package variables) and reuse them.
func NewKey(name string) Key { return Key{name, knownSlot(name)} }

// NewKeys prepares several names.
func NewKeys(names ...string) []Key {
	keys := make([]Key, len(names))
	for i, n := range names {
		keys[i] = NewKey(n)
	}
	return keys
}

// Name returns the member name k looks up.
func (k Key) Name() string { return k.name }

// GetKey is Get(k.Name()).
func (v Value) GetKey(k Key) Value {
	if d := v.d; d != nil && v.i == 0 && k.slot != 0 && d.knownState == knownPlain {
		// known is complete (all zero when the root is not an object, in
		// which Get finds nothing either).
		if e := d.known[k.slot]; e != 0 {
			return Value{d, e - 1}
		}
		return Value{}
	}
	return v.getKeySlow(k)
}

func (v Value) getKeySlow(k Key) Value {
	if d := v.d; d != nil && v.i == 0 && k.slot != 0 && d.knownState == knownUnbuilt {
		d.buildKnown()
		return v.GetKey(k)
	}
	return v.Get(k.name)
}

// The states of a Doc's known-key slots.
const (
	knownUnbuilt uint8 = iota // not built for the current parse
	knownPlain                // built: known is complete
	knownEscaped              // a root key has an escape: known is not used
)

// RootKeysPlain reports whether no member key of the root object is
// written with an escape: GetKey then finds the members whose keys are
// written exactly as asked for.
func (d *Doc) RootKeysPlain() bool {
	if d.knownState == knownUnbuilt {
		d.buildKnown()
	}
	return d.knownState == knownPlain
}

// buildKnown records where the root's members with known keys are (the
// last one of a repeated key, as Get finds).
func (d *Doc) buildKnown() {
	clear(d.known[:])
	d.knownState, d.knownAll = knownPlain, true
	if len(d.nodes) == 0 || d.nodes[0].kind != Object {
		return
	}
	j := int32(1)
	for c := d.nodes[0].count; c > 0; c-- {
		n := &d.nodes[j]
		if n.keyEscaped {
			d.knownState = knownEscaped
			return
		}
		// knownSlot, written out for this per-event loop.
		k := d.raw[n.keyStart:n.keyEnd]
		var s uint8
		if len(k) >= 8 {
			a, b := binary.LittleEndian.Uint64(k), binary.LittleEndian.Uint64(k[len(k)-8:])
			s = knownBucket[bucketHash(a, b, len(k), bucketMul)]
			if w := &knownWords[s]; w.a != a || w.b != b || w.n != len(k) ||
				len(k) > 16 && string(k[8:len(k)-8]) != knownRootKeys[s-1][8:len(k)-8] {
				s = 0
			}
		} else {
			s = knownSlot(k)
		}
		if s != 0 {
			d.known[s] = j + 1
		} else {
			d.knownAll = false
		}
		j = n.next
	}
}
