package decode

import (
	"bytes"
	"encoding/base64"

	"github.com/signwatch/signwatch/internal/event"
)

// eventBridge handles an EventBridge envelope: the CloudTrail event is the
// detail object. Envelopes of other services' events are ignored.
func (d *decoder) eventBridge(data []byte, p *path, info *objInfo) string {
	sp := info.span[fDetail]
	dp := &path{parent: p, key: "detail"}
	if data[sp.s] != '{' {
		d.problemPath(int(sp.s), dp, "expected an object, found "+jsonType(data[sp.s]))
		return kindBad
	}
	_, k, err := d.object(data, int(sp.s), dp)
	switch {
	case err != nil: // cannot happen: the walk validated detail
		d.problemPath(int(sp.s), dp, "invalid JSON: "+syntaxMsg(err))
		return kindBad
	case k == kindEvent:
		return kindEventBridge
	}
	t := info.span[fDetailType]
	if bytes.HasSuffix(data[t.s:t.e], []byte(`via CloudTrail"`)) {
		d.problemPath(int(sp.s), dp, "not a CloudTrail event although detail-type says so")
		return kindBad
	}
	d.res.Ignored++
	return kindIgnored
}

// cwLogs handles a CloudWatch Logs subscription payload: each log event's
// message is a CloudTrail event. CONTROL_MESSAGE payloads are ignored.
func (d *decoder) cwLogs(data []byte, p *path, info *objInfo) string {
	mt := info.span[fMessageType]
	switch string(data[mt.s:mt.e]) {
	case `"CONTROL_MESSAGE"`:
		d.res.Ignored++
		return kindIgnored
	case `"DATA_MESSAGE"`:
	default:
		return kindOther
	}
	sp, ok := info.get(fLogEvents)
	lp := &path{parent: p, key: "logEvents"}
	if !ok || data[sp.s] != '[' {
		d.problemPath(int(mt.s), lp, "DATA_MESSAGE without a logEvents array")
		return kindBad
	}
	before := d.res.Events
	buf := getBuf()
	defer putBuf(buf)
	elements(data, int(sp.s), func(idx, vs, ve int) {
		ep := &path{parent: lp, idx: idx}
		mp := &path{parent: ep, key: "message"}
		ms, me := -1, -1
		if data[vs] == '{' {
			_ = members(data, vs, func(key []byte, s, e int) bool {
				if string(key) == "message" {
					ms, me = s, e
					return false
				}
				return true
			})
		}
		if ms < 0 || data[ms] != '"' {
			d.problemPath(vs, mp, "log event without a message string")
			return
		}
		msg := data[ms+1 : me-1]
		if bytes.IndexByte(msg, '\\') >= 0 {
			*buf = append((*buf)[:0], event.Unquote(data[ms:me])...)
			msg = *buf
		}
		d.nested(ms, func() { d.values(msg, 0, mp, false) })
	})
	if d.res.Events > before {
		return kindCWLogs
	}
	return kindIgnored
}

// firehose handles a Firehose HTTP endpoint delivery body: each record's
// data is base64 of a payload (gzip or not) of any shape.
func (d *decoder) firehose(data []byte, p *path, info *objInfo) string {
	sp := info.span[fFirehoseRecords]
	rp := &path{parent: p, key: "records"}
	if data[sp.s] != '[' {
		d.problemPath(int(sp.s), rp, "expected an array, found "+jsonType(data[sp.s]))
		return kindBad
	}
	before := d.res.Events
	kind := ""
	elements(data, int(sp.s), func(idx, vs, ve int) {
		dp := &path{parent: &path{parent: rp, idx: idx}, key: "data"}
		ds, de := -1, -1
		if data[vs] == '{' {
			_ = members(data, vs, func(key []byte, s, e int) bool {
				if string(key) == "data" {
					ds, de = s, e
					return false
				}
				return true
			})
		}
		if ds < 0 || data[ds] != '"' {
			d.problemPath(vs, dp, "record without a data string")
			return
		}
		if k := d.base64Payload(data[ds+1:de-1], ds, dp); kind == "" {
			kind = k
		}
	})
	if d.res.Events > before {
		d.markCT()
		if kind != "" {
			return kindFirehose + "/" + kind
		}
		return kindFirehose
	}
	return kindIgnored
}

