package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/signwatch/signwatch/internal/sigma"
)

// TestSuite is the list of test cases for one rule, carried by the rule
// document itself (the custom attribute `signwatch: {tests: [...]}`) or by a
// side-car test file (`*.tests.yml`) for rules that cannot be edited.
// docs/rule-tests.md describes the format.
type TestSuite struct {
	Rule  string // id or name of the rule under test
	File  string
	Line  int
	Cases []TestCase
}

// TestCase is one sequence of events and the expected outcome for the rule.
type TestCase struct {
	Name   string
	Expect bool // true: the rule must fire; false: it must not
	Count  int  // when > 0, the exact number of detections expected
	Events [][]byte
	Line   int
}

// testCaseYAML is the YAML shape of a test case.
type testCaseYAML struct {
	Name   string      `yaml:"name"`
	Expect string      `yaml:"expect"`
	Count  *int        `yaml:"count"` // nil when absent: count: 0 is an error
	Events []yaml.Node `yaml:"events"`
}

// IsTestFile reports whether name is a side-car test file.
func IsTestFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	return strings.HasSuffix(base, ".tests.yml") || strings.HasSuffix(base, ".tests.yaml")
}

// testBase is the time given to the first event of a case that has no
// eventTime; each following event is one second later.
var testBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func parseEmbeddedTests(d sigma.Document) (*TestSuite, error) {
	sw := sigma.MapValue(d.Node, "signwatch")
	if sw == nil {
		return nil, nil
	}
	// A misspelt key would leave the rule untested without a word.
	if err := knownKeys(d.File, sw, "signwatch", "tests"); err != nil {
		return nil, err
	}
	tn := sigma.MapValue(sw, "tests")
	if tn == nil {
		return nil, sigma.NodeError(d.File, sw, "signwatch: needs `tests:`")
	}
	rule := d.Meta.ID
	if rule == "" {
		rule = d.Meta.Name
	}
	if rule == "" {
		return nil, sigma.NodeError(d.File, d.Node, "a rule that carries tests needs an id or a name")
	}
	return parseCases(d.File, rule, tn)
}

// ParseTestFile reads a side-car test file: one or more YAML documents, each
// `rule: <id or name>` with `tests: [...]`.
func ParseTestFile(name string, data []byte) (*TestSuite, error) {
	var all *TestSuite
	err := sigma.EachDocument(name, data, func(_ int, n *yaml.Node) error {
		if err := knownKeys(name, n, "a test document", "rule", "tests"); err != nil {
			return err
		}
		rn := sigma.MapValue(n, "rule")
		tn := sigma.MapValue(n, "tests")
		if rn == nil || tn == nil {
			return sigma.NodeError(name, n, "a test document needs `rule:` and `tests:`")
		}
		if rn.Kind != yaml.ScalarNode || rn.Value == "" {
			return sigma.NodeError(name, rn, "rule: must be the id or name of one rule")
		}
		ts, err := parseCases(name, rn.Value, tn)
		switch {
		case err != nil:
			return err
		case all == nil:
			all = ts
		case all.Rule != ts.Rule:
			return sigma.NodeError(name, n, "one test file tests one rule (found %q and %q)", all.Rule, ts.Rule)
		default:
			all.Cases = append(all.Cases, ts.Cases...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if all == nil {
		return nil, fmt.Errorf("%s: no test documents", name)
	}
	return all, nil
}

func parseCases(file, rule string, tn *yaml.Node) (*TestSuite, error) {
	if tn.Kind != yaml.SequenceNode {
		return nil, sigma.NodeError(file, tn, "tests must be a list")
	}
	if len(tn.Content) == 0 {
		return nil, sigma.NodeError(file, tn, "tests is empty: a rule's tests need at least one case")
	}
	ts := &TestSuite{Rule: rule, File: file, Line: tn.Line}
	for i, cn := range tn.Content {
		if err := knownKeys(file, cn, fmt.Sprintf("test %d", i+1), "name", "expect", "count", "events"); err != nil {
			return nil, err
		}
		var cy testCaseYAML
		if err := cn.Decode(&cy); err != nil {
			return nil, sigma.NodeError(file, cn, "test %d: %v", i+1, err)
		}
		tc := TestCase{Name: cy.Name, Line: cn.Line}
		if tc.Name == "" {
			tc.Name = fmt.Sprintf("case %d", i+1)
		}
		switch cy.Expect {
		case "match":
			tc.Expect = true
		case "no-match", "no match", "nomatch":
		default:
			return nil, sigma.NodeError(file, cn, "test %q: expect must be match or no-match, not %q", tc.Name, cy.Expect)
		}
		switch {
		case cy.Count == nil:
		case !tc.Expect:
			return nil, sigma.NodeError(file, cn, "test %q: count goes with expect: match (no-match means no detection)", tc.Name)
		case *cy.Count < 1:
			return nil, sigma.NodeError(file, cn, "test %q: count must be a positive number of detections, not %d", tc.Name, *cy.Count)
		default:
			tc.Count = *cy.Count
		}
		if len(cy.Events) == 0 {
			return nil, sigma.NodeError(file, cn, "test %q has no events", tc.Name)
		}
		for j := range cy.Events {
			ev, err := eventJSON(&cy.Events[j], j)
			if err != nil {
				return nil, sigma.NodeError(file, &cy.Events[j], "test %q event %d: %v", tc.Name, j+1, err)
			}
			tc.Events = append(tc.Events, ev)
		}
		ts.Cases = append(ts.Cases, tc)
	}
	return ts, nil
}

// knownKeys rejects a key of mapping n that is not one of keys, naming it
// and its position: a misspelt key (`cuont`, `test`) must not be ignored, or
// a test would check less than its author wrote. A node that is not a
// mapping is an error too.
func knownKeys(file string, n *yaml.Node, what string, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return sigma.NodeError(file, n, "%s must be a mapping (%s)", what, strings.Join(keys, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(keys, k.Value) {
			return sigma.NodeError(file, k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(keys, ", "))
		}
	}
	return nil
}

// eventJSON turns a test event (a YAML mapping, or a string holding a JSON
// object) into CloudTrail JSON, adding eventTime and eventID when absent.
func eventJSON(n *yaml.Node, idx int) ([]byte, error) {
	var m map[string]any
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		// Numbers keep their exact text (3600.0 stays 3600.0).
		dec := json.NewDecoder(strings.NewReader(n.Value))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("not a JSON object: %w", err)
		}
		if m == nil { // the string null
			return nil, errors.New("not a JSON object: null")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, errors.New("not a JSON object: more after the object's closing brace")
		}
	case yaml.MappingNode:
		if err := n.Decode(&m); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("an event is a mapping or a JSON string")
	}
	if _, ok := m["eventTime"]; !ok {
		m["eventTime"] = testBase.Add(time.Duration(idx) * time.Second).Format(time.RFC3339)
	}
	if _, ok := m["eventID"]; !ok {
		m["eventID"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", idx+1)
	}
	// No HTML escaping: a rule looking for "<sensitiveDataRemoved>" must see
	// the characters CloudTrail writes, not \u003c.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
