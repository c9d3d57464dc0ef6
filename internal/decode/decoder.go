package decode

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// Kinds of top-level content, as they appear in Result.Shape.
const (
	kindRecords     = "records"
	kindArray       = "array"
	kindEvent       = "event"
	kindEventBridge = "eventbridge"
	kindCWLogs      = "cwlogs"
	kindFirehose    = "firehose"
	kindDigest      = "digest"
	kindOther       = ""
	kindIgnored     = "ignored" // valid, deliberately not events (CONTROL_MESSAGE, ...)
	kindBad         = "bad"     // a known envelope whose problem was already reported
)

// maxNest bounds how deeply encoded payloads may nest (a base64 line holding
// gzip holding a CloudWatch Logs payload holding a message is depth 2).
const maxNest = 4

// maxPending bounds the problems held back while it is not yet known whether
// an input is CloudTrail at all.
const maxPending = 1000

// path names a JSON value for problem reports; it is built on the stack and
// turned into a string only when a problem is reported.
type path struct {
	parent *path
	key    string
	idx    int // element index when key is ""
}

func (p *path) String() string {
	if p == nil {
		return ""
	}
	s := p.parent.String()
	if p.key == "" {
		return s + "[" + strconv.Itoa(p.idx) + "]"
	}
	if s == "" {
		return p.key
	}
	return s + "." + p.key
}

func (p *path) field(name string) string {
	if s := p.String(); s != "" {
		return s + "." + name
	}
	return name
}

// decoder is the state of one Decode call.
type decoder struct {
	ctx       context.Context
	name      string
	opt       Options
	emit      func(Record) error
	problemFn func(Problem)
	res       Result
	err       error // set when emit failed or ctx was cancelled: stop

	buf    *[]byte
	outer  []byte // the decoded stream, for line numbers
	nest   int    // > 0 while decoding a payload nested inside the stream
	at     int    // offset in outer of the nested payload being decoded
	lineAt int    // line cursor: line number of offset lineAt is line
	line   int
	budget int64 // decode budget left for nested payloads

	ct        bool // content known to be CloudTrail
	digest    bool
	readProb  bool // a problem was found while reading (gzip, size)
	pending   []Problem
	dropped   int
	topValues int

	doc    event.Doc  // reused tape for the parse-while-splitting fast path
	docFor *event.Doc // the Doc of the event being emitted, or nil

	resyncBudget int  // bytes resynchronisation may still look at; bounds its work
	zipDepth     int  // zip archives being decoded, one inside the other
	exhausted    bool // the decode budget ran out (reported once)
}

func newDecoder(ctx context.Context, name string, opt Options, emit func(Record) error, problem func(Problem)) *decoder {
	if emit == nil {
		emit = func(Record) error { return nil }
	}
	d := decoderPool.Get().(*decoder)
	doc := d.doc // its parse tape's memory is kept
	*d = decoder{ctx: ctx, name: name, opt: opt, emit: emit, problemFn: problem, buf: getBuf(), line: 1, doc: doc}
	return d
}

// decoderPool keeps decoders, and with them the tape their event.Doc
// grew, from one Decode to the next: a scan decodes one file after
// another, and each new decoder's tape was grown again from nothing, about
// 8 MB of garbage in 1,880 files.
var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

func (d *decoder) release() {
	putBuf(d.buf)
	doc := d.doc
	doc.Release()
	*d = decoder{doc: doc}
	decoderPool.Put(d)
}

// pos returns the offset and line in the decoded stream of offset off in
// the data being decoded (a nested payload reports its own position).
func (d *decoder) pos(off int) (int64, int) {
	off = d.offset(off)
	if off < d.lineAt { // a field problem was reported before its event
		d.line -= bytes.Count(d.outer[off:d.lineAt], nl)
	} else {
		d.line += bytes.Count(d.outer[d.lineAt:off], nl)
	}
	d.lineAt = off
	return int64(off), d.line
}

// offset is the offset in the decoded stream of offset off in the data
// being decoded.
func (d *decoder) offset(off int) int {
	if d.nest > 0 {
		off = d.at
	}
	return min(off, len(d.outer))
}

var nl = []byte{'\n'}

// report delivers a problem, or holds it back until the input is known to
// be CloudTrail. always delivers at once (read problems).
func (d *decoder) report(p Problem, always bool) {
	p.Input = d.name
	if always {
		d.readProb = true
	}
	if d.ct || always {
		d.deliver(p)
		return
	}
	if len(d.pending) >= maxPending {
		d.dropped++
		return
	}
	d.pending = append(d.pending, p)
}

func (d *decoder) deliver(p Problem) {
	d.res.Problems++
	if d.res.Problems&1023 == 0 && d.err == nil {
		d.err = d.ctx.Err() // an input of nothing but problems still stops
	}
	if d.problemFn != nil {
		d.problemFn(p)
	}
}

