package decode

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// field identifies the top-level keys the decoder looks at.
type field uint8

// The keys up to fEventID are the ones whose presence makes an object an
// event.
const (
	fEventVersion field = iota
	fEventSource
	fEventName
	fEventID
	fEventTime
	fTimestamp
	fAwsRegion
	fSourceIP
	fUserAgent
	fRecipient
	fEventType
	fUserIdentity
	fRecords
	fDetailType
	fDetail
	fMessageType
	fLogEvents
	fFirehoseRecords
	fRequestID
	fDigest
	nFields
	fNone = nFields
)

var fieldNames = [nFields]string{
	fEventVersion: "eventVersion", fEventSource: "eventSource", fEventName: "eventName",
	fEventID: "eventID", fEventTime: "eventTime", fTimestamp: "@timestamp",
	fAwsRegion: "awsRegion", fSourceIP: "sourceIPAddress", fUserAgent: "userAgent",
	fRecipient: "recipientAccountId", fEventType: "eventType", fUserIdentity: "userIdentity",
	fRecords: "Records", fDetailType: "detail-type", fDetail: "detail",
	fMessageType: "messageType", fLogEvents: "logEvents", fFirehoseRecords: "records",
	fRequestID: "requestId", fDigest: "digest",
}

func fieldOf(key []byte) field {
	switch string(key) {
	case "eventVersion":
		return fEventVersion
	case "eventSource":
		return fEventSource
	case "eventName":
		return fEventName
	case "eventID":
		return fEventID
	case "eventTime":
		return fEventTime
	case "@timestamp":
		return fTimestamp
	case "awsRegion":
		return fAwsRegion
	case "sourceIPAddress":
		return fSourceIP
	case "userAgent":
		return fUserAgent
	case "recipientAccountId":
		return fRecipient
	case "eventType":
		return fEventType
	case "userIdentity":
		return fUserIdentity
	case "Records":
		return fRecords
	case "detail-type":
		return fDetailType
	case "detail":
		return fDetail
	case "messageType":
		return fMessageType
	case "logEvents":
		return fLogEvents
	case "records":
		return fFirehoseRecords
	case "requestId":
		return fRequestID
	case "digestStartTime", "digestEndTime", "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "digestS3Bucket", "digestS3Object", "previousDigestSignature":
		return fDigest
	}
	return fNone
}

// digestNames are the keys that make an object a digest (fieldOf's
// fDigest; TestLookupKeysAgreeWithFieldOf holds the two together).
var digestNames = [...]string{"digestStartTime", "digestEndTime", "digestPublicKeyFingerprint",
	"digestSignatureAlgorithm", "digestS3Bucket", "digestS3Object", "previousDigestSignature"}

// lookupKeys are the keys of the fields up to fDigest, prepared for lookups
// in a parsed event, then the digest keys.
var lookupKeys = func() (k [int(fDigest) + len(digestNames)]event.Key) {
	for f := range fDigest {
		k[f] = event.NewKey(fieldNames[f])
	}
	for i, n := range digestNames {
		k[int(fDigest)+i] = event.NewKey(n)
	}
	return k
}()

type span struct{ s, e int32 }

// objInfo holds where the interesting top-level members of an object are.
type objInfo struct {
	has  uint32 // bit per field
	span [nFields]span
}

func (o *objInfo) get(f field) (span, bool) { return o.span[f], o.has&(1<<f) != 0 }

// parsedEvent is the fast path for an array element: it parses the element
// into the decoder's tape (validating it as walk would) and, when it is a
// plain CloudTrail event, hands the parsed tape over with the record so the
// consumer does not parse the same bytes again. Anything else (invalid JSON,
// a nested Records array, envelopes, digests) reports false and takes the
// general path from the start, so problems and resynchronisation are
// exactly as before.
func (d *decoder) parsedEvent(data []byte, i int, p *path) (int, bool) {
	end, err := d.doc.ParseAt(data, i)
	if err != nil {
		return 0, false
	}
	var info objInfo
	d.rootFields(&info)
	const envelope = 1<<fRecords | 1<<fDigest | 1<<fDetailType | 1<<fDetail | 1<<fMessageType | 1<<fFirehoseRecords
	if info.has&envelope != 0 || info.has&(1<<fEventVersion|1<<fEventSource|1<<fEventName|1<<fEventID) == 0 {
		return 0, false
	}
	d.docFor = &d.doc
	d.event(data, i, end, p, &info)
	d.docFor = nil
	return end, true
}

