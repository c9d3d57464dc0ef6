package cwfilter_test

import (
	"fmt"
	"time"

	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/event"
)

func ExampleParse() {
	p, err := cwfilter.Parse(`{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed = "Yes") && ($.responseElements.ConsoleLogin = "Failure") }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	raw := []byte(`{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"},"responseElements":{"ConsoleLogin":"Failure"}}`)
	var d event.Doc
	if err := d.Parse(raw); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Match(d.Root(), raw))
	fmt.Println(p)
	_, err = cwfilter.Parse(`{ $.eventName = }`)
	fmt.Println(err)
	// Output:
	// true
	// { $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed = "Yes" && $.responseElements.ConsoleLogin = "Failure" }
	// filter pattern: column 17: expected a value after = but found '}'
}

func ExampleNewEvaluator() {
	e, err := cwfilter.NewEvaluator(cwfilter.Config{
		MetricFilters: []cwfilter.MetricFilter{{
			Name: "ConsoleAuthFailures", Pattern: `{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`,
			MetricName: "ConsoleAuthFailureCount", Namespace: "CISBenchmark",
		}},
		Alarms: []cwfilter.Alarm{{
			Name: "ConsoleAuthFailures", Metric: "ConsoleAuthFailureCount", Statistic: "Sum", Threshold: 3,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: 5 * time.Minute, EvaluationPeriods: 1,
			TreatMissingData: "notBreaching",
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	raw := []byte(`{"eventName":"ConsoleLogin","errorMessage":"Failed authentication"}`)
	var d event.Doc
	_ = d.Parse(raw)
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		e.Observe(start.Add(time.Duration(i)*time.Minute), d.Root(), raw)
	}
	for _, t := range e.Advance(start.Add(5 * time.Minute)) {
		fmt.Println(t.Alarm, t.From, "->", t.To, t.Time.Format(time.RFC3339), t.Datapoints)
	}
	// Output:
	// ConsoleAuthFailures INSUFFICIENT_DATA -> ALARM 2024-05-01T12:05:00Z [3]
}
