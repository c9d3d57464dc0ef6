package sigma

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Filter is a parsed Sigma meta filter: its detection is applied as
// "rule condition and not (filter condition)" to each rule it names.
type Filter struct {
	Meta
	// Rules lists the ids or names of the rules the filter applies to.
	Rules     []string
	Logsource Logsource
	File      string
	Line      int
	// Selections names the filter's search identifiers, in file order.
	Selections []string
	// Condition is the filter condition as written.
	Condition []string

	det *detection
}

// ParseFilter interprets a meta filter document. Errors are *PosError.
func ParseFilter(doc Document, opt ParseOptions) (*Filter, error) {
	if doc.Kind != KindFilter {
		return nil, NodeError(doc.File, doc.Node, "document is a %s, not a filter", doc.Kind)
	}
	f := &Filter{Meta: doc.Meta, File: doc.File, Line: doc.Line}
	if strings.TrimSpace(f.Title) == "" {
		return nil, NodeError(doc.File, doc.Node, "filter has no title")
	}
	ls, err := parseLogsource(doc.File, doc.Node)
	if err != nil {
		return nil, err
	}
	f.Logsource = ls
	body := MapValue(doc.Node, "filter")
	if body == nil || body.Kind != yaml.MappingNode {
		return nil, NodeError(doc.File, body, "filter must be a mapping with rules, search identifiers and a condition")
	}
	rules := MapValue(body, "rules")
	if rules == nil {
		return nil, NodeError(doc.File, body, "filter has no rules list")
	}
	if err := decodeRuleRefs(doc.File, rules, &f.Rules); err != nil {
		return nil, err
	}
	det, err := parseDetection(doc.File, doc.Source, body, opt, map[string]bool{"rules": true})
	if err != nil {
		return nil, err
	}
	f.det = det
	f.Selections = det.names
	f.Condition = det.condText
	return f, nil
}

func decodeRuleRefs(file string, n *yaml.Node, out *[]string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "" { // "rules:" left empty, or ''
			return NodeError(file, n, "filter rules: each entry must be a rule id or name")
		}
		*out = []string{n.Value}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode || e.Value == "" {
				return NodeError(file, e, "filter rules: each entry must be a rule id or name")
			}
			*out = append(*out, e.Value)
		}
	default:
		return NodeError(file, n, "filter rules must be a list of rule ids or names")
	}
	if len(*out) == 0 {
		return NodeError(file, n, "filter rules list is empty")
	}
	return nil
}

// appliesTo reports whether the filter names r (by id or name) and its
// logsource fields, where set, equal the rule's.
func (f *Filter) appliesTo(r *Rule) bool {
	named := false
	for _, ref := range f.Rules {
		if (r.ID != "" && ref == r.ID) || (r.Name != "" && ref == r.Name) {
			named = true
			break
		}
	}
	if !named {
		return false
	}
	same := func(fv, rv string) bool { return fv == "" || strings.EqualFold(fv, rv) }
	return same(f.Logsource.Product, r.Logsource.Product) &&
		same(f.Logsource.Service, r.Logsource.Service) &&
		same(f.Logsource.Category, r.Logsource.Category)
}
