package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

// GroupKey is an ordered group key; it is written as a JSON object whose
// members keep the rule's group-by order.
type GroupKey []alert.KV

// MarshalJSON writes the key as an ordered object.
func (g GroupKey) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range g {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of strings, keeping the member order.
func (g *GroupKey) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("group_key: %w", err)
	}
	if tok == nil {
		*g = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("group_key: want an object, found %v", tok)
	}
	out := GroupKey{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fmt.Errorf("group_key: %w", err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("group_key member %v: %w", k, err)
		}
		out = append(out, alert.KV{Key: k.(string), Value: v})
	}
	*g = out
	return nil
}

// summaryLine is the final line of jsonl: the summary's fields plus type.
type summaryLine struct {
	Type          string `json:"type"`
	SchemaVersion string `json:"schema_version"`
	*summary.View
}

// Document is the whole json output.
type Document struct {
	SchemaVersion string        `json:"schema_version"`
	Detections    []Detection   `json:"detections"`
	Summary       *summary.View `json:"summary"`
}

func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func writeJSONL(w io.Writer, alerts []alert.Alert, s *summary.Summary, opt Options) error {
	enc := newEncoder(w)
	for i := range alerts {
		d := NewDetection(&alerts[i])
		d.Type = "detection"
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if opt.NoSummary {
		return nil
	}
	return enc.Encode(summaryLine{Type: "summary", SchemaVersion: SchemaVersion, View: summaryView(alerts, s)})
}

func writeJSON(w io.Writer, alerts []alert.Alert, s *summary.Summary) error {
	doc := Document{SchemaVersion: SchemaVersion, Detections: make([]Detection, 0, len(alerts)),
		Summary: summaryView(alerts, s)}
	for i := range alerts {
		doc.Detections = append(doc.Detections, NewDetection(&alerts[i]))
	}
	// Compact: the document can hold many thousands of detections, and
	// indenting doubles the cost of writing it (pipe through jq to read).
	return newEncoder(w).Encode(doc)
}
