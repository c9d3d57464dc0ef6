package decode

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"
)

// The tests of this file pin down edges of the documented behaviour
// (docs/inputs.md) that no other test held: each was found by changing the
// decoder slightly and seeing every test still pass.

func firehoseBody(datas ...[]byte) string {
	var recs []string
	for _, d := range datas {
		recs = append(recs, fmt.Sprintf(`{"data":%q}`, b64(d)))
	}
	return `{"requestId":"r","timestamp":1578090901599,"records":[` + strings.Join(recs, ",") + `]}`
}

func limitProblems(o outcome) []Problem {
	var ps []Problem
	for _, p := range o.problems {
		if strings.Contains(p.Msg, "limit") {
			ps = append(ps, p)
		}
	}
	return ps
}

// Without record lines, an event inside an encoded payload keeps the
// offset of that payload in the outer stream.
func TestNoRecordLinesKeepsPayloadOffsets(t *testing.T) {
	data := shapes()["cwlogs-base64-lines"]
	o := run(t, data, Options{})
	n := run(t, data, Options{NoRecordLines: true})
	if len(n.records) != 3 || len(o.records) != 3 {
		t.Fatalf("%d and %d records", len(n.records), len(o.records))
	}
	for i, r := range n.records {
		if r.Line != 0 || r.Offset != o.records[i].Offset {
			t.Errorf("record %d at %d, line %d; want offset %d, line 0", i, r.Offset, r.Line, o.records[i].Offset)
		}
	}
}

