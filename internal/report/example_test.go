package report_test

import (
	"os"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/report"
)

func ExampleWrite() {
	at := time.Date(2023, 7, 12, 13, 35, 31, 0, time.UTC)
	alerts := []alert.Alert{{
		Rule:    alert.RuleRef{ID: "root-login", Title: "Root console sign-in", Level: "high", Tags: []string{"attack.t1078.004"}, Kind: "single"},
		Account: "111122223333", Region: "us-east-1", FirstSeen: at, LastSeen: at, Count: 1,
		EventIDs: []string{"4217cc13-7328-4820-a90c-EXAMPLE8002e6"}, Actor: "arn:aws:iam::111122223333:root",
		SourceIP: "192.0.2.0", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36",
	}}
	if err := report.Write(os.Stdout, "table", alerts, nil, report.Options{NoSummary: true}); err != nil {
		panic(err)
	}
	// Output:
	// TIME                  LEVEL  RULE                  ACCOUNT       REGION     ACTOR  SOURCE IP  USER AGENT         SUMMARY
	// 2023-07-12T13:35:31Z  high   Root console sign-in  111122223333  us-east-1  root   192.0.2.0  Chrome on Windows  Root console sign-in to 111122223333 from 192.0.2.0 (Chrome on Windows)
}
