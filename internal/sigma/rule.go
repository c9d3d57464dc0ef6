package sigma

import (
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ParseOptions controls rule parsing.
type ParseOptions struct {
	// Placeholders gives the values of %name% placeholders used with the
	// expand modifier. A rule using a placeholder with no values is rejected.
	Placeholders map[string][]string
}

// Logsource is the logsource section of a rule or filter.
type Logsource struct {
	Product    string `yaml:"product"`
	Service    string `yaml:"service"`
	Category   string `yaml:"category"`
	Definition string `yaml:"definition"`
}

// Rule is a parsed Sigma detection rule.
type Rule struct {
	Meta
	Logsource Logsource
	File      string
	Line      int
	// Fields is the rule's optional "fields" list (interesting fields).
	Fields []string
	// Selections names the search identifiers of the detection, in file order.
	Selections []string
	// Condition is the condition as written (several when it is a list).
	Condition []string

	det *detection
}

// levels and statuses are the values the specification allows.
var (
	levels   = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}
	statuses = map[string]bool{"stable": true, "test": true, "experimental": true, "deprecated": true, "unsupported": true}
)

// detection is a parsed detection (or filter) section.
type detection struct {
	sels     []*selection
	byID     map[string]int
	cond     condNode
	file     string
	names    []string
	condText []string
}

// selection is one search identifier: an OR of groups (lists of maps and
// keyword lists) where each group is an AND of items.
type selection struct {
	name   string
	groups [][]*item
}

// ParseRule interprets a detection rule document. Errors are *PosError.
func ParseRule(doc Document, opt ParseOptions) (*Rule, error) {
	if doc.Kind != KindRule {
		return nil, NodeError(doc.File, doc.Node, "document is a %s, not a detection rule", doc.Kind)
	}
	r := &Rule{Meta: doc.Meta, File: doc.File, Line: doc.Line}
	if strings.TrimSpace(r.Title) == "" {
		return nil, NodeError(doc.File, doc.Node, "rule has no title")
	}
	if err := checkMeta(doc); err != nil {
		return nil, err
	}
	ls, err := parseLogsource(doc.File, doc.Node)
	if err != nil {
		return nil, err
	}
	r.Logsource = ls
	if f := MapValue(doc.Node, "fields"); f != nil {
		if err := f.Decode(&r.Fields); err != nil {
			return nil, NodeError(doc.File, f, "fields: must be a list of strings")
		}
	}
	det, err := parseDetection(doc.File, doc.Source, MapValue(doc.Node, "detection"), opt, nil)
	if err != nil {
		return nil, err
	}
	r.det = det
	r.Selections = det.names
	r.Condition = det.condText
	return r, nil
}

// checkMeta validates the metadata values the specification restricts.
func checkMeta(doc Document) error {
	m := doc.Meta
	if lv := MapValue(doc.Node, "level"); lv != nil && !levels[m.Level] {
		return NodeError(doc.File, lv, "level %q is not one of informational, low, medium, high, critical", m.Level)
	}
	if st := MapValue(doc.Node, "status"); st != nil && !statuses[m.Status] {
		return NodeError(doc.File, st, "status %q is not one of stable, test, experimental, deprecated, unsupported", m.Status)
	}
	if utf8.RuneCountInString(m.Title) > 256 { // the specification counts characters
		return NodeError(doc.File, MapValue(doc.Node, "title"), "title longer than 256 characters")
	}
	return nil
}

func parseLogsource(file string, n *yaml.Node) (Logsource, error) {
	var ls Logsource
	v := MapValue(n, "logsource")
	if v == nil {
		return ls, NodeError(file, n, "missing logsource")
	}
	if v.Kind != yaml.MappingNode {
		return ls, NodeError(file, v, "logsource must be a mapping")
	}
	if err := v.Decode(&ls); err != nil {
		return ls, NodeError(file, v, "logsource: %v", err)
	}
	return ls, nil
}

// parseDetection reads a detection mapping. skip lists keys that are not
// search identifiers (the filter's "rules").
func parseDetection(file string, src []byte, n *yaml.Node, opt ParseOptions, skip map[string]bool) (*detection, error) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, NodeError(file, n, "detection must be a mapping of search identifiers and a condition")
	}
	d := &detection{byID: map[string]int{}, file: file}
	var condNode, timeframe *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case skip[k.Value]:
			continue
		case k.Value == "condition":
			condNode = v
			continue
		case k.Value == "timeframe":
			timeframe = k
			continue
		}
		if _, dup := d.byID[k.Value]; dup {
			return nil, NodeError(file, k, "search identifier %q defined twice", k.Value)
		}
		sel, err := parseSelection(file, k, v, opt)
		if err != nil {
			return nil, err
		}
		d.byID[k.Value] = len(d.sels)
		d.sels = append(d.sels, sel)
		d.names = append(d.names, k.Value)
	}
	if condNode == nil {
		return nil, NodeError(file, n, "detection has no condition")
	}
	if len(d.sels) == 0 {
		return nil, NodeError(file, n, "detection has no search identifier")
	}
	if condNode.Kind == yaml.ScalarNode {
		d.condText = []string{condNode.Value}
	}
	for _, c := range condNode.Content {
		d.condText = append(d.condText, c.Value)
	}
	c, err := parseConditionNode(file, src, condNode, d)
	if err != nil {
		return nil, err
	}
	if timeframe != nil {
		return nil, NodeError(file, timeframe, "legacy aggregation: detection.timeframe (Sigma v1) correlates several events: rewrite as a Sigma correlation rule with a timespan")
	}
	d.cond = c
	return d, nil
}

