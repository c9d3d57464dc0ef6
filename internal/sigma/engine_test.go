package sigma

import (
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

func TestMatchLazyAgreesWithMatch(t *testing.T) {
	docs, errs := LoadDocuments("lazy.yml", []byte(`title: lazy
id: 3f1a9c55-8d0e-4c57-9a39-5d9f0a1b2c3d
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName|startswith: Console
  other:
    sourceIPAddress|cidr: 192.0.2.0/24
  condition: sel and other
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r, err := ParseRule(docs[0], ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile([]*Rule{r}, nil, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var d event.Doc
	if err := d.Parse([]byte(`{"eventName":"ConsoleLogin","sourceIPAddress":"192.0.2.7"}`)); err != nil {
		t.Fatal(err)
	}
	var eager, lazy []string
	e.Match(d.Root(), nil, func(m Match) { eager = append(eager, m.Rule.ID+" "+m.Explanation.String()) })
	e.MatchLazy(d.Root(), nil, func(m LazyMatch) { lazy = append(lazy, m.Rule.ID+" "+m.Explain().String()) })
	if len(eager) != 1 || len(lazy) != 1 || eager[0] != lazy[0] {
		t.Fatalf("eager %q, lazy %q", eager, lazy)
	}
}
