// Package event gives fast, allocation-light access to the fields of one
// CloudTrail event held as raw JSON bytes, and defines the normalized sign-in
// record built from such events.
//
// A Doc is a flat index ("tape") over a JSON text: one node per value, with
// byte offsets into the original bytes. Strings are unescaped only when asked
// for and only when they contain escapes, so reading a handful of fields from
// a 2 KB event costs one validating pass and no per-field allocation.
package event

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value. Missing means the value is absent, which
// is distinct from a JSON null.
type Kind uint8

// The kinds of JSON value.
const (
	Missing Kind = iota
	Null
	Bool
	Number
	String
	Object
	Array
)

var kindNames = [...]string{"missing", "null", "bool", "number", "string", "object", "array"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MaxDepth bounds the nesting of arrays and objects accepted by Parse.
const MaxDepth = 512

// node is one JSON value on the tape.
type node struct {
	start, end       int32 // value bytes, strings including their quotes
	keyStart, keyEnd int32 // member key bytes without quotes; keyStart < 0 when not a member
	next             int32 // index of the next sibling (one past the last descendant)
	count            int32 // number of direct children of a container
	kind             Kind
	escaped          bool // string value contains a backslash escape
	keyEscaped       bool // key contains a backslash escape
	uniqueKeys       bool // object whose keys are known to be distinct: Get may stop at the first match
}

// Doc is a parsed JSON text. The zero Doc is empty; Parse fills it, reusing
// its memory. A Doc refers to the bytes it parsed and must not outlive them
// if they are reused.
type Doc struct {
	raw   []byte
	nodes []node
	root  rootIndex
	// known[s] is the node index + 1 of the root member with known key
	// slot s (see knownkeys.go), or 0, when knownState is knownPlain.
	known      [numKnown + 1]int32
	knownState uint8
	knownAll   bool // every root member has a known key (while knownPlain)
}

// SyntaxError reports malformed JSON with the byte offset where it was found.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// ErrEmpty is returned by Parse for input holding only white space.
var ErrEmpty = errors.New("empty JSON text")

// Parse indexes data, which must hold exactly one JSON value (white space
// around it is allowed). It keeps a reference to data.
func (d *Doc) Parse(data []byte) error {
	end, err := d.ParseAt(data, 0)
	if err != nil {
		return err
	}
	if j := skipSpace(data, end); j != len(data) {
		d.nodes = d.nodes[:0]
		return &SyntaxError{int64(j), "unexpected data after the JSON value"}
	}
	return nil
}

// ParseAt indexes the one JSON value that starts at data[i] (after white
// space) and returns the offset just past it; what follows is not examined.
// Offsets of the Doc's values are offsets into data. It keeps a reference to
// data.
func (d *Doc) ParseAt(data []byte, i int) (int, error) {
	d.raw = data
	d.nodes = d.nodes[:0]
	d.root.state = rootUnindexed
	d.knownState = knownUnbuilt
	if len(data) > 1<<31-1 {
		return i, &SyntaxError{0, "document larger than 2 GiB"}
	}
	i = skipSpace(data, i)
	if i >= len(data) {
		return i, ErrEmpty
	}
	// The parser appends to its own copy of the slice (one indirection
	// less on every node) and hands it back. It is zeroed in place and its
	// fields set one by one: a composite literal was built aside and then
	// copied with wide loads that wait for the narrow stores (a stall per
	// event).
	var p parser
	p.data, p.nodes = data, d.nodes
	end, err := p.value(i, -1, -1, false, 0)
	d.nodes = p.nodes
	if err != nil {
		d.nodes = d.nodes[:0]
	}
	return end, err
}

// Release empties d and drops its reference to the bytes it parsed, keeping
// its memory for the next Parse.
func (d *Doc) Release() {
	d.raw = nil
	d.nodes = d.nodes[:0]
	d.root.state = rootUnindexed
	d.knownState = knownUnbuilt
}

// Raw returns the bytes the Doc was parsed from (for ParseAt, the whole
// buffer).
func (d *Doc) Raw() []byte { return d.raw }

// Root returns the top-level value, or a Missing value for an empty Doc.
func (d *Doc) Root() Value {
	if len(d.nodes) == 0 {
		return Value{}
	}
	return Value{d, 0}
}

type parser struct {
	data  []byte
	nodes []node   // the Doc's nodes being built
	spec  specials // where the CPU allows, the input classified for string scans
}

func (p *parser) errAt(i int, format string, args ...any) error {
	return &SyntaxError{int64(i), fmt.Sprintf(format, args...)}
}

// value parses the value starting at data[i] (not white space) and returns
// the offset just past it.
func (p *parser) value(i int, ks, ke int32, kesc bool, depth int) (int, error) {
	data := p.data
	idx := len(p.nodes)
	n := p.push()
	n.start, n.keyStart, n.keyEnd, n.keyEscaped = int32(i), ks, ke, kesc
	var (
		end    int
		err    error
		kind   Kind
		esc    bool
		count  int32
		unique bool
	)
	switch c := data[i]; {
	case c == '"':
		kind = String
		end, esc, err = p.scanString(i)
	case c == '{':
		kind = Object
		end, count, unique, err = p.object(i, depth+1)
	case c == '[':
		kind = Array
		end, count, err = p.array(i, depth+1)
	case c == 't':
		kind, end, err = Bool, i+4, p.literal(i, "true")
	case c == 'f':
		kind, end, err = Bool, i+5, p.literal(i, "false")
	case c == 'n':
		kind, end, err = Null, i+4, p.literal(i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		kind = Number
		end, err = scanNumber(data, i)
	default:
		return i, p.errAt(i, "unexpected %s", describeByte(c))
	}
	if err != nil {
		return end, err
	}
	n = &p.nodes[idx] // the children may have moved the nodes
	n.kind, n.end, n.escaped, n.count, n.uniqueKeys = kind, int32(end), esc, count, unique
	n.next = int32(len(p.nodes))
	return end, nil
}

// push appends a node whose fields the caller must all set, and returns
// it. Written field by field in place, a node costs a few stores; built as
// a struct literal and appended, it was stored to the stack field by field
// and then copied with two 16-byte loads, which wait for those narrower
// stores to retire (no store forwarding): a tenth of a scan's parse time.
func (p *parser) push() *node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = slices.Grow(p.nodes, 1)
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	return &p.nodes[len(p.nodes)-1]
}

func (p *parser) literal(i int, lit string) error {
	if len(p.data)-i < len(lit) || string(p.data[i:i+len(lit)]) != lit {
		return p.errAt(i, "invalid literal (expected %q)", lit)
	}
	return nil
}

// object parses an object and reports whether its keys are certainly
// distinct: a 64-bit signature of each key (its length and first byte)
// that no earlier key had. A collision only costs Get its early exit.
func (p *parser) object(i, depth int) (int, int32, bool, error) {
	if depth > MaxDepth {
		return i, 0, false, p.errAt(i, "nesting deeper than %d", MaxDepth)
	}
	data := p.data
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, 0, true, nil
	}
	var count int32
	var seen uint64
	unique := true
	for {
		if i >= len(data) {
			return i, count, false, p.errAt(i, "unexpected end of input in object")
		}
		if data[i] != '"' {
			return i, count, false, p.errAt(i, "expected a string key, found %s", describeByte(data[i]))
		}
		kstart := i + 1
		kend, kesc := p.quickEnd(kstart), false
		if kend < 0 {
			var err error
			if kend, kesc, err = p.scanString(i); err != nil {
				return kend, count, false, err
			}
		}
		if kend+1 < len(data) && data[kend] == ':' && data[kend+1] > ' ' {
			i = kend + 1 // compact JSON, as CloudTrail writes it
		} else {
			i = skipSpace(data, kend)
			if i >= len(data) || data[i] != ':' {
				return i, count, false, p.errAt(i, "expected ':' after object key")
			}
			i = skipSpace(data, i+1)
			if i >= len(data) {
				return i, count, false, p.errAt(i, "unexpected end of input in object")
			}
		}
		if bit := keyBit(kend-1-kstart, data[kstart]); kesc || seen&bit != 0 {
			unique = false
		} else {
			seen |= bit
		}
		var err error
		if data[i] == '"' {
			// Most members are strings: no call to value for them.
			end, esc := p.quickEnd(i+1), false
			if end < 0 {
				if end, esc, err = p.scanString(i); err != nil {
					return end, count, false, err
				}
			}
			n := p.push()
			n.start, n.end, n.keyStart, n.keyEnd = int32(i), int32(end), int32(kstart), int32(kend-1)
			n.next, n.count = int32(len(p.nodes)), 0
			n.kind, n.escaped, n.keyEscaped, n.uniqueKeys = String, esc, kesc, false
			i = end
		} else if i, err = p.value(i, int32(kstart), int32(kend-1), kesc, depth); err != nil {
			return i, count, false, err
		}
		count++
		if i+1 < len(data) && data[i] == ',' && data[i+1] == '"' {
			i++ // compact JSON: the next key follows the comma
			continue
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, count, false, p.errAt(i, "unexpected end of input in object")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1, count, unique, nil
		default:
			return i, count, false, p.errAt(i, "expected ',' or '}' in object, found %s", describeByte(data[i]))
		}
	}
}

