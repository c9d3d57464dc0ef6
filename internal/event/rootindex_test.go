package event

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// linearGet is Get without the root index: the reference it must agree with.
func linearGet(v Value, key string) Value {
	found := Value{}
	v.EachMember(func(k []byte, m Value) bool {
		if v.d.key(v.d.nodesAt(m)) == key {
			found = m
		}
		return true
	})
	return found
}

func (d *Doc) nodesAt(v Value) *node { return &d.nodes[v.i] }

func TestRootIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"eventName", "eventSource", "eventID", "a", "b", "ab", "ba", "userAgent", "userIdentity", "x\\u0041", "xA", "", "eventTime", "errorCode",
		"event\\u004eame", "Records", "@timestamp", "digestS3Object", "eventname"}
	for iter := 0; iter < 2000; iter++ {
		n := rng.IntN(40)
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			k := alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) == 0 {
				k = fmt.Sprintf("k%d", rng.IntN(60))
			}
			fmt.Fprintf(&b, "%q:%d", k, i)
		}
		b.WriteByte('}')
		src := strings.ReplaceAll(b.String(), `\\u00`, `\u00`)
		var d Doc
		if err := d.Parse([]byte(src)); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var std map[string]json.RawMessage
		if err := json.Unmarshal([]byte(src), &std); err != nil {
			t.Fatal(err)
		}
		probe := append([]string{"missing", "k1", "k59"}, alphabet...)
		probe = append(probe, "xA")
		for _, k := range probe {
			got, want := d.Root().Get(k), linearGet(d.Root(), k)
			if got != want {
				t.Fatalf("%s: Get(%q) = %v (node %d), scan found %v (node %d)", src, k, got, got.i, want, want.i)
			}
			if raw, ok := std[k]; ok != got.Exists() || ok && string(raw) != string(got.Raw()) {
				t.Fatalf("%s: Get(%q) = %s, encoding/json %s", src, k, got.Raw(), raw)
			}
		}
		out := make([]Value, len(probe))
		d.Root().Fields(NewKeys(probe...), out)
		for i, k := range probe {
			want := linearGet(d.Root(), k)
			if out[i] != want {
				t.Fatalf("%s: Fields[%q] disagrees with the scan", src, k)
			}
			if got := d.Root().GetKey(NewKey(k)); got != want {
				t.Fatalf("%s: GetKey(%q) = node %d, scan found node %d", src, k, got.i, want.i)
			}
		}
	}
}

// TestRootIndexReset checks that a Doc reused for another event forgets the
// previous event's index.
func TestRootIndexReset(t *testing.T) {
	var d Doc
	first := `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"eventName":"One"}`
	second := `{"eventName":"Two","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}`
	for _, src := range []string{first, second, first} {
		if err := d.Parse([]byte(src)); err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		_ = json.Unmarshal([]byte(src), &want)
		if got := d.Root().Get("eventName").Str(); got != want["eventName"] {
			t.Fatalf("after re-parse: eventName %q, want %q", got, want["eventName"])
		}
	}
	// The previous event's buckets must not be read: here its eventName
	// was node 2, which is now a nested member of the same name.
	for _, src := range []string{`{"a":1,"eventName":"One"}`, `{"x":{"eventName":"Nested"}}`} {
		if err := d.Parse([]byte(src)); err != nil {
			t.Fatal(err)
		}
	}
	if got := d.Root().GetKey(NewKey("eventName")); got.Exists() {
		t.Fatalf("GetKey found %s in a root without the key", got.Raw())
	}
	if _, err := d.ParseAt([]byte(`xx`+second), 2); err != nil {
		t.Fatal(err)
	}
	if got := d.Root().Get("i").Str(); got != "9" {
		t.Fatalf("ParseAt: i = %q", got)
	}
}

// TestKeyHashForms checks that the string and byte forms of the key hash
// agree (lookups use one, the table the other) and that CloudTrail's
// top-level keys do not collide (the first hash had eventName, eventTime
// and eventType all alike).
func TestKeyHashForms(t *testing.T) {
	keys := []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID",
		"readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory", "tlsDetails",
		"additionalEventData", "errorCode", "errorMessage", "resources", "sessionCredentialFromConsole",
		"serviceEventDetails", "apiVersion", "sharedEventID", "vpcEndpointId", "", "a", "ab", "abcdefg", "abcdefgh"}
	full := map[uint32]string{}
	slots := map[uint32][]string{}
	for _, k := range keys {
		h := keyHash([]byte(k))
		if h != keyHash(k) {
			t.Fatalf("%q: byte and string hashes differ", k)
		}
		if o, dup := full[h]; dup {
			t.Errorf("%q and %q have the same hash", k, o)
		}
		full[h] = k
		slots[h&63] = append(slots[h&63], k)
	}
	// 32 random keys in 64 slots: about 6.6 land in a taken slot.
	collided := 0
	for _, ks := range slots {
		collided += len(ks) - 1
	}
	if collided > 14 {
		t.Errorf("%d of %d keys share a slot: %v", collided, len(keys), slots)
	}
}