// An input of nothing but problems still stops when ctx is cancelled.
func TestCancelStopsAnInputOfProblems(t *testing.T) {
	data := fixtureEvents[0] + "\n" + strings.Repeat("not json\n", 3000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Decode(ctx, "x", strings.NewReader(data), Options{}, nil, nil)
	if !errors.Is(err, context.Canceled) || res.Problems >= 3000 {
		t.Errorf("err %v after %d problems", err, res.Problems)
	}
}

// MaxDecoded counts the outer stream and every payload decoded inside it,
// gzip or not, and the limit is reported once, where it was reached.
func TestNestedPayloadsShareTheDecodeBudget(t *testing.T) {
	e := fixtureEvents[0]
	t.Run("outer stream counts", func(t *testing.T) {
		data := firehoseBody([]byte(e), []byte(e))
		o := run(t, []byte(data), Options{MaxDecoded: int64(len(data) + len(e) + len(e)/2)})
		if len(o.records) != 1 || len(limitProblems(o)) != 1 || len(o.problems) != 1 {
			t.Errorf("%d records, problems %v", len(o.records), o.problems)
		}
	})
	for _, zipped := range []bool{false, true} {
		t.Run(fmt.Sprintf("payloads count, gzip %v", zipped), func(t *testing.T) {
			payload := cwlPayload([]string{e}) + strings.Repeat(" ", 20000)
			var lines []string
			for range 3 {
				if zipped {
					lines = append(lines, b64(gz(payload)))
				} else {
					lines = append(lines, b64([]byte(payload)))
				}
			}
			data := strings.Join(lines, "\n") + "\n"
			o := run(t, []byte(data), Options{MaxDecoded: int64(len(data) + 2*len(payload) + len(payload)/2)})
			// A gzip payload is inflated up to the limit, and what was
			// inflated is decoded; a plain one is skipped whole.
			want := 2
			if zipped {
				want = 3
			}
			lp := limitProblems(o)
			if len(o.records) != want || len(lp) != 1 || len(o.problems) != 1 || lp[0].Line != 3 {
				t.Errorf("%d records, problems %v", len(o.records), o.problems)
			}
		})
	}
	t.Run("reported at the payload that went over", func(t *testing.T) {
		payload := cwlPayload([]string{e}) + strings.Repeat(" ", 1<<20)
		line := b64(gz(payload))
		data := line + "\n" + line + "\n"
		o := run(t, []byte(data), Options{MaxDecoded: int64(len(data) + len(payload) - 1000)})
		lp := limitProblems(o)
		if len(o.records) != 1 || len(lp) != 1 || len(o.problems) != 1 || lp[0].Line != 1 || lp[0].Offset != 0 {
			t.Errorf("%d records, problems %v", len(o.records), o.problems)
		}
	})
	t.Run("a payload that fits exactly", func(t *testing.T) {
		data := b64([]byte(e)) + "\n"
		o := run(t, []byte(data), Options{MaxDecoded: int64(len(data) + len(e))})
		if len(o.records) != 1 || len(o.problems) != 0 {
			t.Errorf("%d records, problems %v", len(o.records), o.problems)
		}
	})
}

// Inflated zip members count against MaxDecoded; the limit is reported once,
// in the member where it was reached.
func TestZipMembersShareTheDecodeBudget(t *testing.T) {
	member := []byte(fixtureEvents[0] + "\n" + strings.Repeat(" ", 50000))
	data := zipOf(map[string][]byte{"a.json": member, "b.json": member, "c.json": member})
	o := run(t, data, Options{MaxDecoded: int64(len(data) + 2*len(member) + len(member)/2)})
	lp := limitProblems(o)
	if len(lp) != 1 || len(o.problems) != 1 || lp[0].Input != "in.json!c.json" {
		t.Errorf("%d records, problems %v", len(o.records), o.problems)
	}
}

// Zip archives nest at most 2 levels.
func TestZipInZipInZipIsNotExpanded(t *testing.T) {
	records := []byte(`{"Records":[` + strings.Join(fixtureEvents, ",") + `]}`)
	data := zipOf(map[string][]byte{"1.zip": zipOf(map[string][]byte{"2.zip": zipOf(map[string][]byte{"all.json": records})})})
	o := run(t, data, Options{})
	if len(o.records) != 0 || len(o.problems) != 0 || o.res.Class == Events {
		t.Errorf("class %v, %d records, problems %v", o.res.Class, len(o.records), o.problems)
	}
}

// Content that cannot be parsed but names CloudTrail keys is reported.
func TestBrokenContentNamingCloudTrailKeys(t *testing.T) {
	for _, key := range []string{"eventVersion", "eventSource", "eventName", "eventID", "Records"} {
		o := run(t, []byte(`{"`+key+`":"x",`), Options{})
		if o.res.Class != Events || len(o.problems) != 1 {
			t.Errorf("%s: class %v, problems %v", key, o.res.Class, o.problems)
		}
	}
	// Text that merely quotes a key is not CloudTrail.
	o := run(t, []byte("title: x\ndetection:\n  selection:\n    \"eventName\": ConsoleLogin\n"), Options{})
	if o.res.Class != NotCloudTrail || len(o.problems) != 0 {
		t.Errorf("quoted key in YAML: class %v, problems %v", o.res.Class, o.problems)
	}
}

// A truncated gzip stream is reported at the decoded offset where it ends.
func TestTruncatedGzipOffset(t *testing.T) {
	full := gz(`{"Records":[` + strings.Join(fixtureEvents, ",") + `]}`)
	o := run(t, full[:len(full)-30], Options{})
	if len(o.problems) == 0 || !strings.Contains(o.problems[0].Msg, "truncated gzip") || o.problems[0].Offset != o.res.DecodedBytes {
		t.Errorf("decoded %d, problems %v", o.res.DecodedBytes, o.problems)
	}
}

// wrapFirehose nests a payload n times in Firehose bodies.
func wrapFirehose(payload string, n int) string {
	for range n {
		payload = firehoseBody([]byte(payload))
	}
	return payload
}

// Encoded payloads nest up to 4 levels.
func TestEncodedPayloadsNestFourLevels(t *testing.T) {
	o := run(t, []byte(wrapFirehose(fixtureEvents[0], 4)), Options{})
	if len(o.records) != 1 || len(o.problems) != 0 {
		t.Errorf("4 levels: %d records, problems %v", len(o.records), o.problems)
	}
	data := fixtureEvents[2] + "\n" + wrapFirehose(fixtureEvents[0], 5)
	o = run(t, []byte(data), Options{})
	if len(o.records) != 1 || len(o.problems) != 1 || !strings.Contains(o.problems[0].Msg, "nested too deeply") || o.problems[0].Line != 2 {
		t.Errorf("5 levels: %d records, problems %v", len(o.records), o.problems)
	}
}

func TestEmptyFirehosePayload(t *testing.T) {
	for _, empty := range []string{"", "   \n"} {
		data := firehoseBody([]byte(empty), []byte(fixtureEvents[0]))
		o := run(t, []byte(data), Options{})
		wantProblems(t, o, [2]string{"records[0].data", "empty payload"})
		if len(o.records) != 1 {
			t.Errorf("%q: %d records", empty, len(o.records))
		}
	}
}

func TestBase64Lines(t *testing.T) {
	ev := fixtureEvents
	t.Run("longer than MaxLine", func(t *testing.T) {
		long := b64([]byte(cwlPayload(ev[1:2]) + strings.Repeat(" ", 5000)))
		data := b64(gz(cwlPayload(ev[:1]))) + "\n" + long + "\n" + b64(gz(cwlPayload(ev[2:])))
		o := run(t, []byte(data), Options{MaxLine: 4096})
		wantProblems(t, o, [2]string{"", "longer than the 4096-byte limit"})
		if len(o.records) != 2 || o.problems[0].Line != 2 {
			t.Errorf("%d records, problem line %d", len(o.records), o.problems[0].Line)
		}
	})
	for name, data := range map[string]string{
		"CRLF":        b64(gz(cwlPayload(ev[:2]))) + "\r\n" + b64([]byte(cwlPayload(ev[2:]))) + "\r\n",
		"blank lines": b64(gz(cwlPayload(ev[:2]))) + "\n\n  \n" + b64([]byte(cwlPayload(ev[2:]))) + "\n",
		"JSON arrays": b64([]byte("["+ev[0]+","+ev[1]+"]")) + "\n" + b64([]byte("["+ev[2]+"]")) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			o := run(t, []byte(data), Options{})
			if len(o.records) != 3 || len(o.problems) != 0 || !strings.HasPrefix(o.res.Shape, "base64/") {
				t.Errorf("shape %q, %d records, problems %v", o.res.Shape, len(o.records), o.problems)
			}
		})
	}
}

