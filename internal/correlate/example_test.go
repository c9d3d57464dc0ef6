package correlate_test

import (
	"fmt"
	"time"

	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/sigma"
)

func Example() {
	src := `
title: Root console sign-in failure
name: root_signin_failure
detection: {sel: {eventName: ConsoleLogin}, condition: sel}
---
title: Root brute force
correlation:
  type: event_count
  rules: [root_signin_failure]
  group-by: [sourceIPAddress]
  timespan: 15m
  condition: {gte: 5}
`
	docs, _ := sigma.LoadDocuments("rules.yml", []byte(src))
	var rules []*correlate.Rule
	var bases []correlate.Base
	for _, d := range docs {
		if d.Kind == sigma.KindCorrelation {
			r, err := correlate.Parse(d)
			if err != nil {
				fmt.Println(err)
				return
			}
			rules = append(rules, r)
		} else {
			bases = append(bases, correlate.Base{ID: d.Meta.ID, Name: d.Meta.Name})
		}
	}
	e, err := correlate.New(rules, bases, correlate.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("fields:", e.FieldsFor("root_signin_failure"))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// Six failures from one IP, arriving out of order.
	for _, min := range []int{3, 0, 5, 1, 2, 4} {
		e.Observe(correlate.Observation{
			RuleID: "root_signin_failure", EventID: fmt.Sprint("ev", min), Time: t0.Add(time.Duration(min) * time.Minute),
			Fields: map[string]string{"sourceIPAddress": "203.0.113.7"},
		})
	}
	for _, d := range e.Flush() {
		fmt.Println(d.Rule.Title, d.GroupKey, d.Count, d.EventIDs, d.Fired.Format("15:04"))
	}
	// Output:
	// fields: [sourceIPAddress]
	// Root brute force [{sourceIPAddress 203.0.113.7}] 6 [ev0 ev1 ev2 ev3 ev4 ev5] 12:04
}
