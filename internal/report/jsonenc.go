package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/alert"
)

// detectionEncoder writes Detections as JSON text: byte for byte what
// json.Encoder with SetEscapeHTML(false) writes (without its newline), which
// TestDetectionEncoderMatchesEncodingJSON and FuzzDetectionEncoder check.
// A scan can report tens of thousands of detections; through reflection
// their text took 8% of a scan's CPU profile. The members that are rare and
// deep (an aggregate, sign-in records) still go through encoding/json.
type detectionEncoder struct {
	scratch bytes.Buffer
	enc     *json.Encoder
}

func newDetectionEncoder() *detectionEncoder {
	e := &detectionEncoder{}
	e.enc = newEncoder(&e.scratch)
	return e
}

// append appends the text of d to b.
func (e *detectionEncoder) append(b []byte, d *Detection) ([]byte, error) {
	b = append(b, '{')
	if d.Type != "" {
		b = appendJSONString(append(b, `"type":`...), d.Type)
		b = append(b, ',')
	}
	b = appendRule(append(b, `"rule":`...), &d.Rule)
	b = appendOptString(append(b, `,"first_seen":`...), d.FirstSeen)
	b = appendOptString(append(b, `,"last_seen":`...), d.LastSeen)
	b = appendJSONString(append(b, `,"account":`...), d.Account)
	b = appendJSONString(append(b, `,"region":`...), d.Region)
	gk, err := d.GroupKey.MarshalJSON()
	if err != nil {
		return b, err
	}
	b = append(append(b, `,"group_key":`...), gk...)
	b = appendJSONString(append(b, `,"summary":`...), d.Summary)
	b = strconv.AppendInt(append(b, `,"count":`...), int64(d.Count), 10)
	b = appendStrings(append(b, `,"event_ids":`...), d.EventIDs)
	b = appendJSONString(append(b, `,"actor":`...), d.Actor)
	b = appendJSONString(append(b, `,"source_ip":`...), d.SourceIP)
	b = appendJSONString(append(b, `,"user_agent":`...), d.UserAgent)
	b = appendJSONString(append(b, `,"event_name":`...), d.EventName)
	if b, err = appendFloat(append(b, `,"value":`...), d.Value); err != nil {
		return b, err
	}
	b = appendEvidence(append(b, `,"explanation":`...), d.Explanation)
	if d.Aggregate != nil {
		if b, err = e.appendValue(append(b, `,"aggregate":`...), d.Aggregate); err != nil {
			return b, err
		}
	}
	if len(d.Records) > 0 {
		if b, err = e.appendValue(append(b, `,"records":`...), d.Records); err != nil {
			return b, err
		}
	}
	b = strconv.AppendBool(append(b, `,"drill":`...), d.Drill)
	return append(b, '}'), nil
}

// appendValue appends v as encoding/json writes it.
func (e *detectionEncoder) appendValue(b []byte, v any) ([]byte, error) {
	e.scratch.Reset()
	if err := e.enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(e.scratch.Bytes(), []byte{'\n'})...), nil
}

func appendRule(b []byte, r *Rule) []byte {
	b = appendJSONString(append(b, `{"id":`...), r.ID)
	b = appendJSONString(append(b, `,"title":`...), r.Title)
	b = appendJSONString(append(b, `,"level":`...), r.Level)
	b = appendStrings(append(b, `,"tags":`...), r.Tags)
	b = appendJSONString(append(b, `,"kind":`...), r.Kind)
	return append(b, '}')
}

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendStrings writes a nil slice as null, as encoding/json does.
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendEvidence writes the explanation; every member of Evidence is
// omitempty.
func appendEvidence(b []byte, list []alert.Evidence) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range list {
		if i > 0 {
			b = append(b, ',')
		}
		ev := &list[i]
		b = append(b, '{')
		first := true
		member := func(name, v string) {
			if v == "" {
				return
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(append(append(append(b, '"'), name...), `":`...), v)
		}
		member("event_id", ev.EventID)
		member("selection", ev.Selection)
		member("field", ev.Field)
		if len(ev.Modifiers) > 0 {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendStrings(append(b, `"modifiers":`...), ev.Modifiers)
		}
		member("value", ev.Value)
		member("pattern", ev.Pattern)
		member("note", ev.Note)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendFloat writes a float64 as encoding/json does: the shortest text
// that reads back as the same number, in exponent form only for very large
// and very small magnitudes (as JavaScript prints numbers), with the
// exponent's leading zero dropped. NaN and infinities are errors.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 → e-7
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// SWAR constants: a byte value in every byte of a word.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// jsonPlain marks the ASCII bytes that appear in a JSON string as they are
// (with HTML escaping off: everything printable but '"' and '\\').
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString writes s as a JSON string the way encoding/json does
// with HTML escaping off: '"' and '\\' and control characters escaped (the
// five with short forms by them, others as \u00XX), invalid UTF-8 replaced
// by \ufffd, and U+2028 and U+2029 escaped (JavaScript line terminators).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	done := 0 // s[:done] is written
	for i := 0; i < len(s); {
		// Step over plain ASCII eight bytes at a time: bytes below 0x20,
		// quotes, backslashes and non-ASCII bytes stop the step.
		for i+8 <= len(s) {
			w := binary.LittleEndian.Uint64([]byte(s[i : i+8])) // read only: no copy is made
			q, bs := w^(lsb*'"'), w^(lsb*'\\')
			if ((w-lsb*0x20)|(q-lsb)|(bs-lsb)|w)&msb != 0 {
				break // something in these eight bytes, or a false alarm: the byte loop decides
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[done:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[done:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	return append(append(b, s[done:]...), '"')
}
