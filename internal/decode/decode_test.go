package decode

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// Fixture events in the shape of AWS's documented sign-in examples.
var fixtureEvents = []string{
	`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"EXAMPLE6E4XEGITWATV6R","arn":"arn:aws:iam::999999999999:user/Anaya","accountId":"999999999999","userName":"Anaya"},"eventTime":"2023-07-19T21:44:40Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgsFromTB_us-east-1","MobileVersion":"No","MFAUsed":"No"},"eventID":"e1bf1000-86a4-4a78-81d7-EXAMPLE83102","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"999999999999","eventCategory":"Management"}`,
	`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"EXAMPLE6E4XEGITWATV6R","accountId":"123456789012","accessKeyId":"","userName":"Paulo"},"eventTime":"2023-07-19T22:01:20Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"225.01.00.16","userAgent":"Mozilla/5.0 \"quoted\" \\ path","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"Yes"},"eventID":"66c97220-2b7d-43b6-a7a0-EXAMPLEbae9c","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`,
	`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},"eventTime":"2023-07-19T23:10:09Z","eventSource":"signin.amazonaws.com","eventName":"CheckMfa","awsRegion":"us-east-1","sourceIPAddress":"AWS Internal","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"CheckMfa":"Success"},"additionalEventData":{"MfaType":"Virtual MFA"},"eventID":"19bd1a1c-76b1-4806-9d8f-EXAMPLE02a96","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","resources":[{"ARN":"arn:aws:iam::123456789012:root","accountId":"123456789012"},{"ARN":"x"}]}`,
}

type outcome struct {
	res      Result
	records  []Record // Raw copied
	problems []Problem
	err      error
}

func run(t *testing.T, data []byte, opt Options) outcome {
	t.Helper()
	var o outcome
	o.res, o.err = Decode(context.Background(), "in.json", bytes.NewReader(data), opt,
		func(r Record) error {
			r.Raw = append([]byte(nil), r.Raw...)
			o.records = append(o.records, r)
			return nil
		},
		func(p Problem) { o.problems = append(o.problems, p) })
	if o.res.Problems != len(o.problems) {
		t.Errorf("Result.Problems = %d, %d reported", o.res.Problems, len(o.problems))
	}
	if o.res.Events != len(o.records) {
		t.Errorf("Result.Events = %d, %d emitted", o.res.Events, len(o.records))
	}
	if o.err == nil {
		sameFromFile(t, data, opt, o)
	}
	return o
}

// sameFromFile decodes data again from a regular file, which is read by
// its size (a reader is read to its end), and checks that nothing differs:
// every test that decodes through run covers both paths.
func sameFromFile(t *testing.T, data []byte, opt Options, want outcome) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got outcome
	got.res, got.err = Decode(context.Background(), "in.json", f, opt,
		func(r Record) error {
			got.records = append(got.records, Record{Raw: append([]byte(nil), r.Raw...), Offset: r.Offset, Line: r.Line, Time: r.Time})
			return nil
		},
		func(p Problem) { got.problems = append(got.problems, p) })
	if got.err != nil || got.res != want.res || !reflect.DeepEqual(got.problems, want.problems) {
		t.Fatalf("read from a file: result %+v, %v, problems %v\nstreamed: result %+v, problems %v",
			got.res, got.err, got.problems, want.res, want.problems)
	}
	if len(got.records) != len(want.records) {
		t.Fatalf("read from a file: %d records, streamed %d", len(got.records), len(want.records))
	}
	for i, r := range got.records {
		w := want.records[i]
		if !bytes.Equal(r.Raw, w.Raw) || r.Offset != w.Offset || r.Line != w.Line || !r.Time.Equal(w.Time) {
			t.Fatalf("read from a file: record %d differs: %q at %d, line %d; streamed %q at %d, line %d",
				i, r.Raw, r.Offset, r.Line, w.Raw, w.Offset, w.Line)
		}
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("emitted invalid JSON %q: %v", b, err)
	}
	return buf.String()
}

func gz(parts ...string) []byte {
	var b bytes.Buffer
	for _, p := range parts { // one gzip member per part
		w := gzip.NewWriter(&b)
		w.Write([]byte(p))
		w.Close()
	}
	return b.Bytes()
}