// TestBucketCollisions puts, beside known keys, keys that fall into their
// buckets, before and after them, in small roots (searched linearly) and
// large ones (indexed): lookups must still find every member. The
// colliders differ from the known key in length, in the last bytes only,
// or in the middle bytes only (which leaves its words and bucket alike).
func TestBucketCollisions(t *testing.T) {
	bucketOf := func(k string) uint8 {
		id := idOf(k)
		return bucketHash(id.a, id.b, id.n, bucketMul)
	}
	collider := func(target string, make func(i int) string) string {
		b := bucketOf(target)
		for i := 0; i < 1<<16; i++ {
			if k := make(i); k != target && bucketOf(k) == b {
				return k
			}
		}
		t.Fatalf("no collider for %q", target)
		return ""
	}
	short := collider("eventName", func(i int) string { return fmt.Sprintf("x%d", i) })
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	two := func(i int) string { return string([]byte{chars[i%len(chars)], chars[i/len(chars)%len(chars)]}) }
	// Keys that differ from recipientAccountId only in the bytes that its
	// last word alone covers, or its first word alone.
	tail := collider("recipientAccountId", func(i int) string { return "recipientAccount" + two(i) })
	head := collider("recipientAccountId", func(i int) string { return two(i) + "cipientAccountId" })
	// A longer key with eventTime's first and last eight bytes: only the
	// length tells them apart.
	longer := collider("eventTime", func(i int) string { return "eventTim" + strings.Repeat("x", i%4000+1) + "ventTime" })
	middle := "recipienXXccountId"         // recipientAccountId's first and last eight bytes
	long := "sessionCredentiaXXXXmConsole" // sessionCredentialFromConsole's first 16 and last 8
	filler := `"f1":1,"f2":2,"f3":3,"f4":4,"f5":5,"f6":6,"f7":7,"f8":8,`
	probes := []string{"eventName", "eventTime", "recipientAccountId", short, tail, head, middle, longer,
		"sessionCredentialFromConsole", long, "eventID"}
	for _, src := range []string{
		`{"eventName":"A","` + short + `":1}`,
		`{"` + short + `":1,"eventName":"A"}`,
		`{"recipientAccountId":"1","` + tail + `":1}`,
		`{"recipientAccountId":"1","` + head + `":1}`,
		`{"eventTime":"t","` + longer + `":1}`,
		`{"` + longer + `":1,"eventTime":"t"}`,
		`{"recipientAccountId":"1","` + middle + `":2}`,
		`{"` + middle + `":2,"recipientAccountId":"1"}`,
		`{"sessionCredentialFromConsole":"true","` + long + `":2}`,
		`{"` + long + `":2,"eventID":"x"}`,
		`{` + filler + `"eventName":"A","` + short + `":1,"recipientAccountId":"1","` + middle + `":2}`,
		`{` + filler + `"` + tail + `":1,"eventName":"A","eventName":"B","` + short + `":3}`,
	} {
		var d Doc
		if err := d.Parse([]byte(src)); err != nil {
			t.Fatal(err)
		}
		root := d.Root()
		for _, k := range probes {
			want := linearGet(root, k)
			if got := root.GetKey(NewKey(k)); got != want {
				t.Errorf("%s: GetKey(%q) = node %d, scan found node %d", src, k, got.i, want.i)
			}
			if got := root.Get(k); got != want {
				t.Errorf("%s: Get(%q) = node %d, scan found node %d", src, k, got.i, want.i)
			}
		}
	}
}

// TestKnownRootKeysDistinct checks that CloudTrail's usual top-level keys
// have buckets of their own, so that their lookups never fall back.
func TestKnownRootKeysDistinct(t *testing.T) {
	seen := map[uint8]string{}
	for _, k := range knownRootKeys {
		if NewKey(k).slot == 0 {
			t.Errorf("%q has no slot", k)
		}
		id := idOf(k)
		b := bucketHash(id.a, id.b, id.n, bucketMul)
		if o, dup := seen[b]; dup {
			t.Errorf("%q and %q share bucket %d", k, o, b)
		}
		seen[b] = k
	}
}

// TestKnownKeysEveryByteCounts: a key that differs from a known key in any
// one byte is not that key, whichever word of the comparison holds the
// byte (first eight, last eight, bytes 8 to 16, or the middle of a key
// longer than 24 bytes), through GetKey and through Get on a parsed root.
func TestKnownKeysEveryByteCounts(t *testing.T) {
	for _, k := range knownRootKeys {
		if knownSlot(k) == 0 || knownSlot([]byte(k)) == 0 {
			t.Fatalf("%q: not found", k)
		}
		for i := range len(k) {
			b := []byte(k)
			b[i] ^= 0x01
			other := string(b)
			if s := knownSlot(other); s != 0 && knownRootKeys[s-1] != other {
				t.Fatalf("%q (byte %d of %q changed) found as %q", other, i, k, knownRootKeys[s-1])
			}
			var d Doc
			src := fmt.Sprintf(`{%q:1,"zz":2}`, other)
			if err := d.Parse([]byte(src)); err != nil {
				t.Fatal(err)
			}
			if got := d.Root().GetKey(NewKey(k)); got.Exists() && other != k {
				t.Fatalf("%s: GetKey(%q) found %s", src, k, got.Raw())
			}
			if got := d.Root().Get(other); !got.Exists() {
				t.Fatalf("%s: Get(%q) found nothing", src, other)
			}
		}
	}
}