func (p *parser) array(i, depth int) (int, int32, error) {
	if depth > MaxDepth {
		return i, 0, p.errAt(i, "nesting deeper than %d", MaxDepth)
	}
	data := p.data
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, 0, nil
	}
	var count int32
	for {
		if i >= len(data) {
			return i, count, p.errAt(i, "unexpected end of input in array")
		}
		var err error
		i, err = p.value(i, -1, -1, false, depth)
		if err != nil {
			return i, count, err
		}
		count++
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, count, p.errAt(i, "unexpected end of input in array")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return i + 1, count, nil
		default:
			return i, count, p.errAt(i, "expected ',' or ']' in array, found %s", describeByte(data[i]))
		}
	}
}

// keyBit maps a key to one of 64 bits by its length and first byte (for an
// empty key, the closing quote): cheap enough for every member, and enough
// to tell apart the keys of CloudTrail's nested objects.
func keyBit(n int, first byte) uint64 {
	return 1 << ((uint(n)*7 + uint(first)) & 63)
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// isSpace is indexed by byte: JSON white space.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func skipSpace(data []byte, i int) int {
	if i < len(data) && data[i] > ' ' {
		return i // compact JSON, as CloudTrail writes it
	}
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	return i
}

// strSafe marks bytes that need no attention inside a string.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString validates the string starting at data[i] (a quote) and returns
// the offset past its closing quote and whether it holds escapes.
func scanString(data []byte, i int) (int, bool, error) {
	start := i
	i++
	esc := false
	for {
		// Skip the bytes that need no attention (all but a quote, a
		// backslash or a control character) eight at a time: CloudTrail's
		// bytes are mostly string contents, so this is the parser's hot
		// loop, written here rather than called.
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			q := w ^ quote
			b := w ^ bslsh
			// A byte is flagged when it is zero in q or b or below 0x20.
			// The lowest flagged byte is where to look; should it be a
			// false alarm, the byte loop below steps over it.
			m := (((q - lsb) & ^q) | ((b - lsb) & ^b) | ((w - space) & ^w)) & msb
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(data) && strSafe[data[i]] {
			i++
		}
		if i < len(data) && data[i] == '"' {
			return i + 1, esc, nil
		}
		next, done, err := stringSpecial(data, start, i)
		if done || err != nil {
			return next, esc, err
		}
		esc, i = true, next
	}
}