// parseConditionNode parses a condition string or a list of them (ORed).
func parseConditionNode(file string, src []byte, n *yaml.Node, d *detection) (condNode, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return parseConditionAt(file, src, n, d)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, NodeError(file, n, "condition list is empty")
		}
		var out condNode
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, NodeError(file, c, "condition must be a string")
			}
			x, err := parseConditionAt(file, src, c, d)
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = x
			} else {
				out = &condOr{l: out, r: x}
			}
		}
		return out, nil
	}
	return nil, NodeError(file, n, "condition must be a string or a list of strings")
}

// parseConditionAt parses the condition n. An error points at the place in
// the file that it names, found in src (the file's text) when the condition
// was written over several lines.
func parseConditionAt(file string, src []byte, n *yaml.Node, d *detection) (condNode, error) {
	c, err := parseCondition(n.Value, d.lookup)
	if err != nil {
		ce, ok := err.(*condError)
		if !ok {
			return nil, NodeError(file, n, "condition: %v", err)
		}
		if line, col, ok := scalarPosition(src, n, ce.off); ok {
			return nil, &PosError{File: file, Line: line, Column: col, Msg: "condition: " + ce.msg}
		}
		// Without the text: the node's position and the offset, which is
		// right for a condition on one line without escapes.
		col := n.Column + utf8.RuneCountInString(n.Value[:min(ce.off, len(n.Value))]) // YAML columns count characters
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			col++
		}
		return nil, &PosError{File: file, Line: n.Line, Column: col, Msg: "condition: " + ce.msg}
	}
	return c, nil
}

// lookup resolves a search identifier pattern to selection indexes.
func (d *detection) lookup(name string, pattern bool) []int {
	if !pattern {
		if i, ok := d.byID[name]; ok {
			return []int{i}
		}
		return nil
	}
	var out []int
	them := name == "them"
	g := compileGlob(parseSigmaString(name))
	for i, s := range d.sels {
		if them {
			if !strings.HasPrefix(s.name, "_") {
				out = append(out, i)
			}
		} else if g.match([]byte(s.name)) {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

func parseSelection(file string, k, v *yaml.Node, opt ParseOptions) (*selection, error) {
	s := &selection{name: k.Value}
	switch v.Kind {
	case yaml.MappingNode:
		g, err := parseMap(file, v, opt)
		if err != nil {
			return nil, err
		}
		s.groups = [][]*item{g}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, NodeError(file, v, "search identifier %q is an empty list", k.Value)
		}
		var kw []*yaml.Node
		for _, e := range v.Content {
			switch e.Kind {
			case yaml.MappingNode:
				g, err := parseMap(file, e, opt)
				if err != nil {
					return nil, err
				}
				s.groups = append(s.groups, g)
			case yaml.ScalarNode:
				kw = append(kw, e)
			default:
				return nil, NodeError(file, e, "a list element of %q must be a value or a map", k.Value)
			}
		}
		if len(kw) > 0 {
			it, err := parseItem(file, &yaml.Node{Kind: yaml.ScalarNode, Line: kw[0].Line, Column: kw[0].Column}, &yaml.Node{Kind: yaml.SequenceNode, Content: kw, Line: kw[0].Line, Column: kw[0].Column}, opt)
			if err != nil {
				return nil, err
			}
			s.groups = append(s.groups, []*item{it})
		}
	case yaml.ScalarNode:
		it, err := parseItem(file, &yaml.Node{Kind: yaml.ScalarNode, Line: v.Line, Column: v.Column}, v, opt)
		if err != nil {
			return nil, err
		}
		s.groups = [][]*item{{it}}
	default:
		return nil, NodeError(file, v, "search identifier %q must be a map, a list or a value", k.Value)
	}
	return s, nil
}

func parseMap(file string, m *yaml.Node, opt ParseOptions) ([]*item, error) {
	if len(m.Content) == 0 {
		return nil, NodeError(file, m, "empty map in detection")
	}
	var g []*item
	for i := 0; i+1 < len(m.Content); i += 2 {
		it, err := parseItem(file, m.Content[i], m.Content[i+1], opt)
		if err != nil {
			return nil, err
		}
		g = append(g, it)
	}
	return g, nil
}

// errorf is a helper for item errors.
func errorf(file string, n *yaml.Node, format string, args ...any) error {
	return NodeError(file, n, format, args...)
}
