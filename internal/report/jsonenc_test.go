package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/event"
)

// encodingJSON is the reference: what json.Encoder writes for d.
func encodingJSON(t *testing.T, d *Detection) ([]byte, error) {
	t.Helper()
	var b bytes.Buffer
	if err := newEncoder(&b).Encode(d); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

func checkSameAsEncodingJSON(t *testing.T, d *Detection) {
	t.Helper()
	want, werr := encodingJSON(t, d)
	got, gerr := newDetectionEncoder().append(nil, d)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("encoding/json error %v, ours %v", werr, gerr)
	}
	if werr == nil && !bytes.Equal(got, want) {
		t.Fatalf("text differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

func TestDetectionEncoderMatchesEncodingJSON(t *testing.T) {
	seen := "2026-01-02T03:04:05Z"
	hostile := "a\"b\\c\x00\x01\b\f\n\r\t\x1f\x7f<>&\u2028\u2029\xff\xc3(é日本🙂 \ufffd"
	full := Detection{
		Type:      "detection",
		Rule:      Rule{ID: "id", Title: hostile, Level: "high", Tags: []string{"attack.t1078", hostile}, Kind: "single"},
		FirstSeen: &seen, LastSeen: &seen,
		Account: "111122223333", Region: "us-east-1",
		GroupKey: GroupKey{{Key: "sourceIPAddress", Value: "<198.51.100.7>"}, {Key: hostile, Value: hostile}},
		Summary:  hostile, Count: 1 << 40, EventIDs: []string{"e1", hostile},
		Actor: hostile, SourceIP: "198.51.100.7", UserAgent: hostile, EventName: "ConsoleLogin", Value: 12.5,
		Explanation: []alert.Evidence{
			{Selection: "selection", Field: "eventName", Modifiers: []string{"contains", "all"}, Value: hostile, Pattern: "*x*"},
			{},
			{EventID: "e1", Note: hostile},
			{Modifiers: []string{}},
		},
		Aggregate: &alert.Aggregate{Func: "value_count", Field: "x", Value: 1e-9, Threshold: ">= 5"},
		Records:   []event.SignIn{{EventName: "ConsoleLogin", SourceIP: hostile}},
		Drill:     true,
	}
	checkSameAsEncodingJSON(t, &full)
	checkSameAsEncodingJSON(t, &Detection{}) // nil slices, nil times, omitted members
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e20, 1e21, 1e-6, 1e-7, -1.5e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324} {
		d := Detection{Value: v}
		checkSameAsEncodingJSON(t, &d)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		d := Detection{Value: v}
		if _, err := newDetectionEncoder().append(nil, &d); err == nil {
			t.Errorf("value %v: want an error, as encoding/json gives", v)
		}
	}
}

func FuzzDetectionEncoder(f *testing.F) {
	f.Add("ConsoleLogin", "a\"b\\c\n", "\xff\u2028<&>", 1.5, 3, true)
	f.Add("", "", "", 1e-7, 0, false)
	f.Fuzz(func(t *testing.T, s1, s2, s3 string, v float64, n int, drill bool) {
		d := Detection{
			Rule:    Rule{ID: s1, Title: s2, Tags: []string{s3}},
			Account: s1, Summary: s2, Actor: s3, UserAgent: s1 + s3, Value: v, Count: n, Drill: drill,
			GroupKey:    GroupKey{{Key: s1, Value: s2}},
			EventIDs:    []string{s2, s3},
			Explanation: []alert.Evidence{{Field: s1, Value: s2, Pattern: s3, Modifiers: []string{s1}}, {Note: s3}},
		}
		if n%3 == 0 {
			d.FirstSeen = &s1
			d.Aggregate = &alert.Aggregate{Func: s2, Value: v}
		}
		checkSameAsEncodingJSON(t, &d)
	})
}

// BenchmarkWriteJSON writes the JSON report of 10,000 detections shaped like
// a scan's grouped single-event alerts (ten event IDs, two evidence items,
// a browser user agent).
func BenchmarkWriteJSON(b *testing.B) {
	alerts := make([]alert.Alert, 10000)
	for i := range alerts {
		ids := make([]string, 10)
		for j := range ids {
			ids[j] = fmt.Sprintf("%08x-4f1c-4b7e-9d2a-%012x", i, j)
		}
		alerts[i] = alert.Alert{
			Rule:    alert.RuleRef{ID: "905d389b-b853-46d0-9d3d-dea0d3a3cd49", Title: "AWS STS AssumeRole Misuse", Level: "low", Tags: []string{"attack.lateral-movement", "attack.t1550.001"}, Kind: alert.KindSingle},
			Account: "111122223333", Region: "eu-west-1", FirstSeen: t0.Add(time.Duration(i) * time.Second), LastSeen: t0.Add(time.Duration(i+5) * time.Second),
			Count: 10, EventIDs: ids, Actor: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_00380e8e61476a68/someone@example.com",
			SourceIP: "203.0.113.9", UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			EventName: "GetObject", Summary: "AWS STS AssumeRole Misuse: 10 GetObject events",
			Explanation: []alert.Evidence{{Selection: "selection", Field: "userIdentity.type", Value: "AssumedRole", Pattern: "AssumedRole"},
				{Selection: "selection", Field: "userIdentity.sessionContext.sessionIssuer.type", Value: "Role", Pattern: "Role"}},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, "json", alerts, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(alerts)), "ns/detection")
}