func (d *decoder) problemAt(off int, field *string, msg string) {
	if !d.ct && len(d.pending) >= maxPending {
		d.dropped++ // not worth formatting: it may never be reported
		return
	}
	o, l := d.pos(off)
	p := Problem{Offset: o, Line: l, Msg: msg}
	if field != nil {
		p.Field = *field
	}
	d.report(p, false)
}

func (d *decoder) problemPath(off int, p *path, msg string) {
	if !d.ct && len(d.pending) >= maxPending {
		d.dropped++
		return
	}
	f := p.String()
	d.problemAt(off, &f, msg)
}

// markCT records that the input is CloudTrail and releases held problems.
func (d *decoder) markCT() {
	if d.ct {
		return
	}
	d.ct = true
	for _, p := range d.pending {
		d.deliver(p)
	}
	if d.dropped > 0 {
		d.deliver(Problem{Input: d.name, Offset: -1, Msg: fmt.Sprintf("%d more problems before the first event were not reported one by one", d.dropped)})
	}
	d.pending, d.dropped = nil, 0
}

// stopped reports whether decoding must stop (emit failed, ctx cancelled).
func (d *decoder) stopped() bool { return d.err != nil }

func (d *decoder) emitRecord(raw []byte, off int, t time.Time) {
	if d.err != nil {
		return
	}
	o, l := int64(d.offset(off)), 0
	if !d.opt.NoRecordLines {
		o, l = d.pos(off)
	}
	// Cap the slice: an append by the consumer must not overwrite the
	// decoder's buffer (the bytes after the event are still to be read).
	raw = raw[:len(raw):len(raw)]
	if err := d.emit(Record{Raw: raw, Offset: o, Line: l, Time: t, Doc: d.docFor}); err != nil {
		d.err = err
		return
	}
	d.res.Events++
	if d.res.Events&1023 == 0 {
		d.err = d.ctx.Err()
	}
}

// stream decodes the whole decoded input.
func (d *decoder) stream(data []byte, enc string) {
	d.outer = data
	d.budget = d.opt.MaxDecoded - int64(len(data))
	if kind := d.body(data); kind != "" {
		d.res.Shape = enc + kind
	}
}

// body decodes one decoded stream (the input, or a zip member) and returns
// its shape.
func (d *decoder) body(data []byte) string {
	i := skipSpace(data, skipBOM(data))
	if i == len(data) {
		return ""
	}
	switch c := data[i]; {
	case c == '{' || c == '[':
		before := d.topValues
		k := d.values(data, i, nil, true)
		if k != "" && d.topValues-before > 1 {
			k = "jsonl/" + k
		}
		return k
	case looksBase64(data[i:]):
		return d.base64Lines(data, i)
	case isGzip(data[i:]):
		k := ""
		d.nested(i, func() { k = d.payload(data[i:], nil) })
		return k
	case isZip(data[i:]) && d.zipDepth < maxZipDepth:
		return d.zip(data[i:])
	}
	return ""
}

// finish decides the class of the input.
func (d *decoder) finish(data []byte) {
	i := skipSpace(data, skipBOM(data))
	switch {
	case d.ct:
		d.res.Class = Events
	case d.digest:
		d.res.Class, d.res.Shape = Digest, "digest"
	case len(d.pending)+d.dropped > 0 && looksCloudTrail(data):
		d.markCT()
		d.res.Class = Events
	case i == len(data) && d.readProb:
		d.res.Class = Events
	case i == len(data):
		d.res.Class = Empty
	default:
		d.res.Class = NotCloudTrail
	}
	if d.res.Shape == "" {
		d.res.Shape = guessShape(data[i:])
	}
}

func guessShape(b []byte) string {
	switch {
	case len(b) == 0:
		return "empty"
	case b[0] == '{' || b[0] == '[':
		return "json"
	case isText(b):
		return "text"
	default:
		return "binary"
	}
}

func isText(b []byte) bool {
	if len(b) > 512 {
		b = b[:512]
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// looksCloudTrail tells whether content that could not be parsed still
// looks like CloudTrail, so that its problems are worth reporting.
func looksCloudTrail(b []byte) bool {
	for _, m := range [...]string{`"eventVersion"`, `"eventSource"`, `"eventName"`, `"Records"`, `"eventID"`} {
		if bytes.Contains(b, []byte(m)) {
			return true
		}
	}
	return false
}

func skipBOM(b []byte) int {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return 3
	}
	return 0
}

var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace[data[i]] {
		i++
	}
	return i
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// jsonType names the JSON type of the value starting with c.
func jsonType(c byte) string {
	switch {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}

func quoteShort(b []byte) string {
	if len(b) > 64 {
		return strconv.Quote(string(b[:64])) + "..."
	}
	return strconv.Quote(string(b))
}

func itoa(n int) string { return strconv.Itoa(n) }
