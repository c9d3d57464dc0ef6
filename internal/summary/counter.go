package summary

import (
	"bytes"
	"sort"
)

// Entry is one key of a Counter with its count.
type Entry struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Counter counts occurrences of keys with bounded memory. It tracks at most
// Cap distinct keys; when a new key would exceed the cap, the keys with a
// count at or below the median are dropped (their occurrences are added to
// Dropped and the keys to DroppedKeys), so frequent keys survive and the
// top of the ranking stays right while memory stays flat. Counts of keys
// that were dropped and came back are lower bounds; Exact reports whether
// any pruning happened.
type Counter struct {
	m           map[string]*int64
	cap         int
	dropped     int64
	droppedKeys int64
	// The last key counted and its count: consecutive events of one
	// delivery file share their account and region, and bursts share a
	// caller, so most additions skip hashing the key.
	last  []byte
	lastP *int64
}

// NewCounter returns a Counter tracking at most cap keys (at least 2).
func NewCounter(cap int) *Counter {
	if cap < 2 {
		cap = 2
	}
	return &Counter{m: map[string]*int64{}, cap: cap}
}

// AddBytes counts one occurrence of key; it does not allocate when the key
// is already tracked.
func (c *Counter) AddBytes(key []byte) {
	if c.lastP != nil && bytes.Equal(key, c.last) {
		*c.lastP++
		return
	}
	p := c.m[string(key)]
	if p != nil {
		*p++
	} else {
		p = c.insert(string(key), 1)
	}
	c.last, c.lastP = append(c.last[:0], key...), p
}

// Add counts n occurrences of key.
func (c *Counter) Add(key string, n int64) {
	if p := c.m[key]; p != nil {
		*p += n
		return
	}
	c.insert(key, n)
}

func (c *Counter) insert(key string, n int64) *int64 {
	if len(c.m) >= c.cap {
		c.prune()
	}
	v := n
	c.m[key] = &v
	return &v
}

// prune drops every key whose count is at or below the median.
func (c *Counter) prune() {
	counts := make([]int64, 0, len(c.m))
	for _, p := range c.m {
		counts = append(counts, *p)
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i] < counts[j] })
	median := counts[len(counts)/2]
	c.lastP = nil // its key may be dropped
	for k, p := range c.m {
		if *p <= median {
			c.dropped += *p
			c.droppedKeys++
			delete(c.m, k)
		}
	}
}

// Len returns the number of keys tracked.
func (c *Counter) Len() int { return len(c.m) }

// Dropped returns the occurrences and keys dropped by pruning.
func (c *Counter) Dropped() (occurrences, keys int64) { return c.dropped, c.droppedKeys }

// Exact reports whether no key was ever dropped (every count is exact).
func (c *Counter) Exact() bool { return c.droppedKeys == 0 }

// Get returns the count of key.
func (c *Counter) Get(key string) int64 {
	if p := c.m[key]; p != nil {
		return *p
	}
	return 0
}

// Top returns the n most frequent keys, by count descending and then key
// ascending so that ties are ordered deterministically. n <= 0 means all.
func (c *Counter) Top(n int) []Entry {
	out := make([]Entry, 0, len(c.m))
	for k, p := range c.m {
		out = append(out, Entry{k, *p})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Merge adds the counts of o to c.
func (c *Counter) Merge(o *Counter) {
	if o == nil {
		return
	}
	for k, p := range o.m {
		c.Add(k, *p)
	}
	c.dropped += o.dropped
	c.droppedKeys += o.droppedKeys
}
