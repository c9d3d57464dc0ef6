package cwfilter

import (
	"fmt"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// benchEvents is a realistic mix of CloudTrail events of about 1.5 KB:
// mostly read-only API calls, some writes and errors, about 3% sign-ins.
func benchEvents() [][]byte {
	var out [][]byte
	names := []string{"DescribeInstances", "GetObject", "ListBuckets", "AssumeRole", "PutObject", "DescribeSecurityGroups", "CreateRoute", "GetCallerIdentity"}
	padding := fmt.Sprintf(`"requestParameters":{"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"platform"}]}}]},"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"},{"instanceId":"i-0fedcba9876543210"}]},"maxResults":1000,"note":%q}`,
		"padding to bring the event to a realistic size for CloudTrail management events with nested request parameters and long user agents; this string repeats the kind of content found in real events")
	for i := 0; i < 100; i++ {
		var ev string
		switch {
		case i%33 == 0:
			ev = seedConsoleLogin("Failure", "Yes")
		case i%33 == 16:
			ev = seedCredentialVerification("CredentialVerification", "TOTP", "Success")
		case i%10 == 3:
			ev = ct("ec2.amazonaws.com", names[i%len(names)], "AssumedRole", `"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation.",`+padding)
		default:
			ev = ct(fmt.Sprintf("svc%d.amazonaws.com", i%7), names[i%len(names)], "AssumedRole", padding)
		}
		out = append(out, []byte(ev))
	}
	return out
}

func benchPatterns(b *testing.B) []*Pattern {
	var ps []*Pattern
	srcs := []string{seedIAMPattern, seedICPattern}
	for _, c := range cisCases {
		srcs = append(srcs, c.pattern)
	}
	for _, s := range srcs {
		p, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// BenchmarkMatchCIS runs all CIS and seed-003 patterns (18) over each event
// of the mix; the event is parsed once per iteration as the scan does.
func BenchmarkMatchCIS(b *testing.B) {
	events := benchEvents()
	ps := benchPatterns(b)
	var d event.Doc
	size := 0
	for _, e := range events {
		size += len(e)
	}
	b.SetBytes(int64(size / len(events)))
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for i := 0; i < b.N; i++ {
		raw := events[i%len(events)]
		if err := d.Parse(raw); err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			if p.Match(d.Root(), raw) {
				matched++
			}
		}
	}
	if matched == 0 {
		b.Fatal("no pattern matched the mix")
	}
}

// BenchmarkMatchOnly is the same without the JSON parse: the cost of the
// 18 patterns alone per event.
func BenchmarkMatchOnly(b *testing.B) {
	events := benchEvents()
	ps := benchPatterns(b)
	docs := make([]event.Doc, len(events))
	for i := range events {
		if err := docs[i].Parse(events[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(events)
		for _, p := range ps {
			p.Match(docs[k].Root(), events[k])
		}
	}
}

// BenchmarkMatchTerms is an unstructured pattern over the raw text.
func BenchmarkMatchTerms(b *testing.B) {
	events := benchEvents()
	p, err := Parse(`ConsoleLogin "\"MFAUsed\":\"Yes\"" -Success`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Match(event.Value{}, events[i%len(events)])
	}
}

// BenchmarkObserve feeds the mix through an evaluator holding the seed and
// CIS patterns as metric filters, each with an alarm, advancing event time
// by one second per event.
func BenchmarkObserve(b *testing.B) {
	events := benchEvents()
	cfg := Config{}
	for i, p := range benchPatterns(b) {
		name := fmt.Sprintf("m%d", i)
		cfg.MetricFilters = append(cfg.MetricFilters, MetricFilter{Name: name, Pattern: p.Source(), MetricName: name, Namespace: "CIS", DefaultValue: fptr(0)})
		cfg.Alarms = append(cfg.Alarms, Alarm{Name: name, Metric: name, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching"})
	}
	e, err := NewEvaluator(cfg)
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]event.Doc, len(events))
	for i := range events {
		if err := docs[i].Parse(events[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(events)
		now := t0.Add(time.Duration(i) * time.Second)
		e.Observe(now, docs[k].Root(), events[k])
		if i%60 == 0 {
			e.Advance(now)
		}
	}
}
