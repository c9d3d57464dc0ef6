package gen

import (
	"strconv"
	"time"
)

// jw appends compact JSON to a byte slice. Commas are inserted automatically:
// a value or key written after anything other than '{', '[' or ':' is
// preceded by one.
type jw struct{ b []byte }

func (w *jw) sep() {
	if n := len(w.b); n > 0 {
		switch w.b[n-1] {
		case '{', '[', ':':
		default:
			w.b = append(w.b, ',')
		}
	}
}

// k writes an object key.
func (w *jw) k(name string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

// s writes a string value.
func (w *jw) s(v string) {
	w.sep()
	w.b = appendQuoted(w.b, v)
}

func (w *jw) ks(name, v string) { w.k(name); w.b = appendQuoted(w.b, v) }

func (w *jw) kb(name string, v bool) { w.k(name); w.b = strconv.AppendBool(w.b, v) }

func (w *jw) kn(name string, v int64) { w.k(name); w.b = strconv.AppendInt(w.b, v, 10) }

func (w *jw) knull(name string) { w.k(name); w.b = append(w.b, "null"...) }

func (w *jw) kt(name string, t time.Time) {
	w.k(name)
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, "2006-01-02T15:04:05Z")
	w.b = append(w.b, '"')
}

// ko opens an object member; o opens an anonymous object (array element).
func (w *jw) ko(name string) { w.k(name); w.b = append(w.b, '{') }
func (w *jw) o()             { w.sep(); w.b = append(w.b, '{') }
func (w *jw) end()           { w.b = append(w.b, '}') }

// ka opens an array member; aend closes it.
func (w *jw) ka(name string) { w.k(name); w.b = append(w.b, '[') }
func (w *jw) aend()          { w.b = append(w.b, ']') }

// kempty writes an empty object member.
func (w *jw) kempty(name string) { w.k(name); w.b = append(w.b, '{', '}') }

const hexDigits = "0123456789abcdef"

// appendQuoted appends v as a JSON string. CloudTrail does not escape '/'.
func appendQuoted(b []byte, v string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, v[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, v[start:]...)
	return append(b, '"')
}