// elements calls fn for each element of the valid array at data[i].
func elements(data []byte, i int, fn func(idx, vs, ve int)) {
	j := skipSpace(data, i+1)
	for idx := 0; j < len(data) && data[j] != ']'; idx++ {
		end, err := event.Skip(data, j)
		if err != nil {
			return
		}
		fn(idx, j, end)
		j = skipSpace(data, end)
		if j < len(data) && data[j] == ',' {
			j = skipSpace(data, j+1)
		}
	}
}

// nested runs fn with positions pinned to offset off of the current data.
func (d *decoder) nested(off int, fn func()) {
	if d.nest == 0 {
		d.at = off
	}
	d.nest++
	defer func() { d.nest-- }()
	fn()
}

// base64Payload decodes base64 text and then the payload it holds. It
// returns the payload's shape.
func (d *decoder) base64Payload(text []byte, off int, p *path) string {
	if d.nest >= maxNest {
		d.problemPath(off, p, "encoded payloads nested too deeply")
		return ""
	}
	buf := getBuf()
	defer putBuf(buf)
	text = bytes.TrimRight(text, "=")
	n := base64.RawStdEncoding.DecodedLen(len(text))
	if int64(n) > d.budget {
		d.exhaust(off)
		return ""
	}
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	out := (*buf)[:n]
	n, err := decodeBase64(out, text)
	if err != nil {
		d.problemPath(off, p, "invalid base64: "+err.Error())
		return ""
	}
	d.budget -= int64(n)
	kind := ""
	d.nested(off, func() { kind = d.payload(out[:n], p) })
	return kind
}

// decodeBase64 decodes standard base64 whose padding was removed.
func decodeBase64(dst, text []byte) (int, error) {
	return base64.RawStdEncoding.Decode(dst, text)
}

// payload decodes a nested payload: gzip or JSON values.
func (d *decoder) payload(b []byte, p *path) string {
	enc := ""
	if isGzip(b) {
		buf := getBuf()
		defer putBuf(buf)
		out, ok := d.inflate(b, 0, *buf)
		*buf = out
		if !ok {
			return ""
		}
		b, enc = out, "gzip/"
	}
	i := skipSpace(b, skipBOM(b))
	if i == len(b) {
		d.problemPath(0, p, "empty payload")
		return ""
	}
	if b[i] != '{' && b[i] != '[' {
		d.problemPath(0, p, "payload is neither gzip nor JSON (found "+describe(b[i])+")")
		return ""
	}
	if k := d.values(b, i, p, false); k != "" {
		return enc + k
	}
	return ""
}

// base64Lines decodes an input made of base64 lines, each one payload, as
// Firehose and Kinesis deliver CloudWatch Logs subscription data.
func (d *decoder) base64Lines(data []byte, i int) string {
	kind := ""
	for i < len(data) && !d.stopped() {
		e := bytes.IndexByte(data[i:], '\n')
		if e < 0 {
			e = len(data)
		} else {
			e += i
		}
		line := bytes.TrimSpace(data[i:e])
		switch {
		case len(line) == 0:
		case len(line) > d.opt.MaxLine:
			d.problemAt(i, nil, "line longer than the "+itoa(d.opt.MaxLine)+"-byte limit (skipped)")
		default:
			if k := d.base64Payload(line, i, nil); kind == "" && k != "" {
				kind = "base64/" + k
			}
		}
		i = e + 1
	}
	return kind
}

// looksBase64 tells whether b starts with a line of base64 text that
// decodes to gzip or JSON.
func looksBase64(b []byte) bool {
	line := b
	if e := bytes.IndexByte(b, '\n'); e >= 0 {
		line = b[:e]
	}
	line = bytes.TrimRight(line, "\r ")
	if len(line) < 8 {
		return false
	}
	for _, c := range line {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	var head [6]byte
	if _, err := base64.StdEncoding.Decode(head[:], line[:8]); err != nil {
		return false
	}
	return isGzip(head[:]) || head[0] == '{' || head[0] == '['
}
