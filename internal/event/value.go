package event

import (
	"bytes"
	"strconv"
)

// Value is one JSON value inside a Doc. The zero Value is Missing.
type Value struct {
	d *Doc
	i int32
}

func (v Value) n() *node { return &v.d.nodes[v.i] }

// Kind reports the JSON type of v.
func (v Value) Kind() Kind {
	if v.d == nil {
		return Missing
	}
	return v.n().kind
}

// Exists reports whether v is present (a JSON null is present).
func (v Value) Exists() bool { return v.d != nil }

// Raw returns the JSON text of v as it appears in the input (strings keep
// their quotes and escapes). It is nil for a Missing value.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	n := v.n()
	return v.d.raw[n.start:n.end:n.end]
}

// Offset returns the byte offset of v inside the parsed text, or -1.
func (v Value) Offset() int {
	if v.d == nil {
		return -1
	}
	return int(v.n().start)
}

// Bytes returns the text of v for matching: the unescaped contents of a
// string, the JSON text of a number, boolean or container, and nil for null
// or Missing. For strings without escapes it does not allocate; the result
// aliases the parsed bytes and must not be modified.
func (v Value) Bytes() []byte {
	if v.d == nil {
		return nil
	}
	n := v.n()
	switch n.kind {
	case String:
		if n.escaped {
			return []byte(unescape(v.d.raw[n.start+1 : n.end-1]))
		}
		return v.d.raw[n.start+1 : n.end-1 : n.end-1]
	case Null:
		return nil
	default:
		return v.d.raw[n.start:n.end:n.end]
	}
}

// Str is Bytes as a string (always a copy).
func (v Value) Str() string {
	if v.d == nil {
		return ""
	}
	n := v.n()
	if n.kind == String && n.escaped {
		return unescape(v.d.raw[n.start+1 : n.end-1])
	}
	return string(v.Bytes())
}

// Float returns the value of a number, or of a string holding a number.
func (v Value) Float() (float64, bool) {
	switch v.Kind() {
	case Number, String:
		f, err := strconv.ParseFloat(string(v.Bytes()), 64)
		return f, err == nil
	}
	return 0, false
}

// True reports whether v is the JSON literal true.
func (v Value) True() bool {
	return v.Kind() == Bool && v.d.raw[v.n().start] == 't'
}

// Len returns the number of members of an object or elements of an array.
func (v Value) Len() int {
	if k := v.Kind(); k != Object && k != Array {
		return 0
	}
	return int(v.n().count)
}

// Get returns the member of object v named key, or Missing. When a key is
// repeated the last one wins, as in encoding/json.
func (v Value) Get(key string) Value {
	if v.Kind() != Object {
		return Value{}
	}
	d := v.d
	if v.i == 0 {
		if d.RootKeysPlain() {
			if s := knownSlot(key); s != 0 {
				if e := d.known[s]; e != 0 {
					return Value{d, e - 1}
				}
				return Value{}
			}
			if d.knownAll {
				return Value{} // every member has a known key, and this is not one
			}
		}
		if d.rootIndexed() {
			return d.rootLookup(key)
		}
	}
	found := Value{}
	unique := v.n().uniqueKeys
	j := v.i + 1
	for c := v.n().count; c > 0; c-- {
		n := &d.nodes[j]
		if (int(n.keyEnd-n.keyStart) == len(key) || n.keyEscaped) && keyEqual(d.raw, n, key) {
			found = Value{d, j}
			if unique {
				break
			}
		}
		j = n.next
	}
	return found
}

// GetFold is Get with ASCII case-insensitive key comparison; an exact match
// is preferred over a case-folded one.
func (v Value) GetFold(key string) Value {
	if exact := v.Get(key); exact.Exists() || v.Kind() != Object {
		return exact
	}
	d := v.d
	j := v.i + 1
	for c := v.n().count; c > 0; c-- {
		n := &d.nodes[j]
		k := d.raw[n.keyStart:n.keyEnd]
		if n.keyEscaped {
			k = []byte(unescape(k))
		}
		if bytes.EqualFold(k, []byte(key)) {
			return Value{d, j}
		}
		j = n.next
	}
	return Value{}
}

func keyEqual(raw []byte, n *node, key string) bool {
	k := raw[n.keyStart:n.keyEnd]
	if n.keyEscaped {
		return unescape(k) == key
	}
	return string(k) == key
}

// Index returns element i of array v, or Missing.
func (v Value) Index(i int) Value {
	if v.Kind() != Array || i < 0 || i >= int(v.n().count) {
		return Value{}
	}
	j := v.i + 1
	for ; i > 0; i-- {
		j = v.d.nodes[j].next
	}
	return Value{v.d, j}
}

// Each calls fn for each member of an object (with its key) or element of an
// array (with an empty key) until fn returns false.
func (v Value) Each(fn func(key string, val Value) bool) {
	k := v.Kind()
	if k != Object && k != Array {
		return
	}
	d := v.d
	j := v.i + 1
	for c := v.n().count; c > 0; c-- {
		n := &d.nodes[j]
		key := ""
		if k == Object {
			key = v.d.key(n)
		}
		if !fn(key, Value{d, j}) {
			return
		}
		j = n.next
	}
}

// EachMember calls fn for each member of object v with the key's bytes as
// written in the input (escapes not decoded, no allocation) until fn
// returns false. The key aliases the parsed bytes.
func (v Value) EachMember(fn func(key []byte, val Value) bool) {
	if v.Kind() != Object {
		return
	}
	d := v.d
	j := v.i + 1
	for c := v.n().count; c > 0; c-- {
		n := &d.nodes[j]
		if !fn(d.raw[n.keyStart:n.keyEnd:n.keyEnd], Value{d, j}) {
			return
		}
		j = n.next
	}
}

func (d *Doc) key(n *node) string {
	k := d.raw[n.keyStart:n.keyEnd]
	if n.keyEscaped {
		return unescape(k)
	}
	return string(k)
}

// Path follows a sequence of object keys from v.
func (v Value) Path(keys ...string) Value {
	for _, k := range keys {
		v = v.Get(k)
	}
	return v
}

// String returns Str for strings and the JSON text otherwise; it exists for
// debugging and %v formatting.
func (v Value) String() string {
	if v.Kind() == String {
		return v.Str()
	}
	return string(v.Raw())
}
