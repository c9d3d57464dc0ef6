package alert_test

import (
	"fmt"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
)

func ExampleSummarize() {
	start := time.Date(2023, 7, 16, 4, 30, 0, 0, time.UTC)
	a := &alert.Alert{
		Rule:      alert.RuleRef{ID: "brute", Title: "Root sign-in brute force", Level: "high", Kind: alert.KindEventCount},
		GroupKey:  []alert.KV{{Key: "recipientAccountId", Value: "123456789012"}, {Key: "sourceIPAddress", Value: "198.51.100.7"}},
		FirstSeen: start, LastSeen: start.Add(4 * time.Minute), Count: 12,
	}
	fmt.Println(alert.Summarize(a))
	// Output: Root sign-in brute force: 12 events to 123456789012 from 198.51.100.7 in 4 min
}
