// Package cwfilter implements CloudWatch Logs filter patterns (JSON, term
// and space-delimited), metric filters and metric alarms, evaluated in event
// time so that a scan of historical CloudTrail raises the same alarms a
// CloudWatch Logs metric filter and alarm would have raised.
//
// Parse compiles a pattern; Pattern.Match tests one event; Pattern.Literals
// gives the byte strings a prefilter can look for before parsing an event.
// NewEvaluator turns a Config of metric filters and alarms into an Evaluator
// that is fed events with Observe and reports alarm state transitions from
// Advance and Flush. The semantics, and every choice made where the AWS
// documentation is silent, are described in docs/cloudwatch.md.
package cwfilter

import (
	"fmt"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/event"
)

// MaxPatternLength is the longest filter pattern CloudWatch Logs accepts
// (the filterPattern length constraint of PutMetricFilter).
const MaxPatternLength = 1024

// Kind says which of the three pattern syntaxes a Pattern uses.
type Kind uint8

// The pattern syntaxes.
const (
	// Terms is an unstructured pattern: terms, phrases, -exclusions, ?alternatives.
	Terms Kind = iota
	// JSON is a `{ ... }` pattern over the fields of a JSON event.
	JSON
	// Delimited is a `[ ... ]` pattern over the space-delimited fields of a message.
	Delimited
)

// String names the syntax: "json", "terms" or "space-delimited".
func (k Kind) String() string {
	switch k {
	case JSON:
		return "json"
	case Delimited:
		return "space-delimited"
	}
	return "terms"
}

// SyntaxError is a pattern that CloudWatch Logs would reject. Column is the
// 1-based position (in characters) of the problem in the pattern.
type SyntaxError struct {
	Column int
	Msg    string
}

// Error formats the error with its column.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern: column %d: %s", e.Column, e.Msg)
}

// Pattern is a compiled filter pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src   string
	kind  Kind
	json  expr
	terms *termPattern
	delim *delimPattern
}

// Parse compiles a CloudWatch Logs filter pattern. A pattern whose first
// non-blank character is `{` is a JSON pattern, `[` a space-delimited
// pattern, anything else (including the empty pattern) a term pattern.
func Parse(pattern string) (*Pattern, error) {
	if len(pattern) > MaxPatternLength {
		return nil, &SyntaxError{Column: utf8.RuneCountInString(pattern[:MaxPatternLength]) + 1,
			Msg: fmt.Sprintf("pattern is %d bytes long; CloudWatch accepts at most %d", len(pattern), MaxPatternLength)}
	}
	if !utf8.ValidString(pattern) {
		return nil, &SyntaxError{Column: invalidUTF8Column(pattern), Msg: "pattern is not valid UTF-8"}
	}
	p := &parser{src: pattern}
	p.skipSpace()
	out := &Pattern{src: pattern}
	var err error
	switch {
	case p.pos < len(pattern) && pattern[p.pos] == '{':
		out.kind = JSON
		out.json, err = p.parseJSON()
	case p.pos < len(pattern) && pattern[p.pos] == '[':
		out.kind = Delimited
		out.delim, err = p.parseDelimited()
	default:
		out.kind = Terms
		out.terms, err = p.parseTerms()
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func invalidUTF8Column(s string) int {
	col := 1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return col
		}
		i += n
		col++
	}
	return col
}

// Kind reports the syntax of the pattern.
func (p *Pattern) Kind() Kind { return p.kind }

// Source returns the pattern text as given to Parse.
func (p *Pattern) Source() string { return p.src }

// Match reports whether the event matches. JSON patterns test ev, the parsed
// event (a Missing ev never matches a JSON pattern); term and space-delimited
// patterns test raw, the log message as CloudWatch Logs receives it (for
// CloudTrail delivered to CloudWatch Logs, the event's JSON text).
func (p *Pattern) Match(ev event.Value, raw []byte) bool {
	switch p.kind {
	case JSON:
		if ev.Kind() == event.Missing {
			return false
		}
		return p.json.match(ev)
	case Delimited:
		_, ok := p.delim.match(raw, false)
		return ok
	}
	return p.terms.match(raw)
}

// Fields returns the fields a space-delimited pattern extracts from raw,
// keyed as CloudWatch names them ("$name" for named fields, "$N" for the
// N-th field), and whether the pattern matched. Other patterns extract no
// fields.
func (p *Pattern) Fields(raw []byte) (map[string]string, bool) {
	if p.kind != Delimited {
		return nil, false
	}
	b, ok := p.delim.match(raw, true)
	if !ok {
		return nil, false
	}
	return b.fieldMap(p.delim), true
}

// String returns the pattern in a canonical form that Parse accepts and
// that compiles to the same pattern.
func (p *Pattern) String() string {
	switch p.kind {
	case JSON:
		var b []byte
		b = append(b, "{ "...)
		b = p.json.appendTo(b, precOr)
		return string(append(b, " }"...))
	case Delimited:
		return p.delim.String()
	}
	return p.terms.String()
}
