package event

import "math/bits"

// The root object of a CloudTrail event is read many times per event (the
// summary, de-duplication, every rule's fields, alert grouping), and each
// Get on it would compare keys one by one. CloudTrail's usual top-level
// keys have slots of their own (knownkeys.go). For any other key, rootIndex
// is a small open-addressing table over the root's members, built on the
// first Get that needs it, so that later lookups cost one hash and, as a
// rule, one key comparison.

// rootMinMembers is the smallest root object worth indexing: below it a
// linear scan is as cheap as building the table.
const rootMinMembers = 8

// maxRootTable bounds the table (a root with more than half as many members
// is searched linearly).
const maxRootTable = 256

type rootState uint8

const (
	rootUnindexed rootState = iota // not built for the current parse
	rootIndexed                    // tab is valid
	rootLinear                     // not worth it or not possible: use Get's scan
)

type rootIndex struct {
	state rootState
	mask  uint32
	tab   []int32 // node index + 1 of the member with each key; 0 is empty
}

// keyHash mixes a key's length with its first and last eight bytes (all
// of a shorter key). A hash of a few bytes would not do: eventName,
// eventTime and eventType share their length, first, middle and last
// bytes. The table is filled from key bytes and searched with strings.
func keyHash[K []byte | string](k K) uint32 {
	n := len(k)
	var a, b uint64
	if n >= 8 {
		a = le64(k)
		b = le64(k[n-8:])
	} else {
		for i := range n {
			a |= uint64(k[i]) << (8 * i)
		}
	}
	return mixKey(a, b, n)
}

// le64 reads eight bytes little-endian (the compiler turns it into one load).
func le64[K []byte | string](k K) uint64 {
	_ = k[7]
	return uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
		uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
}

func mixKey(a, b uint64, n int) uint32 {
	h := (a*0x9E3779B97F4A7C15 ^ bits.RotateLeft64(b*0xC2B2AE3D27D4EB4F, 31)) + uint64(n)
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	return uint32(h >> 32)
}

// build indexes the root object's members. Keys with escapes make the
// object fall back to the linear scan, which compares decoded keys.
func (ri *rootIndex) build(d *Doc) {
	root := &d.nodes[0]
	if root.kind != Object || root.count < rootMinMembers || 2*int(root.count) > maxRootTable {
		ri.state = rootLinear
		return
	}
	size := 16
	for size < 2*int(root.count) {
		size *= 2
	}
	if cap(ri.tab) < size {
		ri.tab = make([]int32, size)
	}
	ri.tab = ri.tab[:size]
	clear(ri.tab)
	ri.mask = uint32(size - 1)
	j := int32(1)
	for c := root.count; c > 0; c-- {
		n := &d.nodes[j]
		if n.keyEscaped {
			ri.state = rootLinear
			return
		}
		k := d.raw[n.keyStart:n.keyEnd]
		for h := keyHash(k) & ri.mask; ; h = (h + 1) & ri.mask {
			e := ri.tab[h]
			if e == 0 {
				ri.tab[h] = j + 1
				break
			}
			o := &d.nodes[e-1]
			if string(d.raw[o.keyStart:o.keyEnd]) == string(k) {
				ri.tab[h] = j + 1 // a repeated key: the last one wins, as in Get
				break
			}
		}
		j = n.next
	}
	ri.state = rootIndexed
}

// rootIndexed builds the root index if it is not built yet and reports
// whether lookups can use it (otherwise Get scans the members).
func (d *Doc) rootIndexed() bool {
	if d.root.state == rootUnindexed {
		d.root.build(d)
	}
	return d.root.state == rootIndexed
}

// rootLookup finds key among the root's members; the root must be indexed.
func (d *Doc) rootLookup(key string) Value {
	ri := &d.root
	for h := keyHash(key) & ri.mask; ; h = (h + 1) & ri.mask {
		e := ri.tab[h]
		if e == 0 {
			return Value{}
		}
		n := &d.nodes[e-1]
		if string(d.raw[n.keyStart:n.keyEnd]) == key {
			return Value{d, e - 1}
		}
	}
}
