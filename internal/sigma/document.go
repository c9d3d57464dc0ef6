// Package sigma parses Sigma rules (detection rules, correlation rules and
// meta filters, specification v2.1.0) and compiles detection rules into
// matchers over CloudTrail events.
package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// DocKind tells which of the three Sigma document types a YAML document is.
type DocKind string

// The Sigma document kinds.
const (
	KindRule        DocKind = "rule"
	KindCorrelation DocKind = "correlation"
	KindFilter      DocKind = "filter"
)

// Meta is the metadata every Sigma document may carry.
type Meta struct {
	Title          string   `yaml:"title"`
	ID             string   `yaml:"id"`
	Name           string   `yaml:"name"`
	Status         string   `yaml:"status"`
	Description    string   `yaml:"description"`
	Author         string   `yaml:"author"`
	Date           string   `yaml:"date"`
	Modified       string   `yaml:"modified"`
	Level          string   `yaml:"level"`
	Tags           []string `yaml:"tags"`
	References     []string `yaml:"references"`
	FalsePositives []string `yaml:"falsepositives"`
}

// Document is one YAML document of a rule file, classified but not yet
// interpreted.
type Document struct {
	Kind  DocKind
	File  string
	Index int // position of the document in its file, from 0
	Line  int // line where the document starts
	Node  *yaml.Node
	Meta  Meta
	// Source is the whole file the document was read from, for positions
	// inside values written over several lines; nil when unknown.
	Source []byte
}

// PosError is an error at a position in a rule file. Line and Column are
// 1-based; zero means unknown.
type PosError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *PosError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// NodeError builds a PosError at the position of n.
func NodeError(file string, n *yaml.Node, format string, args ...any) *PosError {
	e := &PosError{File: file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// LoadDocuments splits a rule file into its YAML documents and classifies
// each. A document that cannot be classified yields a *PosError; the other
// documents are still returned.
func LoadDocuments(file string, data []byte) ([]Document, []error) {
	var docs []Document
	var errs []error
	err := EachDocument(file, data, func(i int, n *yaml.Node) error {
		if n.Kind != yaml.MappingNode {
			errs = append(errs, NodeError(file, n, "document %d is not a mapping", i+1))
			return nil
		}
		d := Document{File: file, Index: i, Line: n.Line, Node: n, Source: data}
		if err := n.Decode(&d.Meta); err != nil {
			errs = append(errs, NodeError(file, n, "metadata: %v", err))
			return nil
		}
		switch {
		case MapValue(n, "correlation") != nil:
			d.Kind = KindCorrelation
		case MapValue(n, "filter") != nil:
			d.Kind = KindFilter
		case MapValue(n, "detection") != nil:
			d.Kind = KindRule
		default:
			errs = append(errs, NodeError(file, n, "document %d has none of detection, correlation or filter", i+1))
			return nil
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return docs, errs
}

// EachDocument calls f with the index and the top node of each YAML document
// of file's data, rule files and test files alike. An empty document (one
// a trailing "---" opens) is skipped: no rule, no error. A syntax error ends
// the reading, as the decoder cannot resynchronise after one, and is
// returned as a *PosError; so is the first error f returns.
func EachDocument(file string, data []byte, f func(i int, n *yaml.Node) error) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return YAMLError(file, err)
		}
		if len(root.Content) == 0 {
			continue
		}
		n := root.Content[0]
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			continue
		}
		if err := f(i, n); err != nil {
			return err
		}
	}
}

// MapValue returns the value node of key in mapping n, or nil.
func MapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// YAMLError turns an error of the YAML decoder reading file into a
// PosError: "file:line: YAML syntax: msg" for a syntax error, the same form
// as every other error in a rule file.
func YAMLError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return &PosError{File: file, Msg: te.Error()}
	}
	// yaml.v3 syntax errors read "yaml: line N: msg".
	var line int
	var msg string
	if n, _ := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); n == 1 {
		msg = err.Error()
		if i := bytes.IndexByte([]byte(msg[len("yaml: line "):]), ':'); i >= 0 {
			msg = msg[len("yaml: line ")+i+1:]
		}
		return &PosError{File: file, Line: line, Msg: "YAML syntax:" + msg}
	}
	return &PosError{File: file, Msg: err.Error()}
}
