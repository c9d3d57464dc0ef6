// Package decode turns the bytes of one input (a file, an archive member, an
// S3 object, stdin) into CloudTrail events.
//
// The shape of an input is sniffed from its content, never from its name:
// gzip (possibly multi-member), zip, base64 lines, S3 delivery objects
// ({"Records":[...]}), JSON arrays of events, single events, JSON Lines,
// EventBridge envelopes, CloudWatch Logs subscription payloads, Firehose HTTP
// endpoint delivery bodies and CloudTrail digest files. See docs/inputs.md.
//
// Each event is handed to the caller as validated JSON bytes (Record.Raw)
// and, for the events of Records arrays, as the parsed tape the splitter
// built while checking it (Record.Doc), so that no event is parsed twice.
//
// Bad input never stops the decoding of the rest of an input: each piece is
// reported as a Problem and skipped.
package decode

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// Record is one CloudTrail event found in an input.
type Record struct {
	// Raw is the event's JSON object, validated. It is valid only until the
	// emit callback returns; a consumer that keeps it copies it.
	Raw []byte
	// Offset is the byte offset of the event's first byte in the decoded
	// (decompressed, un-base64'd) stream. For an event found inside an
	// encoded payload (a base64 line, a Firehose record, a CloudWatch Logs
	// message) it is the offset of that payload in the outer stream.
	Offset int64
	// Line is the 1-based line of Offset in the decoded stream, 0 when not
	// tracked.
	Line int
	// Time is the event's eventTime (or @timestamp when eventTime is
	// absent), zero when the event has neither or it is invalid.
	Time time.Time
	// Doc, when not nil, is Raw already parsed (most events of S3 objects
	// are parsed while being split, so consumers need not parse them
	// again). Like Raw it is valid only until the emit callback returns;
	// its values' offsets are offsets in the decoder's buffer, not in Raw.
	Doc *event.Doc
}

// Problem is bad input that was reported and skipped.
type Problem struct {
	Input  string // input name as given to Decode
	Offset int64  // byte offset in the decoded stream
	Line   int    // 1-based line, 0 when unknown
	Field  string // JSON field concerned (e.g. "Records[12].eventTime"), "" if none
	Msg    string
}

// Error formats the problem as "name:line: offset N: field F: msg", leaving
// out the parts that are unknown.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Input)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	if p.Offset >= 0 {
		b.WriteString(": offset " + strconv.FormatInt(p.Offset, 10))
	}
	if p.Field != "" {
		b.WriteString(": field " + p.Field)
	}
	b.WriteString(": " + p.Msg)
	return b.String()
}

// Class is what an input turned out to be.
type Class int

// The classes of input.
const (
	// Empty is an input with no bytes or only white space.
	Empty Class = iota
	// Events is CloudTrail event input (it may still hold zero events, for
	// example {"Records":[]} or a file whose every event was bad).
	Events
	// Digest is a CloudTrail digest file: recognised, holds no events.
	Digest
	// NotCloudTrail is anything else: text, YAML, binary data, JSON that is
	// not CloudTrail. It is not a problem.
	NotCloudTrail
)

var classNames = [...]string{"empty", "events", "digest", "not-cloudtrail"}

// String returns a lower-case name for the class.
func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Result summarises one Decode call.
type Result struct {
	Class Class
	// Shape describes what was found, encodings first: for example
	// "records", "gzip/records", "jsonl/event", "base64/gzip/cwlogs".
	Shape        string
	Events       int   // events emitted
	Problems     int   // problems reported
	Ignored      int   // valid values deliberately left out (CONTROL_MESSAGE, non-CloudTrail EventBridge events)
	DecodedBytes int64 // size of the decoded stream
}

// Default limits used when Options fields are zero.
const (
	// DefaultMaxDecoded bounds the decoded size of one input: 1 GiB. The
	// largest CloudTrail delivery objects are tens of MB decoded; an input is
	// held in memory while it is decoded, so this is also the memory bound
	// per concurrent Decode.
	DefaultMaxDecoded = 1 << 30
	// DefaultMaxLine bounds one JSON Lines line, one base64 line and one
	// event: 16 MiB.
	DefaultMaxLine = 16 << 20
)

// Options bound the work done on one input.
type Options struct {
	// MaxDecoded bounds the inflated/decoded size of one input (gzip-bomb
	// guard), including payloads decoded from base64 inside it. Reading
	// stops there; what was read is decoded and a Problem is reported.
	// Zero means DefaultMaxDecoded.
	MaxDecoded int64
	// MaxLine is the longest JSON Lines line, base64 line or single event
	// accepted; longer ones are reported and skipped, not fatal. It does not
	// apply to a {"Records":[...]} object, whose events are checked one by
	// one. Zero means DefaultMaxLine.
	MaxLine int
	// NoRecordLines leaves Record.Line 0, for a consumer that does not
	// read it: counting the lines up to every event is a pass over the
	// input. Problems still carry their lines.
	NoRecordLines bool
}

func (o Options) withDefaults() Options {
	if o.MaxDecoded <= 0 {
		o.MaxDecoded = DefaultMaxDecoded
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	return o
}

// Decode sniffs the content of one input and calls emit for each event in
// it, and problem for each piece of bad input. It returns an error only when
// the input could not be read, ctx was cancelled or emit returned an error;
// bad content is reported through problem and never stops the rest of the
// input. Decode is safe for concurrent use; emit and problem are called from
// the calling goroutine only, and either may be nil (counting only).
func Decode(ctx context.Context, name string, r io.Reader, opt Options, emit func(Record) error, problem func(Problem)) (Result, error) {
	d := newDecoder(ctx, name, opt.withDefaults(), emit, problem)
	defer d.release()
	data, enc, err := d.readAll(r)
	if err != nil {
		return d.res, fmt.Errorf("decode %s: %w", name, err)
	}
	d.res.DecodedBytes = int64(len(data))
	d.stream(data, enc)
	d.finish(data)
	if d.err != nil {
		return d.res, fmt.Errorf("decode %s: %w", name, d.err)
	}
	return d.res, nil
}