// An event inside a plain CloudWatch Logs payload is placed at its message.
func TestCloudWatchEventOffsetIsItsMessage(t *testing.T) {
	data := cwlPayload(fixtureEvents[:2])
	o := run(t, []byte(data), Options{})
	if len(o.records) != 2 {
		t.Fatalf("%d records, problems %v", len(o.records), o.problems)
	}
	for i, r := range o.records {
		if !strings.HasSuffix(data[:r.Offset], `"message":`) || data[r.Offset] != '"' {
			t.Errorf("record %d at offset %d: %q", i, r.Offset, data[r.Offset:r.Offset+20])
		}
	}
}

// Envelopes, badly formed, are reported on their field and the rest is kept.
func TestBadEnvelopes(t *testing.T) {
	for _, c := range []struct{ in, field, msg string }{
		{`{"messageType":"DATA_MESSAGE","logEvents":null}`, "logEvents", "without a logEvents array"},
		{`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":5}]}`, "logEvents[0].message", "without a message string"},
		{`{"requestId":"r","records":5}`, "records", "expected an array, found number"},
		{`{"detail-type":"AWS API Call via CloudTrail","detail":5}`, "detail", "expected an object, found number"},
	} {
		o := run(t, []byte(c.in+"\n"+fixtureEvents[0]+"\n"), Options{})
		wantProblems(t, o, [2]string{c.field, c.msg})
		if len(o.records) != 1 {
			t.Errorf("%s: %d records", c.in, len(o.records))
		}
	}
}

