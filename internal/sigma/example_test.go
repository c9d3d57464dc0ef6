package sigma_test

import (
	"fmt"

	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/sigma"
)

const exampleRule = `title: Console login without MFA
id: 5f0b1a6e-5a47-4c43-9d8a-1b0c9d3e2f10
status: test
level: medium
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
        additionalEventData.MFAUsed: 'No'
    filter_trusted:
        src_ip|cidr: 198.51.100.0/24
    condition: selection and not filter_trusted
`

func Example() {
	docs, errs := sigma.LoadDocuments("mfa.yml", []byte(exampleRule))
	if len(errs) > 0 {
		panic(errs[0])
	}
	rule, err := sigma.ParseRule(docs[0], sigma.ParseOptions{})
	if err != nil {
		panic(err)
	}
	e, err := sigma.Compile([]*sigma.Rule{rule}, nil, sigma.CompileOptions{
		Product: "aws", Service: "cloudtrail",
		FieldMappings: map[string][]string{"src_ip": {"sourceIPAddress"}},
	})
	if err != nil {
		panic(err)
	}
	gate := e.NewGate()
	var doc event.Doc
	for _, raw := range []string{
		`{"eventName":"ConsoleLogin","sourceIPAddress":"203.0.113.9","additionalEventData":{"MFAUsed":"No"}}`,
		`{"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","additionalEventData":{"MFAUsed":"No"}}`,
		`{"eventName":"GetObject","sourceIPAddress":"203.0.113.9"}`,
	} {
		if !gate.Pass([]byte(raw)) {
			fmt.Println("skipped by the prefilter")
			continue
		}
		if err := doc.Parse([]byte(raw)); err != nil {
			panic(err)
		}
		n := 0
		e.Match(doc.Root(), nil, func(m sigma.Match) {
			n++
			fmt.Println(m.Rule.Title+":", m.Explanation)
		})
		if n == 0 {
			fmt.Println("no match")
		}
	}
	// Output:
	// Console login without MFA: selection: eventName="ConsoleLogin" matched "ConsoleLogin"; selection: additionalEventData.MFAUsed="No" matched "No"
	// no match
	// skipped by the prefilter
}