// stringSpecial handles the byte data[i] of the string starting at
// data[start], which is not plain string content (or i is the end of data):
// the closing quote (done, and the offset past it), an escape (the offset
// past it), or an error.
func stringSpecial(data []byte, start, i int) (next int, done bool, err error) {
	if i >= len(data) {
		return i, false, &SyntaxError{int64(start), "unterminated string"}
	}
	switch c := data[i]; c {
	case '"':
		return i + 1, true, nil
	case '\\':
		if i+1 >= len(data) {
			return i, false, &SyntaxError{int64(start), "unterminated string"}
		}
		switch data[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			return i + 2, false, nil
		case 'u':
			if i+6 > len(data) || !isHex4(data[i+2:i+6]) {
				return i, false, &SyntaxError{int64(i), `invalid \u escape`}
			}
			return i + 6, false, nil
		default:
			return i, false, &SyntaxError{int64(i), "invalid escape " + strconv.Quote(string(data[i:i+2]))}
		}
	default:
		return i, false, &SyntaxError{int64(i), fmt.Sprintf("control character 0x%02x in string", c)}
	}
}

// SWAR constants: one byte value repeated in every byte of a word.
const (
	lsb   = 0x0101010101010101
	msb   = 0x8080808080808080
	quote = '"' * lsb
	bslsh = '\\' * lsb
	space = 0x20 * lsb
)

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func scanNumber(data []byte, i int) (int, error) {
	end, msg := numberEnd(data, i)
	if msg != "" {
		return end, &SyntaxError{int64(i), msg}
	}
	return end, nil
}