// An envelope is recognised by all of its keys, not by one.
func TestEnvelopesNeedAllTheirKeys(t *testing.T) {
	for _, in := range []string{
		`{"records":[{"data":"` + b64([]byte(fixtureEvents[0])) + `"}]}`, // Firehose without requestId
		`{"detail":` + fixtureEvents[0] + `}`,                            // EventBridge without detail-type
	} {
		o := run(t, []byte(in), Options{})
		if len(o.records) != 0 {
			t.Errorf("%.40s: %d records", in, len(o.records))
		}
	}
}

// An object with a Records key is a delivery object even with event keys,
// as an array element and at the top level.
func TestRecordsKeyMakesADeliveryObject(t *testing.T) {
	e0 := compact(t, []byte(fixtureEvents[0]))
	for _, in := range []string{
		`[{"Records":[` + fixtureEvents[0] + `],"eventName":"x","eventID":"y"}]`,
		`{"eventName":"x","eventID":"y","Records":[` + fixtureEvents[0] + `]}`,
	} {
		o := run(t, []byte(in), Options{})
		if len(o.records) != 1 || compact(t, o.records[0].Raw) != e0 || len(o.problems) != 0 {
			t.Errorf("%.40s: %d records, problems %v", in, len(o.records), o.problems)
		}
	}
}

// An object means the same whether it is decoded alone or as an element of
// an array (the parse-while-splitting path): keys are compared as written,
// and a duplicate key is read the same way.
func TestArrayElementsReadAsSingleEvents(t *testing.T) {
	for _, obj := range []string{
		`{"eventN\u0061me":"X","eventTime":"2023-07-19T21:44:40Z"}`,
		`{"eventID":"a","eventTime":"2023-01-01T00:00:00Z","eventName":"X","eventTime":"2024-01-01T00:00:00Z"}`,
		`{"eventID":"a","eventName":"X","eventT\u0069me":"2024-01-01T00:00:00Z","eventTime":"2023-01-01T00:00:00Z"}`,
	} {
		alone := run(t, []byte(obj), Options{})
		inArray := run(t, []byte("["+obj+"]"), Options{})
		if len(alone.records) != len(inArray.records) {
			t.Errorf("%s: %d records alone, %d in an array", obj, len(alone.records), len(inArray.records))
			continue
		}
		for i, r := range alone.records {
			if !r.Time.Equal(inArray.records[i].Time) {
				t.Errorf("%s: time %v alone, %v in an array", obj, r.Time, inArray.records[i].Time)
			}
		}
	}
}

// MaxLine is the largest event accepted: one of exactly that size is.
func TestEventOfExactlyMaxLine(t *testing.T) {
	e := fixtureEvents[0]
	if o := run(t, []byte(e), Options{MaxLine: len(e)}); len(o.records) != 1 || len(o.problems) != 0 {
		t.Errorf("MaxLine = size: %d records, problems %v", len(o.records), o.problems)
	}
	o := run(t, []byte(e), Options{MaxLine: len(e) - 1})
	if len(o.records) != 0 || len(o.problems) != 1 {
		t.Errorf("MaxLine = size-1: %d records, problems %v", len(o.records), o.problems)
	}
}

// Every checked field is reported when mistyped, null is accepted, and the
// event is emitted all the same.
func TestMistypedFields(t *testing.T) {
	base := `{"eventID":"x","eventTime":"2023-07-19T21:44:40Z","eventName":"N"`
	for _, f := range []string{"eventVersion", "eventSource", "awsRegion", "sourceIPAddress", "userAgent", "recipientAccountId", "eventType"} {
		o := run(t, []byte(base+`,"`+f+`":5}`), Options{})
		wantProblems(t, o, [2]string{f, "expected a string, found number"})
		if o = run(t, []byte(base+`,"`+f+`":null}`), Options{}); len(o.problems) != 0 {
			t.Errorf("%s null: problems %v", f, o.problems)
		}
	}
	o := run(t, []byte(`{"eventID":5,"eventTime":"2023-07-19T21:44:40Z","eventName":false}`), Options{})
	wantProblems(t, o, [2]string{"eventName", "expected a string, found bool"}, [2]string{"eventID", "expected a string, found number"})
	if len(o.records) != 1 {
		t.Errorf("%d records", len(o.records))
	}
}