// zipOf builds a zip archive of the members, written in map order (the
// decoder must sort them).
func zipOf(members map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range members {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	return b.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func cwlPayload(events []string) string {
	var le []string
	for i, e := range events {
		m, _ := json.Marshal(e)
		le = append(le, fmt.Sprintf(`{"id":"%d","timestamp":1689803080000,"message":%s}`, i, m))
	}
	return `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"aws-cloudtrail-logs","logStream":"123456789012_CloudTrail_us-east-1","subscriptionFilters":["f"],"logEvents":[` + strings.Join(le, ",") + `]}`
}

const controlMessage = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`

func eventBridge(e string) string {
	return `{"version":"0","id":"6f87d04b-9f74-4f04-a780-7acf4b0a9b38","detail-type":"AWS Console Sign In via CloudTrail","source":"aws.signin","account":"123456789012","time":"2023-07-19T21:44:40Z","region":"us-east-1","resources":[],"detail":` + e + `}`
}

func pretty(s string) string {
	var b bytes.Buffer
	json.Indent(&b, []byte(s), "", "  ")
	return b.String()
}

// shapes builds the fixture events in every input shape.
func shapes() map[string][]byte {
	ev := fixtureEvents
	all := strings.Join(ev, ",")
	records := `{"Records":[` + all + `]}`
	var ebLines, b64Lines []string
	for _, e := range ev {
		ebLines = append(ebLines, eventBridge(e))
	}
	b64Lines = append(b64Lines, b64(gz(cwlPayload(ev[:2]))), b64(gz(controlMessage)), b64([]byte(cwlPayload(ev[2:]))))
	firehose := fmt.Sprintf(`{"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090901599,"records":[{"data":%q},{"data":%q}]}`,
		b64(gz(cwlPayload(ev[:1]))), b64([]byte(ev[1]+"\n"+ev[2])))
	return map[string][]byte{
		"records":             []byte(records),
		"records-pretty":      []byte(pretty(records)),
		"records-extra-keys":  []byte(`{"Other":{"Records":1},"Records":[` + all + `],"z":[1,2]}`),
		"gzip-records":        gz(records),
		"gzip-multimember":    gz(`{"Records":[`+ev[0]+`]}`, `{"Records":[`+ev[1]+","+ev[2]+`]}`),
		"array":               []byte("[" + all + "]"),
		"array-pretty":        []byte(pretty("[" + all + "]")),
		"jsonl":               []byte(strings.Join(ev, "\n") + "\n"),
		"jsonl-crlf":          []byte(strings.Join(ev, "\r\n")),
		"jsonl-records":       []byte(`{"Records":[` + ev[0] + "]}\n" + `{"Records":[` + ev[1] + "," + ev[2] + "]}\n"),
		"bom-jsonl":           append([]byte{0xef, 0xbb, 0xbf}, strings.Join(ev, "\n")...),
		"eventbridge-jsonl":   []byte(strings.Join(ebLines, "\n")),
		"eventbridge-array":   []byte("[" + strings.Join(ebLines, ",") + "]"),
		"eventbridge-concat":  gz(strings.Join(ebLines, "")), // Firehose to S3 without a delimiter
		"cwlogs-gzip":         gz(cwlPayload(ev[:2]), controlMessage, cwlPayload(ev[2:])),
		"cwlogs-base64-lines": []byte(strings.Join(b64Lines, "\n") + "\n"),
		"firehose":            []byte(firehose),
		"gzip-jsonl":          gz(strings.Join(ev, "\n")),
		"zip":                 zipOf(map[string][]byte{"b/rest.jsonl.gz": gz(ev[1] + "\n" + ev[2]), "a/first.json": []byte(`{"Records":[` + ev[0] + `]}`), "README.md": []byte("# not events")}),
		"zip-in-zip":          zipOf(map[string][]byte{"inner.zip": zipOf(map[string][]byte{"all.json": []byte(records)})}),
	}
}

func TestShapesDecodeToTheSameEvents(t *testing.T) {
	var want []string
	for _, e := range fixtureEvents {
		want = append(want, compact(t, []byte(e)))
	}
	for name, data := range shapes() {
		t.Run(name, func(t *testing.T) {
			o := run(t, data, Options{})
			if o.err != nil {
				t.Fatal(o.err)
			}
			if len(o.problems) > 0 {
				t.Fatalf("problems: %v", o.problems)
			}
			if o.res.Class != Events {
				t.Errorf("class %v, want events", o.res.Class)
			}
			var got []string
			for _, r := range o.records {
				got = append(got, compact(t, r.Raw))
				if r.Time.IsZero() {
					t.Errorf("record at %d has no time", r.Offset)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events differ:\n got %q\nwant %q", got, want)
			}
			t.Logf("shape %s", o.res.Shape)
		})
	}
}

func TestShapeNames(t *testing.T) {
	s := shapes()
	for name, want := range map[string]string{
		"records": "records", "gzip-records": "gzip/records", "array": "array", "jsonl": "jsonl/event",
		"eventbridge-jsonl": "jsonl/eventbridge", "cwlogs-gzip": "gzip/jsonl/cwlogs",
		"cwlogs-base64-lines": "base64/gzip/cwlogs", "firehose": "firehose/gzip/cwlogs",
	} {
		if o := run(t, s[name], Options{}); o.res.Shape != want {
			t.Errorf("%s: shape %q, want %q", name, o.res.Shape, want)
		}
	}
	if o := run(t, []byte(fixtureEvents[0]), Options{}); o.res.Shape != "event" {
		t.Errorf("single event: shape %q", o.res.Shape)
	}
	// A truncated input keeps the shape of what it began as, encodings
	// included.
	records := `{"Records":[` + fixtureEvents[0] + `,` + fixtureEvents[1] + `]}`
	truncated := map[string]struct {
		data []byte
		want string
	}{
		"records cut after an event":  {[]byte(`{"Records":[` + fixtureEvents[0]), "records"},
		"records cut after a comma":   {[]byte(`{"Records":[` + fixtureEvents[0] + `,`), "records"},
		"gzip of records cut":         {gz(records)[:len(gz(records))-30], "gzip/records"},
		"array with a broken element": {[]byte(`[` + fixtureEvents[0] + `,{"eventName":x},{"a":1}]`), "array"},
	}
	for name, c := range truncated {
		if o := run(t, c.data, Options{}); o.res.Shape != c.want || o.res.Class != Events {
			t.Errorf("%s: shape %q class %v, want %q", name, o.res.Shape, o.res.Class, c.want)
		}
	}
}

func TestOffsetsAndLines(t *testing.T) {
	for _, name := range []string{"records", "records-pretty", "array-pretty", "jsonl", "jsonl-crlf"} {
		data := shapes()[name]
		o := run(t, data, Options{})
		for _, r := range o.records {
			if !bytes.Equal(data[r.Offset:r.Offset+int64(len(r.Raw))], r.Raw) {
				t.Errorf("%s: Raw is not the input at offset %d", name, r.Offset)
			}
			if wantLine := bytes.Count(data[:r.Offset], []byte("\n")) + 1; r.Line != wantLine {
				t.Errorf("%s: line %d, want %d", name, r.Line, wantLine)
			}
		}
	}
	// Events inside a base64 line are placed at that line.
	o := run(t, shapes()["cwlogs-base64-lines"], Options{})
	if lines := []int{o.records[0].Line, o.records[1].Line, o.records[2].Line}; fmt.Sprint(lines) != "[1 1 3]" {
		t.Errorf("base64 lines: event lines %v, want [1 1 3]", lines)
	}
}

func TestTimestampStandsInForEventTime(t *testing.T) {
	line := `{"@timestamp":"2020-09-14T01:19:40.123Z","@version":"1","eventVersion":"1.05","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"a1"}`
	o := run(t, []byte(line+"\n"+line+"\n"), Options{})
	if len(o.problems) != 0 || len(o.records) != 2 {
		t.Fatalf("records %d problems %v", len(o.records), o.problems)
	}
	if got := o.records[0].Time.Format("2006-01-02T15:04:05.000Z07:00"); got != "2020-09-14T01:19:40.123Z" {
		t.Errorf("time %s", got)
	}
}

func TestDigestFile(t *testing.T) {
	digest := `{"awsAccountId":"123456789012","digestStartTime":"2021-07-28T12:00:00Z","digestEndTime":"2021-07-28T13:00:00Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2021/07/28/x.json.gz","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2021-07-28T12:59:00Z","oldestEventTime":"2021-07-28T12:00:00Z","previousDigestS3Bucket":"b","previousDigestSignature":"x","logFiles":[{"s3Bucket":"b","s3Object":"o","hashValue":"h","hashAlgorithm":"SHA-256","newestEventTime":"2021-07-28T12:59:00Z","oldestEventTime":"2021-07-28T12:00:00Z"}]}`
	for _, data := range [][]byte{[]byte(digest), gz(digest)} {
		o := run(t, data, Options{})
		if o.res.Class != Digest || len(o.records) != 0 || len(o.problems) != 0 {
			t.Errorf("class %v, %d records, problems %v", o.res.Class, len(o.records), o.problems)
		}
	}
}

func TestNotCloudTrail(t *testing.T) {
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	cases := map[string][]byte{
		"readme":      []byte("# signwatch\n\nA README that mentions eventName in prose.\n"),
		"license":     []byte("MIT License\n\nCopyright (c) 2023\n"),
		"yaml":        []byte("title: x\ndetection:\n  selection:\n    eventName: ConsoleLogin\n"),
		"json-object": []byte(`{"name":"package","version":"1.0.0","dependencies":{}}`),
		"json-array":  []byte(`[1,2,{"a":"b"}]`),
		"binary":      garbage,
		"zip":         append([]byte("PK\x03\x04"), garbage...),
	}
	for name, data := range cases {
		o := run(t, data, Options{})
		if o.res.Class != NotCloudTrail || len(o.problems) != 0 || len(o.records) != 0 || o.err != nil {
			t.Errorf("%s: class %v, problems %v, records %d, err %v", name, o.res.Class, o.problems, len(o.records), o.err)
		}
	}
	for _, data := range [][]byte{nil, []byte(" \n\t\r\n"), gz("")} {
		if o := run(t, data, Options{}); o.res.Class != Empty || len(o.problems) != 0 {
			t.Errorf("%q: class %v, problems %v", data, o.res.Class, o.problems)
		}
	}
}

// wantProblems checks the reported problems' fields and message fragments.
func wantProblems(t *testing.T, o outcome, want ...[2]string) {
	t.Helper()
	if len(o.problems) != len(want) {
		t.Fatalf("%d problems %v, want %d", len(o.problems), o.problems, len(want))
	}
	for i, w := range want {
		p := o.problems[i]
		if p.Field != w[0] || !strings.Contains(p.Msg, w[1]) {
			t.Errorf("problem %d = %q/%q, want field %q containing %q", i, p.Field, p.Msg, w[0], w[1])
		}
		if !strings.HasPrefix(p.Input, "in.json") {
			t.Errorf("problem %d names input %q", i, p.Input)
		}
	}
}

func eventIDs(o outcome) string {
	var ids []string
	for _, r := range o.records {
		var v struct{ EventID string }
		json.Unmarshal(r.Raw, &v)
		ids = append(ids, v.EventID)
	}
	return strings.Join(ids, ",")
}

func TestBadInputInsideAFile(t *testing.T) {
	e0, e1, e2 := fixtureEvents[0], fixtureEvents[1], fixtureEvents[2]
	ids := "e1bf1000-86a4-4a78-81d7-EXAMPLE83102,19bd1a1c-76b1-4806-9d8f-EXAMPLE02a96"
	broken := `{"eventVersion":"1.08","eventName":"X","eventID":"broken","requestParameters":{"a":tru},"z":1}`
	t.Run("invalid JSON element in Records", func(t *testing.T) {
		data := `{"Records":[` + e0 + "," + broken + "," + e2 + `]}`
		o := run(t, []byte(data), Options{})
		wantProblems(t, o, [2]string{"Records[1]", "invalid JSON"})
		if got := eventIDs(o); got != ids {
			t.Errorf("events %s", got)
		}
		if want := int64(strings.Index(data, "tru}")); o.problems[0].Offset != want {
			t.Errorf("offset %d, want %d", o.problems[0].Offset, want)
		}
	})
	t.Run("invalid JSON element in array", func(t *testing.T) {
		o := run(t, []byte("[\n"+e0+",\n"+broken+",\n"+e2+"\n]"), Options{})
		wantProblems(t, o, [2]string{"[1]", "invalid JSON"})
		if got := eventIDs(o); got != ids || o.problems[0].Line != 3 {
			t.Errorf("events %s, problem line %d", got, o.problems[0].Line)
		}
	})
	t.Run("non-object elements", func(t *testing.T) {
		o := run(t, []byte(`{"Records":[`+e0+`,5,"x",{"a":1},`+e2+`]}`), Options{})
		wantProblems(t, o, [2]string{"Records[1]", "found number"}, [2]string{"Records[2]", "found string"}, [2]string{"Records[3]", "not a CloudTrail event"})
		if got := eventIDs(o); got != ids {
			t.Errorf("events %s", got)
		}
	})
	t.Run("invalid JSON line", func(t *testing.T) {
		o := run(t, []byte(e0+"\n{\"eventName\": oops\nnot json at all\n"+e2+"\n"), Options{})
		wantProblems(t, o, [2]string{"", "invalid JSON"}, [2]string{"", "expected a JSON object"})
		if got := eventIDs(o); got != ids || o.problems[0].Line != 2 || o.problems[1].Line != 3 {
			t.Errorf("events %s, lines %d %d", got, o.problems[0].Line, o.problems[1].Line)
		}
	})
	t.Run("wrong-typed and invalid fields", func(t *testing.T) {
		bad1 := strings.Replace(e1, `"eventTime":"2023-07-19T22:01:20Z"`, `"eventTime":5`, 1)
		bad2 := strings.Replace(e2, `"eventTime":"2023-07-19T23:10:09Z"`, `"eventTime":"2023-02-30T23:10:09Z"`, 1)
		bad2 = strings.Replace(bad2, `"eventName":"CheckMfa"`, `"eventName":["CheckMfa"]`, 1)
		bad0 := strings.Replace(e0, `"userIdentity":{`, `"userIdentity":"x","u":{`, 1)
		o := run(t, []byte(`{"Records":[`+bad0+","+bad1+","+bad2+`]}`), Options{})
		wantProblems(t, o,
			[2]string{"Records[0].userIdentity", "expected an object, found string"},
			[2]string{"Records[1].eventTime", "expected a string timestamp, found number"},
			[2]string{"Records[2].eventName", "expected a string, found array"},
			[2]string{"Records[2].eventTime", "invalid timestamp"})
		if len(o.records) != 3 || !o.records[1].Time.IsZero() {
			t.Errorf("events with bad fields must still be emitted untimed: %d", len(o.records))
		}
	})
	t.Run("missing eventID and eventTime", func(t *testing.T) {
		noID := `{"eventVersion":"1.08","eventTime":"2023-07-19T21:44:40Z","eventName":"ConsoleLogin"}`
		noTime := `{"eventVersion":"1.08","eventID":"x","eventName":"ConsoleLogin"}`
		o := run(t, []byte(noID+"\n"+noTime), Options{})
		wantProblems(t, o, [2]string{"eventID", "missing"}, [2]string{"eventTime", "untimed"})
		if len(o.records) != 2 {
			t.Errorf("%d records", len(o.records))
		}
	})
	t.Run("invalid IP strings are data", func(t *testing.T) {
		o := run(t, []byte(`[`+e1+`]`), Options{})
		if len(o.problems) != 0 || len(o.records) != 1 {
			t.Errorf("problems %v", o.problems)
		}
	})
	t.Run("truncated plain file", func(t *testing.T) {
		data := `{"Records":[` + e0 + "," + e2 + "," + e1
		o := run(t, []byte(data[:len(data)-40]), Options{})
		wantProblems(t, o, [2]string{"Records[2]", "invalid JSON"})
		if got := eventIDs(o); got != ids || o.res.Class != Events {
			t.Errorf("events %s class %v", got, o.res.Class)
		}
	})
	t.Run("broken first line of unknown content that looks like CloudTrail", func(t *testing.T) {
		o := run(t, []byte(`{"eventVersion":"1.08","eventName":`), Options{})
		if o.res.Class != Events || len(o.problems) != 1 {
			t.Errorf("class %v problems %v", o.res.Class, o.problems)
		}
	})
	t.Run("Records not an array", func(t *testing.T) {
		o := run(t, []byte(`{"Records":null}`), Options{})
		wantProblems(t, o, [2]string{"Records", "expected an array, found null"})
	})
	t.Run("bad base64 line and bad firehose record", func(t *testing.T) {
		data := b64(gz(cwlPayload(fixtureEvents[:1]))) + "\n" + "AAAA!!!!\n" + b64(gz(cwlPayload(fixtureEvents[2:])))
		o := run(t, []byte(data), Options{})
		wantProblems(t, o, [2]string{"", "invalid base64"})
		if got := eventIDs(o); got != ids || o.problems[0].Line != 2 {
			t.Errorf("events %s line %d", got, o.problems[0].Line)
		}
		fh := `{"requestId":"r","records":[{"data":"@@@"},{"data":"` + b64([]byte(e0)) + `"},{"nodata":1}]}`
		o = run(t, []byte(fh), Options{})
		wantProblems(t, o, [2]string{"records[0].data", "invalid base64"}, [2]string{"records[2].data", "without a data string"})
		if len(o.records) != 1 {
			t.Errorf("%d records", len(o.records))
		}
	})
	t.Run("non-event CloudWatch message", func(t *testing.T) {
		payload := strings.Replace(cwlPayload([]string{e0, e2}), `"message":`, `"message":"not json","x":`, 1)
		o := run(t, gz(payload), Options{})
		if len(o.records) != 1 { // the first log event's message is "not json"
			t.Errorf("records %d", len(o.records))
		}
		if len(o.problems) != 1 || o.problems[0].Field != "logEvents[0].message" {
			t.Errorf("problems %v", o.problems)
		}
	})
}

func TestTruncatedGzip(t *testing.T) {
	var evs []string
	for i := 0; i < 300; i++ {
		evs = append(evs, strings.Replace(fixtureEvents[i%3], `"eventID":"`, fmt.Sprintf(`"eventID":"%d-`, i), 1))
	}
	full := gz(`{"Records":[` + strings.Join(evs, ",") + `]}`)
	o := run(t, full[:len(full)/2], Options{})
	if o.err != nil {
		t.Fatal(o.err)
	}
	if len(o.records) == 0 || len(o.records) >= 300 {
		t.Fatalf("%d events before the truncation", len(o.records))
	}
	if o.res.Class != Events || len(o.problems) != 2 || !strings.Contains(o.problems[0].Msg, "truncated gzip") {
		t.Errorf("class %v problems %v", o.res.Class, o.problems)
	}
	for i, r := range o.records { // in order, none invented
		if !bytes.Contains(r.Raw, []byte(fmt.Sprintf(`"eventID":"%d-`, i))) {
			t.Fatalf("record %d is not event %d", i, i)
		}
	}
	// A bad gzip header is a problem too.
	o = run(t, []byte{0x1f, 0x8b, 0, 0, 0}, Options{})
	if len(o.problems) != 1 || o.res.Class != Events {
		t.Errorf("bad header: class %v problems %v", o.res.Class, o.problems)
	}
}

func TestGzipBomb(t *testing.T) {
	var evs []string
	for i := 0; i < 2000; i++ {
		evs = append(evs, fixtureEvents[i%3])
	}
	records := `{"Records":[` + strings.Join(evs, ",") + `]}`
	bomb := gz(records + strings.Repeat(" ", 10<<20))
	const limit = 100 << 10
	o := run(t, bomb, Options{MaxDecoded: limit})
	if o.res.DecodedBytes != limit {
		t.Errorf("decoded %d bytes, want the limit %d", o.res.DecodedBytes, limit)
	}
	if len(o.records) == 0 || len(o.records) >= 2000 {
		t.Errorf("%d events kept", len(o.records))
	}
	if len(o.problems) == 0 || !strings.Contains(o.problems[0].Msg, "limit") {
		t.Errorf("problems %v", o.problems)
	}
	// The same bound applies to plain input and to payloads inside base64 lines.
	o = run(t, []byte(records), Options{MaxDecoded: limit})
	if o.res.DecodedBytes != limit || !strings.Contains(o.problems[0].Msg, "limit") {
		t.Errorf("plain: decoded %d, problems %v", o.res.DecodedBytes, o.problems)
	}
	line := b64(gz(cwlPayload(evs[:100]) + strings.Repeat(" ", 1<<20)))
	o = run(t, []byte(line+"\n"+line+"\n"+line+"\n"), Options{MaxDecoded: limit})
	limits := 0
	for _, p := range o.problems {
		if strings.Contains(p.Msg, "limit") {
			limits++
		}
	}
	if limits != 1 {
		t.Errorf("base64: the limit must be reported once: %v", o.problems)
	}
}

func TestEnormousLine(t *testing.T) {
	big := strings.Replace(fixtureEvents[1], `"errorMessage":"`, `"errorMessage":"`+strings.Repeat("x", 5000), 1)
	data := fixtureEvents[0] + "\n" + big + "\n" + fixtureEvents[2] + "\n"
	o := run(t, []byte(data), Options{MaxLine: 4096})
	wantProblems(t, o, [2]string{"", "larger than the 4096-byte limit"})
	if len(o.records) != 2 || o.problems[0].Line != 2 {
		t.Errorf("%d records, line %d", len(o.records), o.problems[0].Line)
	}
}

func TestEmitErrorAndCancel(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Decode(context.Background(), "x", bytes.NewReader(shapes()["records"]), Options{},
		func(Record) error { n++; return stop }, nil)
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d events", err, n)
	}
	var evs []string
	for i := 0; i < 5000; i++ {
		evs = append(evs, fixtureEvents[i%3])
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = Decode(ctx, "x", strings.NewReader("["+strings.Join(evs, ",")+"]"), Options{},
		func(Record) error { n++; cancel(); return nil }, nil)
	if !errors.Is(err, context.Canceled) || n >= 5000 {
		t.Errorf("err %v after %d events", err, n)
	}
}

type failReader struct{ n int }

func (f *failReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, `{"Records":[`), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadErrorIsAnError(t *testing.T) {
	_, err := Decode(context.Background(), "x", &failReader{n: 1}, Options{}, func(Record) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err %v", err)
	}
}

func TestProblemError(t *testing.T) {
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Input: "a.json", Offset: 12, Line: 3, Field: "Records[1].eventTime", Msg: "bad"}, "a.json:3: offset 12: field Records[1].eventTime: bad"},
		{Problem{Input: "a.json", Offset: 12, Msg: "bad"}, "a.json: offset 12: bad"},
		{Problem{Input: "a.json", Offset: 0, Line: 1, Msg: "bad"}, "a.json:1: offset 0: bad"},
		{Problem{Input: "a.json", Offset: -1, Msg: "bad"}, "a.json: bad"},
	} {
		if got := c.p.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestEventBridgeOfOtherServicesIsIgnored(t *testing.T) {
	ec2 := `{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"instance-id":"i-1","state":"running"}}`
	o := run(t, []byte(ec2+"\n"+eventBridge(fixtureEvents[0])+"\n"), Options{})
	if len(o.records) != 1 || o.res.Ignored != 1 || len(o.problems) != 0 || o.res.Class != Events {
		t.Errorf("records %d ignored %d problems %v class %v", len(o.records), o.res.Ignored, o.problems, o.res.Class)
	}
	bad := strings.Replace(eventBridge(`{"x":1}`), "Console Sign In", "API Call", 1)
	o = run(t, []byte(bad+"\n"+eventBridge(fixtureEvents[0])+"\n"), Options{})
	wantProblems(t, o, [2]string{"detail", "not a CloudTrail event"})
	o = run(t, []byte(ec2), Options{})
	if o.res.Class != NotCloudTrail || o.res.Ignored != 1 {
		t.Errorf("class %v ignored %d", o.res.Class, o.res.Ignored)
	}
	o = run(t, gz(controlMessage), Options{})
	if o.res.Ignored != 1 || len(o.problems) != 0 || len(o.records) != 0 {
		t.Errorf("control message: %+v", o.res)
	}
}

func TestConcurrentDecodes(t *testing.T) {
	s := shapes()
	done := make(chan string)
	for name, data := range s {
		go func() {
			for range 20 {
				n := 0
				res, err := Decode(context.Background(), name, bytes.NewReader(data), Options{}, func(r Record) error {
					if !json.Valid(r.Raw) {
						return errors.New("invalid Raw")
					}
					n++
					return nil
				}, nil)
				if err != nil || n != 3 || res.Problems != 0 {
					done <- fmt.Sprintf("%s: %v, %d events %+v", name, err, n, res)
					return
				}
			}
			done <- ""
		}()
	}
	for range s {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestLinesOfFieldProblems checks lines in a pretty-printed file where
// every event has a field problem reported before the event is emitted.
func TestLinesOfFieldProblems(t *testing.T) {
	var evs []string
	for i := 0; i < 50; i++ {
		evs = append(evs, strings.Replace(fixtureEvents[i%3], `"eventTime":"2023`, `"eventTime":5,"x":"2023`, 1))
	}
	data := []byte(pretty(`{"Records":[` + strings.Join(evs, ",") + `]}`))
	o := run(t, data, Options{})
	if len(o.records) != 50 || len(o.problems) != 50 {
		t.Fatalf("%d records %d problems", len(o.records), len(o.problems))
	}
	for _, p := range o.problems {
		if want := bytes.Count(data[:p.Offset], []byte("\n")) + 1; p.Line != want || !bytes.HasPrefix(data[p.Offset:], []byte("5")) {
			t.Fatalf("problem %v: line %d, want %d", p, p.Line, want)
		}
	}
	for _, r := range o.records {
		if want := bytes.Count(data[:r.Offset], []byte("\n")) + 1; r.Line != want {
			t.Fatalf("record line %d, want %d", r.Line, want)
		}
	}
	// Without record lines, the records keep their offsets and the
	// problems their lines.
	n := run(t, data, Options{NoRecordLines: true})
	if !reflect.DeepEqual(n.problems, o.problems) || len(n.records) != len(o.records) {
		t.Fatalf("NoRecordLines: %d records, problems %v; want %d, %v", len(n.records), n.problems, len(o.records), o.problems)
	}
	for i, r := range n.records {
		if r.Line != 0 || r.Offset != o.records[i].Offset || !bytes.Equal(r.Raw, o.records[i].Raw) {
			t.Fatalf("NoRecordLines: record %d at %d, line %d; want offset %d, line 0", i, r.Offset, r.Line, o.records[i].Offset)
		}
	}
}

// TestProblemsHeldBackBeforeTheFirstEvent checks that problems found before
// the content is known to be CloudTrail are reported once it is (at most
// maxPending one by one, then one summary), and dropped when it never is.
func TestProblemsHeldBackBeforeTheFirstEvent(t *testing.T) {
	bad := strings.Repeat(`{"a":1},`, maxPending+500)
	o := run(t, []byte("["+bad+fixtureEvents[0]+"]"), Options{})
	if len(o.records) != 1 || len(o.problems) != maxPending+1 || !strings.Contains(o.problems[maxPending].Msg, "500 more problems") {
		t.Errorf("%d records, %d problems, last %v", len(o.records), len(o.problems), o.problems[len(o.problems)-1])
	}
	o = run(t, []byte("["+bad+`{"a":1}]`), Options{})
	if len(o.problems) != 0 || o.res.Class != NotCloudTrail {
		t.Errorf("class %v, %d problems", o.res.Class, len(o.problems))
	}
}

func TestZipMembersNameTheirProblems(t *testing.T) {
	data := zipOf(map[string][]byte{
		"ok.json":  []byte(fixtureEvents[0]),
		"bad.json": []byte(fixtureEvents[2] + "\n{oops\n"),
	})
	o := run(t, data, Options{})
	if len(o.records) != 2 || o.res.Shape != "zip/jsonl/event" {
		t.Fatalf("%d records, shape %q", len(o.records), o.res.Shape)
	}
	wantProblems(t, o, [2]string{"", "invalid JSON"})
	if p := o.problems[0]; p.Input != "in.json!bad.json" || p.Line != 2 || p.Offset != int64(len(fixtureEvents[2])+2) {
		t.Errorf("problem %+v", p)
	}
	if o.records[0].Offset != 0 || o.records[0].Line != 1 {
		t.Errorf("member record at %d line %d", o.records[0].Offset, o.records[0].Line)
	}
}

// TestRecordsCarryParsedTape: events of a Records array arrive parsed, and
// the tape is the event's own bytes.
func TestRecordsCarryParsedTape(t *testing.T) {
	in := `{"Records":[{"eventID":"a","eventName":"X","eventTime":"2024-01-01T00:00:00Z","userIdentity":{"type":"Root"}},` +
		`{"eventID":"b","eventName":"Y","eventTime":"2024-01-01T00:00:01Z"}]}`
	n := 0
	_, err := Decode(context.Background(), "t", strings.NewReader(in), Options{}, func(r Record) error {
		n++
		if r.Doc == nil {
			t.Fatalf("event %d has no parsed tape", n)
		}
		if got := r.Doc.Root().Raw(); !bytes.Equal(got, r.Raw) {
			t.Fatalf("tape %q, bytes %q", got, r.Raw)
		}
		if n == 1 && r.Doc.Root().Path("userIdentity", "type").Str() != "Root" {
			t.Fatal("nested field not reachable through the tape")
		}
		return nil
	}, nil)
	if err != nil || n != 2 {
		t.Fatalf("%d events, %v", n, err)
	}
}

// The buffer allocated ahead for a gzip file follows its trailer, within
// bounds: a lying trailer costs no more than maxSizeHint, and a real one
// sizes the buffer exactly (plus the byte for the read that sees the end).
func TestGzipSizeHint(t *testing.T) {
	body := strings.Repeat(fixtureEvents[0], 50)
	z := gz(body)
	if got, want := gzipSizeHint(z, DefaultMaxDecoded), len(body)+1; got != want {
		t.Errorf("hint %d, want %d", got, want)
	}
	liar := append([]byte(nil), z...)
	copy(liar[len(liar)-4:], []byte{0xff, 0xff, 0xff, 0xff})
	if got, want := gzipSizeHint(liar, DefaultMaxDecoded), min(1032*len(liar), maxSizeHint); got != want {
		t.Errorf("lying trailer: hint %d, want %d", got, want)
	}
	if got := gzipSizeHint(z, 100); got != 101 {
		t.Errorf("hint under a 100-byte limit: %d", got)
	}
	if got := gzipSizeHint(z[:10], DefaultMaxDecoded); got != 0 {
		t.Errorf("hint for a truncated header: %d", got)
	}
	// Decoding the liar from a file reports the corrupt stream and keeps the events.
	o := run(t, liar, Options{})
	if len(o.records) != 50 || len(o.problems) != 1 || !strings.Contains(o.problems[0].Msg, "gzip") {
		t.Errorf("lying trailer: %d events, problems %v", len(o.records), o.problems)
	}
}

// A regular file that says it is empty is read to its end all the same
// (files of /proc do, and hold text).
func TestZeroSizeFileIsStreamed(t *testing.T) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Size() != 0 || !fi.Mode().IsRegular() {
		t.Skipf("/proc/self/status is not a regular file of size 0 here")
	}
	res, err := Decode(context.Background(), "status", f, Options{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.DecodedBytes == 0 {
		t.Fatal("a file of stated size 0 was not read")
	}
}

// shrunk is a regular file whose reads end before its stated size, as a
// file truncated between the stat and the read.
type shrunk struct {
	*os.File
	stated int64
}

func (s shrunk) Stat() (os.FileInfo, error) {
	fi, err := s.File.Stat()
	return statedSize{fi, s.stated}, err
}

type statedSize struct {
	os.FileInfo
	size int64
}

func (s statedSize) Size() int64 { return s.size }

// A file that shrank after its stat, even to nothing, is read as it is, not
// reported as a read failure.
func TestShrunkFile(t *testing.T) {
	for _, content := range []string{"", `{"Records":[` + fixtureEvents[0] + `]}`} {
		path := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Decode(context.Background(), "f.json", shrunk{f, int64(len(content)) + 1000}, Options{}, nil, nil)
		f.Close()
		if err != nil {
			t.Fatalf("%d bytes left: %v", len(content), err)
		}
		if res.DecodedBytes != int64(len(content)) {
			t.Errorf("%d bytes left: decoded %d", len(content), res.DecodedBytes)
		}
	}
}

// TestLookupKeysAgreeWithFieldOf checks that the parsed path's keys are the
// ones walk recognizes, field for field, so that both paths see the same
// members.
func TestLookupKeysAgreeWithFieldOf(t *testing.T) {
	for i, k := range lookupKeys {
		want := fDigest
		if i < int(fDigest) {
			want = field(i)
		}
		if got := fieldOf([]byte(k.Name())); got != want {
			t.Errorf("lookup key %q: fieldOf gives %d, want %d", k.Name(), got, want)
		}
	}
}

// gzipThenFail hands out a gzip stream in small reads, then fails.
type gzipThenFail struct {
	data []byte
	err  error
}

func (g *gzipThenFail) Read(p []byte) (int, error) {
	if len(g.data) == 0 {
		return 0, g.err
	}
	n := copy(p[:min(len(p), 700)], g.data)
	g.data = g.data[n:]
	return n, nil
}

// TestGzipStreamsPastTheWholeReadLimit lowers the limit of what a gzip
// stream may hold to be read whole, so that the streaming reader inflates
// the rest: the events are those of the whole read (nothing lost where
// the two meet), a cut stream is a problem, and a failing reader an error.
// (run compares a file of the same bytes, which is read whole: on a whole
// stream the two inflaters agree.)
func TestGzipStreamsPastTheWholeReadLimit(t *testing.T) {
	var evs []string
	for i := range 200 {
		evs = append(evs, strings.Replace(fixtureEvents[i%3], `"eventID":"`, fmt.Sprintf(`"eventID":"%d-`, i), 1))
	}
	full := gz(`{"Records":[`+strings.Join(evs[:100], ",")+`]}`, `{"Records":[`+strings.Join(evs[100:], ",")+`]}`)
	whole := run(t, full, Options{})
	if len(whole.records) != 200 || len(whole.problems) != 0 {
		t.Fatalf("read whole: %d events, problems %v", len(whole.records), whole.problems)
	}
	defer func(old int64) { maxWholeStream = old }(maxWholeStream)
	for _, limit := range []int64{0, 1, 511, 512, 513, 4000, int64(len(full)) - 1} {
		maxWholeStream = limit
		streamed := run(t, full, Options{})
		if streamed.res != whole.res || len(streamed.problems) != 0 || len(streamed.records) != 200 {
			t.Fatalf("limit %d: result %+v, problems %v; read whole: %+v", limit, streamed.res, streamed.problems, whole.res)
		}
		for i, r := range streamed.records {
			if !bytes.Equal(r.Raw, whole.records[i].Raw) || r.Offset != whole.records[i].Offset {
				t.Fatalf("limit %d: record %d differs", limit, i)
			}
		}
		// Not through run: a file of these bytes is read whole, and the two
		// inflaters stop a few bytes apart in a cut stream.
		var problems []Problem
		if _, err := Decode(context.Background(), "x", bytes.NewReader(full[:len(full)/3]), Options{},
			func(Record) error { return nil }, func(p Problem) { problems = append(problems, p) }); err != nil ||
			len(problems) == 0 || !strings.Contains(problems[0].Msg, "truncated gzip") {
			t.Fatalf("limit %d, cut stream: error %v, problems %v", limit, err, problems)
		}
		_, err := Decode(context.Background(), "x", &gzipThenFail{data: full[:len(full)/2], err: errors.New("disk on fire")},
			Options{}, func(Record) error { return nil }, nil)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("limit %d, failing reader: error %v", limit, err)
		}
	}
	// Read whole, a failing reader is an error too.
	maxWholeStream = 8 << 20
	if _, err := Decode(context.Background(), "x", &gzipThenFail{data: full[:len(full)/2], err: errors.New("disk on fire")},
		Options{}, func(Record) error { return nil }, nil); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("read whole, failing reader: error %v", err)
	}
}

// TestReadUpToAndFill holds the two read loops to their limits, the
// largest one included: readUpTo keeps the byte past the limit that tells
// there is more, fill cuts it off.
func TestReadUpToAndFill(t *testing.T) {
	src := strings.Repeat("0123456789", 10_000)
	for _, limit := range []int64{0, 1, 99_999, 100_000, 100_001, math.MaxInt64} {
		got, more, err := readUpTo([]byte("x"), iotest.OneByteReader(strings.NewReader(src)), limit)
		all := "x" + src // 100,001 bytes; readUpTo stops at one past the limit
		want := all
		if int64(len(all)) > limit {
			want = all[:limit+1]
		}
		if err != nil || string(got) != want || more != (int64(len(all)) > limit) {
			t.Fatalf("readUpTo, limit %d: %d bytes, more %v, error %v", limit, len(got), more, err)
		}
		got, over, err := fill(nil, strings.NewReader(src), limit)
		if err != nil || string(got) != src[:min(int64(len(src)), limit)] || over != (int64(len(src)) > limit) {
			t.Fatalf("fill, limit %d: %d bytes, over %v, error %v", limit, len(got), over, err)
		}
	}
	// What the buffer already holds counts: a first read past a tiny limit
	// is cut to it.
	if got, over, err := fill([]byte("abcdef"), strings.NewReader(""), 3); err != nil || string(got) != "abc" || !over {
		t.Fatalf("fill of a buffer past the limit: %q, over %v, error %v", got, over, err)
	}
}