// numberEnd returns the offset just past the JSON number at data[i], or
// what is wrong with it (without allocating: IsNumber runs on rule
// matching's hot path).
func numberEnd(data []byte, i int) (int, string) {
	if i < len(data) && data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(data) && data[i] == '0' {
		i++
	} else if digits() == 0 {
		return i, "invalid number"
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return i, "invalid number: no digits after '.'"
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, "invalid number: no exponent digits"
		}
	}
	return i, ""
}

// IsNumber reports whether b is exactly one number as JSON writes it
// (no sign but '-', no leading zeros, no Inf, NaN, hexadecimal or '_',
// no surrounding space).
func IsNumber(b []byte) bool {
	end, msg := numberEnd(b, 0)
	return msg == "" && end == len(b)
}

// Skip validates the JSON value starting at or after data[i] (leading white
// space allowed) without building a tape, and returns the offset just past it.
// It is the splitter's tool for finding the extent of each event.
func Skip(data []byte, i int) (int, error) {
	i = skipSpace(data, i)
	if i >= len(data) {
		return i, &SyntaxError{int64(i), "unexpected end of input"}
	}
	return skipValue(data, i, 0)
}

func skipValue(data []byte, i, depth int) (int, error) {
	switch c := data[i]; {
	case c == '"':
		end, _, err := scanString(data, i)
		return end, err
	case c == '{' || c == '[':
		return skipContainer(data, i, depth+1)
	case c == 't':
		return skipLiteral(data, i, "true")
	case c == 'f':
		return skipLiteral(data, i, "false")
	case c == 'n':
		return skipLiteral(data, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(data, i)
	default:
		return i, &SyntaxError{int64(i), "unexpected " + describeByte(c)}
	}
}

func skipLiteral(data []byte, i int, lit string) (int, error) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return i, &SyntaxError{int64(i), fmt.Sprintf("invalid literal (expected %q)", lit)}
	}
	return i + len(lit), nil
}

func skipContainer(data []byte, i, depth int) (int, error) {
	if depth > MaxDepth {
		return i, &SyntaxError{int64(i), fmt.Sprintf("nesting deeper than %d", MaxDepth)}
	}
	obj := data[i] == '{'
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == closer {
		return i + 1, nil
	}
	for {
		if i >= len(data) {
			return i, &SyntaxError{int64(i), "unexpected end of input"}
		}
		if obj {
			if data[i] != '"' {
				return i, &SyntaxError{int64(i), "expected a string key, found " + describeByte(data[i])}
			}
			end, _, err := scanString(data, i)
			if err != nil {
				return end, err
			}
			i = skipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return i, &SyntaxError{int64(i), "expected ':' after object key"}
			}
			i = skipSpace(data, i+1)
			if i >= len(data) {
				return i, &SyntaxError{int64(i), "unexpected end of input"}
			}
		}
		end, err := skipValue(data, i, depth)
		if err != nil {
			return end, err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return i, &SyntaxError{int64(i), "unexpected end of input"}
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case closer:
			return i + 1, nil
		default:
			return i, &SyntaxError{int64(i), fmt.Sprintf("expected ',' or %q, found %s", closer, describeByte(data[i]))}
		}
	}
}

// Unquote decodes the JSON string literal s (with its quotes). It replaces
// invalid UTF-8 and lone surrogates with U+FFFD, as encoding/json does.
func Unquote(s []byte) string {
	if len(s) < 2 {
		return ""
	}
	s = s[1 : len(s)-1]
	return unescape(s)
}

func unescape(s []byte) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				b = append(b, c)
				i++
				continue
			}
			r, size := utf8.DecodeRune(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch s[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+6 > len(s) {
				return string(b)
			}
			r := rune(hex4(s[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 := rune(hex4(s[i+2 : i+6]))
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						i += 6
						b = utf8.AppendRune(b, d)
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // '"', '\\', '/'
			b = append(b, s[i+1])
		}
		i += 2
	}
	return string(b)
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b[:4] {
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n |= int(c - '0')
		case c >= 'a' && c <= 'f':
			n |= int(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			n |= int(c - 'A' + 10)
		}
	}
	return n
}