// The fast path for CloudTrail's usual timestamps agrees with RFC 3339.
func TestParseTimeAgreesWithRFC3339(t *testing.T) {
	for _, s := range []string{
		"2023-07-19T21:44:40Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2023-11-30T00:00:00Z", "2023-11-31T00:00:00Z", "2023-04-31T00:00:00Z",
		"2023-12-31T23:59:59Z", "2023-07-19T24:00:00Z", "2023-07-19T23:60:00Z", "2023-07-19T23:59:60Z",
		"2023-13-01T00:00:00Z", "2023-00-01T00:00:00Z", "2023-01-00T00:00:00Z", "2023-01-32T00:00:00Z",
	} {
		want, err := time.Parse(time.RFC3339, s)
		got, ok := parseTime([]byte(`"` + s + `"`))
		if ok != (err == nil) || !got.Equal(want) {
			t.Errorf("%s: got %v, %v; time.Parse %v, %v", s, got, ok, want, err)
		}
	}
}

// eventTime is the time; @timestamp only stands in when it is absent.
func TestEventTimeBeforeTimestamp(t *testing.T) {
	o := run(t, []byte(`{"eventID":"a","@timestamp":"2020-01-01T00:00:00Z","eventTime":"2023-01-01T00:00:00Z"}`), Options{})
	if len(o.records) != 1 || !o.records[0].Time.Equal(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("records %v", o.records)
	}
}

// The shape is the first CloudTrail value's, not that of values before it.
func TestShapeIsTheFirstCloudTrailValue(t *testing.T) {
	o := run(t, []byte(`[{"a":1}]`+"\n"+fixtureEvents[0]+"\n"+fixtureEvents[2]+"\n"), Options{})
	if o.res.Shape != "jsonl/event" || len(o.records) != 2 {
		t.Errorf("shape %q, %d records", o.res.Shape, len(o.records))
	}
}

// A broken pretty-printed value is reported once: its closing bracket's
// line does not start a new value.
func TestBrokenPrettyValueReportedOnce(t *testing.T) {
	o := run(t, []byte("{\n  \"eventName\": oops\n}\n"+fixtureEvents[0]+"\n"), Options{})
	wantProblems(t, o, [2]string{"", "invalid JSON"})
	if len(o.records) != 1 || o.problems[0].Line != 2 {
		t.Errorf("%d records, problem line %d", len(o.records), o.problems[0].Line)
	}
}

// An object that is not an event among CloudTrail lines is reported.
func TestNonEventLineIsReported(t *testing.T) {
	o := run(t, []byte(fixtureEvents[0]+"\n"+`{"a":1}`+"\n"+fixtureEvents[2]+"\n"), Options{})
	wantProblems(t, o, [2]string{"", "not a CloudTrail event"})
	if len(o.records) != 2 || o.problems[0].Line != 2 {
		t.Errorf("%d records, problem line %d", len(o.records), o.problems[0].Line)
	}
}

// Resynchronisation after a broken element, and what is lost.
func TestResynchronisation(t *testing.T) {
	e0, e2 := fixtureEvents[0], fixtureEvents[2]
	t.Run("at an object with only eventID", func(t *testing.T) {
		o := run(t, []byte("["+e0+`,{"eventName":x},{"eventID":"z","eventTime":"2023-07-19T21:44:40Z"}]`), Options{})
		wantProblems(t, o, [2]string{"[1]", "invalid JSON"})
		if len(o.records) != 2 {
			t.Errorf("%d records", len(o.records))
		}
	})
	t.Run("in the next Records object", func(t *testing.T) {
		o := run(t, []byte(`{"Records":[`+e0+`,{"eventName":x}]}`+"\n"+`{"Records":[`+e2+`]}`+"\n"), Options{})
		wantProblems(t, o, [2]string{"Records[1]", "invalid JSON"})
		if len(o.records) != 2 {
			t.Errorf("%d records", len(o.records))
		}
	})
	for _, sep := range []string{",", ", "} {
		t.Run("lost elements after "+sep, func(t *testing.T) {
			o := run(t, []byte("["+e0+sep+`{"eventName":x}`+sep+`{"a":1}]`), Options{})
			wantProblems(t, o, [2]string{"[1]", "invalid JSON"}, [2]string{"", "no valid event found"})
		})
	}
}