// rootFields records the interesting members of the parsed root object,
// as walk would.
func (d *decoder) rootFields(info *objInfo) {
	root := d.doc.Root()
	note := func(f field, v event.Value) {
		s := v.Offset()
		info.has |= 1 << f
		info.span[f] = span{int32(s), int32(s + len(v.Raw()))}
	}
	if !d.doc.RootKeysPlain() {
		// A key written with escapes is not the field it decodes to
		// (walk compares the bytes as written): compare every key.
		root.EachMember(func(key []byte, v event.Value) bool {
			if f := fieldOf(key); f != fNone {
				note(f, v)
			}
			return true
		})
		return
	}
	// Every field is a known top-level key: each lookup is an array read.
	var vals [len(lookupKeys)]event.Value
	root.Fields(lookupKeys[:], vals[:])
	for f, v := range vals[:fDigest] {
		if v.Exists() {
			note(field(f), v)
		}
	}
	for _, v := range vals[fDigest:] {
		if v.Exists() && v.Offset() >= int(info.span[fDigest].s) {
			note(fDigest, v) // the last digest key, as walk
		}
	}
}

// object decodes the object at data[i]: it validates it, finds its
// interesting members, decodes the Records array in place, and handles the
// object as what it turns out to be. It returns the object's end and kind.
func (d *decoder) object(data []byte, i int, p *path) (int, string, error) {
	var info objInfo
	end, err := d.walk(data, i, p, &info)
	if err != nil {
		if info.has&(1<<fRecords) != 0 {
			return end, kindRecords, err // a truncated delivery object is still one
		}
		return end, kindOther, err
	}
	switch {
	case info.has&(1<<fRecords) != 0:
		return end, kindRecords, nil
	case info.has&(1<<fEventVersion|1<<fEventSource|1<<fEventName|1<<fEventID) != 0:
		d.event(data, i, end, p, &info)
		return end, kindEvent, nil
	case info.has&(1<<fDigest) != 0:
		d.digest = true
		return end, kindDigest, nil
	case info.has&(1<<fDetailType) != 0 && info.has&(1<<fDetail) != 0:
		return end, d.eventBridge(data, p, &info), nil
	case info.has&(1<<fMessageType) != 0:
		return end, d.cwLogs(data, p, &info), nil
	case info.has&(1<<fFirehoseRecords) != 0 && info.has&(1<<fRequestID) != 0:
		return end, d.firehose(data, p, &info), nil
	}
	return end, kindOther, nil
}

// walk validates the object at data[i] member by member, recording the
// interesting ones; a Records array is decoded as it is met.
func (d *decoder) walk(data []byte, i int, p *path, info *objInfo) (int, error) {
	j := skipSpace(data, i+1)
	if j < len(data) && data[j] == '}' {
		return j + 1, nil
	}
	for {
		if j >= len(data) {
			return j, &event.SyntaxError{Offset: int64(j), Msg: "unexpected end of input in object"}
		}
		if data[j] != '"' {
			return j, &event.SyntaxError{Offset: int64(j), Msg: "expected a string key, found " + describe(data[j])}
		}
		ke, err := scanKey(data, j)
		if err != nil {
			return ke, err
		}
		f := fieldOf(data[j+1 : ke-1])
		j = skipSpace(data, ke)
		if j >= len(data) || data[j] != ':' {
			return j, &event.SyntaxError{Offset: int64(j), Msg: "expected ':' after object key"}
		}
		vs := skipSpace(data, j+1)
		var ve int
		if f == fRecords && vs < len(data) && data[vs] == '[' {
			d.markCT()
			ve, err = d.array(data, vs, &path{parent: p, key: "Records"}, true)
		} else if vs < len(data) && data[vs] == '"' {
			ve, err = scanKey(data, vs) // most values are plain strings
		} else {
			ve, err = event.Skip(data, vs)
		}
		if err != nil {
			if f == fRecords && vs < len(data) && data[vs] == '[' {
				info.has |= 1 << fRecords // a broken Records array still makes a delivery object
			}
			return ve, err
		}
		if f != fNone {
			info.has |= 1 << f
			info.span[f] = span{int32(vs), int32(ve)}
		}
		j = skipSpace(data, ve)
		if j >= len(data) {
			return j, &event.SyntaxError{Offset: int64(j), Msg: "unexpected end of input in object"}
		}
		switch data[j] {
		case ',':
			j = skipSpace(data, j+1)
		case '}':
			if info.has&(1<<fRecords) != 0 && data[info.span[fRecords].s] != '[' {
				d.markCT()
				d.problemPath(int(info.span[fRecords].s), &path{parent: p, key: "Records"},
					"expected an array, found "+jsonType(data[info.span[fRecords].s]))
			}
			return j + 1, nil
		default:
			return j, &event.SyntaxError{Offset: int64(j), Msg: "expected ',' or '}' in object, found " + describe(data[j])}
		}
	}
}

// scanKey returns the end of the string (an object key or a string value)
// starting with the quote at data[j]. Strings without escapes (all of
// CloudTrail's keys, most values) are scanned inline, accepting exactly
// what event.Skip accepts; others go to event.Skip.
func scanKey(data []byte, j int) (int, error) {
	k := j + 1
	for k+8 <= len(data) && !needsAttention(binary.LittleEndian.Uint64(data[k:])) {
		k += 8
	}
	for k < len(data) && keySafe[data[k]] {
		k++
	}
	if k < len(data) && data[k] == '"' {
		return k + 1, nil
	}
	return event.Skip(data, j)
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// needsAttention tells whether one of the 8 bytes in w may be a quote, a
// backslash or a control character (never false when one is).
func needsAttention(w uint64) bool {
	q := w ^ (ones * '"')
	b := w ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b|(w-ones*0x20)&^w)&highs != 0
}

// keySafe marks the bytes a string may hold without attention: not a
// quote, a backslash or a control character.
var keySafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// stringFields must be strings when present (null is accepted).
var stringFields = [...]field{fEventVersion, fEventSource, fEventName, fAwsRegion, fSourceIP, fUserAgent, fRecipient, fEventType}

// event checks the fields of an event object and emits it.
func (d *decoder) event(data []byte, i, end int, p *path, info *objInfo) {
	d.markCT()
	if end-i > d.opt.MaxLine {
		d.problemPath(i, p, "event of "+strconv.Itoa(end-i)+" bytes is larger than the "+strconv.Itoa(d.opt.MaxLine)+"-byte limit (skipped)")
		return
	}
	for _, f := range stringFields {
		if sp, ok := info.get(f); ok {
			if c := data[sp.s]; c != '"' && c != 'n' {
				d.fieldProblem(int(sp.s), p, f, "expected a string, found "+jsonType(c))
			}
		}
	}
	if sp, ok := info.get(fUserIdentity); ok && data[sp.s] != '{' && data[sp.s] != 'n' {
		d.fieldProblem(int(sp.s), p, fUserIdentity, "expected an object, found "+jsonType(data[sp.s]))
	}
	if sp, ok := info.get(fEventID); !ok {
		d.fieldProblem(i, p, fEventID, "missing (the event cannot be de-duplicated)")
	} else if data[sp.s] != '"' {
		d.fieldProblem(int(sp.s), p, fEventID, "expected a string, found "+jsonType(data[sp.s]))
	}
	d.emitRecord(data[i:end], i, d.eventTime(data, i, p, info))
}

func (d *decoder) fieldProblem(off int, p *path, f field, msg string) {
	name := p.field(fieldNames[f])
	d.problemAt(off, &name, msg)
}

// eventTime returns the event's time from eventTime, or from @timestamp
// when eventTime is absent, reporting a missing, mistyped or invalid one.
func (d *decoder) eventTime(data []byte, i int, p *path, info *objInfo) time.Time {
	f := fEventTime
	sp, ok := info.get(fEventTime)
	if !ok {
		f = fTimestamp
		if sp, ok = info.get(fTimestamp); !ok {
			d.fieldProblem(i, p, fEventTime, "missing (and no @timestamp): the event is untimed")
			return time.Time{}
		}
	}
	raw := data[sp.s:sp.e]
	if raw[0] != '"' {
		d.fieldProblem(int(sp.s), p, f, "expected a string timestamp, found "+jsonType(raw[0]))
		return time.Time{}
	}
	t, ok := parseTime(raw)
	if !ok {
		d.fieldProblem(int(sp.s), p, f, "invalid timestamp "+quoteShort(raw[1:len(raw)-1])+" (want RFC 3339, e.g. 2021-07-28T12:35:00Z)")
	}
	return t
}

// parseTime parses a quoted RFC 3339 timestamp. The usual CloudTrail form
// "2006-01-02T15:04:05Z" takes a fast path.
func parseTime(raw []byte) (time.Time, bool) {
	s := raw[1 : len(raw)-1]
	if t, ok := event.ParseZulu(s); ok {
		return t, true
	}
	str := string(s)
	for _, c := range s {
		if c == '\\' {
			str = event.Unquote(raw)
			break
		}
	}
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