// A truncated Records array is reported once, wherever it was cut.
func TestTruncatedRecords(t *testing.T) {
	head := `{"Records":[` + fixtureEvents[0]
	for cut, want := range map[string][2]string{
		head:        {"Records", "unexpected end of input in array"},
		head + ",":  {"Records", "unexpected end of input in array"},
		head + ",{": {"Records[1]", "invalid JSON"},
		head + ", ": {"Records", "unexpected end of input in array"},
	} {
		o := run(t, []byte(cut), Options{})
		wantProblems(t, o, want)
		if len(o.records) != 1 || o.problems[0].Offset != int64(len(cut)) {
			t.Errorf("%q: %d records, problems %v", cut[len(cut)-5:], len(o.records), o.problems)
		}
	}
}

// A gzip member of a zip archive has its own offsets and lines, inside the
// inflated member.
func TestGzipZipMemberPositions(t *testing.T) {
	e0, e2 := fixtureEvents[0], fixtureEvents[2]
	o := run(t, zipOf(map[string][]byte{"a.jsonl.gz": gz(e0 + "\n{oops\n" + e2 + "\n")}), Options{})
	wantProblems(t, o, [2]string{"", "invalid JSON"})
	if p := o.problems[0]; p.Input != "in.json!a.jsonl.gz" || p.Line != 2 || p.Offset != int64(len(e0)+2) {
		t.Errorf("problem %+v", p)
	}
	if len(o.records) != 2 || o.records[0].Offset != 0 || o.records[1].Offset != int64(len(e0)+7) || o.records[1].Line != 3 {
		t.Errorf("records %v", o.records)
	}
}

// A zip member that fails its checksum is reported at its end; its events
// are kept.
func TestCorruptZipMember(t *testing.T) {
	body := []byte(fixtureEvents[0] + "\n" + fixtureEvents[2] + "\n")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "m.json", Method: zip.Store, CRC32: crc32.ChecksumIEEE(body) + 1,
		CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	zw.Close()
	o := run(t, b.Bytes(), Options{})
	wantProblems(t, o, [2]string{"", "corrupt zip member"})
	if p := o.problems[0]; p.Input != "in.json!m.json" || p.Offset != int64(len(body)) || p.Line != 3 || len(o.records) != 2 {
		t.Errorf("problem %+v, %d records", p, len(o.records))
	}
}

// Record.Raw is capped: a consumer appending to it does not overwrite the
// input still to be decoded.
func TestAppendingToRawIsHarmless(t *testing.T) {
	data := shapes()["records"]
	n := 0
	res, err := Decode(context.Background(), "x", bytes.NewReader(data), Options{}, func(r Record) error {
		_ = append(r.Raw, `XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`...)
		n++
		return nil
	}, nil)
	if err != nil || n != 3 || res.Problems != 0 {
		t.Errorf("%d events, %+v, %v", n, res, err)
	}
}

// One problem over maxPending before the first event is summarised too.
func TestOneProblemOverPending(t *testing.T) {
	bad := strings.Repeat(`{"a":1},`, maxPending+1)
	o := run(t, []byte("["+bad+fixtureEvents[0]+"]"), Options{})
	if len(o.problems) != maxPending+1 || !strings.Contains(o.problems[maxPending].Msg, "1 more problems") {
		t.Errorf("%d problems", len(o.problems))
	}
}
